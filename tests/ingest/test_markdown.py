"""Markdown with YAML front matter (the DFAT web edition), quirk by quirk."""

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from api.errors import IngestError
from api.formats.dateline import parse_dateline
from api.formats.markdown.blocks import Text
from api.formats.markdown.reader import read_markdown
from api.formats.markdown.render import render

FRONT = """---
doc_date: '1945-02-01'
doc_num: 22
doc_order: 22
naa_refs:
- naa_barcode: 188525
  naa_control_symbol: IC45/6/2/1 PART 1
  naa_series: A1066
  reference: '[AA: A1066, IC45/6/2/1, i]'
title: Cranborne to Commonwealth Government
vol_full_title: 'Volume 8: 1945'
vol_id: 8
vol_title: 'Volume 8: 1945'
---
"""

BODY = """
Cablegram D193 LONDON, 1 February 1945, 7.30 p.m.

TOP SECRET IMMEDIATE

At the Moscow Conference [1] the Foreign Secretary obtained an assurance.

2\\. The Soviet Government have been informed. [2]

 _

1 Held in October 1944; see
Document 17.

2 Cablegram D194.

_

 _[AA: A1066, IC45/6/2/1, i]_
"""


def read(text: str, name: str = "22-cranborne-to-commonwealth-government.md"):
    found = read_markdown(text, Path(name))
    return found.record, found.collection


def test_front_matter_heading_notes_and_archival_reference() -> None:
    record, collection = read(FRONT + BODY)
    assert collection is not None and collection.id == "dfat-volume-8-1945"
    assert collection.title == "Documents on Australian Foreign Policy, Volume 8: 1945"
    assert record.id == "dfat-v8-22-cranborne-to-commonwealth-government"
    assert record.collection_id == "dfat-volume-8-1945"
    assert (record.date, record.genre, record.number) == ("1945-02-01", "cablegram", "D193")
    assert record.provenance.place == "London"
    assert record.provenance.time == "7.30 p.m."
    assert record.provenance.order == 22
    assert record.provenance.classification == "TOP SECRET IMMEDIATE"
    assert {"A1066, IC45/6/2/1"} == {
        i.value for i in record.identifiers if i.scheme == "archival_reference"
    }
    kinds = [(p.ref, p.kind) for p in record.passages]
    assert kinds[:2] == [("p1", "dateline"), ("p2", "heading")]
    assert record.passages[0].text == "Cablegram D193 LONDON, 1 February 1945, 7.30 p.m."
    # markers leave the text; escapes are undone; the archival line is provenance
    assert "[1]" not in record.text and "\\." not in record.text and "_[AA" not in record.text
    assert "2. The Soviet Government have been informed." in record.text
    first, second = record.footnotes
    assert first.text == "Held in October 1944; see Document 17."  # a wrapped note is joined
    assert record.text[first.offset - len("Conference") : first.offset] == "Conference"
    assert record.text[second.offset - 1] == "."
    assert not record.notes


def test_missing_front_matter_fields_fall_back_to_the_heading() -> None:
    text = "---\ntitle: A letter\n---\n\nLetter CANBERRA, 9 August 1945\n\nDear Sir.\n"
    found = read_markdown(text, Path("letter.md"), default_collection="misc")
    record, collection = found.record, found.collection
    assert collection is None and record.collection_id == "misc"
    assert (record.id, record.date, record.genre) == ("letter", "1945-08-09", "letter")
    assert record.provenance.place == "Canberra"


def test_no_front_matter_at_all() -> None:
    record = read_markdown(
        "Just a paragraph.\n", Path("plain.md"), default_collection="misc"
    ).record
    assert record.title == "plain" and record.text == "Just a paragraph."


def test_notes_without_markers_and_markers_without_notes_are_recorded() -> None:
    body = "\nCablegram 9 CANBERRA, 6 January 1945\n\nText [3] here.\n\n _\n\n1 A note.\n\n_\n"
    record, _ = read(FRONT + body)
    note = record.footnotes[0]
    assert note.offset is None and note.passage_ref is None
    texts = " ".join(n.text for n in record.notes)
    assert "no note for marker [3]" in texts and "No marker in the text for note 1" in texts
    assert "[3]" not in record.text


def test_separator_glued_to_the_first_note_and_displaced_italics() -> None:
    body = (
        "\nCablegram 9 CANBERRA, 6 January 1945\n\nOne [1] two.\n\n"
        " _1 The first note.\n\n2 The second.\n\n_\n\n _[2] the cut sentence_\n"
    )
    record, _ = read(FRONT + body)
    assert [f.text for f in record.footnotes] == ["The first note.", "The second."]
    assert record.passages[-1].text == "the cut sentence"
    assert record.footnotes[1].passage_ref == record.passages[-1].ref
    assert any(n.kind == "transcription" for n in record.notes)


def test_broken_front_matter_names_the_line() -> None:
    with pytest.raises(IngestError) as raised:
        read("---\ntitle: [unclosed\n---\n\nText.\n")
    assert raised.value.line is not None and "front matter" in raised.value.message


@pytest.mark.parametrize(
    ("line", "genre", "number", "place", "date", "time"),
    [
        (
            "Cablegram D193 LONDON, 1 February 1945, 7.30 p.m.",
            "cablegram",
            "D193",
            "London",
            "1945-02-01",
            "7.30 p.m.",
        ),
        (
            "Letter (extract) WASHINGTON, 15 January 1945",
            "letter",
            None,
            "Washington",
            "1945-01-15",
            None,
        ),
        ("Agendum 976 29 October 1945,", "agendum", "976", None, "1945-10-29", None),
        (
            "Cablegram E29 [SAN FRANCISCO], 14 June 1945, 10.30 p.m.",
            "cablegram",
            "E29",
            "San Francisco",
            "1945-06-14",
            "10.30 p.m.",
        ),
        ("CANBERRA, 28 June 1945", None, None, "Canberra", "1945-06-28", None),
        (
            "Cablegram unnumbered CANBERRA, 12 October 1945",
            "cablegram",
            None,
            "Canberra",
            "1945-10-12",
            None,
        ),
        ("Letter (extract) [December [1] 1945],", "letter", None, None, "1945-12", None),
    ],
)
def test_heading_lines(line, genre, number, place, date, time) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_dateline(line)
    assert (parsed.genre, parsed.number, parsed.place, parsed.date, parsed.time) == (
        genre,
        number,
        place,
        date,
        time,
    )


@given(st.text(max_size=40) | st.text(alphabet=" ab\t\n\r\x0b\x0c\x1c\x1f\xa0\u2003", max_size=12))
@example("The Minister said so.")
@example(" leading")
@example("two  spaces")
@example("tab\there")
@example("file\x1cseparator")
def test_rendered_text_is_the_text_with_its_whitespace_collapsed(text: str) -> None:
    """A run of text comes out as ``" ".join(text.split())``: nothing lost, nothing added."""
    assert render([Text(text)]).text == " ".join(text.split())
