"""GET /v1/documents and /v1/documents/{id}, on both engines."""

from fastapi.testclient import TestClient

from api.db.engine import session_scope
from api.records.write import write_document
from tests.conftest import DbHandle
from tests.utils.builders import document

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
SEED_IDS = {
    TELEGRAM,
    "why-did-the-ussr-refuse-to-repatriate-allied-pows",
    "russian-liberation-movement-the-allies",
    "bodega-why-did-the-usa-ussr-alliance-break-down",
}


def test_lists_the_four_seed_documents(client: TestClient) -> None:
    response = client.get("/v1/documents")
    assert response.status_code == 200
    body = response.json()
    assert {item["id"] for item in body["items"]} == SEED_IDS
    assert body["next"] is None and "link" not in response.headers
    # dated documents first, undated after, ties by id
    assert body["items"][0]["id"] == TELEGRAM
    undated = [item["id"] for item in body["items"][1:]]
    assert undated == sorted(undated)


def test_document_metadata_and_counts(client: TestClient) -> None:
    body = client.get(f"/v1/documents/{TELEGRAM}").json()
    assert (
        body["title"] == "The Ambassador in the Soviet Union (Harriman) to the Secretary of State"
    )
    assert body["authors"] == ["W. Averell Harriman"]
    assert body["date"] == "1944-09-24"
    assert body["source_type"] == "primary" and body["genre"] == "telegram"
    assert body["number"] == "3652"
    assert {"scheme": "file_number", "value": "711.62114/9–2444"} in body["identifiers"]
    assert body["provenance"]["archival_ids"][0]["value"] == "711.62114/9\u20132444"
    assert "1254" in body["provenance"]["pages"]
    assert "Volume IV" in body["provenance"]["container_title"]
    assert body["counts"] == {"passages": 7, "footnotes": 3, "pages": 1, "characters": 2052}
    assert body["checksum"].startswith("sha256:")
    assert body["links"]["self"] == f"http://testserver/v1/documents/{TELEGRAM}"
    assert body["links"]["footnotes"] == f"http://testserver/v1/documents/{TELEGRAM}/footnotes"


def test_unreliable_essay_carries_a_reliability_note(client: TestClient) -> None:
    body = client.get("/v1/documents/why-did-the-ussr-refuse-to-repatriate-allied-pows").json()
    assert body["source_type"] == "tertiary"
    assert any(note["kind"] == "reliability" for note in body["notes"])


def test_filters(client: TestClient) -> None:
    def ids(query: str) -> set[str]:
        response = client.get(f"/v1/documents?{query}")
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert ids("collection=frus-1944-v04") == {TELEGRAM}
    assert ids("collection=no-such-collection") == set()
    assert ids("source_type=tertiary") == {
        "why-did-the-ussr-refuse-to-repatriate-allied-pows",
        "russian-liberation-movement-the-allies",
    }
    assert ids("genre=telegram") == {TELEGRAM}
    assert ids("title=LIBERATION") == {"russian-liberation-movement-the-allies"}
    assert ids("title=100%25") == set()  # LIKE wildcards are literal
    assert ids("date_from=1944&date_to=1944") == {TELEGRAM}
    assert ids("date_from=1944-09") == {TELEGRAM}
    assert ids("date_to=1944-09-23") == set()
    assert ids("date_from=1945") == set()


def test_edtf_ranges_overlap(fresh_db: DbHandle) -> None:
    with session_scope(fresh_db.engine) as session:
        write_document(session, document("yalta-day", date="1945-02-04"))
        write_document(session, document("about-1945", date="1945~"))
        write_document(session, document("feb-1945", date="1945-02"))
        write_document(session, document("yalta-span", date="1945-02-04/1945-02-11"))
    from api.app import create_app

    with TestClient(create_app(fresh_db.app_settings(), engine=fresh_db.engine)) as client:

        def ids(query: str) -> set[str]:
            return {i["id"] for i in client.get(f"/v1/documents?{query}").json()["items"]}

        assert ids("date_from=1945&date_to=1945") == {
            "yalta-day",
            "about-1945",
            "feb-1945",
            "yalta-span",
        }
        assert ids("date_from=1945-02-05&date_to=1945-02-05") == {
            "about-1945",
            "feb-1945",
            "yalta-span",
        }
        assert ids("date_from=1945-03") == {"about-1945"}


def test_sort_by_title_both_ways(client: TestClient) -> None:
    up = [i["title"] for i in client.get("/v1/documents?sort=title").json()["items"]]
    down = [i["title"] for i in client.get("/v1/documents?sort=-title").json()["items"]]
    assert up == list(reversed(down))
    assert len(up) == 4


def test_pagination_follows_next_links(client: TestClient) -> None:
    for sort in ("date", "-date", "title", "-title"):
        seen: list[str] = []
        url: str | None = f"/v1/documents?limit=1&sort={sort}"
        pages = 0
        while url:
            response = client.get(url)
            assert response.status_code == 200
            body = response.json()
            seen += [item["id"] for item in body["items"]]
            if body["next"]:
                assert response.headers["link"] == f'<{body["next"]}>; rel="next"'
            url = body["next"]
            pages += 1
        assert pages == 4
        full = [i["id"] for i in client.get(f"/v1/documents?sort={sort}").json()["items"]]
        assert seen == full


def test_undated_documents_come_last_both_ways(fresh_db: DbHandle) -> None:
    """sort=date and sort=-date put undated documents last, and keyset pages cross from the
    dated to the undated ones without repeating or skipping any."""
    from api.app import create_app

    with session_scope(fresh_db.engine) as session:
        write_document(session, document("a-1945", date="1945-05"))
        write_document(session, document("b-1900", date="1900"))
        write_document(session, document("c-undated"))
    with TestClient(create_app(fresh_db.app_settings(), engine=fresh_db.engine)) as client:
        for sort in ("date", "-date"):
            full = client.get(f"/v1/documents?sort={sort}").json()["items"]
            dates = [item["date_start"] for item in full]
            dated = [d for d in dates if d is not None]
            assert dates == dated + [None] * (len(dates) - len(dated)), sort
            assert dated == sorted(dated, reverse=sort == "-date"), sort
            undated = [item["id"] for item in full if item["date_start"] is None]
            assert undated == sorted(undated, reverse=sort == "-date"), sort
            for limit in (1, 2, 3):
                seen: list[str] = []
                url: str | None = f"/v1/documents?limit={limit}&sort={sort}"
                while url:
                    body = client.get(url).json()
                    seen += [item["id"] for item in body["items"]]
                    assert body["links"]["self"].endswith(url.removeprefix("http://testserver"))
                    url = body["next"]
                assert seen == [item["id"] for item in full], (sort, limit)


def test_pages_are_stable_when_documents_are_added(fresh_db: DbHandle) -> None:
    from api.app import create_app

    with TestClient(create_app(fresh_db.app_settings(), engine=fresh_db.engine)) as client:
        first = client.get("/v1/documents?limit=2").json()
        # Added between two requests: one sorts before the cursor, one after it.
        with session_scope(fresh_db.engine) as session:
            write_document(session, document("aaa-early", date="1900"))
            write_document(session, document("zzz-undated"))
        rest: list[str] = []
        url = first["next"]
        while url:
            body = client.get(url).json()
            rest += [item["id"] for item in body["items"]]
            url = body["next"]
        served = [item["id"] for item in first["items"]] + rest
        assert len(served) == len(set(served)), "an item was served twice"
        assert set(served) >= SEED_IDS, "an item was skipped"
        assert "aaa-early" not in served  # sorts before the cursor: not on later pages
        assert "zzz-undated" in served


def test_unknown_document_is_a_problem(client: TestClient) -> None:
    response = client.get("/v1/documents/no-such-document")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404 and "no-such-document" in problem["detail"]


def test_bad_input_gets_problem_details(client: TestClient) -> None:
    cases = {
        "/v1/documents?limit=0": (422, "limit"),
        "/v1/documents?limit=201": (422, "limit"),
        "/v1/documents?limit=abc": (422, "limit"),
        "/v1/documents?cursor=not-a-cursor": (400, "cursor"),
        "/v1/documents?date_from=1945-13-01": (422, "date_from"),
        "/v1/documents?date_to=yesterday": (422, "date_to"),
        "/v1/documents?date_from=1946&date_to=1945": (422, "date_from"),
        "/v1/documents?sort=author": (422, "sort"),
        "/v1/documents?source_type=quaternary": (422, "source_type"),
    }
    for url, (status, word) in cases.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert response.headers["content-type"] == "application/problem+json", url
        assert word in response.json()["detail"], (url, response.json())


def test_cursor_of_one_sort_is_refused_by_another(client: TestClient) -> None:
    next_url = client.get("/v1/documents?limit=1&sort=title").json()["next"]
    cursor = next_url.split("cursor=")[1]
    response = client.get(f"/v1/documents?limit=1&sort=date&cursor={cursor}")
    assert response.status_code == 400
