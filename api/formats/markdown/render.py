"""A block's pieces as the text a passage serves: whitespace collapsed, markers out (their
offsets kept for the notes), emphasis as offset spans (``marks``), tables as cells."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from api.formats.markdown.blocks import Break, Marker, Piece, Text

PUNCTUATION_AFTER_MARKER = ".,;:)]!?’”'\""


@dataclass
class Rendered:
    """A block's text as served, with the offsets of what was taken out of it."""

    text: str
    anchors: list[tuple[Marker, int]]
    marks: list[dict[str, int | str]]


class Renderer:
    """Pieces to text: whitespace collapsed, markers out (their offsets kept), marks as spans.

    The space before a marker goes when punctuation follows it ("Hankey [1], and" →
    "Hankey, and"); a marker at the start of a line takes no space with it.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.anchors: list[tuple[Marker, int]] = []
        self.spans: list[tuple[int, int, frozenset[str]]] = []
        self._space: frozenset[str] | None = None  # a space is due, with these marks
        self._marker_since_space = False

    def add(self, pieces: Iterable[Piece]) -> None:
        for piece in pieces:
            if isinstance(piece, Text):
                self._text(piece)
            elif isinstance(piece, Marker):
                self.anchors.append((piece, self.length))
                self._marker_since_space = self._space is not None
            elif piece.hard:
                self._newline()
            elif self.length and self.parts[-1] != "\n" and self._space is None:
                self._space = frozenset()

    def _text(self, piece: Text) -> None:
        """Add a run of text with its whitespace collapsed, in one piece (a passage's words
        one at a time would cost an import more than parsing its Markdown)."""
        text = piece.text
        words = " ".join(text.split())
        at_line_start = not self.length or self.parts[-1] == "\n"
        if not words:
            if not at_line_start and self._space is None:
                self._space = piece.marks
            return
        if text[0].isspace() and not at_line_start and self._space is None:
            self._space = piece.marks
        if self._space is not None and not (
            self._marker_since_space and words[0] in PUNCTUATION_AFTER_MARKER
        ):
            self._emit(" ", self._space & piece.marks)
        self._space = None
        self._marker_since_space = False
        self._emit(words, piece.marks)
        if text[-1].isspace():
            self._space = piece.marks

    def _newline(self) -> None:
        if self.length and self.parts[-1] != "\n":
            self._emit("\n", frozenset())
        self._space = None

    def _emit(self, text: str, marks: frozenset[str]) -> None:
        self.parts.append(text)
        if marks:
            self.spans.append((self.length, self.length + len(text), marks))
        self.length += len(text)

    def separator(self, text: str) -> None:
        """Text that stands between cells of a table: no space is carried over it."""
        if self.parts and self.parts[-1] == "\n" and text == "\n":
            return
        self._space = None
        self._marker_since_space = False
        self._emit(text, frozenset())

    def finish(self) -> Rendered:
        text = "".join(self.parts)
        end = len(text.rstrip())
        text = text[:end]
        anchors = [(marker, min(offset, end)) for marker, offset in self.anchors]
        return Rendered(text, anchors, mark_spans(self.spans, end))


def mark_spans(
    spans: Sequence[tuple[int, int, frozenset[str]]], end: int
) -> list[dict[str, int | str]]:
    """Runs of one mark merged into one span each (``italic`` 0–120, not a span per word)."""
    merged: list[dict[str, int | str]] = []
    open_spans: dict[str, dict[str, int | str]] = {}
    for start, stop, marks in spans:
        stop = min(stop, end)
        if start >= stop:
            continue
        for name in sorted(marks):
            current = open_spans.get(name)
            if current is not None and current["end"] == start:
                current["end"] = stop
            else:
                current = {"type": name, "start": start, "end": stop}
                open_spans[name] = current
                merged.append(current)
    merged.sort(key=lambda span: (span["start"], span["type"]))
    return merged


def render(pieces: Sequence[Piece]) -> Rendered:
    if len(pieces) == 1 and isinstance(pieces[0], Text) and not pieces[0].marks:
        return Rendered(" ".join(pieces[0].text.split()), [], [])  # most paragraphs
    renderer = Renderer()
    renderer.add(pieces)
    return renderer.finish()


def render_table(rows: Sequence[Sequence[Sequence[Piece]]]) -> tuple[Rendered, list[list[str]]]:
    """A table as readable text (cells apart by a tab, rows by a line) and its cells.

    A line break inside a cell is a space: the text's lines are the table's rows.
    """
    renderer = Renderer()
    cells: list[list[str]] = []
    for row_number, row in enumerate(rows):
        if row_number:
            renderer.separator("\n")
        texts: list[str] = []
        for cell_number, cell in enumerate(row):
            if cell_number:
                renderer.separator("\t")
            start = renderer.length
            renderer.add(Break(hard=False) if isinstance(p, Break) else p for p in cell)
            cell_text = "".join(renderer.parts)[start:].strip()
            texts.append(cell_text)
        cells.append(texts)
    return renderer.finish(), cells
