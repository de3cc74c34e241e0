"""A reading bundle as HTML: each passage as its element, its text split at every boundary
(marks, mentions, footnote anchors, page breaks) and each piece escaped.

The text is rendered from each passage's ``text`` and the passage-relative offsets the
bundle gives (``passage_start``/``passage_end``), so what a reader sees is exactly the
stored text: no character is dropped, added or moved; structure (a heading, a list, a
table, a note marker, a page break) is only ever put *between* characters.

Inline elements nest properly however their ranges overlap: an element that is still open
where another closes is closed and opened again (``_Inline``). A footnote marker or a page
break never stands inside a mention's link (a link in a link is invalid HTML): the link is
closed before it and opened again after it. Of two mentions that overlap, the first is kept.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from markupsafe import Markup, escape

from api.mentions.schemas import MentionPublic
from api.reading.schemas import ReadingBundle
from api.texts.schemas import FootnotePublic, PassagePublic

# passage kind → element; headings, list items and tables are built apart
_BLOCKS = {
    "paragraph": ("p", ""),
    "quotation": ("blockquote", ""),
    "attribution": ("p", "attribution"),
    "caption": ("p", "caption"),
    "signature": ("p", "signature"),
    "dateline": ("p", "dateline"),
    "editorial": ("p", "editorial"),
}
_MARKS = {"italic": ("<i>", "</i>"), "bold": ("<b>", "</b>")}


@dataclass(frozen=True, slots=True)
class Note:
    """A footnote for the notes list: its printed marker, its text as HTML (mentions
    linked), and whether a marker in the text links to it (and so a link back)."""

    ref: str
    marker: str
    number: int
    html: Markup
    anchored: bool


@dataclass(frozen=True, slots=True)
class RenderedText:
    body: Markup
    notes: list[Note]
    entity_types: list[str] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class _Span:
    """An element around ``[start, end)`` of one text; ``link`` spans are closed around
    anything inserted inside them (an ``<a>`` must not hold a marker's ``<a>``)."""

    start: int
    end: int
    open: str
    close: str
    order: int
    link: bool = False


@dataclass(frozen=True, slots=True)
class _Insert:
    """Markup that takes no room in the text, at ``offset`` (a marker, a page break)."""

    offset: int
    html: str
    order: int


def _attr(value: str) -> str:
    return str(escape(value))


def mention_span(start: int, end: int, entity: str, entity_type: str, root: str) -> _Span:
    href = f"{root}/entities/{quote(entity, safe='')}"
    return _Span(
        start,
        end,
        f'<a class="mention" href="{_attr(href)}" data-entity="{_attr(entity)}" '
        f'data-entity-type="{_attr(entity_type)}">',
        "</a>",
        order=0,
        link=True,
    )


def _mention_spans(mentions: Iterable[MentionPublic], length: int, root: str) -> list[_Span]:
    """The mentions of one text as link spans; a mention overlapping one kept before it
    (by start) is left out, and so is one whose offsets do not fit the text."""
    spans: list[_Span] = []
    last_end = 0
    ordered = sorted(mentions, key=lambda m: (m.passage_start, -m.passage_end, m.id))
    for mention in ordered:
        start, end = mention.passage_start, mention.passage_end
        if not 0 <= start < end <= length or start < last_end:
            continue
        spans.append(mention_span(start, end, mention.entity, mention.entity_type, root))
        last_end = end
    return spans


def _mark_spans(passage: PassagePublic) -> list[_Span]:
    spans = []
    for mark in passage.marks:
        start, end = mark.passage_start, mark.passage_end
        if 0 <= start < end <= len(passage.text):
            tags = _MARKS.get(mark.type, (f'<span class="mark-{mark.type}">', "</span>"))
            spans.append(_Span(start, end, tags[0], tags[1], order=1))
    return spans


def _reconcile(stack: list[_Span], target: Sequence[_Span], out: list[str]) -> None:
    """Close what is open beyond the common prefix of ``stack`` and ``target``, open the
    rest of ``target``: the elements stay properly nested."""
    keep = 0
    for have, want in zip(stack, target, strict=False):
        if have is not want:
            break
        keep += 1
    out.extend(span.close for span in reversed(stack[keep:]))
    out.extend(span.open for span in target[keep:])
    stack[keep:] = target[keep:]


def render_inline(
    text: str,
    spans: Sequence[_Span],
    inserts: Sequence[_Insert],
    lo: int = 0,
    hi: int | None = None,
) -> str:
    """``text[lo:hi]`` as HTML: escaped pieces between the boundaries of ``spans`` (clipped
    to the range) and ``inserts`` (those at ``lo`` ≤ offset ≤ ``hi``)."""
    hi = len(text) if hi is None else hi
    spans = [s for s in spans if s.start < hi and s.end > lo]
    at: dict[int, list[_Insert]] = {}
    for insert in inserts:
        if lo <= insert.offset <= hi:
            at.setdefault(insert.offset, []).append(insert)
    bounds = sorted(
        {lo, hi, *at, *(max(s.start, lo) for s in spans), *(min(s.end, hi) for s in spans)}
    )
    key = {id(s): (s.start, -s.end, s.order) for s in spans}
    out: list[str] = []
    stack: list[_Span] = []
    for index, here in enumerate(bounds):
        if here in at:
            # what stays open around the insert: spans going on past it, up to a link
            around: list[_Span] = []
            for span in stack:
                if span.end <= here or span.link:
                    break
                around.append(span)
            _reconcile(stack, around, out)
            out.extend(insert.html for insert in sorted(at[here], key=lambda i: i.order))
        if index + 1 == len(bounds):
            break
        after = bounds[index + 1]
        active = sorted(
            (s for s in spans if s.start <= here and s.end >= after), key=lambda s: key[id(s)]
        )
        _reconcile(stack, active, out)
        out.append(str(escape(text[here:after])))
    _reconcile(stack, [], out)
    return "".join(out)


def note_marker(note: FootnotePublic) -> str:
    ref, marker = _attr(note.ref), _attr(note.marker)
    return (
        f'<sup class="note-ref"><a id="ref-{ref}" href="#{ref}" data-note="{ref}" '
        f'data-marker="{marker}" aria-describedby="notes-heading">{marker}</a></sup>'
    )


def page_break(n: str, anchor: str) -> str:
    label = _attr(n)
    return (
        f'<span class="page-break" id="{_attr(anchor)}" role="note" '
        f'aria-label="Page {label}">p. {label}</span>'
    )


def _locate(passages: Sequence[PassagePublic], ref: str | None, start: int) -> tuple[int, int]:
    """Which passage a zero-width point belongs to and where in it: the named passage if
    there is one, else the one it falls in (or the next one, at its beginning)."""
    for index, passage in enumerate(passages):
        if ref is not None and passage.ref == ref:
            return index, min(max(start - passage.start, 0), len(passage.text))
    for index, passage in enumerate(passages):
        if start <= passage.end:
            return index, min(max(start - passage.start, 0), len(passage.text))
    return len(passages) - 1, len(passages[-1].text)


def _page_anchor(n: str, seen: set[str]) -> str:
    """``page-<n>``, unique in the page even when a number is printed twice."""
    anchor = base = "page-" + "-".join(n.split())
    count = 1
    while anchor in seen:
        count += 1
        anchor = f"{base}-{count}"
    seen.add(anchor)
    return anchor


def _pages(bundle: ReadingBundle) -> list[tuple[int, int, str]]:
    """Where each printed page begins (passage index, offset in it, page number): every
    page break, and first the page the text starts on (a passage's ``page``) when no break
    stands at the very beginning — a letter printed from the middle of page 1253 shows
    "p. 1253" where it begins."""
    first = bundle.passages[0]
    starts: list[tuple[int, int, str]] = []
    if first.page and not any(page.start <= first.start for page in bundle.pages):
        starts.append((0, 0, first.page))
    for page in bundle.pages:
        index, offset = _locate(bundle.passages, page.passage, page.start)
        starts.append((index, offset, page.n))
    return starts


def _inserts(bundle: ReadingBundle) -> tuple[dict[int, list[_Insert]], set[str]]:
    """Footnote markers and page breaks, by the index of the passage they stand in; and
    the refs of the notes whose marker was placed."""
    inserts: dict[int, list[_Insert]] = {}
    placed: set[str] = set()
    if not bundle.passages:
        return inserts, placed
    for note in bundle.footnotes:
        if note.start is None and note.passage_start is None:
            continue
        if note.start is not None:
            index, offset = _locate(bundle.passages, note.passage, note.start)
        else:
            index = next((i for i, p in enumerate(bundle.passages) if p.ref == note.passage), -1)
            if index < 0:
                continue
            offset = min(max(note.passage_start or 0, 0), len(bundle.passages[index].text))
        inserts.setdefault(index, []).append(_Insert(offset, note_marker(note), 0))
        placed.add(note.ref)
    seen: set[str] = set()
    for index, offset, n in _pages(bundle):
        html = page_break(n, _page_anchor(n, seen))
        inserts.setdefault(index, []).append(_Insert(offset, html, 1))
    return inserts, placed


def _permalink(ref: str) -> str:
    ref = _attr(ref)
    return f'<a class="permalink" href="#{ref}" aria-label="Link to passage {ref}">¶</a>'


def _cell_ranges(text: str) -> list[list[tuple[int, int]]]:
    """Where each cell of a table passage's text is: a tab between cells, a line between
    rows."""
    ranges: list[list[tuple[int, int]]] = []
    position = 0
    for line in text.split("\n"):
        row = []
        for cell in line.split("\t"):
            row.append((position, position + len(cell)))
            position += len(cell) + 1
        ranges.append(row)
    return ranges


def _table(passage: PassagePublic, spans: list[_Span], inserts: list[_Insert]) -> str:
    """A table passage: its cells cut from the text, each with its marks, mentions and
    markers; its ``rows`` as stored when the text does not split into the same shape (then
    the markers follow the table)."""
    assert passage.table is not None
    ranges = _cell_ranges(passage.text)
    shaped = [len(r) for r in ranges] == [len(r) for r in passage.table.rows]
    starts = [lo for row in ranges for lo, _ in row] if shaped else []
    rows: list[list[str]] = []
    if shaped:
        flat = 0
        for cell_ranges in ranges:
            cells = []
            for lo, hi in cell_ranges:
                flat += 1
                following = starts[flat] if flat < len(starts) else None
                mine = [
                    i
                    for i in inserts
                    if lo <= i.offset and (following is None or i.offset < following)
                ]
                cells.append(render_inline(passage.text, spans, mine, lo, hi))
            rows.append(cells)
    else:
        rows = [[str(escape(cell)) for cell in row] for row in passage.table.rows]
    head, body = [], []
    for number, cells_html in enumerate(rows):
        if number < passage.table.header_rows:
            head.append("<tr>" + "".join(f'<th scope="col">{c}</th>' for c in cells_html) + "</tr>")
        else:
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells_html) + "</tr>")
    ref = _attr(passage.ref)
    parts = [f'<div class="table" id="{ref}" role="group" tabindex="0" aria-label="Table {ref}">']
    parts.append("<table>")
    if head:
        parts.append("<thead>" + "".join(head) + "</thead>")
    parts.append("<tbody>" + "".join(body) + "</tbody></table>")
    if not shaped:
        parts.append("".join(i.html for i in inserts))
    parts.append(_permalink(passage.ref) + "</div>")
    return "".join(parts)


def _block(passage: PassagePublic, spans: list[_Span], inserts: list[_Insert]) -> str:
    """One passage that is not a list item, as its element with ``id`` = its ref."""
    if passage.kind == "table" and passage.table is not None:
        return _table(passage, spans, inserts)
    inner = render_inline(passage.text, spans, inserts) + _permalink(passage.ref)
    ref = _attr(passage.ref)
    if passage.kind == "heading":
        level = min((passage.level or 1) + 1, 6)
        return f'<h{level} id="{ref}">{inner}</h{level}>'
    tag, kind = _BLOCKS.get(passage.kind, ("p", _attr(passage.kind)))
    css = f' class="{kind}"' if kind else ""
    return f'<{tag} id="{ref}"{css}>{inner}</{tag}>'


def _list(items: Sequence[tuple[PassagePublic, str]]) -> str:
    """Consecutive list items, nested by ``depth``; a printed label (``2.``, ``•``) is
    shown as printed, in place of the browser's bullet."""
    out: list[str] = []
    depth = 0
    for passage, inner in items:
        wanted = min(max(passage.depth or 1, 1), depth + 1)  # a list holds only items
        if depth == 0:
            out.append('<ul class="list">')
            depth = 1
        elif wanted > depth:
            out.append('<ul class="list">' * (wanted - depth))
            depth = wanted
        else:
            out.append("</li>")
            while depth > wanted:
                out.append("</ul></li>")
                depth -= 1
        label = ""
        css = ""
        if passage.label:
            label = f'<span class="label">{escape(passage.label)}</span> '
            css = ' class="labelled"'
        out.append(f'<li id="{_attr(passage.ref)}"{css}>{label}{inner}')
    out.append("</li>" + "</ul></li>" * (depth - 1) + "</ul>")
    return "".join(out)


def _flow(rendered: Sequence[tuple[PassagePublic, str | None, str | None]]) -> str:
    """Blocks in order, consecutive list items gathered into one (nested) list."""
    out: list[str] = []
    pending: list[tuple[PassagePublic, str]] = []
    for passage, block, item in rendered:
        if item is not None:
            pending.append((passage, item))
            continue
        if pending:
            out.append(_list(pending))
            pending = []
        out.append(block or "")
    if pending:
        out.append(_list(pending))
    return "\n".join(out)


def _boilerplate(count: int) -> str:
    noun = "passage" if count == 1 else "passages"
    return (
        '<details class="boilerplate"><summary>Site or print furniture '
        f"({count} {noun}, not part of the source’s text)</summary>"
    )


def render_text(bundle: ReadingBundle, *, root: str) -> RenderedText:
    """The document's text as HTML and its notes, from one reading bundle (offsets in code
    points, as ``reading_bundle`` gives them by default)."""
    by_passage: dict[str, list[MentionPublic]] = {}
    by_note: dict[str, list[MentionPublic]] = {}
    for mention in bundle.mentions:
        if mention.container == "passage" and mention.passage is not None:
            by_passage.setdefault(mention.passage, []).append(mention)
        elif mention.container == "footnote" and mention.footnote is not None:
            by_note.setdefault(mention.footnote, []).append(mention)
    inserts, placed = _inserts(bundle)
    runs: list[tuple[bool, list[tuple[PassagePublic, str | None, str | None]]]] = []
    for index, passage in enumerate(bundle.passages):
        spans = [
            *_mention_spans(by_passage.get(passage.ref, []), len(passage.text), root),
            *_mark_spans(passage),
        ]
        here = inserts.get(index, [])
        if passage.kind == "list_item":
            inner = render_inline(passage.text, spans, here) + _permalink(passage.ref)
            entry: tuple[PassagePublic, str | None, str | None] = (passage, None, inner)
        else:
            entry = (passage, _block(passage, spans, here), None)
        if runs and runs[-1][0] == passage.boilerplate:
            runs[-1][1].append(entry)
        else:
            runs.append((passage.boilerplate, [entry]))
    body: list[str] = []
    for boilerplate, entries in runs:
        if boilerplate:
            body.append(_boilerplate(len(entries)) + _flow(entries) + "</details>")
        else:
            body.append(_flow(entries))
    notes = [
        Note(
            ref=note.ref,
            marker=note.marker,
            number=note.number,
            html=Markup(
                render_inline(
                    note.text, _mention_spans(by_note.get(note.ref, []), len(note.text), root), []
                )
            ),
            anchored=note.ref in placed,
        )
        for note in bundle.footnotes
    ]
    types = sorted({m.entity_type for m in bundle.mentions})
    return RenderedText(body=Markup("\n".join(body)), notes=notes, entity_types=types)
