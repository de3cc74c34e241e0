"""Reader for TEI P5 as the Office of the Historian publishes it (and as Quellen exports it).

One file is one document. What the reader takes from it, and the module that reads it:

- ``teiHeader`` → metadata: titles, authors (or editors), the created date, identifiers
  (``idno``), the collection (``seriesStmt``), provenance (``sourceDesc``), curatorial
  notes (``notesStmt``), language, source type and genre (``textClass``) — header.py;
- ``div`` structure → sections and passages with refs that stay the same across
  re-imports as long as the structure does; ``note`` → footnotes anchored exactly where
  they stand; ``pb`` → page markers; ``lb`` → a space — body.py;
- ``persName``/``placeName``/``orgName``/``term``/``name`` pointing (``@ref``, ``@corresp``)
  at an entity the file names (``listPerson``, ``listPlace``, ``listOrg``, ``listEvent``,
  ``listNym``, or an element carrying the ``xml:id``) → curated mentions — entities.py;
- ``ref``/``ptr`` targets → cross-references: ``#id`` in the same file (a footnote, or the
  passage holding that id), ``../chapter-7#fn67`` (the document carrying ``chapter-7``, its
  note ``chapter-7fn67``), a sibling file name, or a URL. They are resolved after the whole
  batch is loaded (scheme ``tei``: file names and ``xml:id`` of divisions are identifiers)
  — targets.py.

This module puts them together in that order: the entities first (mentions point at
them), then the text, then the references (they point at the text's notes and passages),
then the header fields that depend on what the text turned out to hold (a book of
chapters is a secondary source, a monograph).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from api.errors import IngestError
from api.formats.dateline import genre_from_title
from api.formats.markdown.reader import slugify
from api.formats.tei.body import BodyReader
from api.formats.tei.entities import read_entities
from api.formats.tei.header import created_date, provenance, quellen_id, read_header
from api.formats.tei.targets import cross_reference, relations
from api.formats.tei.tree import SUFFIXES, XML_ID, child, local
from api.formats.validation import explain
from api.formats.xmlsafe import parse_xml
from api.records.record import CollectionRecord, DocumentRecord, EntityRecord, EventRecord

__all__ = ["SUFFIXES", "TeiDocument", "read_tei"]

_POSITIONAL_DIV = re.compile(r"^(.*\.)?d\d+$")  # a div ref from its position, not its xml:id


@dataclass
class TeiDocument:
    """What one TEI file holds: the document, its collection and the entities it names."""

    document: DocumentRecord
    collection: CollectionRecord | None = None
    entities: list[EntityRecord] = field(default_factory=list)  # the file's own (upserted)
    events: list[EventRecord] = field(default_factory=list)
    known: list[EntityRecord | EventRecord] = field(default_factory=list)  # Quellen ids


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
    if local(root) != "TEI":
        raise IngestError(path, f"the root element is <{local(root)}>, not <TEI>", root.sourceline)
    header = child(root, "teiHeader")
    text = child(root, "text")
    if header is None or text is None:
        raise IngestError(path, "a TEI document needs a <teiHeader> and a <text>")
    own_id = quellen_id(header)
    doc_id = document_id or own_id or slugify(path.stem)
    source = provenance(header, path)
    named = read_entities(root, path.stem, path)
    body = BodyReader(path, named.ids, first_page=source.first_page)
    body.read(text)

    stand_off = relations(root, path)
    xrefs = []
    for container, ref, start, end, element in body.xrefs:
        record = cross_reference(
            container,
            ref,
            start,
            end,
            element,
            document=doc_id,
            note_ids=body.note_ids,
            passage_ids=body.id_to_passage,
        )
        if record is not None:
            xrefs.append(record)

    tei_keys: list[str] = []
    if own_id is None:
        # what other TEI files point at: the file name, the root's and the divisions' ids
        keys = {path.stem, *(i for i in [root.get(XML_ID)] if i)}
        keys |= {d for d in body.div_ids if not _POSITIONAL_DIV.match(d)}
        tei_keys = sorted(keys)
    meta = read_header(header, root, text, path, tei_keys)
    number = meta.number
    if number is None and len(body.document_numbers) == 1:
        number = body.document_numbers[0]
    source_type = meta.source_type or (
        "secondary" if body.saw_chapters and not body.saw_document_div else "primary"
    )
    genre = meta.genre
    if genre is None:
        genre = "monograph" if source_type == "secondary" and body.saw_chapters else None
        genre = (
            genre or genre_from_title(meta.title.split(" ", 1)[0]) or genre_from_title(meta.title)
        )
    collection = meta.collection
    try:
        document = DocumentRecord(
            id=doc_id,
            collection_id=collection_id
            or (collection.id if collection is not None else default_collection)
            or "",
            title=meta.title[:1000],
            authors=meta.authors,
            recipients=meta.recipients,
            date=created_date(header),
            source_type=source_type,
            genre=genre,
            language=meta.language,
            number=number,
            provenance=source,
            notes=meta.notes,
            identifiers=meta.identifiers,
            text=body.builder.text,
            passages=body.builder.passages,
            footnotes=body.footnotes,
            pages=body.builder.pages,
            mentions=body.mentions,
            cross_references=[*xrefs, *stand_off],
        )
    except ValidationError as exc:
        raise IngestError(path, explain(exc)) from exc
    except (TypeError, ValueError) as exc:
        raise IngestError(path, str(exc)) from exc
    if collection_id is not None:
        collection = None  # the caller chose the collection
    return TeiDocument(
        document=document,
        collection=collection,
        entities=named.entities,
        events=named.events,
        known=named.known,
    )
