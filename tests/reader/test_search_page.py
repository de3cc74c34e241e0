"""GET /search: the search language as a GET form, hits with <mark>ed snippets, facets,
a year histogram and paging — and a malformed query as a 400 page, not a JSON problem."""

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from api.search.query import QueryError, parse
from tests.conftest import DbHandle

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"


def html(response: Response) -> lxml.html.HtmlElement:
    assert response.headers["content-type"].startswith("text/html"), response.text[:300]
    return lxml.html.fromstring(response.text)


def follow(client: TestClient, href: str) -> Response:
    """A link of the page (absolute or root-relative), fetched as a browser would."""
    parts = urlsplit(href)
    response: Response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    return response


def search_hits(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    found: list[lxml.html.HtmlElement] = tree.xpath('//li[contains(@class, "search-hit")]')
    return found


def assert_strict_page(tree: lxml.html.HtmlElement) -> None:
    """Nothing the Content-Security-Policy would refuse: no inline style or script."""
    assert tree.xpath("//*[@style]") == []
    assert tree.xpath("//style") == []
    assert tree.xpath("//script[not(@src)]") == []


def test_moyne_finds_the_telegram_with_a_mark(client: TestClient) -> None:
    response = client.get("/search", params={"q": "Moyne"})
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    tree = html(response)
    assert_strict_page(tree)
    assert tree.findtext(".//title") == "Search: Moyne · Quellen"
    found = search_hits(tree)
    assert found and {hit.get("data-document") for hit in found} == {TELEGRAM}
    first = found[0]
    link = first.xpath('.//h3[@class="search-hit-title"]/a')[0]
    assert link.get("href").startswith(f"/documents/{TELEGRAM}#")
    assert link.get("href").endswith("#" + first.get("data-ref"))
    marks = first.xpath('.//p[@class="search-hit-snippet"]/mark')
    assert [mark.text for mark in marks] == ["Moyne"]
    assert first.xpath('string(.//span[@class="search-hit-date"])') == "1944-09-24"
    # the note about Lord Moyne is found too (the page searches passages and notes), named
    # by its printed marker
    wheres = [hit.xpath('string(.//span[@class="search-hit-where"])') for hit in found]
    assert "note 66" in wheres
    # the JSON alternate is the API's search with the same parameters, and it answers
    alternate = tree.xpath('//link[@rel="alternate"][@type="application/json"]/@href')[0]
    assert "/v1/search?" in alternate and parse_qs(urlsplit(alternate).query)["q"] == ["Moyne"]
    as_json = follow(client, alternate)
    assert as_json.status_code == 200
    assert [i["document"] for i in as_json.json()["items"]] == [
        h.get("data-document") for h in found
    ]
    visible = tree.xpath('//p[@class="formats"]/a[@type="application/json"]/@href')
    assert visible == [alternate]


def test_a_facet_filter_narrows_the_results(client: TestClient) -> None:
    tree = html(client.get("/search", params={"q": "Soviet"}))
    total = int(tree.xpath('//section[@id="search-results"]/@data-total')[0])
    facet = tree.xpath('//section[@data-facet="source_type"]//li[@data-value="primary"]/a')[0]
    count = int(facet.xpath('string(.//span[@class="facet-count"]/text())'))
    assert 0 < count < total
    narrowed = follow(client, facet.get("href"))
    assert narrowed.status_code == 200
    narrow = html(narrowed)
    assert int(narrow.xpath('//section[@id="search-results"]/@data-total')[0]) == count
    types = narrow.xpath('//span[@class="search-hit-source-type"]/text()')
    assert types and set(types) == {"primary source"}
    # the active filter is shown with a link that removes it, and the form keeps it
    active = narrow.xpath(
        '//section[@data-facet="source_type"]//li[contains(@class, "facet-active")]'
    )
    assert active and active[0].get("data-value") == "primary"
    cleared = follow(client, active[0].xpath('.//a[@class="facet-clear"]/@href')[0])
    assert int(html(cleared).xpath('//section[@id="search-results"]/@data-total')[0]) == total
    selected = narrow.xpath('//select[@name="source_type"]/option[@selected]/@value')
    assert selected == ["primary"]


def test_entity_facet_and_year_histogram_link_to_narrower_searches(client: TestClient) -> None:
    tree = html(client.get("/search", params={"q": "Soviet"}))
    bars = tree.xpath('//svg[@class="histogram"]//a[@class="histogram-link"]')
    assert bars and all(bar.get("aria-label") for bar in bars)
    bar = next(b for b in bars if b.get("data-first") == "1944")
    query = parse_qs(urlsplit(bar.get("href")).query)
    assert query["date_from"] == ["1944"] and query["date_to"] == ["1944"]
    dated = html(follow(client, bar.get("href")))
    dates = dated.xpath('//span[@class="search-hit-date"]/text()')
    assert dates and all(date.startswith("1944") for date in dates)
    entity = tree.xpath('//section[@data-facet="entity"]//li[@data-value]/a')[0]
    named = html(follow(client, entity.get("href")))
    assert named.xpath('//p[contains(@class, "search-entity-filter")]/@data-entity')


def test_paging_follows_the_cursor(client: TestClient) -> None:
    first = html(client.get("/search", params={"q": "Soviet", "limit": "2"}))
    ids = [(h.get("data-document"), h.get("data-ref")) for h in search_hits(first)]
    assert len(ids) == 2
    assert not first.xpath('//a[@id="search-previous"]')
    next_href = first.xpath('//a[@id="search-next"]/@href')[0]
    assert "cursor=" in next_href and "limit=2" in next_href
    second_response = follow(client, next_href)
    assert second_response.status_code == 200
    second = html(second_response)
    more = [(h.get("data-document"), h.get("data-ref")) for h in search_hits(second)]
    assert len(more) == 2 and not set(more) & set(ids)
    assert second.xpath('//ol[@class="search-hits"]/@start') == ["3"]
    back = html(follow(client, second.xpath('//a[@id="search-previous"]/@href')[0]))
    assert [(h.get("data-document"), h.get("data-ref")) for h in search_hits(back)] == ids
    # the page's cursor is the API's: its JSON alternate serves the same second page
    alternate = second.xpath('//link[@rel="alternate"][@type="application/json"]/@href')[0]
    items = follow(client, alternate).json()["items"]
    assert [(i["document"], i["passage"] or i["footnote"]) for i in items] == more


@pytest.mark.parametrize("q", ['"unclosed', "AND", "foo:bar", "-Yalta", "Yalta OR"])
def test_a_malformed_query_is_a_400_page_saying_what_is_wrong(client: TestClient, q: str) -> None:
    with pytest.raises(QueryError) as refused:
        parse(q)
    response = client.get("/search", params={"q": q})
    assert response.status_code == 400
    tree = html(response)
    problems = tree.xpath('//div[@id="search-problems"]//li[@class="search-problem"]/text()')
    assert problems == [str(refused.value)]
    assert tree.xpath('//input[@id="search-q"]/@value') == [q]
    assert tree.xpath('//section[@id="search-help"]')
    assert not search_hits(tree)


def test_bad_filters_and_cursors_are_400_pages(client: TestClient) -> None:
    for params in (
        {"q": "Soviet", "date_from": "not a date"},
        {"q": "Soviet", "date_from": "1946", "date_to": "1944"},
        {"q": "Soviet", "source_type": "quaternary"},
        {"q": "Soviet", "limit": "0"},
        {"q": "Soviet", "cursor": "forged"},
    ):
        response = client.get("/search", params=params)
        assert response.status_code == 400, params
        assert html(response).xpath('//li[@class="search-problem"]'), params


def test_an_empty_query_shows_the_form_and_help(client: TestClient) -> None:
    response = client.get("/search")
    assert response.status_code == 200
    tree = html(response)
    assert_strict_page(tree)
    assert tree.findtext(".//title") == "Search · Quellen"
    form = tree.xpath('//form[@id="search-form"]')[0]
    assert form.get("method") == "get" and form.get("action") == "/search"
    names = set(form.xpath(".//*[@name]/@name"))
    assert {"q", "scope", "source_type", "collection", "genre", "date_from", "date_to"} <= names
    for control in form.xpath(".//input[not(@type='hidden')] | .//select"):
        assert form.xpath(f'.//label[@for="{control.get("id")}"]'), control.get("name")
    examples = tree.xpath('//section[@id="search-help"]//dt/a')
    assert len(examples) >= 5
    assert not tree.xpath('//section[@id="search-results"]')


def test_the_query_is_escaped_everywhere(client: TestClient) -> None:
    q = "<script>alert(1)</script>"
    response = client.get("/search", params={"q": q})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    tree = html(response)
    assert tree.xpath("//script") == []
    assert tree.xpath('string(//h1[@class="search-title"])') == f"Search: {q}"


@pytest.fixture
def api(fresh_db: DbHandle) -> Iterator[TestClient]:
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as test_client:
        yield test_client


def test_text_holding_markup_is_shown_escaped_in_the_snippet(
    api: TestClient, fresh_db: DbHandle
) -> None:
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="curator", scope="curate")
    created = api.post(
        "/v1/documents",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "id": "markup-telegram",
            "collection": "frus-1944-v04",
            "title": "A telegram <i>with</i> markup",
            "source_type": "primary",
            "date": "1944-09-30",
            "text": "# Telegram\n\nThe word <b>Quellenprobe</b> stands in bold tags.",
        },
    )
    assert created.status_code == 201, created.text
    response = api.get("/search", params={"q": "Quellenprobe"})
    assert response.status_code == 200
    tree = html(response)
    snippet = tree.xpath('//p[@class="search-hit-snippet"]')[0]
    assert snippet.xpath(".//b") == [] and snippet.xpath(".//i") == []
    assert [mark.text for mark in snippet.xpath("./mark")] == ["Quellenprobe"]
    assert "<b>" in snippet.text_content()
    assert "&lt;b&gt;<mark>Quellenprobe</mark>&lt;/b&gt;" in response.text
    title = tree.xpath('string(//h3[@class="search-hit-title"]/a)')
    assert title == "A telegram <i>with</i> markup"
