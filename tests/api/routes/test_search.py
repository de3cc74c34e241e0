"""The search API over the seed corpus: the same suite, the same top hits, on both engines."""

import pytest
from fastapi.testclient import TestClient

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
SEED_000 = "why-did-the-ussr-refuse-to-repatriate-allied-pows"
SEED_001 = "russian-liberation-movement-the-allies"
SEED_003 = "bodega-why-did-the-usa-ussr-alliance-break-down"


def search(client: TestClient, query: str, **params: object) -> dict:  # type: ignore[type-arg]
    response = client.get("/v1/search", params={"q": query, **params})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def hits(client: TestClient, query: str, **params: object) -> list[tuple[str, str]]:
    return [
        (h["document"], (h["passage"] or h["footnote"]))
        for h in search(client, query, **params)["items"]
    ]


def documents(client: TestClient, query: str, **params: object) -> set[str]:
    return {doc for doc, _ in hits(client, query, **params)}


# (query, params, expected documents (exact set), expected top hit (document, ref) or None)
SUITE: list[tuple[str, dict[str, object], set[str], tuple[str, str] | None]] = [
    ("Lienz", {}, {SEED_001}, (SEED_001, "sec1.p2")),
    ('"Soviet nationals"', {}, {TELEGRAM}, None),
    ("Moyne", {"scope": "footnotes"}, {TELEGRAM}, (TELEGRAM, "fn1")),
    ("Moyne", {}, {TELEGRAM}, (TELEGRAM, "p4")),
    ("Moyne", {"scope": "all"}, {TELEGRAM}, None),
    ("Gufler", {}, set(), None),  # only in a note; the default scope is the text
    ("Gufler", {"scope": "footnotes"}, {TELEGRAM}, (TELEGRAM, "fn2")),
    ('"740.62114/9–2744"', {"scope": "footnotes"}, {TELEGRAM}, (TELEGRAM, "fn2")),
    ("Stalin", {"date_from": "1944", "date_to": "1944"}, set(), None),
    ("prisoners", {"date_from": "1944", "date_to": "1944"}, {TELEGRAM}, None),
    ("repatriat*", {}, {SEED_000, TELEGRAM, SEED_001}, None),
    ("Yalta OR Lienz", {}, {SEED_000, SEED_001, SEED_003}, None),
    ("Potsdam Truman", {}, {SEED_003}, None),
    ('"Combined Chiefs of Staff"', {}, {TELEGRAM}, (TELEGRAM, "p6")),
    ("Stalin", {"source_type": "secondary"}, {SEED_003}, None),
    ("Stalin", {"collection": "frus-1944-v04"}, set(), None),
    ("Yalta", {"genre": "encyclopedia entry"}, {SEED_001}, None),
    ("Sontag", {}, set(), None),  # boilerplate is left out …
    ("Sontag", {"include_boilerplate": "true"}, {SEED_001}, None),  # … unless asked for
    ("war", {"document": SEED_000}, {SEED_000}, None),
    ("Stalin", {"entity": "joseph-stalin"}, {SEED_001, SEED_003}, None),
    ("conference", {"event": "yalta-conference"}, {SEED_000, SEED_001, SEED_003}, None),
    ("zurich OR ussr", {}, {SEED_000, SEED_003}, None),
    ("USSR", {"sort": "date"}, {SEED_000, SEED_003}, None),
]


@pytest.mark.parametrize(("query", "params", "expected", "top"), SUITE)
def test_query_suite(
    client: TestClient,
    query: str,
    params: dict[str, object],
    expected: set[str],
    top: tuple[str, str] | None,
) -> None:
    found = hits(client, query, **params)
    assert {doc for doc, _ in found} == expected
    if top is not None:
        assert found[0] == top


def test_not_excludes_the_yalta_section(client: TestClient) -> None:
    potsdam = hits(client, "Potsdam -Yalta")
    assert potsdam and all(doc == SEED_003 and ref.startswith("sec2") for doc, ref in potsdam)
    with_yalta = hits(client, "(Potsdam OR Conference)")
    without = hits(client, "(Potsdam OR Conference) -Yalta")
    assert (SEED_003, "sec1") in with_yalta  # "The Yalta Conference - February 1945"
    assert (SEED_003, "sec1") not in without and set(without) < set(with_yalta)


def test_hits_carry_snippets_and_exact_offsets(client: TestClient) -> None:
    body = search(client, '"Soviet nationals"')
    text = client.get(f"/v1/documents/{TELEGRAM}/text?view=full").text
    for hit in body["items"]:
        assert hit["container"] == "passage" and hit["kind"] == "paragraph"
        assert hit["score"] > 0
        passage = client.get(hit["links"]["passage"]).json()
        assert hit["start"] == passage["start"]
        for span in hit["matches"]:
            assert text[span["start"] : span["end"]] == "Soviet nationals"
            in_passage = passage["text"][span["passage_start"] : span["passage_end"]]
            assert in_passage == "Soviet nationals"
        snippet = hit["snippet"]
        assert "<mark>Soviet nationals</mark>" in snippet["html"]
        for span in snippet["highlights"]:
            found = snippet["text"][span["snippet_start"] : span["snippet_end"]]
            assert found == "Soviet nationals"
        assert hit["links"]["passage"].endswith(f"/passages/{hit['passage']}")
        assert hit["footnote"] is None
    assert body["links"]["self"].endswith("/v1/search?q=%22Soviet+nationals%22")


def test_hits_in_notes_count_in_the_note(client: TestClient) -> None:
    body = search(client, "Moyne", scope="footnotes")
    text = client.get(f"/v1/documents/{TELEGRAM}/text?view=full").text
    (hit,) = body["items"]
    note = client.get(hit["links"]["footnote"]).json()
    assert hit["footnote"] == note["ref"] and hit["passage"] is None
    assert hit["start"] == note["start"] and text[: hit["start"]].endswith("Lord Moyne")
    for span in hit["matches"]:
        assert span["start"] is None and span["end"] is None
        assert note["text"][span["passage_start"] : span["passage_end"]] == "Moyne"


def test_snippet_html_is_escaped(client: TestClient) -> None:
    body = search(client, "Department", limit=50)
    assert all(
        "<" not in h["snippet"]["html"].replace("<mark>", "").replace("</mark>", "")
        for h in body["items"]
    )


def test_facets_count_every_hit(client: TestClient) -> None:
    body = search(
        client, "Stalin OR Harriman", limit=1, facets="source_type,collection,year,entity"
    )
    facets = body["facets"]
    assert {f["value"] for f in facets["source_type"]} == {"primary", "secondary", "tertiary"}
    telegram_hits = [d for d, _ in hits(client, "Stalin OR Harriman") if d == TELEGRAM]
    assert {f["value"]: f["count"] for f in facets["year"]} == {"1944": len(telegram_hits)}
    assert sum(f["count"] for f in facets["collection"]) >= 3
    assert facets["entity"][0]["count"] >= 1 and facets["entity"][0]["label"]
    assert client.get("/v1/search", params={"q": "Stalin", "facets": "colour"}).status_code == 422


@pytest.mark.parametrize(
    ("query", "params"),
    [("war", {"scope": "all"}), ("the", {"source_type": "secondary"}), ("Soviet", {})],
)
def test_facets_equal_counts_over_every_hit(
    client: TestClient, query: str, params: dict[str, str]
) -> None:
    """Each facet value counts the hits whose document has it, whatever page is shown."""
    wanted = "source_type,genre,collection,year,entity"
    body = search(client, query, limit=1, facets=wanted, **params)
    every: list[dict] = []  # type: ignore[type-arg]
    page = search(client, query, limit=100, **params)
    every += page["items"]
    while page["next"]:
        page = client.get(page["next"]).json()
        every += page["items"]
    assert every
    meta = {}
    for document in {h["document"] for h in every}:
        meta[document] = client.get(f"/v1/documents/{document}").json()
    expected: dict[str, dict[str, int]] = {"source_type": {}, "genre": {}, "collection": {}}
    expected["year"] = {}
    for hit in every:
        doc = meta[hit["document"]]
        for facet, value in [
            ("source_type", doc["source_type"]),
            ("genre", doc.get("genre")),
            ("collection", doc.get("collection")),
            ("year", (doc.get("date_start") or "")[:4] or None),
        ]:
            if value is not None:
                expected[facet][value] = expected[facet].get(value, 0) + 1
    for facet, counts in expected.items():
        top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]
        assert [(f["value"], f["count"]) for f in body["facets"][facet]] == top, facet
    named = {e["value"] for e in body["facets"]["entity"]}
    for entity in body["facets"]["entity"]:
        mentions = client.get(f"/v1/entities/{entity['value']}/documents", params={"limit": 100})
        if mentions.status_code == 200:
            in_hits = {d["id"] for d in mentions.json()["items"]} & set(meta)
            assert entity["count"] == len(in_hits), entity
    assert len(named) <= 10


def test_pagination_walks_every_hit_once(client: TestClient) -> None:
    everything = hits(client, "the", limit=200)
    seen: list[tuple[str, str]] = []
    url: str | None = "/v1/search?q=the&limit=7"
    while url:
        body = client.get(url).json()
        seen += [(h["document"], (h["passage"] or h["footnote"])) for h in body["items"]]
        url = body["next"]
    assert seen == everything and len(seen) > 20


def test_find_in_document(client: TestClient) -> None:
    response = client.get(f"/v1/documents/{TELEGRAM}/search", params={"q": "British"})
    body = response.json()
    refs = [(h["passage"] or h["footnote"]) for h in body["items"]]
    assert refs[: len(refs)] == sorted(refs, key=lambda r: (r.startswith("fn"), r))
    assert "fn2" in refs  # notes are searched too, after the passages
    assert {h["document"] for h in body["items"]} == {TELEGRAM}
    missing = client.get("/v1/documents/nope/search", params={"q": "x"})
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        '"Soviet nationals',
        "AND",
        "OR",
        "NOT",
        "Yalta OR",
        "-Yalta",
        "",
        "x" * 1000,
        "NEAR(Yalta Potsdam)",
        "text:Moyne",
        "norm_text:moyne",
        "Moyne^2",
        "(Yalta",
        "*",
    ],
)
def test_malformed_queries_are_400(client: TestClient, query: str) -> None:
    response = client.get("/v1/search", params={"q": query})
    assert response.status_code == 400, query
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]


def test_missing_query_is_422(client: TestClient) -> None:
    response = client.get("/v1/search")
    assert response.status_code == 422
    assert "q" in response.json()["detail"]
