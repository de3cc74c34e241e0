"""Approximate ranking of very common queries: the same hits, only ranked differently.

The seed corpus is small, so the thresholds are lowered through the settings: a rank limit
of 3 matches makes "the" (dozens of matches) a very common query.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from api.db.models import Document
from tests.conftest import DatabaseFactory, DbHandle

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
SEED_003 = "bodega-why-did-the-usa-ussr-alliance-break-down"


def _client(db: DbHandle, **settings: object) -> Iterator[TestClient]:
    app = create_app(db.app_settings(**settings), engine=db.engine)
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def exact(seeded_db: DbHandle) -> Iterator[TestClient]:
    yield from _client(seeded_db)


@pytest.fixture(scope="module")
def sampled(seeded_db: DbHandle) -> Iterator[TestClient]:
    yield from _client(seeded_db, search_rank_limit=3)


def walk(client: TestClient, query: str, **params: object) -> tuple[list[dict], set[str]]:  # type: ignore[type-arg]
    """Every hit of ``query``, page after page; and the rankings the pages reported."""
    hits: list[dict] = []  # type: ignore[type-arg]
    rankings = set()
    response = client.get("/v1/search", params={"q": query, "limit": 4, **params})
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        hits += body["items"]
        rankings.add(body["ranking"])
        if not body["next"]:
            return hits, rankings
        response = client.get(body["next"])


def keys(hits: list[dict]) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(h["document"], (h["passage"] or h["footnote"])) for h in hits]


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("the", {}),
        ("the", {"scope": "all"}),
        ("the", {"source_type": "secondary"}),
        ("the", {"include_boilerplate": "true"}),
        ("repatriat*", {}),
        ('"the Soviet"', {}),
        ("Soviet -Yalta", {}),
        ("(Stalin OR Truman) the", {}),
    ],
)
def test_a_sampled_query_finds_exactly_the_same_hits_once_each(
    exact: TestClient, sampled: TestClient, query: str, params: dict[str, object]
) -> None:
    expected, exact_rankings = walk(exact, query, **params)
    found, rankings = walk(sampled, query, **params)
    assert exact_rankings == {"exact"}
    assert len(expected) > 3 and rankings == {"approximate"}
    assert len(keys(found)) == len(set(keys(found))), "a hit came twice"
    assert set(keys(found)) == set(keys(expected))


def test_phrases_and_not_stay_exact_when_sampled(sampled: TestClient) -> None:
    hits, rankings = walk(sampled, '"the Soviet"')
    assert rankings == {"approximate"}
    for hit in hits:
        assert hit["matches"] and all(
            hit["snippet"]["text"][s["snippet_start"] : s["snippet_end"]].lower() == "the soviet"
            for s in hit["snippet"]["highlights"]
        )
    hits, _ = walk(sampled, "(Potsdam OR Conference) -Yalta")
    assert hits and (SEED_003, "sec1") not in keys(hits)  # "The Yalta Conference - …"


def test_the_ranked_part_comes_first_best_first(sampled: TestClient) -> None:
    body = sampled.get("/v1/search", params={"q": "the", "limit": 3}).json()
    scores = [h["score"] for h in body["items"]]
    assert body["ranking"] == "approximate" and scores == sorted(scores, reverse=True)
    assert scores[0] > 0


def test_few_matches_are_ranked_by_the_engine(sampled: TestClient, exact: TestClient) -> None:
    body = sampled.get("/v1/search", params={"q": "Lienz"}).json()
    assert body["ranking"] == "exact"
    assert body == exact.get("/v1/search", params={"q": "Lienz"}).json()


def test_other_orders_are_never_sampled(sampled: TestClient, exact: TestClient) -> None:
    body = sampled.get("/v1/search", params={"q": "the", "sort": "date"}).json()
    assert body["ranking"] == "exact"
    assert body == exact.get("/v1/search", params={"q": "the", "sort": "date"}).json()
    inside = sampled.get(f"/v1/documents/{TELEGRAM}/search", params={"q": "the"}).json()
    assert inside["ranking"] == "exact"


def test_a_very_common_word_is_approximate_on_sqlite_only(seeded_db: DbHandle) -> None:
    # Every match is within the rank limit, but "the" is in more than 5 passages: FTS5's
    # BM25 would read all of them to weigh it; ts_rank_cd does not weigh words.
    for client in _client(seeded_db, search_common_word=5):
        body = client.get("/v1/search", params={"q": "the Lienz"}).json()
        expected = "approximate" if seeded_db.backend == "sqlite" else "exact"
        assert body["ranking"] == expected
        assert [(h["passage"] or h["footnote"]) for h in body["items"]] == ["sec1.p2"]
        assert client.get("/v1/search", params={"q": "Lienz"}).json()["ranking"] == "exact"


def test_deleted_documents_are_left_out_of_both_rankings(
    databases: DatabaseFactory, backend: str
) -> None:
    db = databases.seeded(backend)
    with db.engine.begin() as connection:
        connection.execute(
            update(Document).where(Document.id == TELEGRAM).values(deleted_at=Document.created_at)  # type: ignore[arg-type]
        )
    for rank_limit in (1000, 3):
        for client in _client(db, search_rank_limit=rank_limit):
            hits, _ = walk(client, "the", scope="all")
            assert hits and TELEGRAM not in {doc for doc, _ in keys(hits)}
            assert walk(client, "Moyne", scope="all")[0] == []


def test_find_in_document_scores_every_hit_in_either_order(
    exact: TestClient, seeded_db: DbHandle
) -> None:
    url = f"/v1/documents/{TELEGRAM}/search"
    by_position = exact.get(url, params={"q": "the", "limit": 200}).json()
    by_relevance = exact.get(url, params={"q": "the", "limit": 200, "sort": "relevance"}).json()
    assert by_position["ranking"] == "exact"
    # On SQLite FTS5 would weigh "the" again for every row of the document: scored here.
    expected = "approximate" if seeded_db.backend == "sqlite" else "exact"
    assert by_relevance["ranking"] == expected
    assert len(by_position["items"]) > 3
    assert {(h["passage"] or h["footnote"]) for h in by_position["items"]} == {
        (h["passage"] or h["footnote"]) for h in by_relevance["items"]
    }
    scores = [h["score"] for h in by_relevance["items"]]
    assert scores == sorted(scores, reverse=True) and all(s >= 0 for s in scores)
