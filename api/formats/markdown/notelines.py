"""What a note looks like, line by line: the number that opens it, in each convention.

``3 text``, ``_3 text`` (a separator glued to it), ``[3] text``, ``_[3] text``, ``* 3 text``,
``[^3]: text``; a note may open inside a line when the harvest lost the line break
(``… Document 17. 15 Document 18.``) and may stand for two numbers (``13 & 14 Not printed``).
Which of these lines are notes of the document is for api/formats/markdown/notes.py to decide.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from api.formats.markdown.blocks import Block, Break, Marker, Piece, Text

_NUMBERED = re.compile(r"^\s*(\d{1,3})(?:\s+|$)")
_NUMBERED_DOT = re.compile(r"^\s*(\d{1,3})\.\s+")
_SEPARATORS = {"_", "__", "___", "*", "**", "***", "-", "--"}
_MONTH = re.compile(
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b"
)
# how far a printed note number may stray from the expected one and still be a note
STRAY = 2
_NOTE_OPENERS = "‘'\"“(["
# "13 & 14 Not printed": the rest of a note that stands for the next number too
SHARED = re.compile(r"^(?:&|and|-|–)\s*(\d{1,3})\s+")


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


@dataclass
class NoteRun:
    """Notes printed together, after the body of their part (or parts)."""

    position: int  # how many body blocks stand before it
    sequences: list[list[Note]] = field(default_factory=list)


def carry_on(note: Note, pieces: list[Piece]) -> None:
    """Add a line to a note (lines of a note are one paragraph: a space between them)."""
    if note.pieces and pieces:
        note.pieces.append(Break(hard=False))
    note.pieces.extend(pieces)


def note_start(block: Block) -> tuple[int, list[Piece], str] | None:
    """(number, the rest, style) when the block begins the way a note does.

    ``1. text`` (an ordered list item, or an escaped ``1\\.``) is a ``numbered`` start:
    body paragraphs are numbered so too, and only notes opened after a separator or an
    archival reference are read in that style (api/formats/markdown/notes.py).
    """
    if block.kind not in ("paragraph", "list_item", "quotation") or not block.pieces:
        return None
    if block.kind == "list_item":
        if block.label is None:
            return None
        if block.ordered:
            number = block.label[:-1]
            return (int(number), block.pieces, "numbered") if len(number) <= 3 else None
        return line_start(block.pieces, "bullet")
    return line_start(block.pieces, None)


def line_start(pieces: Sequence[Piece], style: str | None) -> tuple[int, list[Piece], str] | None:
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
            match = _NUMBERED_DOT.match(first.text)
            if match is None or not first.text[match.end() :].strip():
                return None
            style = "numbered"
        remainder = first.text[match.end() :]
        if not remainder.strip() and len(pieces) == 1:
            return None  # a number alone
        if _MONTH.match(remainder):
            return None  # "1 January 1945": a date, not a note
        after: list[Piece] = [Text(remainder, first.marks)] if remainder else []
        after += list(pieces[1:])
        return int(match.group(1)), after, style or "plain"
    return None


def glued_start(block: Block, number: int) -> tuple[int, list[Piece], str] | None:
    """``10UKNA: PREM 13/216``: the next note with its number glued to its first word."""
    if block.kind != "paragraph" or not block.pieces or not isinstance(block.pieces[0], Text):
        return None
    first = block.pieces[0]
    match = re.match(rf"^\s*{number}(?=[A-Z‘“(])", first.text)
    if match is None:
        return None
    return number, [Text(first.text[match.end() :], first.marks), *block.pieces[1:]], "plain"


def split_inline(line: list[Piece], expected: int) -> tuple[list[Piece], list[Piece] | None]:
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


def drop_prefix(pieces: list[Piece], length: int) -> list[Piece]:
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
