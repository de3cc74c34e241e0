"""What CommonMark structure becomes: headings, lists, tables, quotations, emphasis, HTML."""

from pathlib import Path

import pytest

from api.errors import IngestError
from api.formats.markdown.reader import ID_LENGTH, read_markdown
from api.records.record import DocumentRecord

FRONT = "---\ntitle: A paper\n---\n\n"


def read(body: str, name: str = "paper.md") -> DocumentRecord:
    return read_markdown(FRONT + body, Path(name), default_collection="papers").record


def kinds(record: DocumentRecord) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in record.passages]


def test_headings_keep_their_level_and_lose_their_hashes() -> None:
    record = read("# Agenda\n\n## AGENDA PROPOSALS\n\nText.\n\n**Bold title**\n\nMore.\n")
    passages = record.passages
    assert [(p.kind, p.level, p.text) for p in passages[:2]] == [
        ("heading", 1, "Agenda"),
        ("heading", 2, "AGENDA PROPOSALS"),
    ]
    assert (passages[3].kind, passages[3].level, passages[3].text) == (
        "heading",
        None,
        "Bold title",
    )
    assert "#" not in record.text


def test_lists_keep_number_bullet_and_nesting_and_stand_apart() -> None:
    record = read("Intro:\n* first\n* second\n  * inner\n\n2. Numbered\n3. Next\n")
    items = [(p.kind, p.label, p.depth, p.text) for p in record.passages[1:]]
    assert items == [
        ("list_item", "•", 1, "first"),
        ("list_item", "•", 1, "second"),
        ("list_item", "•", 2, "inner"),
        ("list_item", "2.", 1, "Numbered"),
        ("list_item", "3.", 1, "Next"),
    ]
    assert record.passages[0].text == "Intro:"  # not glued to the first item
    assert "*" not in record.text


def test_gfm_table_is_a_table_with_cells_and_readable_text() -> None:
    record = read("Figures:\n\n| Country | £m |\n|---|---|\n| India | 608 |\n| Ceylon | 4 |\n")
    table = record.passages[1]
    assert table.kind == "table"
    assert table.table is not None and table.table.header_rows == 1
    assert table.table.rows == [["Country", "£m"], ["India", "608"], ["Ceylon", "4"]]
    assert table.text == "Country\t£m\nIndia\t608\nCeylon\t4"
    assert "|" not in record.text


def test_table_without_outer_pipes_and_with_wrapped_cells() -> None:
    """As HTML converters write them: a leading pipe is an empty first cell, a line without
    a pipe carries on a cell, ``---`` lines part rows."""
    body = (
        "Text.\n\n"
        "| |  _Needed 6 years._|  _Needed 1st year._  \n"
        "---|---|---|---  \n"
        "India:| development| 608| 128  \n"
        "| | 1,000| 189  \n\n"
        "For the Government of the   \n"
        "People’s Republic| For the Government of the  \n"
        "Commonwealth  \n"
        "---|---  \n"
        "Ambassador| Ambassador  \n\n"
        "After.\n"
    )
    record = read(body)
    first, second = [p for p in record.passages if p.kind == "table"]
    assert first.table is not None and first.table.rows == [
        ["", "", "Needed 6 years.", "Needed 1st year."],
        ["India:", "development", "608", "128"],
        ["", "", "1,000", "189"],
    ]
    assert [m.type for m in first.marks] == ["italic", "italic"]
    assert second.table is not None and second.table.rows[0] == [
        "For the Government of the People’s Republic",  # a line break in a cell: a space
        "For the Government of the Commonwealth",
    ]
    assert record.passages[-1].text == "After."
    assert "|" not in record.text


def test_emphasis_is_kept_as_marks_and_an_italic_paragraph_is_editorial() -> None:
    record = read(
        "The _Current Notes_ said **so**.\n\n_The editors add this._\n\n[matter omitted]\n"
    )
    first = record.passages[0]
    assert first.text == "The Current Notes said so."
    assert [(m.type, first.text[m.start : m.end]) for m in first.marks] == [
        ("italic", "Current Notes"),
        ("bold", "so"),
    ]
    assert [p.kind for p in record.passages[1:]] == ["editorial", "editorial"]


def test_harvest_emphasis_left_open_is_read_as_meant() -> None:
    record = read(" _An editor's paragraph [1](#f1) _\n\n_Unclosed opening\n\n1 Note.\n")
    assert record.passages[0].kind == "editorial"
    assert record.passages[0].text == "An editor's paragraph"
    assert record.passages[1].text == "Unclosed opening"


def test_block_quotes_are_quotations_without_their_marks() -> None:
    record = read("He wrote:\n\n> (a) For every plan the same forces.\n>\n> (b) No reserve.\n")
    assert kinds(record)[1:] == [
        ("quotation", "(a) For every plan the same forces."),
        ("quotation", "(b) No reserve."),
    ]


def test_html_characters_and_tags_are_decoded_or_dropped_with_their_text_kept() -> None:
    record = read(
        "Brassert &amp; Co. &ndash; the &edash; axis<br>next line <span>kept</span>\n\n"
        "<div>Block <b>html</b></div>\n"
    )
    first = record.passages[0].text
    # a misspelt reference reads as the nearest real one: a dash, not "&edash;"
    assert (
        first.startswith("Brassert & Co. – the ")
        and first[first.index("the ") + 4] in "\u2010\u2013\u2014"
    )
    assert first.endswith(" axis\nnext line kept")
    assert record.passages[1].text == "Block html"
    for remnant in ("&", "<br>", "<span>", "<div>"):
        assert remnant not in record.text.replace("Brassert & Co.", "")


def test_escapes_are_undone_and_typography_kept() -> None:
    record = read("2\\. The Minister’s “view” – as stated – stands\\.\n")
    assert record.text == "2. The Minister’s “view” – as stated – stands."


@pytest.mark.parametrize(
    ("line", "repository", "value"),
    [
        ("[AA : A1066, IC45/6/2/1, i]", "National Archives of Australia", "A1066, IC45/6/2/1, i"),
        ("_[NAA:A1838, 532/7 part 1]_", "National Archives of Australia", "A1838, 532/7 part 1"),
        (
            "[EGGLESTON PAPERS, NLA : MS423/11/835]",
            "National Library of Australia",
            "MS423/11/835",
        ),
        ("[DFAT: WALLER PAPERS]", "Department of Foreign Affairs and Trade", "DFAT: WALLER PAPERS"),
        (
            "[REPORTED IN 'SYDNEY MORNING HERALD', 3 MAY 1945]",
            None,
            "REPORTED IN 'SYDNEY MORNING HERALD', 3 MAY 1945",
        ),
        ("Archives New Zealand: EA 1, 111/17/3", "Archives New Zealand", None),
    ],
)
def test_archival_lines_of_any_repository_become_provenance(
    line: str, repository: str | None, value: str | None
) -> None:
    record = read(f"The text of the letter.\n\n{line}\n")
    assert record.text == "The text of the letter."
    found = [a for a in record.provenance.archival_ids if a.scheme == "printed_reference"]
    assert len(found) == 1 and found[0].repository == repository
    if value is not None:
        assert found[0].value == value


def test_an_editors_bracket_is_text_not_a_reference() -> None:
    record = read("The letter.\n\n[Received 2 May 1945]\n\n[matter omitted]\n")
    assert [p.text for p in record.passages[1:]] == ["[Received 2 May 1945]", "[matter omitted]"]
    assert not record.provenance.archival_ids


def test_a_body_that_opens_with_a_separator_line_imports() -> None:
    record = read(" _\n\nThe only paragraph.\n\n_\n")
    assert record.text == "The only paragraph."


def test_a_file_of_numbered_lines_only_keeps_them_as_text() -> None:
    result = read_markdown(FRONT + "1 First.\n\n2 Second.\n", Path("n.md"), default_collection="c")
    assert result.record.text == "1 First.\n\n2 Second."


def test_an_overlong_id_is_shortened_with_a_stable_hash() -> None:
    name = "7-" + "-".join(["memorandum-by-the-department"] * 12) + ".md"
    first = read_markdown(FRONT + "Text.\n", Path(name), default_collection="c")
    again = read_markdown(FRONT + "Other text.\n", Path(name), default_collection="c")
    other = read_markdown(FRONT + "Text.\n", Path(name.replace("7-", "8-")), default_collection="c")
    assert len(first.record.id) <= ID_LENGTH
    assert first.record.id == again.record.id != other.record.id
    assert any("shortened" in w for w in first.warnings)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"---\ntitle: T\n---\n\nCaf\xe9 au lait.\n", "not UTF-8"),
        (b"---\ntitle: [unclosed\n---\n\nText.\n", "front matter"),
    ],
)
def test_a_file_that_cannot_be_parsed_is_refused_with_path_line_and_reason(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    from api.ingest.sources import Options, Source, read_units

    path = tmp_path / "broken.md"
    path.write_bytes(data)
    (error,) = list(read_units(Source(path, "markdown", len(data)), Options()))
    assert isinstance(error, IngestError)
    assert error.path == str(path) and error.line is not None and reason in error.message


def test_editing_a_passage_moves_its_marks_and_rereads_its_cells() -> None:
    from api.records.textedit import replace_passage_text

    record = read("The _Current Notes_ said so.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    edited = replace_passage_text(record, "p1", "Then the Current Notes said so.")
    (mark,) = edited.passages[0].marks
    assert edited.passages[0].text[mark.start : mark.end] == "Current Notes"
    removed = replace_passage_text(record, "p1", "It said so.")
    assert removed.passages[0].marks == []
    table = replace_passage_text(record, "p2", "a\tb\n1\t3")
    assert table.passages[1].table is not None
    assert table.passages[1].table.rows == [["a", "b"], ["1", "3"]]


def test_a_long_first_paragraph_that_names_a_date_is_not_a_dateline() -> None:
    text = "On 5 January 1945 the Minister said " + "that the matter stands, " * 10 + "so."
    record = read(f"{text}\n")
    assert record.passages[0].kind == "paragraph" and record.date is None
    short = read("Letter CANBERRA, 5 January 1945\n\nText.\n")
    assert short.passages[0].kind == "dateline" and short.date == "1945-01-05"
