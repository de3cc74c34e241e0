"""The reading view's Highwire Press tags make a complete Zotero item, read the way Zotero's
"Embedded Metadata" translator reads them; and the metadata rules behind them."""

import lxml.html
import pytest
from fastapi.testclient import TestClient

from api.documents.schemas import DocumentPublic
from api.reader import document_meta as meta

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
# the translator's HIGHWIRE_MAPPINGS (the fields an item takes from one tag each)
HIGHWIRE_MAPPINGS = {
    "citation_title": "title",
    "citation_publication_date": "date",
    "citation_date": "date",
    "citation_journal_title": "publicationTitle",
    "citation_book_title": "bookTitle",
    "citation_volume": "volume",
    "citation_publisher": "publisher",
    "citation_public_url": "url",
    "citation_language": "language",
}


def zotero_item(tree: lxml.html.HtmlElement) -> dict[str, object]:
    """What the Embedded Metadata translator makes of a page's head: the item type from
    the tags present, the mapped fields, one creator per ``citation_author``, and the page
    range from first and last page."""
    head = tree.find("head")
    tags: dict[str, list[str]] = {}
    for element in head.iterfind("meta"):
        name, content = element.get("name"), element.get("content")
        if name and content:
            tags.setdefault(name, []).append(content)
    item: dict[str, object] = {
        "itemType": "bookSection" if "citation_book_title" in tags else "journalArticle"
    }
    for tag, field in HIGHWIRE_MAPPINGS.items():
        if tag in tags:
            item[field] = tags[tag][0]
    item["creators"] = [
        {"lastName": name.rsplit(" ", 1)[-1], "firstName": name.rsplit(" ", 1)[0]}
        for name in tags.get("citation_author", [])
    ]
    first, last = tags.get("citation_firstpage"), tags.get("citation_lastpage")
    if first:
        item["pages"] = first[0] + (f"-{last[0]}" if last else "")
    assert "citation_pdf_url" not in tags  # there is no PDF
    return item


def test_the_telegram_makes_a_complete_zotero_item(client: TestClient) -> None:
    tree = lxml.html.fromstring(client.get(f"/documents/{TELEGRAM}").text)
    item = zotero_item(tree)
    assert item == {
        "itemType": "bookSection",
        "title": "The Ambassador in the Soviet Union (Harriman) to the Secretary of State",
        "date": "1944/09/24",
        "bookTitle": "Foreign Relations of the United States, Diplomatic Papers, 1944, "
        "Volume IV, Europe",
        "volume": "IV",
        "publisher": "United States Government Printing Office",
        "url": f"http://testserver/documents/{TELEGRAM}",
        "language": "en",
        "creators": [{"lastName": "Harriman", "firstName": "W. Averell"}],
        "pages": "1253-1254",
    }
    names = tree.xpath("//head/meta/@name")
    assert names.count("citation_author") == 1
    assert "citation_inbook_title" in names and "citation_abstract_html_url" in names


def test_an_undated_web_essay_takes_its_collection_as_container(client: TestClient) -> None:
    tree = lxml.html.fromstring(
        client.get("/documents/bodega-why-did-the-usa-ussr-alliance-break-down").text
    )
    item = zotero_item(tree)
    assert item["title"] == "Why did the USA-USSR alliance breakdown in 1945?"
    assert item["creators"] == [{"lastName": "Bodega", "firstName": "Rafael"}]
    assert item["bookTitle"] == "Web secondary sources"
    assert "date" not in item and "pages" not in item


@pytest.mark.parametrize(
    ("edtf", "human", "highwire"),
    [
        ("1944-09-24", "24 September 1944", "1944/09/24"),
        ("1945-02", "February 1945", "1945/02"),
        ("1945", "1945", "1945"),
        ("1945~", "circa 1945", "1945"),
        ("1945-02?", "February 1945 (uncertain)", "1945/02"),
        ("1945-02-04/1945-02-11", "4 February 1945 – 11 February 1945", "1945/02/04"),
        ("spring 1945", "spring 1945", None),
        (None, None, None),
    ],
)
def test_dates_in_words_and_as_highwire_writes_them(
    edtf: str | None, human: str | None, highwire: str | None
) -> None:
    assert meta.human_date(edtf) == human
    assert meta.highwire_date(edtf) == highwire


def _document(**changes: object) -> DocumentPublic:
    """The schema's example document (the telegram), with ``changes``."""
    extra = DocumentPublic.model_config.get("json_schema_extra")
    assert isinstance(extra, dict) and isinstance(extra["examples"], list)
    example = extra["examples"][0]
    assert isinstance(example, dict)
    return DocumentPublic.model_validate({**example, **changes})


def test_the_page_range_comes_from_the_curated_pages_or_the_page_breaks() -> None:
    assert meta.page_range(_document(), [], []) == ("1253", "1254")
    assert meta.page_range(_document(provenance={"pages": "12"}), [], []) == ("12", None)
    assert meta.page_range(_document(provenance={"first_page": "7"}), [], []) == ("7", None)


def test_only_web_addresses_become_links() -> None:
    assert meta.web_link("https://history.state.gov/x") == "https://history.state.gov/x"
    assert meta.web_link("javascript:alert(1)") is None
    assert meta.web_link(" JAVASCRIPT:alert(1)") is None
    assert meta.web_link(12) is None
    assert meta.label_for("file_number") == "File number"
    assert meta.label_for("url") == "URL"
