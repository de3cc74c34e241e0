"""GET /entities/{id}: the entity, its mentions in context, documents, events and the
neighbour graph as server-side SVG — escaped, and gone when the reading site is off."""

from collections.abc import Iterator
from urllib.parse import urlsplit

import lxml.html
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from api.reader import entity as entity_page
from tests.conftest import DbHandle

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"


def html(response: Response) -> lxml.html.HtmlElement:
    assert response.headers["content-type"].startswith("text/html"), response.text[:300]
    return lxml.html.fromstring(response.text)


def follow(client: TestClient, href: str) -> Response:
    parts = urlsplit(href)
    response: Response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    return response


def test_harriman_aliases_mentions_in_context_and_graph(client: TestClient) -> None:
    response = client.get("/entities/w-averell-harriman")
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    tree = html(response)
    assert tree.xpath("//*[@style] | //style | //script[not(@src)]") == []
    assert tree.findtext(".//title") == "W. Averell Harriman · Quellen"
    assert tree.xpath('string(//h1[@class="entity-name"])') == "W. Averell Harriman"
    article = tree.xpath('//article[@class="entity"]')[0]
    assert article.get("data-entity") == "w-averell-harriman"
    assert article.get("data-entity-type") == "person"
    aliases = tree.xpath('//ul[@id="entity-aliases"]/li/text()')
    assert "Averell Harriman" in aliases and "Harriman" in aliases
    assert tree.xpath('//p[@class="entity-dates"]/time/@datetime') == ["1891-11-15", "1986-07-26"]

    lines = tree.xpath('//ol[@class="kwic"]/li[@class="kwic-line"]')
    assert len(lines) == 2
    for line in lines:
        link = line.xpath('./a[@class="kwic-link"]')[0]
        assert link.get("href") == f"/documents/{TELEGRAM}#{line.get('data-ref')}"
        assert link.xpath('string(./mark[@class="kwic-match"])') == "Harriman"
        assert link.xpath('./span[@class="kwic-left"]')
        assert link.xpath('./span[@class="kwic-right"]')
    assert "Soviet Union (" in lines[0].xpath('string(.//span[@class="kwic-left"])')

    documents = tree.xpath('//section[@id="documents"]//li[@data-document]')
    assert [(d.get("data-document"), d.get("data-mentions")) for d in documents] == [
        (TELEGRAM, "2")
    ]

    svg = tree.xpath('//figure[@class="entity-graph"]/svg[@class="graph"]')[0]
    assert svg.get("aria-hidden") == "true"
    nodes = svg.xpath('.//a[contains(@class, "graph-node")]')
    assert [node.get("href") for node in nodes] == [f"/documents/{TELEGRAM}"]
    assert all(node.get("tabindex") == "-1" for node in nodes)
    assert svg.xpath('.//g[contains(@class, "graph-node--centre")]/@data-node') == [
        "entity:w-averell-harriman"
    ]
    listed = tree.xpath('//ul[@id="graph-neighbours"]/li/a/@href')
    assert listed == [f"/documents/{TELEGRAM}"]

    alternates = {
        link.get("type"): link.get("href") for link in tree.xpath('//link[@rel="alternate"]')
    }
    assert alternates["application/json"].endswith("/v1/entities/w-averell-harriman")
    assert follow(client, alternates["application/json"]).json()["id"] == "w-averell-harriman"
    jsonld = follow(client, alternates["application/ld+json"])
    assert jsonld.status_code == 200
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert tree.xpath('//link[@rel="canonical"]/@href')[0].endswith("/entities/w-averell-harriman")


def test_events_members_and_authority_links(client: TestClient) -> None:
    stalin = html(client.get("/entities/joseph-stalin"))
    events = stalin.xpath('//section[@id="events"]//li[@data-event]/a/@href')
    assert "/events/yalta-conference" in events
    assert stalin.xpath('//ul[@id="entity-identifiers"]//a/@href') == [
        "http://www.wikidata.org/entity/Q855"
    ]
    group = html(client.get("/entities/big-three"))
    assert "/entities/joseph-stalin" in group.xpath('//ul[@id="entity-members"]//a/@href')
    place = html(client.get("/entities/yalta"))
    assert "/events/yalta-conference" in place.xpath('//section[@id="events"]//a/@href')
    event = html(client.get("/entities/yalta-conference"))
    assert event.xpath('//a[@class="entity-event-link"]/@href') == ["/events/yalta-conference"]


def test_mentions_are_paged_with_a_more_link(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entity_page, "MENTIONS_PER_PAGE", 5)
    total = client.get("/v1/entities/joseph-stalin").json()["counts"]["mentions"]
    assert total > 10
    seen: list[str] = []
    href: str | None = "/entities/joseph-stalin"
    pages = 0
    while href is not None:
        tree = html(follow(client, href))
        page_ids = tree.xpath('//li[@class="kwic-line"]/@data-mention')
        assert 0 < len(page_ids) <= 5
        seen += page_ids
        more = tree.xpath('//a[@id="mentions-more"]/@href')
        href = more[0] if more else None
        if href is not None:
            assert href.startswith("/entities/joseph-stalin?cursor=") and href.endswith("#mentions")
        pages += 1
    assert pages == -(-total // 5) and len(seen) == len(set(seen)) == total
    assert tree.xpath('//a[@id="mentions-first"]/@href') == ["/entities/joseph-stalin#mentions"]


def test_unknown_entity_and_bad_cursor_are_html_errors(client: TestClient) -> None:
    missing = client.get("/entities/no-such-entity")
    assert missing.status_code == 404
    assert "no-such-entity" in html(missing).xpath('string(//p[@class="error-detail"])')
    forged = client.get("/entities/joseph-stalin", params={"cursor": "forged"})
    assert forged.status_code == 400 and html(forged).xpath('//p[@class="error-detail"]')


@pytest.fixture
def api(fresh_db: DbHandle) -> Iterator[TestClient]:
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as test_client:
        yield test_client


def test_an_alias_holding_markup_is_inert(api: TestClient, fresh_db: DbHandle) -> None:
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="curator", scope="curate")
    attack = '"><img src=x onerror=alert(1)>'
    created = api.post(
        "/v1/entities",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "id": "markup-person",
            "type": "person",
            "name": "<script>alert(2)</script> Person",
            "aliases": [{"text": attack}, {"text": "Markup Person"}],
            "description": "<b>bold</b> and <a href='javascript:alert(3)'>a link</a>",
        },
    )
    assert created.status_code == 201, created.text
    response = api.get("/entities/markup-person")
    assert response.status_code == 200
    tree = html(response)
    assert tree.xpath("//img | //script | //b") == []
    assert not [href for href in tree.xpath("//a/@href") if "javascript" in href]
    assert tree.xpath("//*[@onerror]") == []
    assert attack in tree.xpath('//ul[@id="entity-aliases"]/li/text()')
    assert tree.xpath('string(//h1[@class="entity-name"])') == "<script>alert(2)</script> Person"
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text


def test_the_pages_are_gone_when_the_reader_is_off(seeded_db: DbHandle) -> None:
    app = create_app(seeded_db.app_settings(reader=False), engine=seeded_db.engine)
    with TestClient(app) as off:
        assert off.get("/search", params={"q": "Moyne"}).status_code == 404
        assert off.get("/entities/w-averell-harriman").status_code == 404
        assert off.get("/v1/entities/w-averell-harriman").status_code == 200


def test_links_keep_the_root_path(seeded_db: DbHandle) -> None:
    app = create_app(seeded_db.app_settings(root_path="/quellen"), engine=seeded_db.engine)
    with TestClient(app, root_path="/quellen") as behind_proxy:
        entity = html(behind_proxy.get("/entities/w-averell-harriman"))
        found = html(behind_proxy.get("/search", params={"q": "Moyne"}))
    assert entity.xpath('//li[@class="kwic-line"]/a/@href')[0].startswith("/quellen/documents/")
    assert entity.xpath("//svg//a/@href")[0].startswith("/quellen/documents/")
    assert entity.xpath('//link[@rel="canonical"]/@href')[0].endswith(
        "/quellen/entities/w-averell-harriman"
    )
    hrefs = found.xpath('//h3[@class="search-hit-title"]/a/@href')
    assert hrefs and all(href.startswith("/quellen/documents/") for href in hrefs)
    assert found.xpath('//form[@id="search-form"]/@action') == ["/quellen/search"]
    facets = found.xpath("//section[@data-facet]//a/@href")
    assert facets and all(href.startswith("/quellen/search?") for href in facets)
    styles = found.xpath('//link[@rel="stylesheet"]/@href')
    assert any(href.startswith("/quellen/static/reader/search.") for href in styles)
