"""Cross-cutting HTTP behaviour: ETags, problem details for unknown routes, health."""

from fastapi.testclient import TestClient

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from api.db.migrations import head_revision, upgrade
from tests.conftest import DatabaseFactory, DbHandle

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
    assert "Accept" in as_json.headers["vary"].split(", ")


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


def test_head_answers_every_get_without_a_body(client: TestClient) -> None:
    for url in (
        TELEGRAM,
        f"{TELEGRAM}/text",
        f"{TELEGRAM}/footnotes",
        "/v1/documents?limit=2",
        "/v1/search?q=Moyne",
        "/dts",
        "/health",
        "/openapi.json",
    ):
        got = client.get(url)
        head = client.head(url)
        assert head.status_code == got.status_code == 200, url
        assert head.content == b"", url
        for name in ("etag", "content-type", "content-length", "vary", "link"):
            assert head.headers.get(name) == got.headers.get(name), (url, name)
    cached = client.head(TELEGRAM, headers={"If-None-Match": client.get(TELEGRAM).headers["etag"]})
    assert cached.status_code == 304 and cached.content == b""
    missing = client.head("/v1/documents/no-such-document")
    assert missing.status_code == 404 and missing.content == b""
    assert missing.headers["content-type"] == "application/problem+json"
    allow = client.options(TELEGRAM).headers["allow"].split(", ")
    assert {"GET", "HEAD", "OPTIONS"} <= set(allow)
    assert client.head("/v1/imports").status_code in (200, 401)  # a GET route: never 405


def test_the_root_and_v1_point_at_everything_else(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and home.json()["name"] == "Quellen"
    index = client.get("/v1")
    assert index.status_code == 200
    links = {**home.json()["links"], **index.json()["links"]}
    assert {"api", "docs", "openapi", "dts", "documents", "entities", "search"} <= set(links)
    for name, url in links.items():
        followed = client.get(url, params={"q": "Moyne"} if name == "search" else None)
        assert followed.status_code == 200, (name, url, followed.text[:200])


def test_reads_say_how_long_they_may_be_reused(client: TestClient) -> None:
    read = client.get(TELEGRAM)
    assert read.headers["cache-control"] == "public, max-age=60, must-revalidate"
    revalidated = client.get(TELEGRAM, headers={"If-None-Match": read.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["cache-control"] == read.headers["cache-control"]
    assert "cache-control" not in client.get("/v1/documents/no-such-document").headers
    for probe in ("/health", "/ready", "/metrics"):
        assert client.get(probe).headers["cache-control"] == "no-store", probe


def test_reads_behind_a_key_are_private_and_zero_means_no_cache(fresh_db: DbHandle) -> None:
    with session_scope(fresh_db.engine) as session:
        key = {"Authorization": f"Bearer {create_key(session, name='reader', scope='read')}"}
    private = create_app(fresh_db.app_settings(require_read_key=True), engine=fresh_db.engine)
    with TestClient(private) as client:
        read = client.get(TELEGRAM, headers=key)
        assert read.status_code == 200
        assert read.headers["cache-control"] == "private, max-age=60, must-revalidate"
    uncached = create_app(fresh_db.app_settings(cache_max_age=0), engine=fresh_db.engine)
    with TestClient(uncached) as client:
        assert client.get(TELEGRAM).headers["cache-control"] == "no-cache"


def test_large_bodies_are_gzipped_small_ones_and_304s_are_not(client: TestClient) -> None:
    gzip = {"Accept-Encoding": "gzip"}
    plain = client.get(f"{TELEGRAM}/annotations", headers={"Accept-Encoding": "identity"})
    packed = client.get(f"{TELEGRAM}/annotations", headers=gzip)
    assert len(plain.content) > 1024 and "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"]
    assert packed.content == plain.content  # httpx decodes it
    assert packed.headers["etag"] == plain.headers["etag"]  # the version, in any encoding
    again = client.get(
        f"{TELEGRAM}/annotations", headers={**gzip, "If-None-Match": packed.headers["etag"]}
    )
    assert again.status_code == 304 and "content-encoding" not in again.headers
    small = client.get("/health", headers=gzip)
    assert "content-encoding" not in small.headers
