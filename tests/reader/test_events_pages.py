"""``/events`` (a timeline drawn on the server, and the same events as a list) and
``/events/{id}``; the timeline's layout (``api.reader.timeline``) on its own."""

import datetime as dt
from collections.abc import Iterator

import lxml.html
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from api.reader.templating import READER_CSP
from api.reader.timeline import MIN_BAR, Span, axis, layout_timeline
from tests.conftest import DbHandle

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ESSAY = "bodega-why-did-the-usa-ussr-alliance-break-down"
TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"


def page(client: TestClient, url: str, status: int = 200) -> lxml.html.HtmlElement:
    response = client.get(url, headers={"accept": BROWSER})
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == READER_CSP
    tree = lxml.html.fromstring(response.text)
    assert tree.xpath("//*[@style]") == [] and tree.xpath("//style") == []
    return tree


def test_the_timeline_has_a_link_per_dated_event(client: TestClient) -> None:
    tree = page(client, "/events")
    events = client.get("/v1/events").json()["items"]
    dated = [e for e in events if e["date_start"]]
    assert len(dated) == 5
    svg = tree.get_element_by_id("events-timeline-svg")
    assert svg.get("role") == "group"
    title = tree.get_element_by_id(svg.get("aria-labelledby"))
    assert title.tag == "title" and "5 dated events" in title.text
    links = svg.xpath(".//a[contains(@class, 'timeline-event')]")
    assert [a.get("href") for a in links] == [f"/events/{e['id']}" for e in dated]
    for link, event in zip(links, dated, strict=True):
        assert link.get("data-event-id") == event["id"]
        assert link.get("aria-label") == f"{event['name']} ({event['date']})"
        assert link.xpath("./title")[0].text == f"{event['name']} ({event['date']})"
        bar = link.xpath("./rect")[0]
        assert float(bar.get("width")) >= MIN_BAR and bar.get("class") == "timeline-bar"
    # bars go left to right in date order, each spanning its days
    xs = [float(a.xpath("./rect")[0].get("x")) for a in links]
    assert xs == sorted(xs)


def test_the_list_holds_the_same_events_as_the_drawing(client: TestClient) -> None:
    tree = page(client, "/events")
    listed = tree.xpath("//ol[@id='events-dated']/li")
    drawn = tree.xpath("//svg[@id='events-timeline-svg']//a/@data-event-id")
    assert [li.get("data-event-id") for li in listed] == drawn
    yalta = tree.xpath("//ol[@id='events-dated']/li[@data-event-id='yalta-conference']")[0]
    assert yalta.xpath(".//a/@href") == ["/events/yalta-conference"]
    assert yalta.xpath(".//time/@datetime") == ["1945-02-04"]
    assert "1945-02-04/1945-02-11" in yalta.text_content()
    assert tree.xpath("//ul[@id='events-undated']") == []
    assert tree.xpath("//link[@rel='alternate']/@href") == ["http://testserver/v1/events"]


def test_events_filter_by_type(client: TestClient) -> None:
    tree = page(client, "/events?type=conference")
    drawn = tree.xpath("//svg[@id='events-timeline-svg']//a/@data-event-id")
    assert drawn == ["yalta-conference", "potsdam-conference"]
    current = tree.xpath("//nav[@class='event-types']//a[@aria-current='page']")
    assert [a.get("data-event-type") for a in current] == ["conference"]
    types = tree.xpath("//nav[@class='event-types']//a/@data-event-type")
    assert types == ["agreement", "capitulation", "conference", "repatriation"]
    assert tree.xpath("//link[@rel='canonical']/@href") == [
        "http://testserver/events?type=conference"
    ]
    assert tree.xpath("//link[@rel='alternate']/@href") == [
        "http://testserver/v1/events?type=conference"
    ]
    empty = page(client, "/events?type=battle")
    assert empty.xpath("//svg") == [] and empty.find_class("empty")


def test_an_event_lists_participants_with_roles(client: TestClient) -> None:
    tree = page(client, "/events/yalta-conference")
    assert tree.xpath("//h1")[0].text_content() == "Yalta Conference"
    article = tree.get_element_by_id("event")
    assert article.get("data-event-id") == "yalta-conference"
    assert tree.xpath("//dd[@class='event-place']/a/@href") == ["/entities/yalta"]
    assert tree.xpath("//dd[@class='event-date']/time/@datetime") == ["1945-02-04"]
    participants = tree.xpath("//ul[@id='participants']/li")
    api = client.get("/v1/events/yalta-conference").json()["participants"]
    assert [li.get("data-entity-id") for li in participants] == [p["id"] for p in api]
    for li, participant in zip(participants, api, strict=True):
        assert li.xpath("./a/@href") == [f"/entities/{participant['id']}"]
        assert li.xpath("./a")[0].text_content() == participant["name"]
        assert li.find_class("role")[0].text_content() == participant["role"]
    stalin = tree.xpath("//li[@data-entity-id='joseph-stalin']")[0]
    assert stalin.find_class("role")[0].text == "head of the Soviet delegation"


def test_an_event_lists_the_passages_that_report_it(client: TestClient) -> None:
    tree = page(client, "/events/yalta-conference")
    reports = tree.xpath("//ul[@id='reports']/li[@data-document-id]")
    assert [li.get("data-document-id") for li in reports] == [
        ESSAY,
        "russian-liberation-movement-the-allies",
        "why-did-the-ussr-refuse-to-repatriate-allied-pows",
    ]
    essay = reports[0]
    assert essay.xpath("./h3/a/@href") == [f"/documents/{ESSAY}"]
    passages = essay.xpath(".//li[@data-passage]")
    assert [li.get("data-passage") for li in passages] == ["sec1", "sec1.p1"]
    first = passages[1]
    assert first.xpath(".//a[@class='passage-link']/@href") == [f"/documents/{ESSAY}#sec1.p1"]
    excerpt = first.find_class("excerpt")[0].text_content()
    assert excerpt.startswith("In February 1945, the allies met at Yalta")
    long = tree.xpath("//li[@data-passage='sec5.p1']//blockquote")[0].text_content()
    assert long.endswith("…") and len(long) < 340
    # the telegram reports the British–Soviet arrangement in two passages
    other = page(client, "/events/british-soviet-arrangement-on-soviet-nationals")
    refs = other.xpath(f"//li[@data-document-id='{TELEGRAM}']//li/@data-passage")
    assert refs == ["p3", "p5"]


def test_an_event_links_its_json_and_json_ld(client: TestClient) -> None:
    tree = page(client, "/events/yalta-conference")
    alternates = {a.get("type"): a.get("href") for a in tree.xpath("//link[@rel='alternate']")}
    base = "http://testserver/v1/events/yalta-conference"
    assert alternates == {"application/json": base, "application/ld+json": f"{base}?format=jsonld"}
    assert client.get(alternates["application/ld+json"]).headers["content-type"] == (
        "application/ld+json"
    )
    visible = tree.xpath("//p[@class='formats']/a/@href")
    assert visible == [base, f"{base}?format=jsonld"]
    assert tree.xpath("//link[@rel='canonical']/@href") == [
        "http://testserver/events/yalta-conference"
    ]


def test_an_unknown_event_is_a_404_page(client: TestClient) -> None:
    for missing in ("no-such-event", "joseph-stalin"):  # a person is not an event
        tree = page(client, f"/events/{missing}", status=404)
        assert tree.xpath("//h1")[0].text_content() == "Not found"


@pytest.fixture
def curated(fresh_db: DbHandle) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="curator", scope="curate")
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {key}"}


def test_undated_events_are_listed_apart_and_names_are_escaped(
    curated: tuple[TestClient, dict[str, str]],
) -> None:
    client, key = curated
    name = '<script>alert(1)</script> talks "x" & <b>more</b>'
    made = client.post(
        "/v1/events",
        headers=key,
        json={"id": "undated-talks", "name": name, "type": "meeting", "place": "yalta"},
    )
    assert made.status_code == 201, made.text
    tree = page(client, "/events")
    assert tree.xpath("//script") == [] and tree.xpath("//main//b") == []
    undated = tree.xpath("//ul[@id='events-undated']/li")
    assert [li.get("data-event-id") for li in undated] == ["undated-talks"]
    assert undated[0].xpath("./a")[0].text_content() == name
    assert "undated-talks" not in tree.xpath("//svg//a/@data-event-id")
    event = page(client, "/events/undated-talks")
    assert event.xpath("//h1")[0].text_content() == name
    assert event.xpath("//dd[@class='event-date']")[0].text_content() == "undated"
    assert event.xpath("//script") == []
    assert event.find_class("empty")  # no participants, no reports


def test_without_the_reader_there_are_no_event_pages(seeded_db: DbHandle) -> None:
    client = TestClient(create_app(seeded_db.app_settings(reader=False), engine=seeded_db.engine))
    assert client.get("/events", headers={"accept": BROWSER}).status_code == 404
    assert client.get("/events/yalta-conference", headers={"accept": BROWSER}).status_code == 404


def _span(ident: str, start: dt.date, end: dt.date, name: str = "An event") -> Span:
    return Span(ident, name, f"{start}/{end}", start, end)


def test_the_axis_counts_months_over_short_spans_and_years_over_long_ones() -> None:
    first, last, ticks = axis(dt.date(1944, 1, 1), dt.date(1945, 8, 2))
    assert (first, last) == (dt.date(1944, 1, 1), dt.date(1945, 10, 1))
    assert [label for _, label in ticks][:3] == ["Jan 1944", "Apr 1944", "Jul 1944"]
    first, last, ticks = axis(dt.date(1815, 6, 18), dt.date(1945, 5, 8))
    assert (first, last) == (dt.date(1800, 1, 1), dt.date(1960, 1, 1))
    assert [label for _, label in ticks] == [str(y) for y in range(1800, 1961, 20)]
    assert len(ticks) <= 9
    one_day = axis(dt.date(1945, 2, 4), dt.date(1945, 2, 4))
    assert one_day[0] < one_day[1]
    # the ends of the calendar do not overflow
    assert axis(dt.date(1, 1, 1), dt.date(9999, 12, 31))[1] == dt.date(9999, 12, 31)
    assert axis(dt.date(9998, 3, 1), dt.date(9999, 12, 31))[1] == dt.date(9999, 12, 31)


def test_a_timeline_puts_each_event_where_its_days_are() -> None:
    spans = [
        _span("a", dt.date(1944, 1, 1), dt.date(1944, 12, 31)),
        _span("b", dt.date(1945, 2, 4), dt.date(1945, 2, 11)),
        _span("c", dt.date(1945, 2, 4), dt.date(1945, 2, 4)),
    ]
    timeline = layout_timeline(spans, width=800)
    assert timeline is not None
    a, b, c = timeline.bars
    assert timeline.left <= a.x < b.x <= timeline.right
    assert a.width > b.width >= c.width == MIN_BAR
    assert b.x == c.x and [bar.y for bar in timeline.bars] == sorted({a.y, b.y, c.y})
    assert timeline.height > max(bar.y for bar in timeline.bars) + timeline.bar_height
    assert all(timeline.left <= t.x <= timeline.right for t in timeline.ticks)
    assert layout_timeline([]) is None


def test_labels_fit_beside_their_bars_and_long_names_are_shortened() -> None:
    long = "A very long name for an event that could never fit beside its bar " * 3
    spans = [
        _span("early", dt.date(1944, 1, 1), dt.date(1944, 1, 31), long),
        _span("late", dt.date(1945, 11, 1), dt.date(1945, 12, 31), "Late"),
    ]
    timeline = layout_timeline(spans)
    assert timeline is not None
    early, late = timeline.bars
    assert not early.label_end and early.label.endswith("…") and len(early.label) < len(long)
    assert early.name == long  # the accessible name keeps it whole
    assert late.label_end and late.label == "Late" and late.label_x < late.x


def test_a_packed_timeline_shares_rows_when_nothing_overlaps() -> None:
    spans = [
        _span("a", dt.date(1900, 1, 1), dt.date(1900, 12, 31), "A"),
        _span("b", dt.date(1950, 1, 1), dt.date(1950, 12, 31), "B"),
        _span("c", dt.date(1900, 1, 1), dt.date(1950, 12, 31), "C"),
    ]
    packed = layout_timeline(spans, packed=True)
    one_per_row = layout_timeline(spans)
    assert packed is not None and one_per_row is not None
    a, b, c = packed.bars
    assert a.y == b.y < c.y
    assert packed.height < one_per_row.height
