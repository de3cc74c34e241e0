"""A TEI file's ``text``: divisions, blocks, notes and page breaks, read into passages.

A div's ref is its ``xml:id`` (``chapter-7``) or, without one, its position (``d2``,
``chapter-7.d1``); its heading takes the div's ref and the passages after it
``chapter-7.p1``, ``chapter-7.p2``… — or their own ``xml:id``. Refs therefore stay the
same across re-imports as long as the structure does. A ``note`` becomes a footnote
anchored exactly where it stands (ref from ``xml:id``, marker as printed from ``@n``:
markers repeat, as notes are numbered per chapter; number = position in the document);
``pb`` marks where a page begins, ``lb`` reads as a space.

Whitespace is XML's: runs of spaces, tabs and newlines become one space, except under
``xml:space="preserve"`` (the exporter writes it where the text needs it). Passages go
through the shared text builder (api/records/builder.py), which joins them and turns the
offsets found inside a passage into the document's; the spans of names and references
are kept for the mentions and cross-references the reader makes of them.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.errors import IngestError
from api.formats.tei.entities import MENTION_TYPES, mention
from api.formats.tei.tree import WHITESPACE, XML_ID, Element, local, preserved
from api.records.builder import PendingPassage, TextBuilder
from api.records.record import PASSAGE_KINDS, FootnoteRecord, MentionRecord

BLOCKS = {
    "head": "heading",
    "p": "paragraph",
    "ab": "paragraph",
    "item": "list_item",
    "dateline": "dateline",
    "signed": "signature",
    "byline": "attribution",
    "docAuthor": "attribution",
    "salute": "paragraph",
    "bibl": "paragraph",
    "quote": "quotation",
    "l": "paragraph",
    "titlePart": "heading",
    "docImprint": "paragraph",
    "docDate": "dateline",
    "caption": "caption",
    "figDesc": "caption",
    "trailer": "paragraph",
    "label": "paragraph",
    "row": "paragraph",
    "address": "paragraph",
    "postscript": "paragraph",
}
CONTAINERS = {
    "text",
    "front",
    "body",
    "back",
    "group",
    "div",
    *(f"div{n}" for n in range(1, 8)),
    "list",
    "listBibl",
    "table",
    "titlePage",
    "docTitle",
    "opener",
    "closer",
    "epigraph",
    "figure",
    "floatingText",
    "lg",
    "argument",
    "cit",
    "sp",
    "space",
}
DIVS = {"div", *(f"div{n}" for n in range(1, 8))}
SKIP = {"standOff", "facsimile", "graphic", "fw", "teiHeader", "gap", "figure_graphic"}

# A span of the text that becomes a mention or a cross-reference: kind ("mention" or
# "ref"), its element, start and end.
Span = tuple[str, Element, int, int]
# A ``ref``/``ptr`` found in the text, for api/formats/tei/targets.py to resolve once the
# whole text is read: container ("passage" or "footnote"), ref, start, end, element.
PendingReference = tuple[str, str, int | None, int | None, Element]


@dataclass
class _Collector:
    """Text of one passage or note, with the offsets of what is anchored in it."""

    preserve: bool = False
    parts: list[str] = field(default_factory=list)
    length: int = 0
    pending_space: bool = False
    notes: list[tuple[Element, int, str]] = field(default_factory=list)  # (note, offset, key)
    pages: list[tuple[str, int]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    def add(self, text: str | None) -> None:
        if not text:
            return
        if self.preserve:
            self.parts.append(text)
            self.length += len(text)
            return
        collapsed = WHITESPACE.sub(" ", text)
        if collapsed == " ":
            if self.length:
                self.pending_space = True
            return
        lead = collapsed.startswith(" ")
        trail = collapsed.endswith(" ")
        collapsed = collapsed.strip(" ")
        if (lead or self.pending_space) and self.length:
            self.parts.append(" ")
            self.length += 1
        self.parts.append(collapsed)
        self.length += len(collapsed)
        self.pending_space = trail

    def space(self) -> None:
        if self.preserve:
            self.add(" ")
        elif self.length:
            self.pending_space = True

    def reset(self) -> None:
        """Start a fresh passage (after a nested block closed the one before)."""
        self.parts, self.length, self.pending_space = [], 0, False
        self.notes, self.pages, self.ids, self.spans = [], [], [], []

    @property
    def next_position(self) -> int:
        """Where the next character will stand (after a pending space)."""
        return self.length + (1 if self.pending_space and self.length else 0)

    @property
    def text(self) -> str:
        return "".join(self.parts)


class BodyReader:
    """Reads ``text`` into the builder's passages, with footnotes, mentions and references.

    ``entity_ids`` (xml:id → entity id and type) are the entities the file names, which
    mentions may point at.
    """

    def __init__(
        self,
        path: Path,
        entity_ids: dict[str, tuple[str, str]],
        first_page: str | None = None,
    ):
        self.path = path
        self.entity_ids = entity_ids
        self.builder = TextBuilder(first_page=first_page)
        self.refs: set[str] = set()
        self.counters: dict[str | None, int] = {}
        self.id_to_passage: dict[str, str] = {}
        self.note_ids: dict[str, str] = {}
        self.footnotes: list[FootnoteRecord] = []
        self.mentions: list[MentionRecord] = []
        self.xrefs: list[PendingReference] = []
        self.pending_notes: list[tuple[Element, str]] = []  # (note, key)
        self.note_serial = 0
        self.pending_ids: list[str] = []
        self.div_ids: list[str] = []
        self.saw_chapters = False
        self.saw_document_div = False
        self.document_numbers: list[str] = []

    def read(self, text: Element) -> None:
        """Read the ``text`` element; notes left after the last passage are anchored at
        its end. A text with no passage is refused."""
        self.walk_container(text, None, {"first": False})
        self.builder.finish_pages()
        if self.pending_notes:
            if not self.builder.passages:
                raise IngestError(self.path, "the text holds no passages")
            last = self.builder.passages[-1]
            for note, key in self.pending_notes:
                self.builder.anchors[key] = [(last.end, last.ref)]
                self.footnote(note, key)
        if not self.builder.passages:
            raise IngestError(self.path, "the text holds no passages", text.sourceline)

    # -- refs ---------------------------------------------------------------------------

    def _unique(self, ref: str) -> str:
        candidate, n = ref[:190], 2
        while candidate in self.refs:
            candidate = f"{ref[:185]}-{n}"
            n += 1
        self.refs.add(candidate)
        return candidate

    def _next_ref(self, base: str | None, element: Element, kind: str, first_in_div: bool) -> str:
        own: str | None = element.get(XML_ID)
        if own and own not in self.refs and own not in self.div_ids:
            self.refs.add(own)
            return own
        if base is not None and first_in_div and kind == "heading" and base not in self.refs:
            self.refs.add(base)
            return base
        count = self.counters.get(base, 0) + 1
        self.counters[base] = count
        return self._unique(f"{base}.p{count}" if base else f"p{count}")

    # -- structure ----------------------------------------------------------------------

    def walk_container(self, element: Element, base: str | None, state: dict[str, Any]) -> None:
        div_count = 0
        for child in element:
            name = local(child)
            if name is None or name in SKIP:
                continue
            if name in DIVS:
                div_count += 1
                own = child.get(XML_ID)
                child_base = own or (f"{base}.d{div_count}" if base else f"d{div_count}")
                if child.get("type") == "chapter":
                    self.saw_chapters = True
                if child.get("type") == "document":
                    self.saw_document_div = True
                    if child.get("n"):
                        self.document_numbers.append(child.get("n"))
                self.div_ids.append(child_base)
                if own:
                    self.pending_ids.append(own)
                self.walk_container(child, child_base, {"first": True, "div": child})
            elif name == "pb":
                if child.get("n"):
                    self.builder.page_break(child.get("n"))
            elif name == "note":
                self.pending_notes.append((child, self._note_key()))
            elif name == "anchor":
                if child.get(XML_ID):
                    self.pending_ids.append(child.get(XML_ID))
            elif name in BLOCKS and not (name == "quote" and _has_blocks(child)):
                self.block(child, BLOCKS[name], base, state)
            elif name in CONTAINERS or name == "quote":
                if child.get(XML_ID):
                    self.pending_ids.append(child.get(XML_ID))
                self.walk_container(child, base, state)
            else:
                # an unknown element standing between blocks: read it as a paragraph
                self.block(child, "paragraph", base, state)

    def block(self, element: Element, kind: str, base: str | None, state: dict[str, Any]) -> None:
        preserve = preserved(element)
        if element.get("type") in PASSAGE_KINDS:
            kind = element.get("type")  # <ab type="caption">, as the exporter writes
        boilerplate = element.get("type") == "shortened-for-running-head" or (
            element.get("rend") == "boilerplate"
        )
        collector = _Collector(preserve=preserve)
        if element.get(XML_ID):
            collector.ids.append(element.get(XML_ID))
        self.inline(element, collector, base, kind, state, boilerplate, top=True)
        self.flush(collector, element, kind, base, state, boilerplate)

    def flush(
        self,
        collector: _Collector,
        element: Element,
        kind: str,
        base: str | None,
        state: dict[str, Any],
        boilerplate: bool,
    ) -> None:
        text = collector.text if collector.preserve else collector.text.rstrip(" ")
        if not text.strip():
            # nothing to read: its notes, pages and ids belong to what comes next
            self.pending_notes.extend((note, key) for note, _, key in collector.notes)
            for n, _ in collector.pages:
                self.builder.page_break(n)
            self.pending_ids.extend(collector.ids)
            return
        first = state.get("first", False)
        ref = self._next_ref(base, element, kind, first)
        state["first"] = False
        length = len(text)
        notes = [*self.pending_notes, *((note, key) for note, _, key in collector.notes)]
        anchors = [(key, 0) for _, key in self.pending_notes]
        anchors += [(key, min(offset, length)) for _, offset, key in collector.notes]
        self.pending_notes = []
        pages = [(n, min(offset, length)) for n, offset in collector.pages]
        self.builder.add(
            PendingPassage(
                ref=ref,
                kind=kind,
                text=text,
                section_ref=base,
                boilerplate=boilerplate,
                anchors=anchors,
                pages=pages,
            )
        )
        for identifier in [*self.pending_ids, *collector.ids]:
            self.id_to_passage.setdefault(identifier, ref)
        self.pending_ids = []
        for note, key in notes:
            self.footnote(note, key)
        for span_kind, span_element, start, end in collector.spans:
            end = min(end, length)
            if span_kind == "mention" and start < end:
                self._mention(span_element, "passage", ref, text, start, end)
            elif span_kind == "ref" and start <= end:
                self.xrefs.append(("passage", ref, start, end, span_element))

    def inline(
        self,
        element: Element,
        collector: _Collector,
        base: str | None,
        kind: str,
        state: dict[str, Any],
        boilerplate: bool,
        top: bool = False,
        flat: bool = False,
    ) -> None:
        """Collect the text of ``element``.

        A block nested in a block (a list in a paragraph) closes the passage so far, becomes
        passages of its own, and the text after it goes on in a fresh passage. Inside a note
        (``flat``) nested blocks are joined into the note's text instead.
        """
        name = local(element)
        span: tuple[str, int] | None = None  # kind, start
        if not top:
            if name in MENTION_TYPES and (element.get("ref") or element.get("corresp")):
                span = ("mention", collector.next_position)
            elif name in ("ref", "ptr") and element.get("target"):
                span = ("ref", collector.next_position)
            if element.get(XML_ID):
                collector.ids.append(element.get(XML_ID))
        collector.add(element.text)
        for child in element:
            child_name = local(child)
            if child_name is None or child_name in ("fw", "graphic"):
                pass
            elif child_name == "note":
                key = self._note_key()
                collector.notes.append((child, collector.length, key))
            elif child_name == "pb":
                if child.get("n"):
                    collector.pages.append((child.get("n"), collector.next_position))
            elif child_name == "lb":
                collector.space()
            elif child_name == "anchor":
                if child.get(XML_ID):
                    collector.ids.append(child.get(XML_ID))
            elif not flat and (
                child_name in ("list", "table", "listBibl", "lg", "p")
                or (child_name in ("quote", "floatingText") and _has_blocks(child))
            ):
                self.flush(collector, element, kind, base, state, boilerplate)
                if child_name == "p":
                    self.block(child, "paragraph", base, state)
                else:
                    self.walk_container(child, base, state)
                collector.reset()
            else:
                if child_name == "cell" or (flat and child_name in BLOCKS):
                    collector.space()
                self.inline(child, collector, base, kind, state, boilerplate, flat=flat)
                if flat and child_name in BLOCKS:
                    collector.space()
            collector.add(child.tail)
        if span is not None:
            collector.spans.append((span[0], element, span[1], collector.length))

    def _note_key(self) -> str:
        self.note_serial += 1
        return f"note{self.note_serial}"

    # -- notes and mentions -------------------------------------------------------------

    def footnote(self, note: Element, key: str) -> None:
        number = len(self.footnotes) + 1
        collector = _Collector(preserve=preserved(note))
        self.inline(note, collector, None, "note", {}, False, top=True, flat=True)
        text = collector.text.strip()
        places = self.builder.anchors.pop(key, [])
        offset, passage_ref = places[0] if places else (None, None)
        if note.get("type") == "unanchored":
            offset, passage_ref = None, None  # a note whose marker the text does not print
        if not text:
            return
        own = note.get(XML_ID)
        ref = own if own and own not in self.note_ids.values() else f"fn{number}"
        if own:
            self.note_ids[own] = ref
        self.footnotes.append(
            FootnoteRecord(
                ref=ref,
                marker=(note.get("n") or str(number)).strip()[:50] or str(number),
                number=number,
                text=text,
                offset=offset,
                passage_ref=passage_ref,
            )
        )
        shift = len(collector.text) - len(collector.text.lstrip())
        for span_kind, element, start, end in collector.spans:
            start, end = max(start - shift, 0), min(end - shift, len(text))
            if span_kind == "mention" and start < end:
                self._mention(element, "footnote", ref, text, start, end)
            elif span_kind == "ref" and start <= end:
                self.xrefs.append(("footnote", ref, start, end, element))
        for identifier in collector.ids:
            self.note_ids.setdefault(identifier, ref)

    def _mention(
        self, element: Element, container: str, ref: str, text: str, start: int, end: int
    ) -> None:
        found = mention(element, container, ref, text, start, end, self.entity_ids)
        if found is not None:
            self.mentions.append(found)


def _has_blocks(element: Element) -> bool:
    return any(local(child) in ("p", "list", "table", "lg", "listBibl") for child in element)
