"""``/sitemap.xml`` lists every page of the reading site, deleted documents left out;
``/robots.txt`` points to it."""

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlmodel import Session

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from api.documents.service import live_documents_modified
from tests.conftest import DbHandle

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "http://testserver"
TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"


def every(client: TestClient, url: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    next_url: str | None = url
    while next_url:
        body = client.get(next_url).json()
        items += body["items"]
        next_url = body["next"]
    return items


def entries(client: TestClient) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    root = etree.fromstring(response.content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    found: dict[str, str | None] = {}
    for url in root.findall("s:url", NS):
        location = url.findtext("s:loc", namespaces=NS)
        assert location is not None and location not in found
        found[location] = url.findtext("s:lastmod", namespaces=NS)
    return found


def test_the_sitemap_lists_every_page(client: TestClient) -> None:
    listed = entries(client)
    documents = every(client, "/v1/documents?limit=200")
    entities = every(client, "/v1/entities?limit=200")
    events = every(client, "/v1/events?limit=200")
    collections = every(client, "/v1/collections?limit=200")
    expected = {
        f"{BASE}/",
        f"{BASE}/events",
        *(f"{BASE}/collections/{c['id']}" for c in collections),
        *(f"{BASE}/documents/{d['id']}" for d in documents),
        *(f"{BASE}/entities/{e['id']}" for e in entities),
        *(f"{BASE}/events/{e['id']}" for e in events),
    }
    assert set(listed) == expected
    assert len(documents) == 4 and len(events) == 5 and len(entities) > 50


def test_documents_carry_their_last_change(client: TestClient) -> None:
    listed = entries(client)
    telegram = client.get(f"/v1/documents/{TELEGRAM}").json()
    lastmod = listed[f"{BASE}/documents/{TELEGRAM}"]
    assert lastmod is not None
    changed = dt.datetime.fromisoformat(lastmod)
    assert changed.utcoffset() == dt.timedelta(0)
    updated = dt.datetime.fromisoformat(str(telegram["updated_at"]).replace("Z", "+00:00"))
    assert changed == updated.replace(microsecond=0)
    assert listed[f"{BASE}/"] is None and listed[f"{BASE}/events/yalta-conference"] is None


def test_robots_txt_points_to_the_sitemap(client: TestClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


def test_the_public_url_is_the_base(seeded_db: DbHandle) -> None:
    public = "https://sources.example.org/quellen"
    app = create_app(seeded_db.app_settings(public_url=public), engine=seeded_db.engine)
    client = TestClient(app)
    listed = entries(client)
    assert all(url.startswith(f"{public}/") for url in listed)
    assert f"Sitemap: {public}/sitemap.xml" in client.get("/robots.txt").text


@pytest.fixture
def admin(fresh_db: DbHandle) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="admin", scope="admin")
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {key}"}


def test_a_deleted_document_is_left_out(
    admin: tuple[TestClient, dict[str, str]], fresh_db: DbHandle
) -> None:
    client, key = admin
    before = entries(client)
    assert f"{BASE}/documents/{TELEGRAM}" in before
    tag = client.get(f"/v1/documents/{TELEGRAM}").headers["etag"]
    deleted = client.delete(f"/v1/documents/{TELEGRAM}", headers={**key, "If-Match": tag})
    assert deleted.status_code == 204, deleted.text
    after = entries(client)
    assert set(before) - set(after) == {f"{BASE}/documents/{TELEGRAM}"}
    live = {f"{BASE}/documents/{d['id']}" for d in every(client, "/v1/documents?limit=200")}
    assert live == {url for url in after if "/documents/" in url} and len(live) == 3
    with Session(fresh_db.engine) as session:
        ids = [d.id for d in live_documents_modified(session, after=None, limit=10)[0]]
    assert TELEGRAM not in ids and len(ids) == 3
    restored = client.post(f"/v1/documents/{TELEGRAM}/restore", headers=key)
    assert restored.status_code == 200, restored.text
    assert set(entries(client)) == set(before)


def test_live_documents_modified_pages_by_id(seeded_db: DbHandle) -> None:
    with Session(seeded_db.engine) as session:
        first, after = live_documents_modified(session, after=None, limit=3)
        rest, last = live_documents_modified(session, after=after, limit=3)
    ids = [d.id for d in first + rest]
    assert ids == sorted(ids) and len(ids) == 4 and len(set(ids)) == 4
    assert after == first[-1].id and last is None
    assert all(d.updated_at.tzinfo is not None for d in first + rest)


def test_without_the_reader_there_is_no_sitemap(seeded_db: DbHandle) -> None:
    client = TestClient(create_app(seeded_db.app_settings(reader=False), engine=seeded_db.engine))
    assert client.get("/sitemap.xml").status_code == 404
    assert client.get("/robots.txt").status_code == 404
