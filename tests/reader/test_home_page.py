"""``/``: the reading site's front page for a browser, the JSON API's home for every other
client, byte for byte as before."""

from collections.abc import Iterator

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.requests import Request

from api.app import create_app
from api.crossrefs.service import most_cited
from api.db.engine import session_scope
from api.db.keys import create_key
from api.http.downloads import FORMAT_SCOPE_KEY
from api.reader.home import prefers_html
from api.reader.templating import READER_CSP
from tests.conftest import DbHandle

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
ESSAY = "bodega-why-did-the-usa-ussr-alliance-break-down"


def page(client: TestClient, url: str = "/") -> lxml.html.HtmlElement:
    response = client.get(url, headers={"accept": BROWSER})
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return lxml.html.fromstring(response.text)


@pytest.fixture(scope="module")
def api_only(seeded_db: DbHandle) -> TestClient:
    """The same database served with the reading site off: the JSON home as it was."""
    return TestClient(create_app(seeded_db.app_settings(reader=False), engine=seeded_db.engine))


def test_a_browser_gets_the_front_page(client: TestClient) -> None:
    response = client.get("/", headers={"accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["vary"].split(",")[0].strip() == "Accept"
    assert response.headers["content-security-policy"] == READER_CSP
    tree = lxml.html.fromstring(response.text)
    assert tree.xpath("//link[@rel='canonical']/@href") == ["http://testserver/"]
    assert tree.xpath("//link[@rel='alternate']/@type") == ["application/json"]
    assert tree.xpath("//*[@style]") == [] and tree.xpath("//style") == []
    search = tree.get_element_by_id("home-search")
    assert search.get("action") == "/search" and search.xpath(".//input[@name='q']")


def test_it_lists_the_collections_with_their_counts(client: TestClient) -> None:
    tree = page(client)
    api = {c["id"]: c for c in client.get("/v1/collections").json()["items"]}
    items = tree.xpath("//section[@id='collections']//li[@data-collection-id]")
    assert [li.get("data-collection-id") for li in items] == sorted(api)
    for li in items:
        collection = api[li.get("data-collection-id")]
        link = li.xpath(".//a")[0]
        assert link.get("href") == f"/collections/{collection['id']}"
        assert link.text_content() == collection["title"]
        count = li.find_class("document-count")[0]
        assert count.get("data-count") == str(collection["document_count"])
    web = tree.xpath("//li[@data-collection-id='web-sources']")[0]
    assert "3 documents" in web.text_content()


def test_the_newest_documents_are_by_date_latest_first(client: TestClient) -> None:
    tree = page(client)
    listed = tree.xpath("//section[@id='newest']//li/@data-document-id")
    api = client.get("/v1/documents", params={"sort": "-date"}).json()["items"]
    assert listed == [d["id"] for d in api][: len(listed)]
    assert listed[0] == TELEGRAM  # the one dated document; undated ones follow
    assert tree.xpath("//section[@id='newest']//li[1]//a/@href") == [f"/documents/{TELEGRAM}"]


def test_the_seed_has_no_cited_document_yet(client: TestClient) -> None:
    tree = page(client)
    assert tree.xpath("//section[@id='most-cited']//li") == []
    assert tree.xpath("//section[@id='most-cited']//p[@class='empty']")


def test_the_small_timeline_links_every_dated_event(client: TestClient) -> None:
    tree = page(client)
    svg = tree.get_element_by_id("home-timeline")
    assert svg.get("role") == "group" and svg.get("aria-labelledby") == "home-timeline-title"
    events = client.get("/v1/events").json()["items"]
    links = svg.xpath(".//a[@data-event-id]")
    assert {a.get("href") for a in links} == {f"/events/{e['id']}" for e in events}
    assert all(a.get("aria-label") for a in links)
    assert tree.xpath("//section[@id='timeline']//a[@href='/events']")


@pytest.fixture
def curated(fresh_db: DbHandle) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="curator", scope="curate")
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {key}"}


def test_the_most_cited_documents_count_references_from_others(
    curated: tuple[TestClient, dict[str, str]], fresh_db: DbHandle
) -> None:
    client, key = curated
    for source, relation in (
        (ESSAY, "cites"),
        ("russian-liberation-movement-the-allies", "quotes"),
    ):
        made = client.post(
            "/v1/cross-references",
            headers=key,
            json={
                "source": {"document": source},
                "relation": relation,
                "target": {"document": TELEGRAM},
            },
        )
        assert made.status_code == 201, made.text
    made = client.post(
        "/v1/cross-references",
        headers=key,
        json={
            "source": {"document": TELEGRAM},
            "relation": "see_also",
            "target": {"document": ESSAY},
        },
    )
    assert made.status_code == 201, made.text
    tree = page(client)
    cited = tree.xpath("//section[@id='most-cited']//li")
    assert [li.get("data-document-id") for li in cited] == [TELEGRAM, ESSAY]
    assert [li.get("data-citations") for li in cited] == ["2", "1"]
    assert "cited 2 times" in cited[0].text_content()
    assert cited[0].xpath(".//a/@href") == [f"/documents/{TELEGRAM}"]
    # a deleted source no longer counts, and a deleted document is not listed
    tag = client.get(f"/v1/documents/{ESSAY}").headers["etag"]
    deleted = client.delete(f"/v1/documents/{ESSAY}", headers={**key, "If-Match": tag})
    assert deleted.status_code == 204, deleted.text
    with Session(fresh_db.engine) as session:
        assert [(d.id, d.citations) for d in most_cited(session, limit=8)] == [(TELEGRAM, 1)]


def test_inferred_links_are_not_citations(
    curated: tuple[TestClient, dict[str, str]], fresh_db: DbHandle
) -> None:
    client, key = curated
    for n in (1, 2):
        created = client.post(
            "/v1/documents",
            headers=key,
            json={
                "id": f"yalta-note-{n}",
                "collection": "frus-1944-v04",
                "title": f"Yalta note {n}",
                "source_type": "primary",
                "text": "Stalin, Churchill and Roosevelt met at Yalta.",
            },
        )
        assert created.status_code == 201, created.text
    inferred = client.get("/v1/cross-references", params={"origin": "inferred"}).json()["items"]
    assert inferred, "the two notes should be linked as alike"
    with Session(fresh_db.engine) as session:
        assert most_cited(session, limit=8) == []


def test_any_other_client_gets_the_json_home_unchanged(
    client: TestClient, api_only: TestClient
) -> None:
    before = api_only.get("/")
    assert before.status_code == 200 and before.headers["content-type"] == "application/json"
    for accept in (
        None,  # httpx's default: */*
        "",
        "*/*",
        "application/json",
        "application/ld+json",
        "text/*",
        "text/html;q=0.5, application/json",
        "text/html;q=0, */*",
        "application/json, text/html;q=0.9",
        "garbage",
    ):
        headers = {} if accept is None else {"accept": accept}
        response = client.get("/", headers=headers)
        assert response.status_code == 200, accept
        assert response.headers["content-type"] == "application/json", accept
        assert response.content == before.content, accept
        assert response.headers["etag"] == before.headers["etag"], accept
        assert response.headers["vary"].split(",")[0].strip() == "Accept", accept
    downloaded = client.get("/?format=json", headers={"accept": BROWSER})
    assert downloaded.content == before.content
    assert (
        downloaded.headers["content-disposition"]
        == api_only.get("/?format=json").headers["content-disposition"]
    )
    refused = client.get("/?format=html", headers={"accept": BROWSER})
    assert refused.status_code == api_only.get("/?format=html").status_code == 400


def test_html_needs_to_be_asked_for_at_least_as_much_as_json(client: TestClient) -> None:
    for accept in ("text/html", "application/json, text/html", "text/html;level=1, */*;q=0.1"):
        response = client.get("/", headers={"accept": accept})
        assert response.headers["content-type"] == "text/html; charset=utf-8", accept


def _request(accept: str | None, **scope: object) -> Request:
    headers = [] if accept is None else [(b"accept", accept.encode("latin-1"))]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, **scope})


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (BROWSER, True),
        ("text/html", True),
        ("TEXT/HTML", True),
        ("application/json;q=0.9, text/html", True),
        ("application/json, text/html", True),
        (None, False),
        ("", False),
        ("*/*", False),
        ("text/*", False),
        ("application/json", False),
        ("text/html;q=0", False),
        ("text/html;q=0.5, application/json", False),
        ("text/html;q=0.5, */*", False),
        ("text/htmlx", False),
        ("garbage, text/html", True),
    ],
)
def test_prefers_html(accept: str | None, html: bool) -> None:
    assert prefers_html(_request(accept)) is html


def test_a_download_by_format_never_gets_the_page() -> None:
    assert not prefers_html(_request("text/html", **{FORMAT_SCOPE_KEY: "html"}))


def test_the_openapi_document_still_lists_the_root_once(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert list(spec["paths"]).count("/") == 1
    assert list(spec["paths"]["/"]) == ["get"]
    assert spec["paths"]["/"]["get"]["operationId"] == "getHome"
    assert not {"/events", "/sitemap.xml", "/robots.txt"} & set(spec["paths"])


def test_without_the_reader_the_root_is_the_json_home(api_only: TestClient) -> None:
    response = api_only.get("/", headers={"accept": BROWSER})
    assert response.headers["content-type"] == "application/json"
    assert response.json()["name"] == "Quellen"
    assert api_only.get("/events", headers={"accept": BROWSER}).status_code == 404
    assert api_only.get("/sitemap.xml").status_code == 404
