"""Cross-cutting HTTP behaviour: ETags, problem details for unknown routes, health."""

from fastapi.testclient import TestClient

TELEGRAM = "/v1/documents/harriman-to-secretary-of-state-1944-09-24"


def test_every_get_has_an_etag_and_answers_304(client: TestClient) -> None:
    for url in (
        "/v1/collections",
        "/v1/documents",
        TELEGRAM,
        f"{TELEGRAM}/text",
        f"{TELEGRAM}/passages",
        f"{TELEGRAM}/footnotes",
        f"{TELEGRAM}/footnotes/66",
        f"{TELEGRAM}/pages",
        f"{TELEGRAM}/passages/p1",
        "/health",
    ):
        first = client.get(url)
        etag = first.headers["etag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_etag_differs_between_representations(client: TestClient) -> None:
    plain = client.get(f"{TELEGRAM}/text").headers["etag"]
    as_json = client.get(f"{TELEGRAM}/text", headers={"Accept": "application/json"})
    assert as_json.headers["etag"] != plain
    assert as_json.headers["vary"] == "Accept"


def test_unknown_route_and_method_are_problems(client: TestClient) -> None:
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert "/v1/nothing-here" in missing.json()["detail"]
    wrong = client.put("/v1/documents")
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == "application/problem+json"


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready").json()
    assert ready["status"] == "ready" and ready["migration"] == ready["head"]
