"""Reader for TEI P5 as the Office of the Historian publishes it (and as Quellen exports it).

One file is one document. What the reader takes from it:

- ``teiHeader`` → metadata: titles, authors (or editors), the created date, identifiers
  (``idno``), the collection (``seriesStmt``), provenance (``sourceDesc``), curatorial
  notes (``notesStmt``), language, source type and genre (``textClass``);
- ``div`` structure → sections and passages. A div's ref is its ``xml:id`` (``chapter-7``)
  or, without one, its position (``d2``, ``chapter-7.d1``); its heading takes the div's ref
  and the passages after it ``chapter-7.p1``, ``chapter-7.p2``… — or their own ``xml:id``.
  Refs therefore stay the same across re-imports as long as the structure does;
- ``note`` → footnotes anchored exactly where they stand, ref from ``xml:id``
  (``chapter-7fn67``), marker as printed from ``@n`` (markers repeat: notes are numbered
  per chapter), number = position in the document;
- ``pb`` → page markers; ``lb`` → a space;
- ``persName``/``placeName``/``orgName``/``term``/``name`` pointing (``@ref``, ``@corresp``)
  at an entity the file names (``listPerson``, ``listPlace``, ``listOrg``, ``listEvent``,
  ``listNym``, or an element carrying the ``xml:id``) → curated mentions. Entities get ids
  prefixed with ``tei-`` and the file name, so they never clash with the curated registry;
  an entity that carries ``<idno type="quellen">`` is that Quellen entity (as exported). A
  mention of an entity the file does not name is skipped, never invented;
- ``ref``/``ptr`` targets → cross-references: ``#id`` in the same file (a footnote, or the
  passage holding that id), ``../chapter-7#fn67`` (the document carrying ``chapter-7``, its
  note ``chapter-7fn67``), a sibling file name, or a URL. They are resolved after the whole
  batch is loaded (scheme ``tei``: file names and ``xml:id`` of divisions are identifiers).

Whitespace is XML's: runs of spaces, tabs and newlines become one space, except under
``xml:space="preserve"`` (the exporter writes it where the text needs it).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from pydantic import ValidationError

from api.errors import IngestError
from api.formats.dateline import genre_from_title
from api.formats.markdown.reader import slugify
from api.formats.plaintext import _explain
from api.formats.xmlsafe import parse_xml
from api.records.builder import PendingPassage, TextBuilder
from api.records.dates import parse_edtf
from api.records.record import (
    PASSAGE_KINDS,
    RELATIONS,
    ArchivalId,
    CollectionRecord,
    CrossReferenceRecord,
    CuratorialNote,
    DocumentRecord,
    EntityRecord,
    EventRecord,
    FootnoteRecord,
    IdentifierRecord,
    MentionRecord,
    Provenance,
    TargetRecord,
)

XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SUFFIXES = (".xml", ".tei")
QUELLEN = "quellen"  # @type of idno and keywords the exporter writes
PROVENANCE_BIBL = "quellen-provenance"

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
MENTION_TYPES = {
    "persName": "person",
    "placeName": "place",
    "orgName": "organization",
    "term": "term",
    "name": None,  # typed by @type, or by the entity it points at
}
_WS = re.compile(r"[ \t\r\n]+")
_RANGE = re.compile(r"^#?range\(\s*#?([^,\s)]+)")
_FOOTNOTE_FRAGMENT = re.compile(r"^fn\d+[a-z]?$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


TARGET_PREFIX = "quellen:"


def encode_target(target: TargetRecord) -> str:
    """``quellen:document:ID`` or ``quellen:SCHEME:VALUE``, with ``#p:REF`` or ``#fn:REF``.

    The exporter writes cross-reference targets this way so that they read back exactly.
    """
    if target.document is not None:
        head = f"{TARGET_PREFIX}document:{quote(target.document, safe='')}"
    else:
        scheme, value = quote(target.scheme or "", safe=""), quote(target.value or "", safe="")
        head = f"{TARGET_PREFIX}{scheme}:{value}"
    if target.footnote is not None:
        return f"{head}#fn:{quote(target.footnote, safe='')}"
    if target.passage is not None:
        return f"{head}#p:{quote(target.passage, safe='')}"
    return head


def decode_target(value: str, label: str | None) -> TargetRecord | None:
    """The inverse of ``encode_target``; None when ``value`` is not one of ours."""
    if not value.startswith(TARGET_PREFIX):
        return None
    body, _, fragment = value[len(TARGET_PREFIX) :].partition("#")
    scheme, _, identifier = body.partition(":")
    fields: dict[str, Any] = {"label": label}
    if fragment.startswith("fn:"):
        fields["footnote"] = unquote(fragment[3:])
    elif fragment.startswith("p:"):
        fields["passage"] = unquote(fragment[2:])
    if scheme == "document":
        fields["document"] = unquote(identifier)
    else:
        fields["scheme"], fields["value"] = unquote(scheme), unquote(identifier)
    return TargetRecord(**fields)


def _local(element: Any) -> str | None:
    tag = element.tag
    if not isinstance(tag, str):
        return None  # comments, processing instructions, unresolved entities
    return tag.rsplit("}", 1)[-1]


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child) == name]


def _child(element: Any, name: str) -> Any | None:
    for child in element:
        if _local(child) == name:
            return child
    return None


def _find(element: Any, *path: str) -> Any | None:
    current = element
    for name in path:
        if current is None:
            return None
        current = _child(current, name)
    return current


def _preserved(element: Any) -> bool:
    for node in (element, *element.iterancestors()):
        space = node.get(XML_SPACE)
        if space is not None:
            return bool(space == "preserve")
    return False


def _plain(element: Any) -> str:
    """All text below ``element``, notes left out; whitespace collapsed unless preserved."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        name = _local(node)
        if name == "note" and node is not element:
            return
        if name is not None and node.text:
            parts.append(node.text)
        for child in node:
            if _local(child) in ("lb",):
                parts.append(" ")
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    if _preserved(element):
        return "".join(parts)
    return _WS.sub(" ", "".join(parts)).strip()


@dataclass
class _Span:
    """An open span (mention or reference) inside the text being collected."""

    kind: str  # "mention" or "ref"
    element: Any
    start: int


@dataclass
class _Collector:
    """Text of one passage or note, with the offsets of what is anchored in it."""

    preserve: bool = False
    parts: list[str] = field(default_factory=list)
    length: int = 0
    pending_space: bool = False
    notes: list[tuple[Any, int, str]] = field(default_factory=list)  # (note, offset, key)
    pages: list[tuple[str, int]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    spans: list[tuple[str, Any, int, int]] = field(default_factory=list)  # kind, el, start, end

    def add(self, text: str | None) -> None:
        if not text:
            return
        if self.preserve:
            self.parts.append(text)
            self.length += len(text)
            return
        collapsed = _WS.sub(" ", text)
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


@dataclass
class TeiDocument:
    """What one TEI file holds: the document, its collection and the entities it names."""

    document: DocumentRecord
    collection: CollectionRecord | None = None
    entities: list[EntityRecord] = field(default_factory=list)  # the file's own (upserted)
    events: list[EventRecord] = field(default_factory=list)
    known: list[EntityRecord | EventRecord] = field(default_factory=list)  # Quellen ids


class _Reader:
    def __init__(self, root: Any, path: Path, doc_id: str):
        self.root = root
        self.path = path
        self.doc_id = doc_id
        self.builder = TextBuilder()
        self.refs: set[str] = set()
        self.counters: dict[str | None, int] = {}
        self.id_to_passage: dict[str, str] = {}
        self.note_ids: dict[str, str] = {}
        self.footnotes: list[FootnoteRecord] = []
        self.mentions: list[MentionRecord] = []
        self.xrefs: list[tuple[str, str, int | None, int | None, Any]] = []
        self.pending_notes: list[tuple[Any, str]] = []  # (note, key)
        self.note_serial = 0
        self.pending_ids: list[str] = []
        self.div_ids: list[str] = []
        self.entity_ids: dict[str, tuple[str, str]] = {}  # xml:id -> (entity id, type)
        self.saw_chapters = False
        self.saw_document_div = False
        self.document_numbers: list[str] = []

    # -- refs ---------------------------------------------------------------------------

    def _unique(self, ref: str) -> str:
        candidate, n = ref[:190], 2
        while candidate in self.refs:
            candidate = f"{ref[:185]}-{n}"
            n += 1
        self.refs.add(candidate)
        return candidate

    def _next_ref(self, base: str | None, element: Any, kind: str, first_in_div: bool) -> str:
        own = element.get(XML_ID)
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

    def walk_container(self, element: Any, base: str | None, state: dict[str, Any]) -> None:
        div_count = 0
        for child in element:
            name = _local(child)
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

    def block(self, element: Any, kind: str, base: str | None, state: dict[str, Any]) -> None:
        preserve = _preserved(element)
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
        element: Any,
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
                self.mention(span_element, "passage", ref, text, start, end)
            elif span_kind == "ref" and start <= end:
                self.xrefs.append(("passage", ref, start, end, span_element))

    def inline(
        self,
        element: Any,
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
        name = _local(element)
        span: _Span | None = None
        if not top:
            if name in MENTION_TYPES and (element.get("ref") or element.get("corresp")):
                span = _Span("mention", element, collector.next_position)
            elif name in ("ref", "ptr") and element.get("target"):
                span = _Span("ref", element, collector.next_position)
            if element.get(XML_ID):
                collector.ids.append(element.get(XML_ID))
        collector.add(element.text)
        for child in element:
            child_name = _local(child)
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
            collector.spans.append((span.kind, span.element, span.start, collector.length))

    def _note_key(self) -> str:
        self.note_serial += 1
        return f"note{self.note_serial}"

    # -- notes, mentions, references ----------------------------------------------------

    def footnote(self, note: Any, key: str) -> None:
        number = len(self.footnotes) + 1
        collector = _Collector(preserve=_preserved(note))
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
                self.mention(element, "footnote", ref, text, start, end)
            elif span_kind == "ref" and start <= end:
                self.xrefs.append(("footnote", ref, start, end, element))
        for identifier in collector.ids:
            self.note_ids.setdefault(identifier, ref)

    def mention(
        self, element: Any, container: str, ref: str, text: str, start: int, end: int
    ) -> None:
        target = (element.get("ref") or element.get("corresp") or "").split()[0]
        if not target.startswith("#"):
            return
        entity = self.entity_ids.get(target[1:])
        if entity is None:
            return  # an entity the file does not name: skipped, not invented
        self.mentions.append(
            MentionRecord(
                container=container,  # type: ignore[arg-type]
                ref=ref,
                start=start,
                end=end,
                surface=text[start:end],
                entity_id=entity[0],
                status="rejected" if element.get("cert") == "rejected" else "curated",
            )
        )

    def cross_reference(
        self, container: str, ref: str, start: int | None, end: int | None, element: Any
    ) -> CrossReferenceRecord | None:
        raw = (element.get("target") or "").split()
        if not raw:
            return None
        target = raw[0]
        relation = element.get("type") if element.get("type") in RELATIONS else None
        if relation is None:
            relation = "cites" if container == "footnote" else "see_also"
        ours = decode_target(target, element.get("n"))
        if ours is not None:
            return CrossReferenceRecord(
                container=container,  # type: ignore[arg-type]
                ref=ref,
                start=start,
                end=end,
                relation=relation,  # type: ignore[arg-type]
                target=ours,
            )
        label = _plain(element) or None
        range_match = _RANGE.match(target)
        if range_match:
            target = "#" + range_match.group(1)
        if _URL.match(target):
            destination = TargetRecord(scheme="url", value=target[:500], label=label)
        elif target.startswith("#"):
            key = target[1:]
            if key in self.note_ids:
                destination = TargetRecord(document=self.doc_id, footnote=self.note_ids[key])
            elif key in self.id_to_passage:
                destination = TargetRecord(document=self.doc_id, passage=self.id_to_passage[key])
            else:
                destination = TargetRecord(scheme="tei", value=f"{self.doc_id}#{key}"[:500])
            destination.label = label
        else:
            file_part, _, fragment = target.partition("#")
            stem = file_part.rstrip("/").rsplit("/", 1)[-1]
            for suffix in SUFFIXES:
                if stem.endswith(suffix):
                    stem = stem[: -len(suffix)]
            if not stem:
                return None
            footnote = passage = None
            if fragment and _FOOTNOTE_FRAGMENT.match(fragment):
                # history.state.gov: chapter-7#fn67 is the note chapter-7fn67 of the book
                footnote = f"{stem}{fragment}"
            elif fragment:
                passage = fragment
            destination = TargetRecord(
                scheme="tei", value=stem[:500], footnote=footnote, passage=passage, label=label
            )
        return CrossReferenceRecord(
            container=container,  # type: ignore[arg-type]
            ref=ref,
            start=start,
            end=end,
            relation=relation,  # type: ignore[arg-type]
            target=destination,
        )


def _has_blocks(element: Any) -> bool:
    return any(_local(child) in ("p", "list", "table", "lg", "listBibl") for child in element)


# -- header ---------------------------------------------------------------------------


def _edtf_or_none(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    for candidate in (value, value[:10]):
        try:
            parse_edtf(candidate)
        except ValueError:
            continue
        return candidate
    return None


def _created_date(header: Any) -> str | None:
    candidates: list[Any] = []
    for holder in (
        _find(header, "fileDesc", "publicationStmt"),
        _find(header, "fileDesc", "sourceDesc"),
        _find(header, "profileDesc", "creation"),
    ):
        if holder is not None:
            candidates += [d for d in holder.iter() if _local(d) == "date"]
    created = [d for d in candidates if d.get("type") == "created"]
    others = [
        d for d in candidates if d.get("type") in (None, "publication", "published", "origin")
    ]
    for element in created + others:
        for value in (element.get("when"), element.get("notBefore"), _plain(element)):
            date = _edtf_or_none(value)
            if date:
                return date
    return None


def _keyword(header: Any, kind: str) -> str | None:
    text_class = _find(header, "profileDesc", "textClass")
    if text_class is None:
        return None
    for keywords in _children(text_class, "keywords"):
        if keywords.get("scheme") == f"#{QUELLEN}":
            for term in _children(keywords, "term"):
                if term.get("type") == kind:
                    return _plain(term) or None
    return None


def _provenance(header: Any, path: Path) -> Provenance:
    source = _find(header, "fileDesc", "sourceDesc")
    publication = _find(header, "fileDesc", "publicationStmt")
    fields: dict[str, Any] = {"archival_ids": []}
    bibl = None
    if source is not None:
        bibl = next(
            (b for b in _children(source, "bibl") if b.get("type") == PROVENANCE_BIBL), None
        )
    if bibl is not None:
        for child in bibl:
            name, value = _local(child), _plain(child)
            if name == "publisher":
                fields["publisher"] = value
            elif name == "title":
                fields["container_title"] = value
            elif name == "biblScope":
                unit = child.get("unit")
                key = {"volume": "volume", "page": "pages", "first-page": "first_page"}.get(
                    unit or ""
                )
                if key:
                    fields[key] = value
            elif name == "idno":
                fields["archival_ids"].append(
                    ArchivalId(
                        scheme=child.get("type") or "archival",
                        value=value,
                        repository=child.get("source"),
                    )
                )
            elif name == "ref":
                fields["url"] = child.get("target")
            elif name == "date" and child.get("type") == "accessed":
                fields["accessed"] = value
            elif name == "placeName":
                fields["place"] = value
            elif name == "time":
                fields["time"] = value
            elif name == "note" and child.get("type") in (
                "rights",
                "source_file",
                "order",
                "classification",
            ):
                fields[child.get("type")] = int(value) if child.get("type") == "order" else value
        return Provenance(**fields)
    if publication is not None:
        publisher = _child(publication, "publisher")
        if publisher is not None:
            fields["publisher"] = _plain(publisher)
        licence = _find(publication, "availability", "licence")
        if licence is not None:
            fields["rights"] = _plain(licence) or licence.get("target")
    if source is not None:
        link = next((r for r in source.iter() if _local(r) == "ref" and r.get("target")), None)
        if link is not None and _URL.match(link.get("target")):
            fields["url"] = link.get("target")
    fields["source_file"] = path.name
    return Provenance(**fields)


def _collection(header: Any) -> CollectionRecord | None:
    series = _find(header, "fileDesc", "seriesStmt")
    if series is None:
        return None
    idno = next((i for i in _children(series, "idno") if i.get("type") == QUELLEN), None)
    title = _child(series, "title")
    if idno is None and title is None:
        return None
    title_text = _plain(title) if title is not None else _plain(idno)
    notes = _find(header, "fileDesc", "notesStmt")
    description = None
    if notes is not None:
        description = next(
            (
                _plain(n)
                for n in _children(notes, "note")
                if n.get("type") == "collection-description"
            ),
            None,
        )
    publisher = None
    for resp in _children(series, "respStmt"):
        role, name = _child(resp, "resp"), _child(resp, "name")
        if role is not None and name is not None and _plain(role) == "publisher":
            publisher = _plain(name)
    return CollectionRecord(
        id=_plain(idno) if idno is not None else slugify(title_text),
        title=title_text,
        description=description,
        publisher=publisher,
    )


def _relations(root: Any, reader: "_Reader") -> list[CrossReferenceRecord]:
    """``standOff/listRelation/relation``: cross-references that have no span in the text."""
    found: list[CrossReferenceRecord] = []
    stand_off = _child(root, "standOff")
    if stand_off is None:
        return found
    for holder in _children(stand_off, "listRelation"):
        for relation in _children(holder, "relation"):
            target = decode_target(relation.get("passive") or "", relation.get("n"))
            name = relation.get("name")
            if target is None or name not in RELATIONS:
                continue
            active = (relation.get("active") or "").lstrip("#") or None
            container = relation.get("type") if active else "document"
            if container not in ("passage", "footnote", "document"):
                continue
            try:
                found.append(
                    CrossReferenceRecord(
                        container=container,  # type: ignore[arg-type]
                        ref=active,
                        relation=name,  # type: ignore[arg-type]
                        target=target,
                    )
                )
            except ValidationError as exc:
                raise IngestError(
                    reader.path, f"relation: {_explain(exc)}", relation.sourceline
                ) from exc
    return found


ENTITY_LISTS = {
    "person": ("person", "persName"),
    "place": ("place", "placeName"),
    "org": ("organization", "orgName"),
    "nym": ("term", "form"),
    "event": ("event", "label"),
}


def _entities(root: Any, stem: str, reader: _Reader) -> TeiDocument:
    """Entities the file names: list entries, and name elements carrying an xml:id."""
    found = TeiDocument(document=None)  # type: ignore[arg-type]
    prefix = f"tei-{slugify(stem)}"
    seen: set[str] = set()
    for element in root.iter():
        name = _local(element)
        xml_id = element.get(XML_ID) if name else None
        if not xml_id:
            continue
        if name in ENTITY_LISTS:
            type_, name_tag = ENTITY_LISTS[name]
            if name == "org" and element.get("type") == "group":
                type_ = "group"
            label = _child(element, name_tag)
            display = _plain(label) if label is not None else ""
            quellen = next(
                (i for i in _children(element, "idno") if i.get("type") == QUELLEN), None
            )
        elif name in MENTION_TYPES and MENTION_TYPES[name] is not None:
            type_ = MENTION_TYPES[name]  # type: ignore[assignment]
            display, quellen = _plain(element), None
        else:
            continue
        if not display:
            continue
        entity_id = _plain(quellen) if quellen is not None else f"{prefix}-{slugify(xml_id)}"
        if entity_id in seen:
            continue
        seen.add(entity_id)
        reader.entity_ids[xml_id] = (entity_id, type_)
        description = next(
            (_plain(n) for n in _children(element, "note") if n.get("type") == "description"),
            None,
        )
        try:
            record: EntityRecord | EventRecord
            if type_ == "event":
                record = EventRecord(
                    id=entity_id,
                    name=display[:500],
                    event_type=element.get("type") or "event",
                    description=description,
                )
            else:
                record = EntityRecord(
                    id=entity_id,
                    type=type_,  # type: ignore[arg-type]
                    name=display[:500],
                    description=description,
                )
        except ValidationError as exc:
            raise IngestError(reader.path, f"entity {xml_id!r}: {_explain(exc)}") from exc
        if quellen is not None:
            found.known.append(record)
        elif isinstance(record, EventRecord):
            found.events.append(record)
        else:
            found.entities.append(record)
    return found


def read_tei(
    data: bytes,
    path: Path,
    *,
    max_bytes: int,
    collection_id: str | None = None,
    default_collection: str | None = None,
    document_id: str | None = None,
) -> TeiDocument:
    """Read one TEI file (as bytes: XML declares its own encoding).

    ``collection_id`` puts the document in that collection whatever the file says;
    ``default_collection`` is used when its header names none (no ``seriesStmt``).
    """
    root = parse_xml(data, path, max_bytes=max_bytes)
    if _local(root) != "TEI":
        raise IngestError(path, f"the root element is <{_local(root)}>, not <TEI>", root.sourceline)
    header = _child(root, "teiHeader")
    text = _child(root, "text")
    if header is None or text is None:
        raise IngestError(path, "a TEI document needs a <teiHeader> and a <text>")
    publication = _find(header, "fileDesc", "publicationStmt")
    own_id = next(
        (
            _plain(i)
            for i in (_children(publication, "idno") if publication is not None else [])
            if i.get("type") == QUELLEN
        ),
        None,
    )
    doc_id = document_id or own_id or slugify(path.stem)
    provenance = _provenance(header, path)
    reader = _Reader(root, path, doc_id)
    reader.builder = TextBuilder(first_page=provenance.first_page)
    result = _entities(root, path.stem, reader)
    reader.walk_container(text, None, {"first": False})
    reader.builder.finish_pages()
    if reader.pending_notes:
        if not reader.builder.passages:
            raise IngestError(path, "the text holds no passages")
        last = reader.builder.passages[-1]
        for note, key in reader.pending_notes:
            reader.builder.anchors[key] = [(last.end, last.ref)]
            reader.footnote(note, key)
    if not reader.builder.passages:
        raise IngestError(path, "the text holds no passages", text.sourceline)

    xrefs = []
    relations = _relations(root, reader)
    for container, ref, start, end, element in reader.xrefs:
        record = reader.cross_reference(container, ref, start, end, element)
        if record is not None:
            xrefs.append(record)

    title_stmt = _find(header, "fileDesc", "titleStmt")
    titles = _children(title_stmt, "title") if title_stmt is not None else []
    title_element = next((t for t in titles if t.get("type") == "complete"), None)
    if title_element is None and titles:
        title_element = titles[0]
    title = _plain(title_element) if title_element is not None else path.stem
    people = [_plain(a) for a in _children(title_stmt, "author")] if title_stmt is not None else []
    if not people and title_stmt is not None:
        people = [_plain(e) for e in _children(title_stmt, "editor")]
    recipients = []
    correspondence = _find(header, "profileDesc", "correspDesc")
    if correspondence is not None:
        for action in _children(correspondence, "correspAction"):
            if action.get("type") == "received":
                recipients += [_plain(n) for n in action if _local(n) in ("persName", "name")]
    identifiers: list[IdentifierRecord] = []
    number = None
    if publication is not None:
        for idno in _children(publication, "idno"):
            scheme = idno.get("type") or "idno"
            if scheme == QUELLEN:
                continue
            if scheme == "number":
                number = _plain(idno)
                continue
            identifiers.append(IdentifierRecord(scheme=scheme[:50], value=_plain(idno)[:500]))
    if own_id is None:
        # what other TEI files point at: the file name, the root's and the divisions' ids
        tei_keys = {path.stem, *(i for i in [root.get(XML_ID)] if i)}
        tei_keys |= {d for d in reader.div_ids if not re.match(r"^(.*\.)?d\d+$", d)}
        identifiers += [IdentifierRecord(scheme="tei", value=k[:500]) for k in sorted(tei_keys)]
    unique: dict[tuple[str, str], IdentifierRecord] = {}
    for identifier in identifiers:
        unique.setdefault((identifier.scheme, identifier.value), identifier)
    if number is None and len(reader.document_numbers) == 1:
        number = reader.document_numbers[0]
    notes = []
    notes_stmt = _find(header, "fileDesc", "notesStmt")
    if notes_stmt is not None:
        for note in _children(notes_stmt, "note"):
            if note.get("type") in ("reliability", "editorial", "context", "transcription"):
                notes.append(CuratorialNote(kind=note.get("type"), text=_plain(note)))
    language = None
    lang_usage = _find(header, "profileDesc", "langUsage")
    if lang_usage is not None:
        first = _child(lang_usage, "language")
        language = first.get("ident") if first is not None else None
    language = language or root.get(XML_LANG) or text.get(XML_LANG) or "en"
    source_type = _keyword(header, "source_type") or (
        "secondary" if reader.saw_chapters and not reader.saw_document_div else "primary"
    )
    genre = _keyword(header, "genre")
    if genre is None:
        genre = "monograph" if source_type == "secondary" and reader.saw_chapters else None
        genre = genre or genre_from_title(title.split(" ", 1)[0]) or genre_from_title(title)
    collection = _collection(header)
    try:
        document = DocumentRecord(
            id=doc_id,
            collection_id=collection_id
            or (collection.id if collection is not None else default_collection)
            or "",
            title=title[:1000],
            authors=people,
            recipients=recipients,
            date=_created_date(header),
            source_type=source_type,  # type: ignore[arg-type]
            genre=genre,
            language=language,
            number=number,
            provenance=provenance,
            notes=notes,
            identifiers=list(unique.values()),
            text=reader.builder.text,
            passages=reader.builder.passages,
            footnotes=reader.footnotes,
            pages=reader.builder.pages,
            mentions=reader.mentions,
            cross_references=[*xrefs, *relations],
        )
    except ValidationError as exc:
        raise IngestError(path, _explain(exc)) from exc
    except (TypeError, ValueError) as exc:
        raise IngestError(path, str(exc)) from exc
    if collection_id is not None:
        collection = None  # the caller chose the collection
    result.document = document
    result.collection = collection
    return result
