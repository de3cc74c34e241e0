"""TEI P5 export: one well-formed TEI file per document, which the TEI reader reads back.

``document_tei(session, id)`` returns the bytes of one document (what a route serves);
``write_tei_folder`` writes FOLDER/<collection>/<document>.xml for a collection or all.

What goes where:

- header: titles, authors, identifiers (``idno``; ``type="quellen"`` is the document id),
  the collection (``seriesStmt``), curatorial notes (``notesStmt``), provenance
  (``sourceDesc/bibl[@type="quellen-provenance"]``), the created date, language, source
  type and genre (``textClass``), recipients (``correspDesc``);
- body: sections as ``div`` (``xml:id`` = section ref) holding ``head``, ``p``, ``list/item``,
  ``quote``, ``byline``, ``signed``, ``dateline`` and ``ab type="caption"``; every passage
  carries its ref as ``xml:id`` (a section's heading takes the div's); ``pb`` where pages
  begin; footnotes as ``note`` where their markers stand (``n`` = marker, ``xml:id`` =
  ref; a note without a marker is ``type="unanchored"``, kept in order);
- curated mentions as ``persName``/``placeName``/``orgName``/``term``/``name`` with ``@ref``
  to an entity listed in ``standOff`` (with ``<idno type="quellen">``, so the reader links
  it to the same entity); curated cross-references as ``ref``/``ptr`` (``@type`` = relation,
  ``@n`` = label) or, without a span, ``listRelation/relation``. Targets are written
  ``quellen:document:ID`` or ``quellen:SCHEME:VALUE`` with ``#p:REF``/``#fn:REF``.

The root carries ``xml:space="preserve"``: the text of every element is exactly the
stored text, so export → import → export gives the same bytes. Rejected and automatic
mentions, detected and inferred references are not written (the bundle keeps rejected
mentions; the linker recomputes the rest).
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlmodel import Session, col

from api.db.models import Entity, Event
from api.errors import NotFound
from api.formats.tei.markup import (
    TEI_NS,
    XML_NS,
    Maker,
    PointMaker,
    SpanMaker,
    T,
    el,
    fill,
    indent,
    nested,
    serialize,
)
from api.formats.tei.targets import encode_target
from api.records.read import collection_records, document_ids, document_records
from api.records.record import (
    CollectionRecord,
    CrossReferenceRecord,
    DocumentRecord,
    EntityRecord,
    EventRecord,
    FootnoteRecord,
    MarkRecord,
    MentionRecord,
)

KIND_ELEMENTS = {
    "heading": "head",
    "paragraph": "p",
    "list_item": "item",
    "quotation": "quote",
    "attribution": "byline",
    "signature": "signed",
    "dateline": "dateline",
    "caption": "ab",
    "editorial": "ab",
    "table": "table",
}
MENTION_ELEMENTS = {
    "person": "persName",
    "place": "placeName",
    "organization": "orgName",
    "group": "orgName",
    "term": "term",
    "event": "name",
}
LISTS = {
    "person": ("listPerson", "person", "persName"),
    "place": ("listPlace", "place", "placeName"),
    "organization": ("listOrg", "org", "orgName"),
    "group": ("listOrg", "org", "orgName"),
    "term": ("listNym", "nym", "form"),
    "event": ("listEvent", "event", "label"),
}


class _Writer:
    def __init__(self, record: DocumentRecord, entities: dict[str, EntityRecord | EventRecord]):
        self.record = record
        self.entities = entities
        self.used: dict[str, EntityRecord | EventRecord] = {}
        self._head_rows = 0

    def mention_maker(self, mention: MentionRecord) -> Maker | None:
        entity = self.entities.get(mention.entity_id)
        if entity is None or mention.status != "curated":
            return None
        self.used[entity.id] = entity
        type_ = "event" if isinstance(entity, EventRecord) else entity.type
        tag = MENTION_ELEMENTS[type_]
        return lambda parent: el(
            parent, tag, ref=f"#e-{entity.id}", type="event" if tag == "name" else None
        )

    def xref_maker(self, xref: CrossReferenceRecord, empty: bool) -> Maker:
        target = encode_target(xref.target)
        return lambda parent: el(
            parent,
            "ptr" if empty else "ref",
            target=target,
            type=xref.relation,
            n=xref.target.label,
        )

    def note_maker(self, note: FootnoteRecord, unanchored: bool) -> Maker:
        def make(parent: Any) -> Any:
            element = el(
                parent,
                "note",
                place="foot",
                n=note.marker,
                type="unanchored" if unanchored else None,
                **{"xml__id": note.ref},
            )
            self.inline(element, note.text, "footnote", note.ref, [])
            return element

        return make

    def inline(
        self,
        parent: Any,
        text: str,
        container: str,
        ref: str,
        points: list[PointMaker],
        marks: Sequence[MarkRecord] = (),
        cells: Sequence[tuple[int, int, int]] | None = None,
    ) -> None:
        """Write ``text`` into ``parent`` with its marks, mentions, references and points;
        a table's text goes cell by cell (``cells``: row, start, end), in rows and cells."""
        spans: list[SpanMaker] = [(mark.start, mark.end, _mark_maker(mark.type)) for mark in marks]
        for mention in self.record.mentions:
            if mention.container == container and mention.ref == ref:
                maker = self.mention_maker(mention)
                if maker is not None:
                    spans.append((mention.start, mention.end, maker))
        for xref in self.record.cross_references:
            if (
                xref.container == container
                and xref.ref == ref
                and xref.start is not None
                and xref.end is not None
            ):
                spans.append((xref.start, xref.end, self.xref_maker(xref, xref.start == xref.end)))
        zero = [s for s in spans if s[0] == s[1]]
        ranged = nested([s for s in spans if s[0] < s[1]])
        points = sorted(
            [*points, *((s[0], s[2]) for s in zero)], key=lambda p: p[0]
        )  # stable: notes keep their order
        if cells is None:
            fill(parent, text, ranged, points)
            return
        row_element: Any = None
        current_row = -1
        for row, start, end in cells:
            if row != current_row:
                current_row = row
                row_element = el(parent, "row", role="label" if row < self._head_rows else None)
            cell = el(row_element, "cell")
            inside = [s for s in ranged if start <= s[0] and s[1] <= end]
            mine = [p for p in points if start <= p[0] <= end]
            points = [p for p in points if not start <= p[0] <= end]
            fill(cell, text, inside, mine, start, end)

    def body(self, body: Any) -> None:
        record = self.record
        notes_by_passage: dict[str, list[FootnoteRecord]] = {}
        floating: list[FootnoteRecord] = []
        for note in record.footnotes:
            if note.passage_ref is None:
                floating.append(note)
            else:
                notes_by_passage.setdefault(note.passage_ref, []).append(note)
        # an unanchored note is written just before the next note in number order
        order = sorted(record.footnotes, key=lambda n: n.number)
        unanchored_before: dict[str, list[FootnoteRecord]] = {}
        trailing: list[FootnoteRecord] = []
        waiting: list[FootnoteRecord] = []
        for note in order:
            if note.passage_ref is None:
                waiting.append(note)
            elif waiting:
                unanchored_before[note.ref] = waiting
                waiting = []
        trailing = waiting
        container = body
        section: str | None = None
        current_list: Any = None
        last_kind = None
        pages = list(record.pages)
        for index, passage in enumerate(record.passages):
            if passage.section_ref != section:
                section = passage.section_ref
                container = body if section is None else el(body, "div", **{"xml__id": section})
                current_list = None
            while pages and pages[0].offset <= passage.start:
                el(container, "pb", n=pages.pop(0).n)
                current_list = None
            if passage.kind == "list_item":
                if current_list is None or last_kind != "list_item":
                    current_list = el(container, "list")
                parent = current_list
            else:
                current_list = None
                parent = container
            last_kind = passage.kind
            attributes: dict[str, str | None] = {
                "type": passage.kind if passage.kind in ("caption", "editorial") else None,
                "rend": "boilerplate" if passage.boilerplate else None,
            }
            if passage.level is not None:
                attributes["rend"] = f"h{passage.level}"
            if passage.label is not None:
                attributes["n"] = passage.label
            if passage.ref != passage.section_ref or passage.kind != "heading":
                attributes["xml__id"] = passage.ref
            element = el(parent, KIND_ELEMENTS[passage.kind], **attributes)
            points: list[PointMaker] = []
            last_passage = index == len(record.passages) - 1
            while pages and (
                pages[0].offset < passage.end or (last_passage and pages[0].offset == passage.end)
            ):
                page = pages.pop(0)
                points.append((page.offset - passage.start, _page_maker(page.n)))
            for note in sorted(notes_by_passage.get(passage.ref, []), key=lambda n: n.number):
                offset = (note.offset or passage.start) - passage.start
                for early in unanchored_before.get(note.ref, []):
                    points.append((offset, self.note_maker(early, True)))
                points.append((offset, self.note_maker(note, False)))
            if last_passage:
                for note in trailing:
                    points.append((len(passage.text), self.note_maker(note, True)))
            points.sort(key=lambda p: p[0])
            cells = None
            if passage.table is not None:
                cells = _cells(passage.text)
                self._head_rows = passage.table.header_rows
            self.inline(element, passage.text, "passage", passage.ref, points, passage.marks, cells)
        for page in pages:
            el(container, "pb", n=page.n)


def _mark_maker(kind: str) -> Maker:
    return lambda parent: el(parent, "hi", rend=kind)


def _cells(text: str) -> list[tuple[int, int, int]]:
    """(row, start, end) of each cell of a table passage's text (tabs part cells, lines rows)."""
    found: list[tuple[int, int, int]] = []
    position = 0
    for row, line in enumerate(text.split("\n")):
        start = position
        for cell in line.split("\t"):
            found.append((row, start, start + len(cell)))
            start += len(cell) + 1
        position += len(line) + 1
    return found


def _page_maker(n: str) -> Maker:
    return lambda parent: el(parent, "pb", n=n)


def _header(root: Any, record: DocumentRecord, collection: CollectionRecord | None) -> None:
    header = el(root, "teiHeader")
    file_desc = el(header, "fileDesc")
    title_stmt = el(file_desc, "titleStmt")
    el(title_stmt, "title", record.title, type="complete")
    for author in record.authors:
        el(title_stmt, "author", author)
    publication = el(file_desc, "publicationStmt")
    el(publication, "authority", "Quellen")
    el(publication, "idno", record.id, type="quellen")
    if record.number is not None:
        el(publication, "idno", record.number, type="number")
    for identifier in record.identifiers:
        el(publication, "idno", identifier.value, type=identifier.scheme)
    if collection is not None:
        series = el(file_desc, "seriesStmt")
        el(series, "title", collection.title)
        el(series, "idno", collection.id, type="quellen")
        if collection.publisher is not None:
            resp = el(series, "respStmt")
            el(resp, "resp", "publisher")
            el(resp, "name", collection.publisher)
    notes: list[tuple[str, str]] = [(n.kind, n.text) for n in record.notes]
    if collection is not None and collection.description is not None:
        notes.append(("collection-description", collection.description))
    if notes:
        notes_stmt = el(file_desc, "notesStmt")
        for kind, text in notes:
            el(notes_stmt, "note", text, type=kind)
    source = el(file_desc, "sourceDesc")
    bibl = el(source, "bibl", type="quellen-provenance")
    p = record.provenance
    if p.publisher is not None:
        el(bibl, "publisher", p.publisher)
    if p.container_title is not None:
        el(bibl, "title", p.container_title, level="m")
    for unit, value in (("volume", p.volume), ("page", p.pages), ("first-page", p.first_page)):
        if value is not None:
            el(bibl, "biblScope", value, unit=unit)
    for archival in p.archival_ids:
        el(bibl, "idno", archival.value, type=archival.scheme, source=archival.repository)
    if p.url is not None:
        el(bibl, "ref", target=p.url)
    if p.accessed is not None:
        el(bibl, "date", p.accessed, type="accessed")
    if p.place is not None:
        el(bibl, "placeName", p.place)
    if p.time is not None:
        el(bibl, "time", p.time)
    for kind, value in (
        ("rights", p.rights),
        ("source_file", p.source_file),
        ("order", None if p.order is None else str(p.order)),
        ("classification", p.classification),
    ):
        if value is not None:
            el(bibl, "note", value, type=kind)
    profile = el(header, "profileDesc")
    if record.date is not None:
        creation = el(profile, "creation")
        plain = len(record.date) in (4, 7, 10) and record.date.replace("-", "").isdigit()
        el(creation, "date", record.date, type="created", when=record.date if plain else None)
    el(el(profile, "langUsage"), "language", ident=record.language)
    keywords = el(el(profile, "textClass"), "keywords", scheme="#quellen")
    el(keywords, "term", record.source_type, type="source_type")
    if record.genre is not None:
        el(keywords, "term", record.genre, type="genre")
    if record.recipients:
        action = el(el(profile, "correspDesc"), "correspAction", type="received")
        for recipient in record.recipients:
            el(action, "name", recipient)


def _stand_off(root: Any, writer: _Writer, record: DocumentRecord) -> None:
    relations = [
        x
        for x in record.cross_references
        if x.container == "document" or x.start is None or x.end is None
    ]
    if not writer.used and not relations:
        return
    stand_off = el(root, "standOff")
    lists: dict[str, Any] = {}
    for entity_id in sorted(writer.used):
        entity = writer.used[entity_id]
        type_ = "event" if isinstance(entity, EventRecord) else entity.type
        list_name, item_name, name_tag = LISTS[type_]
        holder = lists.get(list_name)
        if holder is None:
            holder = lists[list_name] = el(stand_off, list_name)
        item_type = (
            entity.event_type
            if isinstance(entity, EventRecord)
            else ("group" if type_ == "group" else None)
        )
        item = el(holder, item_name, type=item_type, **{"xml__id": f"e-{entity.id}"})
        el(item, "idno", entity.id, type="quellen")
        el(item, name_tag, entity.name)
        if entity.description is not None:
            el(item, "note", entity.description, type="description")
    if relations:
        holder = el(stand_off, "listRelation")
        for xref in relations:
            el(
                holder,
                "relation",
                name=xref.relation,
                active=f"#{xref.ref}" if xref.container != "document" else None,
                type=xref.container if xref.container != "document" else None,
                passive=encode_target(xref.target),
                n=xref.target.label,
            )


def render(
    record: DocumentRecord,
    collection: CollectionRecord | None,
    entities: dict[str, EntityRecord | EventRecord],
) -> bytes:
    """The TEI bytes of one record."""
    root = etree.Element(T + "TEI", nsmap={None: TEI_NS})
    root.set(f"{{{XML_NS}}}space", "preserve")
    root.set(f"{{{XML_NS}}}lang", record.language)
    _header(root, record, collection)
    writer = _Writer(record, entities)
    text = el(root, "text")
    body = el(text, "body")
    writer.body(body)
    _stand_off(root, writer, record)
    stand_off = root.find(T + "standOff")
    if stand_off is not None:
        root.remove(stand_off)
        root.insert(1, stand_off)
    indent(root)
    return serialize(root)


def _entities(session: Session, ids: set[str]) -> dict[str, EntityRecord | EventRecord]:
    if not ids:
        return {}
    found: dict[str, EntityRecord | EventRecord] = {}
    events = {
        e.id: e for e in session.execute(select(Event).where(col(Event.id).in_(ids))).scalars()
    }
    for entity in session.execute(select(Entity).where(col(Entity.id).in_(ids))).scalars():
        if entity.id in events:
            found[entity.id] = EventRecord(
                id=entity.id,
                name=entity.name,
                event_type=events[entity.id].event_type,
                description=entity.description,
            )
        else:
            found[entity.id] = EntityRecord(
                id=entity.id,
                type=entity.type,
                name=entity.name,
                description=entity.description,
            )
    return found


def document_tei(session: Session, document_id: str) -> bytes:
    """One stored document as TEI (NotFound when there is none): what a route serves."""
    records = list(document_records(session, [document_id]))
    if not records:
        raise NotFound("document", document_id)
    record = records[0]
    collections = collection_records(session, record.collection_id)
    ids = {m.entity_id for m in record.mentions if m.status == "curated"}
    return render(record, collections[0] if collections else None, _entities(session, ids))


def write_tei_folder(session: Session, folder: Path, collection_id: str | None = None) -> int:
    """Write FOLDER/<collection>/<document>.xml; returns the number of documents written."""
    collections = {c.id: c for c in collection_records(session, collection_id)}
    count = 0
    ids = document_ids(session, collection_id)
    for record in document_records(session, ids):
        entity_ids = {m.entity_id for m in record.mentions if m.status == "curated"}
        data = render(record, collections.get(record.collection_id), _entities(session, entity_ids))
        target = folder / record.collection_id / f"{record.id}.xml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        count += 1
    return count
