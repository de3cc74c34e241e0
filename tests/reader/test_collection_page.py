"""``/collections/{id}``: a collection's documents, sorted and paged as the JSON list is,
with a histogram of its documents per year (``api.reader.timeline.layout_histogram``)."""

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from api.reader.templating import READER_CSP
from api.reader.timeline import MAX_COLUMNS, layout_histogram
from tests.conftest import DbHandle

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
WEB = "/collections/web-sources"


def page(client: TestClient, url: str, status: int = 200) -> lxml.html.HtmlElement:
    response = client.get(url, headers={"accept": BROWSER})
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == READER_CSP
    tree = lxml.html.fromstring(response.text)
    assert tree.xpath("//*[@style]") == [] and tree.xpath("//style") == []
    return tree


def rows(tree: lxml.html.HtmlElement) -> list[str]:
    return [
        str(tr.get("data-document-id"))
        for tr in tree.xpath("//table[@id='documents-table']//tr[@data-document-id]")
    ]


def api_order(client: TestClient, sort: str, collection: str = "web-sources") -> list[str]:
    body = client.get("/v1/documents", params={"collection": collection, "sort": sort}).json()
    return [d["id"] for d in body["items"]]


def test_the_page_shows_the_collection_and_its_documents(client: TestClient) -> None:
    tree = page(client, WEB)
    collection = client.get("/v1/collections/web-sources").json()
    assert tree.xpath("//h1")[0].text_content() == collection["title"]
    assert tree.get_element_by_id("collection").get("data-collection-id") == "web-sources"
    count = tree.find_class("document-count")[0]
    assert count.get("data-count") == "3" and count.text_content() == "3 documents"
    assert tree.find_class("collection-description")[0].text_content() == collection["description"]
    documents = {
        d["id"]: d for d in client.get("/v1/documents?collection=web-sources").json()["items"]
    }
    assert set(rows(tree)) == set(documents)
    for tr in tree.xpath("//tr[@data-document-id]"):
        document = documents[tr.get("data-document-id")]
        title, date, source_type, genre = tr.xpath("./td")
        assert title.xpath("./a/@href") == [f"/documents/{document['id']}"]
        assert title.text_content() == document["title"]
        assert date.text_content() == (document["date"] or "undated")
        assert source_type.text_content() == document["source_type"]
        assert genre.text_content() == (document["genre"] or "")
    alternates = tree.xpath("//link[@rel='alternate']/@href")
    assert alternates[0] == "http://testserver/v1/collections/web-sources"
    assert "http://testserver/v1/documents?collection=web-sources&sort=date" in alternates


@pytest.mark.parametrize("sort", ["title", "-title", "date", "-date"])
def test_documents_sort_as_the_json_list_does(client: TestClient, sort: str) -> None:
    tree = page(client, f"{WEB}?sort={sort}")
    assert rows(tree) == api_order(client, sort)
    current = tree.xpath("//nav[@class='sort-links']//a[@aria-current='true']")
    assert [a.get("data-sort") for a in current] == [sort]
    header = "Title" if "title" in sort else "Date"
    expected = "descending" if sort.startswith("-") else "ascending"
    assert tree.xpath("//th[@aria-sort]/text()") == [header]
    assert tree.xpath("//th/@aria-sort") == [expected]


def test_title_sort_is_alphabetical_both_ways(client: TestClient) -> None:
    titles = [
        tr.xpath("./td[1]")[0].text_content()
        for tr in page(client, f"{WEB}?sort=title").xpath("//tr[@data-document-id]")
    ]
    assert titles == sorted(titles) and len(titles) == 3
    backwards = rows(page(client, f"{WEB}?sort=-title"))
    assert backwards == rows(page(client, f"{WEB}?sort=title"))[::-1]


def test_the_sort_links_keep_to_this_collection(client: TestClient) -> None:
    tree = page(client, WEB)
    links = tree.xpath("//nav[@class='sort-links']//a")
    assert [a.get("href") for a in links] == [
        f"{WEB}?sort=date",
        f"{WEB}?sort=-date",
        f"{WEB}?sort=title",
        f"{WEB}?sort=-title",
    ]
    assert tree.xpath("//a[@aria-current]/@data-sort") == ["date"]  # the default


@pytest.mark.parametrize("sort", ["title", "-date"])
def test_pages_follow_one_another_without_repeats(client: TestClient, sort: str) -> None:
    seen: list[str] = []
    url: str | None = f"{WEB}?sort={sort}&limit=2"
    pages = 0
    while url:
        tree = page(client, url)
        seen += rows(tree)
        pages += 1
        following = tree.xpath("//a[@rel='next']/@href")
        head = tree.xpath("//link[@rel='next']/@href")
        assert following == head
        if pages > 1:
            assert tree.xpath("//a[@class='pager-first']/@href") == [f"{WEB}?sort={sort}"]
        url = following[0] if following else None
        if url:
            assert parse_qs(urlsplit(url).query)["sort"] == [sort]
            assert parse_qs(urlsplit(url).query)["limit"] == ["2"]
    assert pages == 2
    assert seen == api_order(client, sort)


def test_a_cursor_from_the_json_list_works_here(client: TestClient) -> None:
    first = client.get("/v1/documents?collection=web-sources&sort=title&limit=1").json()
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    tree = page(client, f"{WEB}?sort=title&cursor={cursor}")
    assert rows(tree) == api_order(client, "title")[1:]
    assert tree.xpath("//link[@rel='canonical']/@href") == [
        f"http://testserver{WEB}?sort=title&cursor={cursor}"
    ]


def test_the_histogram_counts_dated_documents_by_year(client: TestClient) -> None:
    tree = page(client, "/collections/frus-1944-v04")
    svg = tree.get_element_by_id("years-chart")
    assert svg.get("role") == "img" and "1 dated document by year, in 1944" in svg.get("aria-label")
    columns = svg.xpath(".//rect[@data-years]")
    assert [(c.get("data-years"), c.get("data-count")) for c in columns] == [("1944", "1")]
    assert tree.xpath("//table[@id='years-table']//tr[@data-year]/@data-year") == ["1944"]
    undated = page(client, WEB)
    assert undated.xpath("//svg[@id='years-chart']") == []
    assert "3 undated documents" in undated.get_element_by_id("years-undated").text_content()


def test_errors_are_pages(client: TestClient) -> None:
    assert (
        page(client, "/collections/no-such-thing", status=404).xpath("//h1")[0].text == "Not found"
    )
    for bad in ("sort=newest", "limit=0", "limit=x", "limit=201", "cursor=nonsense"):
        tree = page(client, f"{WEB}?{bad}", status=400)
        assert tree.xpath("//h1")[0].text == "Bad request", bad
    # a cursor made for another sort is refused, as the JSON list refuses it
    first = client.get("/v1/documents?collection=web-sources&sort=title&limit=1").json()
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    page(client, f"{WEB}?sort=date&cursor={cursor}", status=400)


@pytest.fixture
def curated(fresh_db: DbHandle) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="curator", scope="curate")
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {key}"}


def test_new_dated_documents_fill_the_histogram_and_titles_are_escaped(
    curated: tuple[TestClient, dict[str, str]],
) -> None:
    client, key = curated
    for n, date in enumerate(("1945-02", "1945-03-01", "1947", "1947-05-02")):
        made = client.post(
            "/v1/documents",
            headers=key,
            json={
                "id": f"note-{n}",
                "collection": "web-sources",
                "title": f"<img src=x onerror=alert({n})> Note {n}",
                "source_type": "secondary",
                "date": date,
                "text": f"A note, number {n}.",
            },
        )
        assert made.status_code == 201, made.text
    tree = page(client, WEB)
    columns = tree.xpath("//svg[@id='years-chart']//rect[@data-years]")
    assert [(c.get("data-years"), c.get("data-count")) for c in columns] == [
        ("1945", "2"),
        ("1947", "2"),
    ]
    assert [
        y.text for y in tree.xpath("//svg[@id='years-chart']//text[@class='year-chart-year']")
    ] == [
        "1945",
        "1946",
        "1947",
    ]
    assert tree.xpath("//img") == []
    titles = [a.text_content() for a in tree.xpath("//tr[@data-document-id]/td[1]/a")]
    assert "<img src=x onerror=alert(0)> Note 0" in titles


def test_histogram_layout() -> None:
    assert layout_histogram({}) is None and layout_histogram({1944: 0}) is None
    chart = layout_histogram({1944: 1, 1947: 4})
    assert chart is not None
    assert [(c.first, c.count) for c in chart.columns] == [
        (1944, 1),
        (1945, 0),
        (1946, 0),
        (1947, 4),
    ]
    tallest = chart.columns[-1]
    assert tallest.y == chart.top and tallest.y + tallest.height == chart.baseline
    assert chart.columns[0].height == pytest.approx(tallest.height / 4, abs=0.2)
    assert chart.columns[1].height == 0 and chart.max_count == 4 and chart.total == 5
    xs = [c.x for c in chart.columns]
    assert xs == sorted(xs) and all(chart.left <= x <= chart.right for x in xs)
    wide = layout_histogram({1503: 1, 1944: 2, 1945: 3})
    assert wide is not None and len(wide.columns) <= MAX_COLUMNS
    size = wide.columns[0].last - wide.columns[0].first + 1
    assert size > 1 and wide.columns[0].first % size == 0
    assert (
        wide.columns[-1].count == 5
        and wide.columns[-1].label == f"{wide.columns[-1].first}–{wide.columns[-1].last}"
    )
    assert len(wide.ticks) <= 8
