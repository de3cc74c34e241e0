"""A Markdown body as CommonMark reads it: blocks with their structure, inline pieces apart.

The CommonMark parser (markdown-it, with GFM tables) decides what is a heading, a list item,
a table, a block quote or an emphasis, so no line rule of ours has to. What it cannot know
is which ``[3]`` is a footnote marker and which line is a note: that depends on the
document's note convention (api/ingest/mdnotes.py). So a block keeps its inline content as
pieces — runs of text with their emphasis, markers, line breaks — and is turned into text
only once the notes are known (api/ingest/mdrender.py).

The parser is markdown-it-pyrs, the Rust port of markdown-it by the maintainers of
markdown-it-py, with the same CommonMark rules and node names. Measured on the 481
documents of DFAT volume 8 (best of 5): markdown-it-py 0.18-0.25 s to parse, markdown-it-pyrs
0.05-0.08 s with the walk over its tree; the difference is what the import throughput target
(``make bench-import``) leaves room for.

Markdown footnote definitions (``[^3]: text``) are read as text, where they stand: the
footnote extension would move them to the end and drop those that no marker references,
and where a note stands tells which part of the document it belongs to.
"""

import bisect
import difflib
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from html.entities import html5
from typing import Any

import markdown_it_pyrs

from api.ingest.mdtables import repair_tables

_PARSER = markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table"])
# a footnote definition opening a line: escaped, so that it stays text where it stands
_DEFINITION = re.compile(r"^( {0,3})\[\^", re.MULTILINE)
# [3], [^3]: a marker written as text (CommonMark leaves both alone when nothing defines them)
_TEXT_MARKER = re.compile(r"\[(\^?)(\d{1,3})\]")
_LINK_MARKER = re.compile(r"^[\^*]?(\d{1,3})$")
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*>")
_BREAK_TAGS = {"br"}
_BLOCK_TAGS = {"p", "div", "tr", "li", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_OPEN_DELIMITER = re.compile(r"^\s*([_*]{1,2})(?=\S|$)")
_CLOSE_DELIMITER = re.compile(r"(?:^|(?<=\s))([_*]{1,2})\s*$")
_ENTITY_NAMES = sorted({name[:-1] for name in html5 if name.endswith(";")})
_BLOCK_NODES = frozenset(
    {
        "paragraph",
        "heading",
        "bullet_list",
        "ordered_list",
        "blockquote",
        "table",
        "hr",
        "html_block",
        "code_block",
        "fence",
    }
)


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

    @cached_property
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
    if "[^" in body:
        body = _DEFINITION.sub(r"\1\\[^", body)
    tree = _PARSER.tree(body)
    blocks: list[Block] = []
    _Tree(body, first_line).walk(tree.children, blocks, depth=0, quoted=False)
    return blocks


class _Tree:
    """Walks the parser's tree into blocks, keeping the file line each begins on."""

    def __init__(self, body: str, first_line: int) -> None:
        # the tree's source map counts bytes of UTF-8; lines are found among their starts
        encoded = body.encode("utf-8")
        self.starts = [0, *(m.end() for m in re.finditer(b"\n", encoded))]
        self.first_line = first_line
        self.line = first_line

    def at(self, node: Any) -> int:
        span = node.srcmap
        if span is not None:
            self.line = bisect.bisect_right(self.starts, span[0]) - 1 + self.first_line
        return self.line

    def walk(self, nodes: Iterable[Any], out: list[Block], *, depth: int, quoted: bool) -> None:
        for node in nodes:
            name = node.name
            line = self.at(node)
            if name == "paragraph":
                kind = "quotation" if quoted else "paragraph"
                out.append(Block(kind, line, self.inline(node.children)))
            elif name == "heading":
                level = node.meta.get("level")
                out.append(
                    Block("heading", line, self.inline(node.children), level=level, quoted=quoted)
                )
            elif name in ("bullet_list", "ordered_list"):
                self.items(node, out, depth=depth + 1, quoted=quoted)
            elif name == "blockquote":
                self.walk(node.children, out, depth=depth, quoted=True)
            elif name == "table":
                out.append(self.table(node, line, quoted))
            elif name == "hr":
                out.append(Block("rule", line))
            elif name == "html_block":
                out.extend(html_blocks(str(node.meta.get("content", "")), line, quoted))
            elif name in ("code_block", "fence"):
                content = str(node.meta.get("content", "")).rstrip("\n")
                out.append(Block("paragraph", line, list(text_pieces(content, (), line))))

    def items(self, node: Any, out: list[Block], *, depth: int, quoted: bool) -> None:
        """A list's items: each paragraph of an item is a list item, the first with its
        number or bullet; a nested list goes one deeper."""
        ordered = node.name == "ordered_list"
        marker = str(node.meta.get("marker", ""))
        start = int(node.meta.get("start", 1) or 1)
        for index, item in enumerate(node.children):
            label: str | None = f"{start + index}{marker}" if ordered else "•"
            inline: list[Any] = []  # a tight item's text stands in it without a paragraph
            for child in [*item.children, None]:
                if child is not None and child.name not in _BLOCK_NODES:
                    inline.append(child)
                    continue
                if inline:
                    out.append(self.item(inline, depth, label, ordered, quoted))
                    label, inline = None, []
                if child is None:
                    continue
                self.at(child)
                if child.name == "paragraph":
                    out.append(self.item(child.children, depth, label, ordered, quoted))
                    label = None
                else:
                    self.walk([child], out, depth=depth, quoted=quoted)

    def item(
        self, children: Iterable[Any], depth: int, label: str | None, ordered: bool, quoted: bool
    ) -> Block:
        pieces = self.inline(children)
        return Block(
            "list_item", self.line, pieces, depth=depth, label=label, ordered=ordered, quoted=quoted
        )

    def table(self, node: Any, line: int, quoted: bool) -> Block:
        table = Block("table", line, rows=[], quoted=quoted)
        assert table.rows is not None
        for part in node.children:
            for row in part.children:
                table.rows.append([self.inline(cell.children) for cell in row.children])
                if part.name == "thead":
                    table.header_rows += 1
        return table

    def inline(self, children: Iterable[Any]) -> list[Piece]:
        pieces: list[Piece] = []
        self._inline(children, (), pieces)
        return repair_emphasis(_joined(pieces))

    def _inline(self, children: Iterable[Any], marks: tuple[str, ...], out: list[Piece]) -> None:
        # neighbouring text nodes are read as one run: an escaped bracket is a node of its
        # own, and a marker may be written across it (``\\[^3]``)
        run: list[str] = []
        for child in children:
            name = child.name
            if name == "text" or name == "text_special":
                run.append(str(child.meta.get("content", "")))
                continue
            if run:
                out.extend(text_pieces("".join(run), marks, self.line))
                run = []
            if name == "softbreak":
                out.append(Break(hard=False))
            elif name == "hardbreak":
                out.append(Break(hard=True))
            elif name == "em" or name == "strong":
                self._inline(child.children, (*marks, "italic" if name == "em" else "bold"), out)
            elif name == "link":
                self._link(child, marks, out)
            elif name == "html_inline":
                tag = _TAG.match(str(child.meta.get("content", "")))
                if tag and tag.group(2).lower() in _BREAK_TAGS:
                    out.append(Break(hard=True))
                # any other tag is dropped; the text around it is kept
            else:  # code spans, autolinks, images (their alt text): what they hold
                self._inline(child.children, marks, out)
        if run:
            out.extend(text_pieces("".join(run), marks, self.line))

    def _link(self, node: Any, marks: tuple[str, ...], out: list[Piece]) -> None:
        """``[3](#f3)`` is a note marker; any other link keeps its text."""
        href = str(node.meta.get("url", ""))
        label = "".join(
            str(c.meta.get("content", "")) for c in node.children if c.name == "text"
        ).strip()
        number = _LINK_MARKER.match(label)
        if number and href.startswith("#"):
            out.append(Marker(int(number.group(1)), f"[{label}]({href})", True, self.line))
        else:
            self._inline(node.children, marks, out)


def text_pieces(text: str, marks: Iterable[str], line: int) -> Iterator[Piece]:
    """A run of text, with the ``[3]`` and ``[^3]`` in it as markers."""
    active = frozenset(marks)
    if "&" in text:
        text = decode_entities(text)
    if "[" not in text:
        if text:
            yield Text(text, active)
        return
    position = 0
    for match in _TEXT_MARKER.finditer(text):
        if match.start() > position:
            yield Text(text[position : match.start()], active)
        yield Marker(int(match.group(2)), match.group(), bool(match.group(1)), line)
        position = match.end()
    if position < len(text):
        yield Text(text[position:], active)


def html_blocks(source: str, line: int, quoted: bool) -> Iterator[Block]:
    """Raw HTML: its text is kept, paragraph by paragraph; the tags go."""
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
            for number, text_line in enumerate(paragraph.strip().split("\n")):
                if number:
                    pieces.append(Break(hard=True))
                pieces.extend(text_pieces(text_line, (), line))
            yield Block("quotation" if quoted else "paragraph", line, pieces)


def _joined(pieces: list[Piece]) -> list[Piece]:
    """Neighbouring runs of text with the same marks as one (``2``, ``\\.`` → ``2.``)."""
    out: list[Piece] = []
    for piece in pieces:
        last = out[-1] if out else None
        if isinstance(piece, Text) and isinstance(last, Text) and last.marks == piece.marks:
            out[-1] = Text(last.text + piece.text, piece.marks)
        else:
            out.append(piece)
    return out


def repair_emphasis(pieces: list[Piece]) -> list[Piece]:
    """Emphasis that CommonMark could not close, read as the harvest meant it.

    The web edition writes a space before a closing underscore (``_text [3] _``) or opens
    an italic block that a lone ``_`` line closes paragraphs later: CommonMark leaves those
    delimiters as text. Opened and closed within the paragraph, they make it italic (bold
    for ``**``); left open, they are dropped. Delimiters inside words stay.
    """
    texts = [i for i, piece in enumerate(pieces) if isinstance(piece, Text)]
    if not texts:
        return pieces
    first, last = texts[0], texts[-1]
    head = _OPEN_DELIMITER.match(pieces[first].text)  # type: ignore[union-attr]
    closing = pieces[last].text.rstrip()  # type: ignore[union-attr]
    tail = (
        _CLOSE_DELIMITER.search(pieces[last].text)  # type: ignore[union-attr]
        if closing.endswith(("_", "*"))
        else None
    )
    if head is None and tail is None:
        return pieces
    if not plain(pieces).strip("_* "):
        return pieces  # a line of delimiters only: a separator, kept for what it says
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
