"""A Markdown body as CommonMark reads it: blocks with their structure, inline pieces apart.

markdown-it-py (with GFM tables and the footnote syntax of mdit-py-plugins) decides what is
a heading, a list item, a table, a block quote or an emphasis, so no line rule of ours has
to. What it cannot know is which ``[3]`` is a footnote marker and which line is a note:
that depends on the document's note convention (api/ingest/mdnotes.py). So a block keeps
its inline content as pieces — runs of text with their emphasis, markers, line breaks —
and is turned into text only once the notes are known (``render``).
"""

import difflib
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from html.entities import html5
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

# footnote definitions stay where they are printed (the plugin would move them to the end
# and drop those that no marker references): where notes stand tells which part they are of
_PARSER = (
    MarkdownIt("commonmark", {"html": True})
    .enable("table")
    .use(footnote_plugin)
    .disable("footnote_tail")
)
# [3], [^3]: a marker written as text (markdown-it leaves both alone when nothing defines them)
_TEXT_MARKER = re.compile(r"\[(\^?)(\d{1,3})\]")
_LINK_MARKER = re.compile(r"^[\^*]?(\d{1,3})$")
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*>")
_BREAK_TAGS = {"br"}
_BLOCK_TAGS = {"p", "div", "tr", "li", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_OPEN_DELIMITER = re.compile(r"^\s*([_*]{1,2})(?=\S|$)")
_CLOSE_DELIMITER = re.compile(r"(?:^|(?<=\s))([_*]{1,2})\s*$")
# a table's rule without outer pipes, ---|--- (with a leading pipe it is GFM as written)
_DIALECT_RULE = re.compile(r"^ {0,3}:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
_LONE_RULE = re.compile(r"^-{3,}$")
_CHUNK = re.compile(r"\S+|\s+")
_ENTITY_NAMES = sorted({name[:-1] for name in html5 if name.endswith(";")})
PUNCTUATION_AFTER_MARKER = ".,;:)]!?’”'\""


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    marks: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Marker:
    """A note marker as written: ``[3]``, ``[^3]`` or a link ``[3](#f3)``.

    ``explicit`` markers (a link to a note, a Markdown footnote reference) are markers
    whatever the notes say; a bare ``[3]`` is one only when the document's notes make it so.
    """

    number: int
    raw: str
    explicit: bool
    line: int


@dataclass(frozen=True, slots=True)
class Break:
    hard: bool  # a hard break is a new line in the passage; a soft one is a space


Piece = Text | Marker | Break


@dataclass
class Block:
    """One block of the body, as CommonMark structures it."""

    kind: str  # heading, paragraph, list_item, table, quotation, footnote, rule
    line: int
    pieces: list[Piece] = field(default_factory=list)
    level: int | None = None  # heading level
    depth: int | None = None  # list nesting, from 1
    label: str | None = None  # a list item's number or bullet as printed; a footnote's label
    ordered: bool = False
    rows: list[list[list[Piece]]] | None = None  # table: rows of cells
    header_rows: int = 0
    quoted: bool = False

    @property
    def plain(self) -> str:
        """The text as written, markers included, line breaks as spaces (for recognising)."""
        return plain(self.pieces)


def plain(pieces: Iterable[Piece]) -> str:
    parts: list[str] = []
    for piece in pieces:
        if isinstance(piece, Text):
            parts.append(piece.text)
        elif isinstance(piece, Marker):
            parts.append(piece.raw)
        else:
            parts.append(" ")
    return " ".join("".join(parts).split())


def markers(pieces: Iterable[Piece]) -> Iterator[Marker]:
    return (piece for piece in pieces if isinstance(piece, Marker))


def lines(pieces: Sequence[Piece]) -> list[list[Piece]]:
    """The pieces split at line breaks: the lines of the source paragraph."""
    found: list[list[Piece]] = [[]]
    for piece in pieces:
        if isinstance(piece, Break):
            found.append([])
        else:
            found[-1].append(piece)
    return [line for line in found if line]


def parse_blocks(body: str, first_line: int) -> list[Block]:
    """The blocks of ``body`` in order; ``first_line`` is the file line the body starts on."""
    if "-|" in body or "- |" in body:
        body = repair_tables(body)
    env: dict[str, Any] = {}
    tokens = _PARSER.parse(body, env)
    refs = env.get("footnotes", {}).get("refs", {})
    labels = {label[1:]: number + 1 for label, number in refs.items() if number >= 0}
    return list(_Walker(tokens, first_line, labels).blocks())


def repair_tables(body: str) -> str:
    """Tables written without outer pipes (``a| b`` over ``---|---``), as HTML-to-Markdown
    converters write them, rewritten as GFM tables that CommonMark reads as tables.

    In that dialect a row that begins with ``|`` has an empty first cell, a cell holding
    a line break goes on over the next line (a line with no ``|`` carries on the cell
    before it, or begins the row after it), the header may have fewer cells than the rule
    under it, and ``---`` lines part rows. GFM drops the leading pipe and refuses a header
    that does not match its rule: such tables would come out as paragraphs of pipes. The
    rewritten table takes no more lines than the original (blank lines make up the rest),
    so the lines of everything after it stay where they were.
    """
    lines_in = body.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines_in):
        rule = _DIALECT_RULE.match(lines_in[index])
        if rule is None:
            out.append(lines_in[index])
            index += 1
            continue
        head_start = index
        while head_start > 0 and lines_in[head_start - 1].strip() and len(out) > 0:
            head_start -= 1
            out.pop()
        end = index + 1
        while end < len(lines_in) and lines_in[end].strip():
            end += 1
        head = _table_rows(lines_in[head_start:index])
        rows = _table_rows(
            [line for line in lines_in[index + 1 : end] if not _DIALECT_RULE.match(line)]
        )
        if not head:
            head, rows = [[""] * len(rule.group().split("|"))], rows
        width = max(len(row) for row in [*head, *rows, rule.group().split("|")])
        table = [head[0], *head[1:], *rows]
        rebuilt = [_gfm_row(table[0], width), "|" + "---|" * width]
        rebuilt += [_gfm_row(row, width) for row in table[1:]]
        rebuilt += [""] * max(0, end - head_start - len(rebuilt))
        out.extend(rebuilt)
        index = end
    return "\n".join(out)


def _table_rows(raw: list[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    waiting: str | None = None  # a line with no pipe that begins the next row's first cell
    for number, line in enumerate(raw):
        text = line.strip()
        if not text or _LONE_RULE.match(text):
            continue
        if "|" not in text:
            following = raw[number + 1].strip() if number + 1 < len(raw) else ""
            if rows and ("|" not in following or not following):
                rows[-1][-1] = f"{rows[-1][-1].rstrip()}<br>{text}"
            else:
                waiting = text if waiting is None else f"{waiting}<br>{text}"
            continue
        cells = [cell.strip() for cell in text.split("|")]
        if waiting is not None:
            cells[0] = f"{waiting}<br>{cells[0]}" if cells[0] else waiting
            waiting = None
        rows.append(cells)
    if waiting is not None:
        rows.append([waiting])
    return rows


def _gfm_row(cells: list[str], width: int) -> str:
    padded = [*cells, *[""] * (width - len(cells))]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in padded) + " |"


class _Walker:
    def __init__(self, tokens: list[Token], first_line: int, labels: dict[str, int]) -> None:
        self.tokens = tokens
        self.offset = first_line
        self.line = first_line
        self.labels = labels  # a footnote label that is not a number → the note's position

    def blocks(self) -> Iterator[Block]:
        lists: list[Block] = []  # the open list items, outermost first
        quoted = 0
        footnote: str | None = None
        footnote_first = False
        heading: int | None = None
        table: Block | None = None
        row: list[list[Piece]] | None = None
        in_head = False
        item_first = False
        for token in self.tokens:
            if token.map is not None:
                self.line = token.map[0] + self.offset
            kind = token.type
            if kind == "heading_open":
                heading = int(token.tag[1:])
            elif kind == "heading_close":
                heading = None
            elif kind == "blockquote_open":
                quoted += 1
            elif kind == "blockquote_close":
                quoted -= 1
            elif kind == "list_item_open":
                ordered = token.markup in (".", ")")
                label = f"{token.info}{token.markup}" if ordered else "•"
                lists.append(
                    Block(
                        "list_item", self.line, depth=len(lists) + 1, label=label, ordered=ordered
                    )
                )
                item_first = True
            elif kind == "list_item_close":
                lists.pop()
            elif kind == "footnote_reference_open":
                footnote = self._footnote_number(str(token.meta.get("label", "")))
                footnote_first = True
            elif kind == "footnote_reference_close":
                footnote = None
            elif kind == "table_open":
                table = Block("table", self.line, rows=[], quoted=quoted > 0)
            elif kind == "table_close" and table is not None:
                yield table
                table = None
            elif kind == "thead_open":
                in_head = True
            elif kind == "thead_close":
                in_head = False
            elif kind == "tr_open" and table is not None and table.rows is not None:
                row = []
                table.rows.append(row)
                if in_head:
                    table.header_rows += 1
            elif kind == "hr":
                yield Block("rule", self.line)
            elif kind == "html_block":
                yield from self._html_block(token, quoted > 0)
            elif kind in ("code_block", "fence"):
                yield Block(
                    "paragraph", self.line, [Text(token.content.rstrip("\n"))], quoted=quoted > 0
                )
            elif kind == "inline":
                pieces = self.inline(token.children or [])
                if row is not None and table is not None:
                    row.append(pieces)
                elif heading is not None:
                    yield Block("heading", self.line, pieces, level=heading, quoted=quoted > 0)
                elif footnote is not None:
                    yield Block(
                        "footnote", self.line, pieces, label=footnote if footnote_first else None
                    )
                    footnote_first = False
                elif lists:
                    item = lists[-1]
                    yield Block(
                        "list_item",
                        self.line,
                        pieces,
                        depth=item.depth,
                        label=item.label if item_first else None,
                        ordered=item.ordered,
                        quoted=quoted > 0,
                    )
                    item_first = False
                else:
                    yield Block("quotation" if quoted else "paragraph", self.line, pieces)

    def _footnote_number(self, label: str) -> str:
        """A Markdown footnote's number: its label, or its place when the label is a name."""
        if label.isdecimal() and len(label) <= 3:
            return label
        return str(self.labels.get(label, len(self.labels) + 1))

    def inline(self, children: list[Token]) -> list[Piece]:
        pieces: list[Piece] = []
        marks: list[str] = []
        link: list[Token] | None = None  # children of an open link, kept until it closes
        link_href = ""
        for child in children:
            kind = child.type
            if link is not None and kind != "link_close":
                link.append(child)
                continue
            if kind == "text":
                pieces.extend(self._text(child.content, marks))
            elif kind == "code_inline":
                pieces.append(Text(child.content, frozenset(marks)))
            elif kind == "softbreak":
                pieces.append(Break(hard=False))
            elif kind == "hardbreak":
                pieces.append(Break(hard=True))
            elif kind in ("em_open", "strong_open"):
                marks.append("italic" if kind == "em_open" else "bold")
            elif kind in ("em_close", "strong_close"):
                name = "italic" if kind == "em_close" else "bold"
                if name in marks:
                    marks.remove(name)
            elif kind == "link_open":
                link, link_href = [], str(child.attrs.get("href", ""))
            elif kind == "link_close" and link is not None:
                label = "".join(c.content for c in link if c.type == "text").strip()
                number = _LINK_MARKER.match(label)
                if number and link_href.startswith("#"):
                    raw = f"[{label}]({link_href})"
                    pieces.append(Marker(int(number.group(1)), raw, True, self.line))
                else:
                    pieces.extend(self.inline(link))
                link = None
            elif kind == "footnote_ref":
                label = str(child.meta.get("label", ""))
                number = self._footnote_number(label)
                pieces.append(Marker(int(number), f"[^{label}]", True, self.line))
            elif kind == "image":
                alt = "".join(c.content for c in child.children or [])
                if alt:
                    pieces.append(Text(alt, frozenset(marks)))
            elif kind == "html_inline":
                tag = _TAG.match(child.content)
                if tag and tag.group(2).lower() in _BREAK_TAGS:
                    pieces.append(Break(hard=True))
            # any other inline HTML tag is dropped; the text around it is kept
        if link is not None:  # an unclosed link: keep what it holds
            pieces.extend(self.inline(link))
        return repair_emphasis(pieces)

    def _text(self, text: str, marks: list[str]) -> Iterator[Piece]:
        active = frozenset(marks)
        if "&" in text:
            text = decode_entities(text)
        position = 0
        for match in _TEXT_MARKER.finditer(text):
            if match.start() > position:
                yield Text(text[position : match.start()], active)
            yield Marker(int(match.group(2)), match.group(), bool(match.group(1)), self.line)
            position = match.end()
        if position < len(text):
            yield Text(text[position:], active)

    def _html_block(self, token: Token, quoted: bool) -> Iterator[Block]:
        """Raw HTML: its text is kept, paragraph by paragraph; the tags go."""
        source = token.content
        kept: list[str] = []
        position = 0
        for tag in _TAG.finditer(source):
            kept.append(source[position : tag.start()])
            name = tag.group(2).lower()
            if name in _BREAK_TAGS:
                kept.append("\n")
            elif name in _BLOCK_TAGS:
                kept.append("\n\n")
            elif name in ("td", "th") and tag.group(1):
                kept.append(" ")
            position = tag.end()
        kept.append(source[position:])
        text = html.unescape("".join(kept))
        for paragraph in re.split(r"\n\s*\n", text):
            if paragraph.strip():
                pieces: list[Piece] = []
                for number, line in enumerate(paragraph.strip().split("\n")):
                    if number:
                        pieces.append(Break(hard=True))
                    pieces.extend(self._text(line, []))
                kind = "quotation" if quoted else "paragraph"
                yield Block(kind, self.line, pieces)


def repair_emphasis(pieces: list[Piece]) -> list[Piece]:
    """Emphasis that CommonMark could not close, read as the harvest meant it.

    The web edition writes a space before a closing underscore (``_text [3] _``) or opens
    an italic block that a lone ``_`` line closes paragraphs later: CommonMark leaves those
    delimiters as text. Opened and closed within the paragraph, they make it italic (bold
    for ``**``); left open, they are dropped. Delimiters inside words stay.
    """
    texts = [i for i, piece in enumerate(pieces) if isinstance(piece, Text)]
    if not texts or not plain(pieces).strip("_* "):
        return pieces  # a line of delimiters only: a separator, kept for what it says
    first, last = texts[0], texts[-1]
    head = _OPEN_DELIMITER.match(pieces[first].text)  # type: ignore[union-attr]
    tail = _CLOSE_DELIMITER.search(pieces[last].text)  # type: ignore[union-attr]
    if head is None and tail is None:
        return pieces
    out = list(pieces)
    mark: str | None = None
    if head is not None and tail is not None and head.group(1) == tail.group(1):
        mark = "bold" if len(head.group(1)) == 2 else "italic"
    if tail is not None:
        piece = out[last]
        assert isinstance(piece, Text)
        out[last] = Text(piece.text[: tail.start(1)], piece.marks)
    if head is not None:
        piece = out[first]
        assert isinstance(piece, Text)
        out[first] = Text(piece.text[head.end(1) :], piece.marks)
    if mark is not None:
        out = [Text(p.text, p.marks | {mark}) if isinstance(p, Text) else p for p in out]
    return [p for p in out if not (isinstance(p, Text) and not p.text)]


def decode_entities(text: str) -> str:
    """HTML character references as characters; a misspelt one as the nearest real one.

    markdown-it decodes the references it knows; what reaches here is unknown to HTML
    (``&edash;``): it stands for a character all the same, and the closest known name
    (one letter off) is the best reading of it. A name close to none is left as written.
    """
    return _ENTITY.sub(_nearest_entity, text)


def _nearest_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if f"{name};" in html5:
        return html5[f"{name};"]
    close = difflib.get_close_matches(name, _ENTITY_NAMES, n=1, cutoff=0.8)
    return html5[f"{close[0]};"] if close else match.group()


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
        for match in _CHUNK.finditer(piece.text):
            chunk = match.group()
            if chunk[0].isspace():
                if self.length and self.parts[-1] != "\n" and self._space is None:
                    self._space = piece.marks
                continue
            if self._space is not None and not (
                self._marker_since_space and chunk[0] in PUNCTUATION_AFTER_MARKER
            ):
                self._emit(" ", self._space & piece.marks)
            self._space = None
            self._marker_since_space = False
            self._emit(chunk, piece.marks)

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


def render(pieces: Iterable[Piece]) -> Rendered:
    renderer = Renderer()
    renderer.add(pieces)
    return renderer.finish()


def render_table(rows: Sequence[Sequence[Sequence[Piece]]]) -> tuple[Rendered, list[list[str]]]:
    """A table as readable text (cells apart by a tab, rows by a line) and its cells."""
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
            renderer.add(cell)
            cell_text = "".join(renderer.parts)[start:].strip()
            texts.append(cell_text)
        cells.append(texts)
    return renderer.finish(), cells
