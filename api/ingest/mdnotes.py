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
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from api.ingest.archival import ARCHIVAL_LENGTH, ArchivalLine, read_archival
from api.ingest.conventions import ALL, MarkdownConventions, MarkerStyle
from api.ingest.mdblocks import Block, Break, Marker, Piece, Text, joined, lines, plain

_NUMBERED = re.compile(r"^\s*(\d{1,3})(?:\s+|$)")
_SEPARATORS = {"_", "__", "___", "*", "**", "***", "-", "--"}
_MONTH = re.compile(
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b"
)
# how far a printed note number may stray from the expected one and still be a note
_STRAY = 2
_OPENS_BRACKET = re.compile(r"\s*\[")
_NOTE_OPENERS = "‘'\"“(["
# "13 & 14 Not printed": the rest of a note that stands for the next number too
_SHARED = re.compile(r"^(?:&|and|-|–)\s*(\d{1,3})\s+")


@dataclass
class Note:
    number: int  # as printed
    pieces: list[Piece]
    line: int
    style: str  # plain, bracket, bullet, footnote
    also: int | None = None  # "13 & 14 Not printed": the next number, printed with this one

    @property
    def last(self) -> int:
        return self.also or self.number


def _carry_on(note: Note, pieces: list[Piece]) -> None:
    """Add a line to a note (lines of a note are one paragraph: a space between them)."""
    if note.pieces and pieces:
        note.pieces.append(Break(hard=False))
    note.pieces.extend(pieces)


@dataclass
class NoteRun:
    """Notes printed together, after the body of their part (or parts)."""

    position: int  # index of the first of its blocks
    sequences: list[list[Note]] = field(default_factory=list)


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


def note_start(block: Block) -> tuple[int, list[Piece], str] | None:
    """(number, the rest, style) when the block begins the way a note does."""
    if block.kind not in ("paragraph", "list_item", "quotation"):
        return None
    if block.kind == "list_item" and (block.ordered or block.label is None):
        return None
    return _line_start(block.pieces, "bullet" if block.kind == "list_item" else None)


def _line_start(pieces: Sequence[Piece], style: str | None) -> tuple[int, list[Piece], str] | None:
    if not pieces:
        return None
    first = pieces[0]
    if isinstance(first, Marker):
        rest = list(pieces[1:])
        if not rest or not isinstance(rest[0], Text):
            return None
        if first.raw.startswith("[^") and rest[0].text.startswith(":"):
            # a Markdown footnote definition, [^3]: text
            rest[0] = Text(rest[0].text[1:], rest[0].marks)
            return first.number, rest, "footnote"
        opening = rest[0].text.lstrip()
        if not opening or not (
            opening[0].isupper() or opening[0].isdigit() or opening[0] in _NOTE_OPENERS
        ):
            # "[1], M. Grabski [2]", "[2] the cut sentence": markers in a sentence
            return None
        return first.number, rest, style or "bracket"
    if isinstance(first, Text):
        match = _NUMBERED.match(first.text)
        if match is None:
            return None
        remainder = first.text[match.end() :]
        if not remainder.strip() and len(pieces) == 1:
            return None  # a number alone
        if _MONTH.match(remainder):
            return None  # "1 January 1945": a date, not a note
        after: list[Piece] = [Text(remainder, first.marks)] if remainder else []
        after += list(pieces[1:])
        return int(match.group(1)), after, style or "plain"
    return None


def _glued_start(block: Block, number: int) -> tuple[int, list[Piece], str] | None:
    """``10UKNA: PREM 13/216``: the next note with its number glued to its first word."""
    if block.kind != "paragraph" or not block.pieces or not isinstance(block.pieces[0], Text):
        return None
    first = block.pieces[0]
    match = re.match(rf"^\s*{number}(?=[A-Z‘“(])", first.text)
    if match is None:
        return None
    return number, [Text(first.text[match.end() :], first.marks), *block.pieces[1:]], "plain"


def _split_inline(line: list[Piece], expected: int) -> tuple[list[Piece], list[Piece] | None]:
    """``line`` cut where the note numbered ``expected`` begins inside it, if it does."""
    pattern = re.compile(rf"(?<=[.;)])\s+(?={expected}\s+[A-Z‘“'\"(])")
    for position, piece in enumerate(line):
        if isinstance(piece, Text):
            match = pattern.search(piece.text)
            if match is not None:
                before = Text(piece.text[: match.start()], piece.marks)
                after = Text(piece.text[match.end() :], piece.marks)
                return [*line[:position], before], [after, *line[position + 1 :]]
    return line, None


def _drop_prefix(pieces: list[Piece], length: int) -> list[Piece]:
    """``pieces`` without their first ``length`` characters of plain text (leading spaces
    not counted, as ``plain`` does not count them)."""
    out: list[Piece] = []
    for piece in pieces:
        if length > 0 and isinstance(piece, Text):
            text = piece.text.lstrip()
            if len(text) <= length:
                length -= len(text)
                continue
            out.append(Text(text[length:], piece.marks))
            length = 0
            continue
        out.append(piece)
    return out


def is_separator(block: Block) -> bool:
    if block.kind == "rule":
        return True
    if block.kind != "paragraph" or len(block.pieces) > 3:
        return False
    if sum(len(p.text) for p in block.pieces if isinstance(p, Text)) > 8:
        return False
    return block.plain.replace(" ", "") in _SEPARATORS


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

    def run(self) -> None:
        blocks = self.blocks
        index = 0
        while index < len(blocks):
            block = blocks[index]
            if is_separator(block):
                index += 1
                continue
            reference = self._archival(index)
            if reference is not None:
                self.archival.append(reference)
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
            shared = _SHARED.match(plain(pieces))
            if shared is not None and int(shared.group(1)) == number + 1:
                note.also = number + 1
                pieces = _drop_prefix(pieces, shared.end())
            notes.append(note)
            return pieces

        queue = lines(rest)
        line = open_note(number, queue.pop(0) if queue else [])
        while True:
            head, tail = _split_inline(line, notes[-1].last + 1)
            found = _line_start(tail, inner) if tail is not None else None
            if found is not None:
                _carry_on(notes[-1], head)
                line = open_note(found[0], found[1])
                continue
            _carry_on(notes[-1], line)
            if not queue:
                break
            line = queue.pop(0)
            found = _line_start(line, inner)
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
            if is_separator(block):
                index += 1
                continue
            reference = self._archival(index)
            if reference is not None:
                self.archival.append(reference)
                index += 1
                continue
            start = self._start(block)
            if start is None and last is not None and self.conventions.allows_note("plain"):
                start = _glued_start(block, last.last + 1)
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
            return len(_marker_runs_of(self.pending)) > len(run.sequences)
        used = {note.number for note in run.sequences[-1]} if run.sequences else set()
        return last.number <= number <= expected + _STRAY or (
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
    anchored, remarks = _pair(scan)
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


def _marker_runs(markers: list[Marker]) -> list[list[Marker]]:
    """Markers split where their numbering goes back (a new sequence, or a marker out of
    order: ``_align`` gives such runs to one sequence again)."""
    runs: list[list[Marker]] = []
    for marker in markers:
        if not runs or marker.number <= runs[-1][-1].number:
            runs.append([])
        runs[-1].append(marker)
    return runs


def _marker_runs_of(numbers: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for number in numbers:
        if not runs or number <= runs[-1][-1]:
            runs.append([])
        runs[-1].append(number)
    return runs


def _pair(scan: _Scan) -> tuple[dict[tuple[int, int, int], Marker], list[str]]:
    """Anchor each note at the marker of its number in its own part."""
    anchored: dict[tuple[int, int, int], Marker] = {}
    remarks: list[str] = []
    zones: list[list[Marker]] = [[] for _ in range(len(scan.runs) + 1)]
    for block, part in zip(scan.body, scan.parts, strict=True):
        pieces: list[Piece] = list(block.pieces)
        for row in block.rows or []:
            for cell in row:
                pieces.extend(cell)
        zones[part].extend(p for p in pieces if isinstance(p, Marker))
    leftovers: list[Marker] = []
    for run_index, run in enumerate(scan.runs):
        marker_runs = _marker_runs(zones[run_index])
        assignment = _align(marker_runs, run.sequences)
        for sequence_index, sequence in enumerate(run.sequences):
            mine = [
                m for i, r in enumerate(marker_runs) if assignment[i] == sequence_index for m in r
            ]
            used: set[int] = set()
            for note_index, note in enumerate(sequence):
                for marker in mine:
                    if marker.number == note.number and id(marker) not in used:
                        anchored[(run_index, sequence_index, note_index)] = marker
                        used.add(id(marker))
                        break
            leftovers.extend(m for m in mine if id(m) not in used)
        leftovers.extend(m for i, r in enumerate(marker_runs) if assignment[i] is None for m in r)
    leftovers.extend(zones[len(scan.runs)])
    # a marker left over (cut from its part by the harvest, after the notes) takes a note
    # of its number that has none, nearest first
    taken = {id(m) for m in anchored.values()}
    for marker in leftovers:
        if id(marker) in taken:
            continue
        for run_index in range(len(scan.runs) - 1, -1, -1):
            run = scan.runs[run_index]
            spot = next(
                (
                    (run_index, s, n)
                    for s, sequence in enumerate(run.sequences)
                    for n, note in enumerate(sequence)
                    if note.number == marker.number and (run_index, s, n) not in anchored
                ),
                None,
            )
            if spot is not None:
                anchored[spot] = marker
                taken.add(id(marker))
                remarks.append(
                    f"Marker {marker.raw} on line {marker.line} stands outside the part whose "
                    f"notes include {marker.number} (text moved by the edition); note "
                    f"{marker.number} is anchored there."
                )
                break
    return anchored, remarks


def _align(marker_runs: list[list[Marker]], sequences: list[list[Note]]) -> list[int | None]:
    """Give each run of markers to one note sequence, in order, matching the most numbers.

    Usually there are as many runs as sequences and they pair in order; a sequence whose
    markers were lost gets none, and runs that restart without a sequence of their own
    (a marker repeated) join the sequence before them.
    """
    if not sequences:
        return [None] * len(marker_runs)
    numbers = [{note.number for note in sequence} for sequence in sequences]
    runs = [{marker.number for marker in run} for run in marker_runs]
    # best[i][j]: best score giving runs[:i] to sequences[:j+1] with run i-1 in sequence j
    size = len(sequences)
    best: list[list[tuple[int, list[int]]]] = [[(0, [])] * size]
    for run in runs:
        row: list[tuple[int, list[int]]] = []
        for j in range(size):
            choices = [best[-1][k] for k in range(j + 1)]
            score, path = max(choices, key=lambda c: c[0])
            row.append((score + len(run & numbers[j]), [*path, j]))
        best.append(row)
    _score, path = max(best[-1], key=lambda c: c[0])
    return [j for j in path]
