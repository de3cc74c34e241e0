"""The annotated plain-text reader: structure, markers, pages and refusals."""

from pathlib import Path

import pytest

from api.errors import IngestError
from api.formats.plaintext import read_annotated_text, read_document

META = {"id": "t", "collection_id": "c", "title": "T", "source_type": "primary"}


def read(text: str, **meta: object) -> object:
    return read_annotated_text(text, Path("t.txt"), {**META, **meta})


def test_plain_lines_become_paragraphs() -> None:
    record = read("First line.\nSecond line.\n\n\nThird.")
    assert [p.ref for p in record.passages] == ["p1", "p2", "p3"]
    assert record.text == "First line.\n\nSecond line.\n\nThird."


def test_markers_are_removed_and_anchored() -> None:
    record = read(
        "Lord Moyne[^66] was informed by this time.[^67]",
        footnotes=[{"marker": "66", "text": "Moyne."}, {"marker": "67", "text": "Time."}],
    )
    assert record.text == "Lord Moyne was informed by this time."
    first, second = record.footnotes
    assert record.text[: first.offset].endswith("Moyne")
    assert second.offset == len(record.text)
    assert (first.ref, first.number, second.ref, second.number) == ("fn1", 1, "fn2", 2)


def test_page_break_inline_and_on_its_own_line() -> None:
    record = read(
        "will first wish [Page 1254] to obtain.\n[Page 1255]\nNext page.",
        provenance={"first_page": "1253"},
    )
    assert record.text == "will first wish to obtain.\n\nNext page."
    assert [(p.n, record.text[p.offset :][:4]) for p in record.pages] == [
        ("1254", "to o"),
        ("1255", "Next"),
    ]
    assert [p.page for p in record.passages] == ["1253", "1255"]


def test_sections_lists_and_fences() -> None:
    record = read(
        "# Title\n## Part one\nIntro.\n• first\n• second\n::: boilerplate\n::: quotation\n"
        "Quoted.\n:::\nFooter.\n:::\n"
    )
    kinds = [(p.ref, p.kind, p.boilerplate, p.section_ref) for p in record.passages]
    assert kinds == [
        ("p1", "heading", False, None),
        ("sec1", "heading", False, "sec1"),
        ("sec1.p1", "paragraph", False, "sec1"),
        ("sec1.p2", "list_item", False, "sec1"),
        ("sec1.p3", "list_item", False, "sec1"),
        ("sec1.p4", "quotation", True, "sec1"),
        ("sec1.p5", "paragraph", True, "sec1"),
    ]
    assert "first\nsecond" in record.text  # list items are one line apart


@pytest.mark.parametrize(
    ("text", "meta", "message", "line"),
    [
        ("::: boilerplate\nText.", {}, "never closed", 1),
        ("Text.\n:::", {}, "never opened", 2),
        ("::: sidebar\nText.\n:::", {}, "unknown block kind", 1),
        ("Moyne[^66] was", {}, "no footnote", 1),
        ("A[^1] and B[^1]", {"footnotes": [{"marker": "1", "text": "x"}]}, "stands twice", 1),
        ("Broken [^ marker", {}, "malformed", 1),
        ("[^1]", {"footnotes": [{"marker": "1", "text": "x"}]}, "no text", 1),
        ("", {}, "no passages", None),
        ("Text.", {"date": "someday"}, "date", None),
        ("Text.", {"source_type": "quaternary"}, "source_type", None),
        ("Text.", {"colour": "red"}, "colour", None),
    ],
)
def test_refusals_name_the_problem(
    text: str, meta: dict[str, object], message: str, line: int | None
) -> None:
    with pytest.raises(IngestError) as caught:
        read(text, **meta)
    assert message in str(caught.value)
    assert caught.value.line == line
    assert "t." in str(caught.value)


def test_note_without_a_marker_is_kept_unanchored() -> None:
    record = read("Text.", footnotes=[{"marker": "1", "text": "A note."}])
    assert record.footnotes[0].offset is None and record.footnotes[0].passage_ref is None


def test_sidecar_is_read_and_broken_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("Text.\n", encoding="utf-8")
    (tmp_path / "doc.yaml").write_text("title: A title\ndate: 1945-02\n", encoding="utf-8")
    record = read_document(tmp_path / "doc.txt", collection_id="c")
    assert (record.id, record.title, record.date) == ("doc", "A title", "1945-02")

    (tmp_path / "doc.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        read_document(tmp_path / "doc.txt", collection_id="c")
    assert "doc.yaml" in str(caught.value) and "invalid YAML" in str(caught.value)


def test_wrong_encoding_is_refused(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_bytes("Größe".encode("latin-1"))
    with pytest.raises(IngestError, match="not UTF-8"):
        read_document(tmp_path / "doc.txt", collection_id="c")
