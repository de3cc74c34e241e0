"""A Markdown body as CommonMark reads it: blocks with their structure, inline pieces apart.

markdown-it-py (CommonMark, with GFM tables) decides what is a heading, a list item, a
table, a block quote or an emphasis, so no line rule of ours has to. What it cannot know is
which ``[3]`` is a footnote marker and which line is a note: that depends on the document's
note convention (api/formats/markdown/notes.py). So a block keeps its inline content as pieces —
runs of text with their emphasis, markers, line breaks — and is turned into text only once
the notes are known (api/formats/markdown/render.py).

Markdown footnote definitions (``[^3]: text``) are read as text, where they stand: a
footnote extension would move them to the end and drop those that no marker references,
and where a note stands tells which part of the document it belongs to. So ``[^3]`` is a
marker like ``[3]``, and the footnote plugin is not used.

Inline content is parsed only where it has inline syntax beyond backslash escapes and
bracketed numbers: CommonMark's inline rules cost as much as its block rules, and half the
paragraphs of an edition have none (measured on DFAT volume 8: 0.18-0.25 s to parse it
all, 0.10-0.12 s this way). (markdown-it-pyrs, the Rust port, parses in a fifth of the time
but panics on input as small as ``[` ``: it was tried and left.)
"""

import difflib
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from html.entities import html5
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.token import Token

from api.formats.markdown.tables import repair_tables

# inline content is parsed on demand (``Walker.content``), not in the block pass
_PARSER = MarkdownIt("commonmark", {"html": True}).enable("table").disable("inline")
# a character that may begin inline syntax; text without one is text, line breaks aside
_INLINE_SYNTAX = re.compile(r"[\\`*_\[\]!<&]")
# syntax beyond escapes and bracketed numbers (an escaped bracket is a bracket too)
_RICH_SYNTAX = re.compile(r"[`*_!<&]|\\[\[\]]|\][(\[:]")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
# a footnote definition opening a line: escaped, so that it stays text where it stands
_DEFINITION = re.compile(r"^( {0,3})\[\^", re.MULTILINE)
# [3], [^3]: a marker written as text (CommonMark leaves both alone when nothing defines them);
# "[3] (#f3)", a link that a space broke, is a marker with its target
_TEXT_MARKER = re.compile(r"\[(\^?)(\d{1,3})\](?:[ \t]?\(#[^)\s]*\))?")
_LINK_MARKER = re.compile(r"^[\^*]?(\d{1,3})$")
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*>")
_BREAK_TAGS = {"br"}
_BLOCK_TAGS = {"p", "div", "tr", "li", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_OPEN_DELIMITER = re.compile(r"^\s*([_*]{1,2})(?=\S|$)")
_CLOSE_DELIMITER = re.compile(r"(?:^|(?<=\s))([_*]{1,2})\s*$")
_ENTITY_NAMES = sorted({name[:-1] for name in html5 if name.endswith(";")})
# tokens whose opening and closing say nothing the blocks do not
_NOTHING_TO_DO = frozenset(
    {
        "paragraph_open",
        "paragraph_close",
        "bullet_list_open",
        "bullet_list_close",
        "ordered_list_open",
        "ordered_list_close",
        "tbody_open",
        "tbody_close",
        "tr_close",
        "th_open",
        "th_close",
        "td_open",
        "td_close",
    }
)


# Pieces are named tuples: a document has tens of thousands, and a tuple is made in C
# (a frozen dataclass's fields are set one call at a time). Markers are told apart by
# identity (``id``): two markers ``[3]`` are two places in the text.
NO_MARKS: frozenset[str] = frozenset()


class Text(NamedTuple):
    text: str
    marks: frozenset[str] = NO_MARKS


class Marker(NamedTuple):
    """A note marker as written: ``[3]``, ``[^3]`` or a link ``[3](#f3)``.

    ``explicit`` markers (a link to a note, a Markdown footnote reference) are markers
    whatever the notes say; a bare ``[3]`` is one only when the document's notes make it so.
    """

    number: int
    raw: str
    explicit: bool
    line: int


class Break(NamedTuple):
    hard: bool  # a hard break is a new line in the passage; a soft one is a space


Piece = Text | Marker | Break


@dataclass
class Block:
    """One block of the body, as CommonMark structures it."""

    kind: str  # heading, paragraph, list_item, table, quotation, rule
    line: int
    pieces: list[Piece] = field(default_factory=list)
    level: int | None = None  # heading level
    depth: int | None = None  # list nesting, from 1
    label: str | None = None  # a list item's number or bullet as printed
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
    env: dict[str, Any] = {}
    tokens = _PARSER.parse(body, env)
    return list(_Walker(tokens, first_line, env).blocks())


class _Walker:
    """Walks markdown-it's token stream into blocks, keeping the line each begins on."""

    def __init__(self, tokens: list[Token], first_line: int, env: dict[str, Any]) -> None:
        self.tokens = tokens
        self.first_line = first_line
        self.line = first_line
        self.env = env  # the parse's environment: link reference definitions

    def blocks(self) -> Iterator[Block]:
        lists: list[Block] = []  # the open list items, outermost first
        quoted = 0
        heading: int | None = None
        table: Block | None = None
        row: list[list[Piece]] | None = None
        in_head = False
        item_first = False
        for token in self.tokens:
            kind = token.type
            if kind in _NOTHING_TO_DO:
                continue
            if token.map is not None:
                self.line = token.map[0] + self.first_line
            if kind == "inline":
                pieces = self.content(token.content)
                if row is not None:
                    row.append(pieces)
                elif heading is not None:
                    yield Block("heading", self.line, pieces, level=heading, quoted=quoted > 0)
                elif lists:
                    item = lists[-1]
                    label = item.label if item_first else None
                    item_first = False
                    yield Block(
                        "list_item",
                        self.line,
                        pieces,
                        depth=item.depth,
                        label=label,
                        ordered=item.ordered,
                        quoted=quoted > 0,
                    )
                else:
                    yield Block("quotation" if quoted else "paragraph", self.line, pieces)
            elif kind == "heading_open":
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
                depth = len(lists) + 1
                lists.append(
                    Block("list_item", self.line, depth=depth, label=label, ordered=ordered)
                )
                item_first = True
            elif kind == "list_item_close":
                lists.pop()
            elif kind == "table_open":
                table = Block("table", self.line, rows=[], quoted=quoted > 0)
            elif kind == "table_close" and table is not None:
                yield table
                table, row = None, None
            elif kind == "thead_open":
                in_head = True
            elif kind == "thead_close":
                in_head = False
            elif kind == "tr_open" and table is not None and table.rows is not None:
                row = []
                table.rows.append(row)
                table.header_rows += in_head
            elif kind == "hr":
                yield Block("rule", self.line)
            elif kind == "html_block":
                yield from html_blocks(token.content, self.line, quoted > 0)
            elif kind in ("code_block", "fence"):
                content = token.content.rstrip("\n")
                yield Block("paragraph", self.line, list(text_pieces(content, (), self.line)))

    def content(self, source: str) -> list[Piece]:
        """The pieces of a block's inline content, parsed only when it has inline syntax.

        Content whose only syntax is backslash escapes and bracketed numbers (``2\\.``,
        ``[3]``) is read here: CommonMark makes an escaped punctuation character that
        character, and ``[3]`` text when no definition names it. Anything more goes to
        markdown-it's inline parser.
        """
        if _INLINE_SYNTAX.search(source) is not None and not self._plain_enough(source):
            children: list[Token] = []
            _PARSER.inline.parse(source, _PARSER, self.env, children)
            return self.inline(children)
        pieces: list[Piece] = []
        source_lines = source.split("\n")
        for number, line in enumerate(source_lines):
            last = number == len(source_lines) - 1
            escaped_break = not last and line.endswith("\\") and not line.endswith("\\\\")
            if escaped_break:
                line = line[:-1]
            if "\\" in line:
                line = _ESCAPED.sub(r"\1", line)
            pieces.extend(text_pieces(line, (), self.line))
            if not last:
                pieces.append(Break(hard=escaped_break or line.endswith("  ")))
        return pieces

    def _plain_enough(self, source: str) -> bool:
        """No syntax but backslash escapes and bracketed numbers (and no definitions)."""
        if _RICH_SYNTAX.search(source) is not None or self.env.get("references"):
            return False
        if "[" in source or "]" in source:
            rest = _TEXT_MARKER.sub("", source)
            return "[" not in rest and "]" not in rest
        return True

    def inline(self, children: list[Token], marks: tuple[str, ...] = ()) -> list[Piece]:
        pieces: list[Piece] = []
        self._inline(children, list(marks), pieces)
        return repair_emphasis(joined(pieces))

    def _inline(self, children: list[Token], marks: list[str], out: list[Piece]) -> None:
        # neighbouring text tokens are read as one run: an escaped bracket is a token of its
        # own, and a marker may be written across it (``\\[^3]``)
        run: list[str] = []
        link: list[Token] | None = None  # children of an open link, kept until it closes
        link_href = ""
        for child in children:
            kind = child.type
            if link is not None and kind != "link_close":
                link.append(child)
                continue
            if kind in ("text", "text_special", "code_inline"):
                run.append(child.content)
                continue
            if run:
                out.extend(text_pieces("".join(run), marks, self.line))
                run = []
            if kind == "softbreak":
                out.append(Break(hard=False))
            elif kind == "hardbreak":
                out.append(Break(hard=True))
            elif kind in ("em_open", "strong_open"):
                marks.append("italic" if kind == "em_open" else "bold")
            elif kind in ("em_close", "strong_close"):
                name = "italic" if kind == "em_close" else "bold"
                if name in marks:
                    marks.remove(name)
            elif kind == "link_open":
                link, link_href = [], str(child.attrs.get("href", ""))
            elif kind == "link_close" and link is not None:
                self._link(link, link_href, marks, out)
                link = None
            elif kind == "image":
                self._inline(child.children or [], marks, out)  # its alt text
            elif kind == "html_inline":
                tag = _TAG.match(child.content)
                if tag and tag.group(2).lower() in _BREAK_TAGS:
                    out.append(Break(hard=True))
                # any other tag is dropped; the text around it is kept
        if run:
            out.extend(text_pieces("".join(run), marks, self.line))
        if link is not None:  # an unclosed link: keep what it holds
            self._inline(link, marks, out)

    def _link(self, children: list[Token], href: str, marks: list[str], out: list[Piece]) -> None:
        """``[3](#f3)`` is a note marker; any other link keeps its text."""
        label = "".join(c.content for c in children if c.type == "text").strip()
        number = _LINK_MARKER.match(label)
        if number and href.startswith("#"):
            out.append(Marker(int(number.group(1)), f"[{label}]({href})", True, self.line))
        else:
            self._inline(children, marks, out)


def text_pieces(text: str, marks: Iterable[str], line: int) -> list[Piece]:
    """A run of text, with the ``[3]`` and ``[^3]`` in it as markers."""
    active = frozenset(marks) if marks else NO_MARKS
    if "&" in text:
        text = decode_entities(text)
    if "[" not in text:
        return [Text(text, active)] if text else []
    pieces: list[Piece] = []
    position = 0
    for match in _TEXT_MARKER.finditer(text):
        if match.start() > position:
            pieces.append(Text(text[position : match.start()], active))
        explicit = bool(match.group(1)) or match.group().endswith(")")  # [^3], [3] (#f3)
        pieces.append(Marker(int(match.group(2)), match.group(), explicit, line))
        position = match.end()
    if position < len(text):
        pieces.append(Text(text[position:], active))
    return pieces


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


def joined(pieces: list[Piece]) -> list[Piece]:
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
    texts = [(i, piece) for i, piece in enumerate(pieces) if isinstance(piece, Text)]
    if not texts:
        return pieces
    (first, first_text), (last, last_text) = texts[0], texts[-1]
    head = _OPEN_DELIMITER.match(first_text.text)
    closing = last_text.text.rstrip()
    tail = _CLOSE_DELIMITER.search(last_text.text) if closing.endswith(("_", "*")) else None
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
