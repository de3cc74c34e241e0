"""Which blocks of a Markdown document are notes, and which marker each note belongs to.

Editions write notes in many ways, and one series changes its way over the decades:

- after a line holding only ``_``, each note starting with its number (``1 The note``),
  the separator sometimes glued to the first note (``_1 The note``);
- with no separator, after or before the archival reference (``[NAA: …]``);
- as bullets (``* 1 The note``), as ``[1] The note`` or ``_[1] The note`` (an italic block
  closed by a lone ``_`` line), as Markdown footnotes (``[^1]: The note``);
- wrapped onto following lines, several to a paragraph when no blank line parts them.

Markers are ``[1]``, ``[^1]`` or links ``[1](#f1)``. The convention is recognised per
document, from the notes themselves, never from a volume's name. A document may hold
several parts with notes of their own, each numbered from 1 (a letter and its enclosure,
an editor's introduction and the document): notes are matched to the markers of their own
part — the body between the previous notes and them — and, where two sequences follow the
same body, to the runs of markers that restart at 1 in that body, in order.

A note ends where the next note or a block that is not a note begins, so an enclosure or
an attachment printed after the notes is body text. Numbers out of sequence (a printer's
error) and repeated numbers keep their own note; what the reader had to decide is said
in ``Notes.remarks``, truthfully, for the curatorial notes.
"""

import re
from dataclasses import dataclass, replace

from api.formats.archival import ARCHIVAL_LENGTH, ArchivalLine, read_archival
from api.formats.conventions import ALL, MarkdownConventions, MarkerStyle
from api.formats.markdown.anchors import marker_runs_of, pair
from api.formats.markdown.blocks import Block, Break, Marker, Piece, Text, joined, lines, plain
from api.formats.markdown.notelines import (
    SHARED,
    STRAY,
    Note,
    NoteRun,
    carry_on,
    drop_prefix,
    glued_start,
    is_separator,
    line_start,
    note_start,
    split_inline,
)

_OPENS_BRACKET = re.compile(r"\s*\[")


@dataclass
class Notes:
    """What ``find_notes`` makes of a document's blocks."""

    body: list[Block]  # the running text, in order, notes and references taken out
    runs: list[NoteRun]
    archival: list[ArchivalLine]
    # the marker each note is anchored to: (run, sequence, index in sequence) → marker
    anchored: dict[tuple[int, int, int], Marker]
    remarks: list[str]
    # body index → run index after which it stands (which part it belongs to)
    parts: list[int]


class _Scan:
    def __init__(self, blocks: list[Block], conventions: MarkdownConventions) -> None:
        self.blocks = blocks
        self.conventions = conventions
        self._starts: dict[int, tuple[int, list[Piece], str] | None] = {}
        self._references: dict[int, ArchivalLine | None] = {}
        self.body: list[Block] = []
        self.parts: list[int] = []
        self.runs: list[NoteRun] = []
        self.archival: list[ArchivalLine] = []
        self.remarks: list[str] = []
        self.pending: list[int] = []  # numbers of the markers of the current part

    def _passes_over(self, index: int) -> bool:
        """Separators and archival references stand between text and notes: they are
        taken (a reference as provenance) and passed over."""
        if is_separator(self.blocks[index]):
            return True
        reference = self._archival(index)
        if reference is not None:
            self.archival.append(reference)
            return True
        return False

    def run(self) -> None:
        blocks = self.blocks
        index = 0
        while index < len(blocks):
            block = blocks[index]
            if self._passes_over(index):
                index += 1
                continue
            start = self._start(block)
            if start is not None and self._opens_notes(index, start):
                index = self._read_run(index)
                continue
            self.body.append(block)
            self.parts.append(len(self.runs))
            self.pending.extend(self._marker_numbers(block))
            index += 1

    @staticmethod
    def _marker_numbers(block: Block) -> list[int]:
        pieces: list[Piece] = list(block.pieces)
        for row in block.rows or []:
            for cell in row:
                pieces.extend(cell)
        return [p.number for p in pieces if isinstance(p, Marker)]

    def _start(self, block: Block) -> tuple[int, list[Piece], str] | None:
        """``note_start``, once per block: the scan asks again as it looks ahead."""
        key = id(block)
        if key not in self._starts:
            start = note_start(block)
            allowed = start is not None and self.conventions.allows_note(start[2])
            self._starts[key] = start if allowed else None
        return self._starts[key]

    def _archival(self, index: int) -> ArchivalLine | None:
        if index not in self._references:
            self._references[index] = self._read_archival(index)
        return self._references[index]

    def _read_archival(self, index: int) -> ArchivalLine | None:
        block = self.blocks[index]
        if block.kind not in ("paragraph", "quotation") or any(
            isinstance(p, Marker) and p.explicit for p in block.pieces
        ):
            return None
        first = block.pieces[0] if block.pieces else None
        if not isinstance(first, Text):
            return None
        if not _OPENS_BRACKET.match(first.text) and (
            len(block.pieces) > 1 or len(first.text) > ARCHIVAL_LENGTH or ":" not in first.text
        ):
            return None  # neither bracketed nor a short "Repository: reference" line
        text = block.plain
        return read_archival(text, at_reference_place=lambda: self._at_reference_place(index))

    def _at_reference_place(self, index: int) -> bool:
        """Beside notes or separators, or with nothing but those after it."""
        neighbours = [self.blocks[i] for i in (index - 1, index + 1) if 0 <= i < len(self.blocks)]
        if any(is_separator(b) or self._start(b) is not None for b in neighbours):
            return True
        return all(is_separator(b) or self._start(b) is not None for b in self.blocks[index + 1 :])

    def _opens_notes(self, index: int, start: tuple[int, list[Piece], str]) -> bool:
        """Whether a block that begins like a note begins the notes of this part."""
        number, _rest, style = start
        if style == "footnote":
            return True
        if number != 1 and number not in self.pending:
            return False
        if not self.body:
            return False  # a document does not open with its notes
        if self.runs and self.runs[-1].position == len(self.body):
            return False  # no text since the last notes: they would have taken it
        previous = self.blocks[index - 1] if index else None
        if previous is not None and (
            is_separator(previous) or self._archival(index - 1) is not None
        ):
            return True
        if style == "numbered":
            return False  # numbered like the body's paragraphs: notes only after a separator
        if style in ("bracket", "bullet") and not self.pending:
            return False
        following = [
            i for i in range(index + 1, len(self.blocks)) if not is_separator(self.blocks[i])
        ]
        nxt = self._start(self.blocks[following[0]]) if following else None
        if nxt is not None and nxt[0] == number + 1:
            return True
        if all(self._archival(i) is not None for i in following):
            return bool(self.pending) or style != "plain"
        if len(self._split_notes(self.blocks[index], start)) > 1:
            return True
        return self._looks_like_note(start)

    def _looks_like_note(self, start: tuple[int, list[Piece], str]) -> bool:
        """A note begins with a capital or a quotation (``1 Copies of the memorandum``)."""
        number, rest, _style = start
        text = plain(rest)
        return number in self.pending and bool(text) and (text[0].isupper() or text[0] in "‘'\"“(")

    def _split_notes(self, block: Block, start: tuple[int, list[Piece], str]) -> list[Note]:
        """One block's notes: a line that begins with the next number begins the next note,
        and so does the next number after a full stop when the harvest lost the line break
        (``… Document 17. 15 Document 18.``). ``13 & 14 Not printed`` is two notes."""
        number, rest, style = start
        inner = None if style == "footnote" else style
        notes: list[Note] = []

        def open_note(number: int, pieces: list[Piece]) -> list[Piece]:
            note = Note(number, [], block.line, style)
            shared = SHARED.match(plain(pieces))
            if shared is not None and int(shared.group(1)) == number + 1:
                note.also = number + 1
                pieces = drop_prefix(pieces, shared.end())
            notes.append(note)
            return pieces

        queue = lines(rest)
        line = open_note(number, queue.pop(0) if queue else [])
        while True:
            head, tail = split_inline(line, notes[-1].last + 1)
            found = line_start(tail, inner) if tail is not None else None
            if found is not None:
                carry_on(notes[-1], head)
                line = open_note(found[0], found[1])
                continue
            carry_on(notes[-1], line)
            if not queue:
                break
            line = queue.pop(0)
            found = line_start(line, inner)
            if found is not None and found[0] in (notes[-1].last + 1, 1):
                line = open_note(found[0], found[1])
        expanded: list[Note] = []
        for note in notes:
            expanded.append(note)
            if note.also is not None:
                expanded.append(Note(note.also, note.pieces, note.line, note.style))
                self.remarks.append(
                    f"Notes {note.number} and {note.also} are printed as one (line "
                    f"{note.line}); each carries its text."
                )
        return expanded

    def _read_run(self, index: int) -> int:
        """Read the notes from ``index`` on; the index of the first block after them."""
        run = NoteRun(position=len(self.body))
        self.runs.append(run)
        blocks = self.blocks
        last: Note | None = None
        while index < len(blocks):
            block = blocks[index]
            if self._passes_over(index):
                index += 1
                continue
            start = self._start(block)
            if start is None and last is not None and self.conventions.allows_note("plain"):
                start = glued_start(block, last.last + 1)
            numbered = run.sequences[0][0].style == "numbered" if run.sequences else False
            if start is not None and start[2] == "numbered" and last is not None and not numbered:
                start = None  # a numbered paragraph after notes of another style: body text
            if start is not None and (last is None or self._continues(run, last, start[0])):
                for note in self._split_notes(block, start):
                    if not run.sequences or (note.number == 1 and last is not None):
                        run.sequences.append([])
                    run.sequences[-1].append(note)
                    last = note
                index += 1
                continue
            if last is not None and self._lost_number(last, block, index):
                note = Note(last.last + 1, list(block.pieces), block.line, last.style)
                run.sequences[-1].append(note)
                self.remarks.append(
                    f"Note {note.number} (line {note.line}) is printed without its number; "
                    f"read as note {note.number}, between notes {last.number} and "
                    f"{last.last + 2}."
                )
                last = note
                index += 1
                continue
            if last is not None and self._wraps(last, block, index):
                last.pieces.append(Break(hard=False))
                last.pieces.extend(block.pieces)
                index += 1
                continue
            break
        self.pending = []
        return index

    def _continues(self, run: NoteRun, last: Note, number: int) -> bool:
        """Whether a note numbered ``number`` can follow ``last`` in this run.

        The next number can; so can one a little ahead (a printer's error, or a note the
        harvest lost) and a repeated one. Numbering back to 1 begins another sequence only
        while the part has more runs of markers from 1 than sequences so far (a displaced
        sentence ``[1] …`` after the notes is text, not a second sequence).
        """
        expected = last.last + 1
        if number == 1:
            return len(marker_runs_of(self.pending)) > len(run.sequences)
        used = {note.number for note in run.sequences[-1]} if run.sequences else set()
        return last.number <= number <= expected + STRAY or (
            number in self.pending and number not in used
        )

    def _lost_number(self, last: Note, block: Block, index: int) -> bool:
        """A paragraph between note n and note n + 2, with a marker n + 1 in the text: the
        note whose number the harvest lost."""
        if block.kind != "paragraph" or last.last + 1 not in self.pending:
            return False
        for position in range(index + 1, len(self.blocks)):
            following = self.blocks[position]
            if is_separator(following):
                continue
            start = self._start(following)
            return start is not None and start[0] == last.last + 2
        return False

    def _wraps(self, last: Note, block: Block, index: int) -> bool:
        """A paragraph that carries on the note before it.

        It does when its sentence goes on (it opens in lower case), or when the paragraphs
        from it on lead to the next note (the harvest broke a note at a blank line), or
        when they lead to the end with nothing in them that a document part has and a
        note has not: no title line to open them, no marker, no heading, table or name in
        capitals. So an attachment after the notes stays body text.
        """
        if block.kind != "paragraph" or not block.pieces:
            return False
        text = block.plain
        if text and text[0].islower():
            return True
        stretch: list[Block] = []
        for position in range(index, len(self.blocks)):
            following = self.blocks[position]
            if is_separator(following):
                continue
            start = self._start(following)
            if start is not None:
                return start[0] == last.last + 1
            if self._archival(position) is not None:
                break
            stretch.append(following)
        return bool(stretch) and not _opens_a_part(stretch)


def _opens_a_part(stretch: list[Block]) -> bool:
    first = stretch[0].plain
    if len(first) < 80 and not first.endswith((".", ";", ",", ":")):
        return True  # a title line: "Enclosure", "Report by Dr W. G. Woolnough"
    for block in stretch:
        if block.kind != "paragraph" or any(isinstance(p, Marker) for p in block.pieces):
            return True
        text = block.plain
        if text.isupper() or all(
            isinstance(p, Text) and "bold" in p.marks for p in block.pieces if isinstance(p, Text)
        ):
            return True
    return False


def find_notes(blocks: list[Block], conventions: MarkdownConventions = ALL) -> Notes:
    """Sort ``blocks`` into body, notes and archival references; anchor the notes."""
    if conventions.markers is not None:
        blocks = [_declared_markers(block, conventions) for block in blocks]
    scan = _Scan(blocks, conventions)
    scan.run()
    anchored, remarks = pair(scan.body, scan.parts, scan.runs)
    return Notes(
        body=scan.body,
        runs=scan.runs,
        archival=scan.archival,
        anchored=anchored,
        remarks=scan.remarks + remarks,
        parts=scan.parts,
    )


def marker_style(marker: Marker) -> MarkerStyle:
    if marker.raw.startswith("[^"):
        return "footnote"
    return "link" if "](" in marker.raw else "bracket"


def _declared_markers(block: Block, conventions: MarkdownConventions) -> Block:
    """The block with the markers its collection does not use as text, as printed."""

    def kept(pieces: list[Piece]) -> list[Piece]:
        if not any(isinstance(p, Marker) for p in pieces):
            return pieces
        return joined(
            [
                Text(p.raw)
                if isinstance(p, Marker) and not conventions.allows_marker(marker_style(p))
                else p
                for p in pieces
            ]
        )

    rows = [[kept(cell) for cell in row] for row in block.rows] if block.rows else block.rows
    return replace(block, pieces=kept(block.pieces), rows=rows)
