"""GET /documents/{id}: a document as printed — its passages with their refs as ids, note
markers as printed linking to the notes at the end, page breaks, names linked, boilerplate
tucked away, what it cites and what cites it, how to cite it — and the HTML error pages."""

from collections.abc import Iterator
from urllib.parse import urlsplit

import lxml.html
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from api.reader.assets import PREFIX
from tests.conftest import DbHandle

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
ALLIES = "russian-liberation-movement-the-allies"
ESSAY = "why-did-the-ussr-refuse-to-repatriate-allied-pows"
PAGE = f"/documents/{TELEGRAM}"
FURNITURE = (
    './/*[contains(@class, "permalink") or contains(@class, "note-ref") '
    'or contains(@class, "page-break")]'
)


def html(response: Response) -> lxml.html.HtmlElement:
    assert response.headers["content-type"].startswith("text/html"), response.text[:300]
    return lxml.html.fromstring(response.text)


def text_of(element: lxml.html.HtmlElement) -> str:
    """An element's text as printed: without the permalink, note markers and page breaks
    the page puts between its characters."""
    copy = lxml.html.fromstring(lxml.html.tostring(element, encoding="unicode"))
    for furniture in copy.xpath(FURNITURE):
        furniture.drop_tree()
    return str(copy.text_content())


def follow(client: TestClient, href: str) -> Response:
    parts = urlsplit(href)
    response: Response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    return response


@pytest.fixture(scope="module")
def telegram(client: TestClient) -> lxml.html.HtmlElement:
    response = client.get(PAGE)
    assert response.status_code == 200, response.text[:500]
    return html(response)


def test_the_page_is_the_document(client: TestClient, telegram: lxml.html.HtmlElement) -> None:
    assert telegram.findtext(".//title") == (
        "The Ambassador in the Soviet Union (Harriman) to the Secretary of State · Quellen"
    )
    assert telegram.xpath("string(//h1)") == (
        "The Ambassador in the Soviet Union (Harriman) to the Secretary of State"
    )
    description = telegram.xpath('string(//meta[@name="description"]/@content)')
    assert description.startswith("Primary source (telegram) by W. Averell Harriman")
    assert "24 September 1944" in description and "Foreign Relations" in description
    assert telegram.xpath('string(//link[@rel="canonical"]/@href)') == f"http://testserver{PAGE}"
    assert telegram.get("lang") == "en"  # the site's words; the text's language is its own
    assert telegram.get_element_by_id("text").get("lang") == "en"
    meta = {
        dt.text_content(): dt.getnext().text_content()
        for dt in telegram.xpath('//dl[@class="document-meta"]//dt')
    }
    assert meta["Source type"] == "Primary source"
    assert meta["Author"] == "W. Averell Harriman"
    assert meta["Recipient"] == "Secretary of State"
    assert meta["Date"].startswith("24 September 1944")
    assert meta["Pages"] == "1253–1254"
    assert meta["File number"] == "711.62114/9–2444 (Department of State central files)"
    assert meta["Telegram number"] == "3652"
    collection = telegram.xpath('//p[@class="document-collection"]/a')[0]
    assert collection.get("href") == "/collections/frus-1944-v04"
    assert "Transcription." in telegram.xpath('string(//section[@class="about"])')


def test_every_passage_is_there_with_its_ref_and_exact_text(
    client: TestClient, telegram: lxml.html.HtmlElement
) -> None:
    bundle = client.get(f"/v1/documents/{TELEGRAM}/reading").json()
    text = telegram.get_element_by_id("text")
    assert [e.get("id") for e in text.xpath("./*[@id]")] == [p["ref"] for p in bundle["passages"]]
    for passage in bundle["passages"]:
        element = telegram.get_element_by_id(passage["ref"])
        assert text_of(element) == passage["text"], passage["ref"]
        permalink = element.xpath('./a[@class="permalink"]')[0]
        assert permalink.get("href") == f"#{passage['ref']}"
    assert text.xpath("./h2/@id") == ["p1", "p2"]
    assert telegram.get_element_by_id("p7").get("class") == "signature"
    assert telegram.xpath("//a//a") == []  # never a link in a link


def test_note_markers_are_printed_numbers_linking_to_the_notes(
    telegram: lxml.html.HtmlElement,
) -> None:
    markers = telegram.xpath('//div[@id="text"]//sup[@class="note-ref"]/a')
    assert [m.text for m in markers] == ["66", "67", "68"]
    assert [m.get("href") for m in markers] == ["#fn1", "#fn2", "#fn3"]
    assert [m.get("id") for m in markers] == ["ref-fn1", "ref-fn2", "ref-fn3"]
    assert [m.get("data-note") for m in markers] == ["fn1", "fn2", "fn3"]
    assert all(m.get("aria-describedby") == "notes-heading" for m in markers)
    # the marker for 66 follows "Lord Moyne", in paragraph p4
    moyne = markers[0].getparent().getprevious()
    assert moyne.text == "Lord Moyne" and moyne.get("class") == "mention"
    notes = telegram.xpath('//section[@class="notes"]')[0]
    assert notes.get("aria-labelledby") == "notes-heading"
    assert notes.xpath("string(h2)") == "Notes"
    items = notes.xpath("./ol/li")
    assert [li.get("id") for li in items] == ["fn1", "fn2", "fn3"]
    assert [li.get("value") for li in items] == ["66", "67", "68"]
    assert [li.findtext('span[@class="note-marker"]') for li in items] == ["66", "67", "68"]
    first = items[0].xpath('string(span[@class="note-text"])')
    assert "Moyne" in first and first.startswith("Walter Edward Guinness, First Baron Moyne")
    back = items[0].xpath('a[@class="note-back"]')[0]
    assert back.get("href") == "#ref-fn1" and back.text == "Back to text"
    # a note's own names are linked too
    assert items[0].xpath('.//a[@class="mention"]/@href')[0] == "/entities/walter-edward-guinness"


def test_page_breaks_stand_where_the_pages_begin(telegram: lxml.html.HtmlElement) -> None:
    breaks = telegram.xpath('//span[@class="page-break"]')
    assert [b.text for b in breaks] == ["p. 1253", "p. 1254"]
    assert [b.get("id") for b in breaks] == ["page-1253", "page-1254"]
    assert all(b.get("role") == "note" for b in breaks)
    assert breaks[1].get("aria-label") == "Page 1254"
    assert breaks[0].getparent().get("id") == "p1"  # where the telegram begins
    paragraph = breaks[1].getparent()
    assert paragraph.get("id") == "p5"  # offset 1174 of the text, 133 into p5
    before = paragraph.text_content().split("p. 1254")[0]
    assert before.endswith("will first wish ")


def test_mentions_link_to_their_entities(
    client: TestClient, telegram: lxml.html.HtmlElement
) -> None:
    mentions = telegram.xpath('//div[@id="text"]//a[@class="mention"]')
    bundle = client.get(f"/v1/documents/{TELEGRAM}/reading").json()
    in_text = [m for m in bundle["mentions"] if m["container"] == "passage"]
    assert len(mentions) == len(in_text)
    for link, mention in zip(mentions, in_text, strict=True):
        assert link.get("href") == f"/entities/{mention['entity']}"
        assert link.get("data-entity") == mention["entity"]
        assert link.get("data-entity-type") == mention["entity_type"]
        assert link.text_content() == mention["surface"]
    toggle = telegram.get_element_by_id("toggle-mentions")
    assert toggle.tag == "button" and toggle.get("aria-pressed") == "false"
    assert toggle.get("hidden") is not None  # document.js shows it; without it, plain links


def test_cross_references_out_are_shown_waiting(telegram: lxml.html.HtmlElement) -> None:
    references = telegram.xpath('//section[@class="references"]')[0]
    cites = references.xpath('.//ul[@aria-labelledby="cites-heading"]/li')
    assert len(cites) == 2
    assert all("waiting" in li.get("class") for li in cites)
    replies = cites[1]
    assert replies.findtext('span[@class="relation"]') == "Replies to"
    assert "Department of State telegram 2212" in replies.findtext('span[@class="target"]')
    assert replies.xpath('.//span[@class="where"]/a/@href') == ["#p3"]
    assert cites[0].xpath('.//span[@class="where"]/a')[0].text == "note 67"
    assert "No source in the corpus refers to this one" in references.text_content()


def test_citations_and_downloads(client: TestClient, telegram: lxml.html.HtmlElement) -> None:
    chicago = telegram.get_element_by_id("cite-chicago").text_content()
    assert chicago.startswith("W. Averell Harriman, to Secretary of State, September 24, 1944")
    assert "Harriman, W. Averell." in telegram.get_element_by_id("cite-mla").text_content()
    bibtex = telegram.get_element_by_id("cite-bibtex")
    assert bibtex.tag == "pre" and bibtex.text_content().startswith("@misc{harriman1944telegram,")
    buttons = telegram.xpath('//button[contains(@class, "copy")]')
    assert [b.get("data-copy") for b in buttons] == [
        "cite-chicago",
        "cite-chicago-bibliography",
        "cite-mla",
        "cite-bibtex",
    ]
    assert all(b.get("hidden") is not None for b in buttons)  # useless without JavaScript
    alternates = telegram.xpath('//link[@rel="alternate"]')
    labels = [a.get("title") for a in alternates]
    assert labels == ["JSON", "JSON-LD", "TEI", "Plain text", "BibTeX", "CSL-JSON"]
    downloads = telegram.xpath('//section[@class="downloads"]//a')
    assert [a.get("href") for a in downloads] == [a.get("href") for a in alternates]
    assert telegram.xpath('//footer//p[@class="formats"]/a/text()') == labels
    for alternate in alternates:
        response = follow(client, alternate.get("href"))
        assert response.status_code == 200, alternate.get("href")
        assert response.headers["content-type"].startswith(alternate.get("type"))


def test_a_web_essay_warns_and_tucks_its_boilerplate_away(client: TestClient) -> None:
    tree = html(client.get(f"/documents/{ALLIES}"))
    warning = tree.xpath('//div[@class="reliability"]')[0]
    assert warning.get("role") == "note"
    assert "gives no sources" in warning.text_content()
    header = tree.xpath('//header[@class="document-header"]')[0]
    assert warning in header.iterdescendants()  # near the top, not after the text
    bundle = client.get(f"/v1/documents/{ALLIES}/reading").json()
    for passage in bundle["passages"]:
        element = tree.get_element_by_id(passage["ref"])
        tucked = bool(element.xpath('ancestor::details[@class="boilerplate"]'))
        assert tucked == passage["boilerplate"], passage["ref"]
        assert text_of(element) == passage["text"]
    details = tree.xpath('//details[@class="boilerplate"]')
    assert len(details) == 1 and details[0].find("summary") is not None
    assert tree.xpath('//dl[@class="document-meta"]//dd/text()')[0] == "Tertiary source"
    assert tree.xpath('//div[@id="text"]//sup') == []
    citations = tree.xpath('//div[@class="citation"]')
    assert citations and all(c.xpath("string(p | pre)").strip() for c in citations)
    assert tree.xpath('//section[@class="notes"]') == []


def test_the_page_weighs_under_100_kb(client: TestClient) -> None:
    response = client.get(PAGE)
    tree = html(response)
    assets = [
        *tree.xpath('//link[@rel="stylesheet"]/@href'),
        *tree.xpath("//script/@src"),
    ]
    assert all(a.startswith(PREFIX) for a in assets)
    assert any(a.endswith(".js") for a in assets)
    total = len(response.content)
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200
        total += len(served.content)
    assert total < 100_000, total


def test_an_unknown_document_is_an_html_404(client: TestClient) -> None:
    response = client.get("/documents/no-such-document")
    assert response.status_code == 404
    tree = html(response)
    assert tree.xpath("string(//h1)") == "Not found"
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]


@pytest.fixture
def curate(fresh_db: DbHandle) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="curator", scope="curate")
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {key}"}


def test_a_deleted_document_is_an_html_410(curate: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = curate
    tag = client.get(f"/v1/documents/{ESSAY}").headers["etag"]
    deleted = client.delete(f"/v1/documents/{ESSAY}", headers={**headers, "If-Match": tag})
    assert deleted.status_code in (200, 204), deleted.text
    response = client.get(f"/documents/{ESSAY}")
    assert response.status_code == 410
    assert html(response).xpath("string(//h1)") == "Gone"


def test_resolved_references_link_both_ways(curate: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = curate
    made = client.post(
        "/v1/cross-references",
        headers=headers,
        json={
            "source": {"document": ESSAY, "passage": "sec5.p1"},
            "relation": "cites",
            "target": {"document": TELEGRAM, "passage": "p4"},
        },
    )
    assert made.status_code == 201, made.text
    essay = html(client.get(f"/documents/{ESSAY}"))
    cites = essay.xpath('//ul[@aria-labelledby="cites-heading"]/li')
    assert len(cites) == 1 and "waiting" not in cites[0].get("class")
    assert cites[0].xpath("./a/@href") == [f"/documents/{TELEGRAM}#p4"]
    assert cites[0].xpath(".//span[@class='where']/a/@href") == ["#sec5.p1"]
    telegram = html(client.get(PAGE))
    cited_by = telegram.xpath('//ul[@aria-labelledby="cited-by-heading"]/li')
    assert len(cited_by) == 1
    assert cited_by[0].findtext('span[@class="relation"]') == "Cited by"
    link = cited_by[0].xpath("./a")[0]
    assert link.get("href") == f"/documents/{ESSAY}#sec5.p1"
    assert link.text == "Why Did the USSR Refuse to Repatriate Allied POWs After World War II?"
    assert cited_by[0].xpath(".//span[@class='where']/a/@href") == ["#p4"]


def test_the_site_can_be_turned_off(seeded_db: DbHandle) -> None:
    app = create_app(seeded_db.app_settings(reader=False), engine=seeded_db.engine)
    with TestClient(app) as client:
        assert client.get(PAGE).status_code == 404
        assert client.get(f"/v1/documents/{TELEGRAM}").status_code == 200


def test_the_page_prints_with_its_notes(
    client: TestClient, telegram: lxml.html.HtmlElement
) -> None:
    sheet = telegram.xpath('//link[@rel="stylesheet"][@media="print"]/@href')
    assert len(sheet) == 1 and "/print." in sheet[0]
    rules = client.get(sheet[0]).text
    for hidden in (".note-popover", ".reading-tools", ".permalink", ".downloads"):
        assert f".page-document {hidden}" in rules
    assert ".page-document .notes { display: block !important;" in rules
    assert "page-document" in telegram.xpath("string(//body/@class)")
