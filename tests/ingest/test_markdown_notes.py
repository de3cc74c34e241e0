"""Every note convention of the Markdown editions, and what the reader says it decided.

Each test writes a small document in one convention (built here, not copied from a volume)
and checks that each note is anchored right after its own marker, with its own text, and
that every curatorial note the reader adds is true of the document.
"""

import re
from pathlib import Path

import pytest

from api.formats.conventions import MarkdownConventions
from api.formats.markdown.reader import read_markdown
from api.records.record import DocumentRecord

FRONT = """---
doc_date: '1950-03-01'
doc_num: 12
title: Minister to Ambassador
vol_id: 30
vol_title: 'Volume 30: 1950'
---

Cablegram 76 CANBERRA, 1 March 1950

"""


def read(body: str, conventions: MarkdownConventions | None = None):  # type: ignore[no-untyped-def]
    extra = {"conventions": conventions} if conventions is not None else {}
    return read_markdown(FRONT + body, Path("12-minister-to-ambassador.md"), **extra)


def anchored(record: DocumentRecord) -> list[tuple[str, str, str]]:
    """(marker, the word before the anchor, the note's text) for every note."""
    found = []
    for note in record.footnotes:
        before = ""
        if note.offset is not None:
            before = record.text[: note.offset].split()[-1] if note.offset else ""
        found.append((note.marker, before, note.text))
    return found


def transcription(record: DocumentRecord) -> list[str]:
    return [n.text for n in record.notes if n.kind == "transcription"]


def test_notes_after_a_separator_line_wrapped_over_lines() -> None:
    body = (
        "The Minister [1] spoke to the Ambassador [2].\n\n"
        " _\n\n"
        "1 Minister for External\nAffairs.\n\n"
        "2 Ambassador in Washington.\n\n"
        "_\n\n"
        " _[NAA: A1838, 250/9/1, i]_\n"
    )
    record = read(body).record
    assert anchored(record) == [
        ("1", "Minister", "Minister for External Affairs."),
        ("2", "Ambassador", "Ambassador in Washington."),
    ]
    assert record.passages[-1].text == "The Minister spoke to the Ambassador."
    assert not transcription(record)


@pytest.mark.parametrize(
    ("marker", "note"),
    [
        ("[{n}](#f{n})", "{n}  {text}"),  # link markers, plain note lines
        ("[{n}](#f_45_{n})", "{n} {text}"),  # link ids of another shape
        (" [{n}] (#f{n})", "{n} {text}"),  # a link a space broke
        ("[^{n}]", "[^{n}]: {text}"),  # Markdown footnotes
        ("[{n}]", "* {n} {text}"),  # notes as bullets
        ("[{n}]", "[{n}] {text}"),  # notes in brackets
    ],
)
@pytest.mark.parametrize("reference_first", [False, True])
def test_each_marker_and_note_convention(marker: str, note: str, reference_first: bool) -> None:
    """Notes with no separator, after or before the archival reference."""
    texts = {1: "Minister for External Affairs.", 2: "See Document 11."}
    body = (
        f"The Minister{marker.format(n=1)} agreed, as before{marker.format(n=2)}.\n\n"
        "2\\. He said so again.\n\n"
    )
    notes = "".join(note.format(n=n, text=t) + "\n\n" for n, t in texts.items())
    reference = "[NAA: A1838, 250/9/1, i]\n\n"
    body += reference + notes if not reference_first else notes + reference
    record = read(body).record
    assert anchored(record) == [
        ("1", "Minister", texts[1]),
        ("2", "before", texts[2]),
    ]
    assert record.passages[1].text == "The Minister agreed, as before."
    assert "NAA" not in record.text and "(#f" not in record.text and "[" not in record.text
    assert any(a.value == "A1838, 250/9/1, i" for a in record.provenance.archival_ids)


def test_notes_in_an_italic_block_closed_by_a_lone_underscore() -> None:
    body = (
        "Paragraph one[1] and two[2].\n\n"
        "_[1] The session was held in December.\n\n"
        "[2] Article 22 forbade it.\n\n"
        "_\n\n"
        " _[AA : A1838, 856/13, II]_\n"
    )
    record = read(body).record
    assert anchored(record) == [
        ("1", "one", "The session was held in December."),
        ("2", "two", "Article 22 forbade it."),
    ]


def test_notes_on_consecutive_lines_of_one_paragraph() -> None:
    body = "Text [1] and [2].\n\n_[1] First note.\n[2] Second note.\n_\n"
    record = read(body).record
    assert [(m, t) for m, _, t in anchored(record)] == [("1", "First note."), ("2", "Second note.")]


def test_an_attachment_after_the_notes_is_body_text_with_notes_of_its_own() -> None:
    body = (
        "The letter [1] ends here.\n\n"
        "J. SMITH\n\n"
        " _\n\n"
        "1 Document 184.\n\n"
        "Attachment\n\n"
        "Report by the Geological Adviser\n\n"
        "14 April 1938 [1]\n\n"
        "The deposits are limited. [2]\n\n"
        "[AA : A1608, C47/1/4, iii]\n\n"
        "1 Although dated 14 April, the copy was\n\n"
        "sent later.\n\n"
        "2 An estimate of 1937.\n\n"
        "_\n"
    )
    record = read(body).record
    texts = [p.text for p in record.passages]
    assert "Attachment" in texts and "The deposits are limited." in texts
    assert anchored(record) == [
        ("1", "letter", "Document 184."),
        ("1", "1938", "Although dated 14 April, the copy was sent later."),
        ("2", "limited.", "An estimate of 1937."),
    ]
    assert any("2 sequences" in t for t in transcription(record))
    assert max(len(n.text) for n in record.footnotes) < 60  # nothing swallowed


def test_a_note_in_several_paragraphs_stays_one_note() -> None:
    body = (
        "Text [1] and [2].\n\n _\n\n"
        "1 The rough notes were prepared by W. R.\n\n"
        "Hodgson and written up by A. T. Stirling.\n\n"
        "2 Document 25.\n\n_\n"
    )
    record = read(body).record
    assert [t for _, _, t in anchored(record)] == [
        "The rough notes were prepared by W. R. Hodgson and written up by A. T. Stirling.",
        "Document 25.",
    ]


def test_the_last_note_runs_on_to_the_end_when_nothing_opens_a_part() -> None:
    body = (
        "Text [1].\n\nLYONS\n\n"
        "1 The Ambassador raised the question in July.\n\n"
        "Notwithstanding the pact, the discussions proceeded.\n\n"
        "[AA : A981, JAPAN 148]\n"
    )
    record = read(body).record
    assert record.footnotes[0].text == (
        "The Ambassador raised the question in July. "
        "Notwithstanding the pact, the discussions proceeded."
    )
    assert record.passages[-1].kind == "signature"


def test_an_out_of_sequence_number_keeps_its_own_note_and_says_so() -> None:
    body = "A [1] b [2] c [3] d [4].\n\n _\n\n1 One.\n\n2 Two.\n\n5 Three.\n\n4 Four.\n\n_\n"
    record = read(body).record
    assert [n.text for n in record.footnotes] == ["One.", "Two.", "Three.", "Four."]
    assert [n.marker for n in record.footnotes] == ["1", "2", "5", "4"]
    claims = transcription(record)
    assert any("Note 5 (line" in c and "where 3 was due" in c for c in claims)
    # truthful: the text's marker [3] has no note numbered 3, and that is said
    assert any("no note for marker [3]" in c for c in claims)


def test_two_sequences_after_one_body_pair_with_the_runs_of_their_markers() -> None:
    """An editor's introduction with its own notes, printed after the document's notes."""
    body = (
        "Body [1](#f1) text [2](#f2).\n\n"
        " _Editor's note on Malaysia[1](#f_44_1) and the PKI.[2](#f_45_2)_\n\n"
        " _Australia's commitment.[3](#f_45_3) _\n\n"
        "1  See Document 17.\n\n"
        "2  Admiral Felt.\n\n"
        "1  President Sukarno.\n\n"
        "2  The coup of 30 September.\n\n"
        "3  See Dee, ed., 2005.\n\n"
        "[NAA: A1838, TS677/3 PART 6]\n"
    )
    record = read(body).record
    assert anchored(record) == [
        ("1", "Body", "See Document 17."),
        ("2", "text", "Admiral Felt."),
        ("1", "Malaysia", "President Sukarno."),
        ("2", "PKI.", "The coup of 30 September."),
        ("3", "commitment.", "See Dee, ed., 2005."),
    ]
    assert [p.kind for p in record.passages[-2:]] == ["editorial", "editorial"]


def test_a_note_whose_number_the_harvest_lost_is_read_between_its_neighbours() -> None:
    body = (
        "A [1] b [2] c [3].\n\n _\n\n1 One.\n\nTwo, printed without its number.\n\n3 Three.\n\n_\n"
    )
    record = read(body).record
    assert anchored(record) == [
        ("1", "A", "One."),
        ("2", "b", "Two, printed without its number."),
        ("3", "c", "Three."),
    ]
    assert any("without its number" in c for c in transcription(record))


def test_notes_printed_as_one_and_a_note_after_a_full_stop() -> None:
    body = "A [1] b [2] c [3] d [4].\n\n _\n\n1 One.\n\n2 & 3 Not printed. 4 Document 18.\n\n_\n"
    record = read(body).record
    assert [(n.marker, n.text) for n in record.footnotes] == [
        ("1", "One."),
        ("2", "Not printed."),
        ("3", "Not printed."),
        ("4", "Document 18."),
    ]
    assert all(n.offset is not None for n in record.footnotes)


def test_a_sentence_cut_from_the_text_after_the_notes_keeps_its_marker() -> None:
    body = "One [1] two.\n\n _\n\n1 The note.\n\n2 The second.\n\n_\n\n _[2] the cut sentence_\n"
    record = read(body).record
    cut = record.passages[-1]
    assert cut.text == "the cut sentence" and cut.kind == "editorial"
    assert record.footnotes[1].passage_ref == cut.ref and record.footnotes[1].offset == cut.start
    assert any("stands outside the part" in c for c in transcription(record))


def test_markers_in_a_sentence_are_not_a_second_sequence() -> None:
    body = (
        "Mr Mikolajczyk, M. Grabski and M. Romer.\n\n _\n\n1 Prime Minister.\n\n"
        "2 President.\n\n_\n\n _[1], M. Grabski [2] and the Socialists_\n"
    )
    record = read(body).record
    assert [n.text for n in record.footnotes] == ["Prime Minister.", "President."]
    assert record.passages[-1].text == ", M. Grabski and the Socialists"


def test_a_date_line_is_not_a_note() -> None:
    body = "Text [1].\n\n _\n\n1 The note.\n\nAttachment\n\n14 April 1938\n\nMore text.\n"
    record = read(body).record
    assert [n.text for n in record.footnotes] == ["The note."]
    assert "14 April 1938" in [p.text for p in record.passages]


@pytest.mark.parametrize(
    ("body", "claim", "truth"),
    [
        (
            "Text [3] here.\n\n _\n\n1 A note.\n\n_\n",
            "The source file has no note for marker [3]",
            lambda r: all(n.marker != "3" for n in r.footnotes),
        ),
        (
            "Text [3] here.\n\n _\n\n1 A note.\n\n_\n",
            "No marker in the text for note 1",
            lambda r: r.footnotes[0].offset is None and "[1]" not in FRONT,
        ),
        (
            "Text [1] and [1] again.\n\n _\n\n1 A note.\n\n_\n",
            "has no note of its own",
            lambda r: len(r.footnotes) == 1 and r.footnotes[0].offset is not None,
        ),
        (
            "Text [2] here [3].\n\n _\n\n2 A note.\n\n3 Another.\n\n_\n",
            "The notes begin at 2",
            lambda r: r.footnotes[0].marker == "2",
        ),
    ],
)
def test_each_curatorial_claim_is_true(body: str, claim: str, truth) -> None:  # type: ignore[no-untyped-def]
    result = read(body)
    claims = transcription(result.record)
    assert any(claim in c for c in claims), claims
    assert truth(result.record)
    assert result.warnings == claims  # the import report says the same


def test_no_claim_that_a_marker_has_no_note_when_it_has_one() -> None:
    body = "".join(f"Para {n} [{n}].\n\n" for n in range(1, 12)) + " _\n\n"
    body += "".join(f"{n} Note {n}.\n\n" for n in range(1, 12)) + "_\n"
    record = read(body).record
    assert not transcription(record)
    assert all(n.offset is not None for n in record.footnotes)


def test_a_collection_can_declare_its_conventions() -> None:
    """Brackets as an editor's numbers, links as markers: declared, not guessed."""
    body = "Article [24] relates[1](#f1) to it.\n\n1 The note.\n\n[NAA: A1, 2]\n"
    guessed = read(body).record
    assert "Article relates" in guessed.text  # [24] read as a marker without a note
    declared = read(body, MarkdownConventions(markers=("link",))).record
    assert "Article [24] relates to it." in declared.text
    assert anchored(declared) == [("1", "relates", "The note.")]
    plain_only = read(
        "Text [1].\n\n[1] Not a note.\n\n1 The note.\n\n_\n", MarkdownConventions(notes=("plain",))
    ).record
    assert [n.text for n in plain_only.footnotes] == ["The note."]
    assert re.search(r"Not a note", plain_only.text)


@pytest.mark.parametrize("note", ["{n}. {text}", "{n}\\. {text}"])
def test_notes_numbered_with_a_full_stop_after_a_separator(note: str) -> None:
    """Numbered like the body's paragraphs ("2. The Soviet Government…"): notes only after
    a separator line, and a numbered paragraph after notes of another style stays text."""
    body = "The Minister [1] agreed [2].\n\n2\\. He said so again.\n\n _\n\n"
    body += note.format(n=1, text="Minister for External Affairs.") + "\n\n"
    body += note.format(n=2, text="See Document 11.") + "\n\n_\n"
    record = read(body).record
    assert anchored(record) == [
        ("1", "Minister", "Minister for External Affairs."),
        ("2", "agreed", "See Document 11."),
    ]
    assert "2. He said so again." in record.text
    plain_then_numbered = read(
        "Text [1].\n\n _\n\n1 The note.\n\nEnclosure\n\n1\\. The first point.\n\n"
        "2\\. The second point.\n"
    ).record
    assert [n.text for n in plain_then_numbered.footnotes] == ["The note."]
    assert "1. The first point." in plain_then_numbered.text
