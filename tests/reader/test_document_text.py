"""api.reader.text: a passage's text split at every boundary, each piece escaped, elements
properly nested however their ranges overlap — and not one character lost or added."""

from typing import Any

import lxml.html
import pytest

from api.documents.schemas import DocumentPublic
from api.mentions.schemas import MentionPublic
from api.reader.text import render_inline, render_text
from api.reading.schemas import ReadingBundle, ReadingCrossReferences
from api.texts.schemas import FootnotePublic, PageMarkerPublic, PassagePublic


def passage(ref: str, text: str, start: int, **extra: Any) -> dict[str, Any]:
    return {
        "ref": ref,
        "seq": int("".join(c for c in ref if c.isdigit()) or 1),
        "kind": "paragraph",
        "boilerplate": False,
        "section": None,
        "text": text,
        "start": start,
        "end": start + len(text),
        "page": None,
        "links": {},
        **extra,
    }


def mention(n: int, ref: str, start: int, end: int, entity: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": n,
        "entity": entity,
        "entity_name": entity,
        "entity_type": "person",
        "document": "test",
        "container": "passage",
        "passage": ref,
        "footnote": None,
        "start": None,
        "end": None,
        "passage_start": start,
        "passage_end": end,
        "surface": "",
        "status": "auto",
        "snippet": None,
        "links": {},
        **extra,
    }


def bundle(
    passages: list[dict[str, Any]],
    *,
    mentions: list[dict[str, Any]] | None = None,
    footnotes: list[dict[str, Any]] | None = None,
    pages: list[dict[str, Any]] | None = None,
) -> ReadingBundle:
    """A bundle of made-up parts around the schema's example document."""
    extra = DocumentPublic.model_config.get("json_schema_extra")
    assert isinstance(extra, dict) and isinstance(extra["examples"], list)
    text = "\n\n".join(p["text"] for p in passages)
    return ReadingBundle(
        document="test",
        offsets="codepoints",
        metadata=DocumentPublic.model_validate(extra["examples"][0]),
        text=text,
        length=len(text),
        cross_references=ReadingCrossReferences(outgoing=[], incoming=[]),
        links={},
        passages=[PassagePublic.model_validate(p) for p in passages],
        mentions=[MentionPublic.model_validate(m) for m in mentions or []],
        footnotes=[FootnotePublic.model_validate(f) for f in footnotes or []],
        pages=[PageMarkerPublic.model_validate(p) for p in pages or []],
    )


def fragment(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def test_plain_text_is_escaped_and_kept_whole() -> None:
    text = 'a < b & "c" > d'
    assert render_inline(text, [], []) == "a &lt; b &amp; &#34;c&#34; &gt; d"
    assert fragment(render_inline(text, [], [])).text_content() == text


def test_overlapping_marks_and_a_mention_nest_and_lose_nothing() -> None:
    text = "Lord Moyne was informed in Cairo."
    b = bundle(
        [
            passage(
                "p1",
                text,
                0,
                marks=[
                    {
                        "type": "italic",
                        "start": 0,
                        "end": 14,
                        "passage_start": 0,
                        "passage_end": 14,
                    },
                    {"type": "bold", "start": 5, "end": 23, "passage_start": 5, "passage_end": 23},
                ],
            )
        ],
        mentions=[mention(1, "p1", 0, 10, "moyne")],
    )
    rendered = render_text(b, root="/r").body
    tree = fragment(str(rendered))
    paragraph = tree.get_element_by_id("p1")
    paragraph.xpath('a[@class="permalink"]')[0].drop_tree()
    assert paragraph.text_content() == text
    link = tree.xpath('//a[@class="mention"]')[0]
    assert link.get("href") == "/r/entities/moyne" and link.text_content() == "Lord Moyne"
    assert "".join(tree.xpath("//i//text()")) == "Lord Moyne was"
    assert "".join(tree.xpath("//b//text()")) == "Moyne was informed"


def test_a_marker_inside_a_mention_splits_the_link() -> None:
    text = "the Combined Chiefs of Staff met"
    b = bundle(
        [passage("p1", text, 0)],
        mentions=[mention(1, "p1", 4, 28, "ccs")],
        footnotes=[
            {
                "ref": "fn1",
                "marker": "*",
                "number": 1,
                "text": "Washington.",
                "passage": "p1",
                "start": 12,
                "passage_start": 12,
                "links": {},
            }
        ],
        pages=[{"n": "12", "seq": 1, "start": 12, "passage": "p1", "links": {}}],
    )
    rendered = render_text(b, root="")
    tree = fragment(str(rendered.body))
    assert tree.xpath("//a//a") == []
    links = tree.xpath('//a[@class="mention"]')
    assert [link.text_content() for link in links] == ["Combined", " Chiefs of Staff"]
    assert {link.get("data-entity") for link in links} == {"ccs"}
    marker = tree.xpath('//sup[@class="note-ref"]/a')[0]
    assert marker.text == "*" and marker.get("href") == "#fn1"
    # the marker first, then the page break, both between "Combined" and " Chiefs"
    sup, page = tree.xpath('//sup[@class="note-ref"] | //span[@class="page-break"]')
    assert sup.getnext() is page and page.get("id") == "page-12"
    assert rendered.notes[0].anchored and rendered.notes[0].marker == "*"


def test_of_two_overlapping_mentions_the_first_is_kept() -> None:
    text = "British Foreign Office"
    b = bundle(
        [passage("p1", text, 0)],
        mentions=[
            mention(1, "p1", 8, 22, "foreign-office"),
            mention(2, "p1", 0, 15, "britain"),
            mention(3, "p1", 99, 120, "out-of-range"),
        ],
    )
    tree = fragment(str(render_text(b, root="").body))
    assert tree.xpath('//a[@class="mention"]/@data-entity') == ["britain"]


def test_headings_lists_quotations_and_tables_keep_their_structure() -> None:
    parts = [
        passage("h1", "Part One", 0, kind="heading", level=1),
        passage("h2", "Chapter", 10, kind="heading", level=3),
        passage("l1", "first", 20, kind="list_item", depth=1, label="1."),
        passage("l2", "nested", 30, kind="list_item", depth=3),
        passage("l3", "second", 40, kind="list_item", depth=1, label="2."),
        passage("q1", "To be or not", 50, kind="quotation"),
        passage("b1", "Share this page", 70, kind="paragraph", boilerplate=True),
        passage("b2", "Next", 90, kind="list_item", boilerplate=True),
        passage(
            "t1",
            "Name\tYear\nYalta\t1945",
            100,
            kind="table",
            table={"rows": [["Name", "Year"], ["Yalta", "1945"]], "header_rows": 1},
            marks=[
                {"type": "bold", "start": 110, "end": 115, "passage_start": 10, "passage_end": 15}
            ],
        ),
        passage(
            "t2",
            "odd text",
            130,
            kind="table",
            table={"rows": [["a", "b"]], "header_rows": 0},
        ),
    ]
    tree = fragment(str(render_text(bundle(parts), root="").body))
    assert tree.get_element_by_id("h1").tag == "h2"
    assert tree.get_element_by_id("h2").tag == "h4"
    first = tree.get_element_by_id("l1")
    assert first.tag == "li" and first.findtext('span[@class="label"]') == "1."
    nested = tree.get_element_by_id("l2")
    assert nested.getparent().tag == "ul" and nested.getparent().getparent() is first
    assert tree.get_element_by_id("l3").getparent() is first.getparent()
    assert tree.xpath("//ul/ul") == []  # a list holds only items
    assert tree.get_element_by_id("q1").tag == "blockquote"
    details = tree.xpath('//details[@class="boilerplate"]')[0]
    assert {e.get("id") for e in details.xpath(".//*[@id]")} == {"b1", "b2"}
    table = tree.get_element_by_id("t1")
    assert table.xpath(".//thead/tr/th/text()") == ["Name", "Year"]
    assert [td.text_content() for td in table.xpath(".//tbody/tr/td")] == ["Yalta", "1945"]
    assert table.xpath(".//td/b/text()") == ["Yalta"]
    odd = tree.get_element_by_id("t2")
    assert [td.text_content() for td in odd.xpath(".//td")] == ["a", "b"]


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "&amp; ' \" < >"],
)
def test_hostile_text_and_ids_stay_text(text: str) -> None:
    b = bundle(
        [passage("p1", text, 0, kind="heading")],
        mentions=[mention(1, "p1", 0, 2, '"><script>x</script>', entity_type='"onmouseover=x')],
        footnotes=[
            {
                "ref": '"><b>',
                "marker": "<i>1</i>",
                "number": 1,
                "text": text,
                "passage": "p1",
                "start": 1,
                "passage_start": 1,
                "links": {},
            }
        ],
    )
    rendered = render_text(b, root="")
    tree = fragment(str(rendered.body))
    assert tree.xpath("//script | //img | //b | //i") == []
    assert tree.xpath("//@onerror | //@onmouseover") == []
    heading = tree.xpath("//h2")[0]
    for furniture in heading.xpath('.//a[@class="permalink"] | .//sup'):
        furniture.drop_tree()
    assert heading.text_content() == text
    assert fragment(str(rendered.notes[0].html)).text_content() == text
