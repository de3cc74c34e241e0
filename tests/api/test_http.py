"""Cross-cutting HTTP behaviour: ETags, problem details for unknown routes, health."""

from fastapi.testclient import TestClient

from api.app import create_app
from api.db.migrations import head_revision, upgrade
from tests.conftest import DatabaseFactory

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


def test_not_ready_is_a_problem_that_says_why(databases: DatabaseFactory) -> None:
    """A database behind this version's migrations: 503, as a problem document with the facts."""
    db = databases.empty("sqlite")
    upgrade(db.url, "0006")
    app = create_app(db.app_settings(), engine=db.engine)
    with TestClient(app) as behind:
        response = behind.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503 and body["title"] == "Service Unavailable"
    head = head_revision(db.url)
    assert (body["database"], body["migration"], body["head"]) == ("ok", "0006", head)
    assert body["detail"] == f"The database is at migration 0006; this version expects {head}."
