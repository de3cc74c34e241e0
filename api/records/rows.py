"""A document record as the rows the loader writes: computed wherever the file is read.

Everything the loader writes that does not depend on the database is worked out here, from
the record alone: the fingerprint that tells an unchanged record, the document's columns,
and the rows of its passages (with the folded text the search index reads), notes, pages
and identifiers, as plain tuples in the column order of ``PASSAGE_COLUMNS`` and its
siblings. An import can then do this work in the processes that read its files
(``api.ingest.importer.read_all``), hand over rows that are cheap to send, and leave the
writing process nothing but the statements. What does depend on the database — whether
the document exists, the ids of rows just written — stays with ``api.records.write``.
"""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from api.records.filenumbers import Citation, detect
from api.records.normalize import fold
from api.records.record import (
    CrossReferenceRecord,
    DocumentRecord,
    MentionRecord,
    normalize_identifier,
)

PASSAGE_COLUMNS = (
    "document_id",
    "seq",
    "ref",
    "kind",
    "boilerplate",
    "section_ref",
    "text",
    "norm_text",
    "start_offset",
    "end_offset",
    "page",
    "level",
    "depth",
    "label",
    "marks",
    "table_cells",
)
# the last two name the passage a note is anchored in; the loader turns them into its id
FOOTNOTE_COLUMNS = ("document_id", "ref", "marker", "number", "text", "norm_text", "offset")
FOOTNOTE_ANCHOR = ("anchor_document", "anchor_ref")
PAGE_COLUMNS = ("document_id", "seq", "n", "offset")
IDENTIFIER_COLUMNS = ("document_id", "scheme", "value", "normalized")


@dataclass(slots=True)
class DocumentRows:
    """One document's rows, each part in its table's column order."""

    id: str
    collection_id: str
    fingerprint: str
    fields: dict[str, Any]  # the document's columns but id, revision and timestamps
    passages: list[tuple[Any, ...]]
    footnotes: list[tuple[Any, ...]]  # FOOTNOTE_COLUMNS + FOOTNOTE_ANCHOR
    pages: list[tuple[Any, ...]]
    identifiers: list[tuple[Any, ...]]
    # curated mentions and references name passages and notes by ref: rare, and written
    # once the ids of those rows are known
    mentions: list[MentionRecord] = field(default_factory=list)
    cross_references: list[CrossReferenceRecord] = field(default_factory=list)
    # citations written out in the text (api.records.filenumbers), as
    # (container kind, container ref, Citation); the loader stores them as detected references
    detected: list[tuple[str, str, Citation]] = field(default_factory=list)


def document_rows(record: DocumentRecord) -> DocumentRows:
    """The rows of ``record`` (a validated record: its offsets and refs hold)."""
    span = record.date_range
    doc = record.id
    fields: dict[str, Any] = {
        "collection_id": record.collection_id,
        "title": record.title,
        "authors": list(record.authors),
        "recipients": list(record.recipients),
        "date": record.date,
        "date_start": span.start if span else None,
        "date_end": span.end if span else None,
        "source_type": record.source_type,
        "genre": record.genre,
        "language": record.language,
        "number": record.number,
        "provenance": record.provenance.model_dump(exclude_none=True),
        "notes": [note.model_dump() for note in record.notes],
        "text": record.text,
        "checksum": record.checksum,
        "fingerprint": record.fingerprint,
    }
    identifiers = {(i.scheme, i.value) for i in record.identifiers}
    identifiers |= {(a.scheme, a.value) for a in record.provenance.archival_ids}
    identifier_rows = [
        (doc, scheme, value, normalize_identifier(value)) for scheme, value in sorted(identifiers)
    ]
    containers = [(("passage", p.ref), p.text) for p in record.passages]
    containers += [(("footnote", note.ref), note.text) for note in record.footnotes]
    detected = detect(containers, {row[3] for row in identifier_rows}, record.collection_id)
    rows = DocumentRows(
        id=doc,
        collection_id=record.collection_id,
        fingerprint=fields["fingerprint"],
        fields=fields,
        passages=[
            (
                doc,
                seq,
                p.ref,
                p.kind,
                p.boilerplate,
                p.section_ref,
                p.text,
                fold(p.text),
                p.start,
                p.end,
                p.page,
                p.level,
                p.depth,
                p.label,
                _json([mark.model_dump() for mark in p.marks]) if p.marks else None,
                _json(p.table.model_dump()) if p.table is not None else None,
            )
            for seq, p in enumerate(record.passages, start=1)
        ],
        footnotes=[
            (
                doc,
                note.ref,
                note.marker,
                note.number,
                note.text,
                fold(note.text),
                note.offset,
                doc,
                note.passage_ref,
            )
            for note in record.footnotes
        ],
        pages=[(doc, seq, page.n, page.offset) for seq, page in enumerate(record.pages, start=1)],
        identifiers=identifier_rows,
        mentions=list(record.mentions),
        cross_references=list(record.cross_references),
        detected=[(kind, ref, citation) for (kind, ref), citation in detected],
    )
    fields["parts_fingerprint"] = _parts_fingerprint(rows)
    return rows


def _parts_fingerprint(rows: DocumentRows) -> str:
    """A hash of every row a document has beside its own: passages, notes, pages,
    identifiers, curated mentions and references, citations found in the text.

    An edit of metadata alone leaves it as it was, and the loader then updates the document
    row and nothing else: the ids of passages, mentions and references stay, and neither
    the search index nor the linker has anything to redo.
    """
    parts = [
        rows.passages,
        rows.footnotes,
        rows.pages,
        rows.identifiers,
        [mention.model_dump(mode="json") for mention in rows.mentions],
        [reference.model_dump(mode="json") for reference in rows.cross_references],
        rows.detected,
    ]
    encoded = json.dumps(parts, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _json(value: Any) -> str:
    """A JSON column's value as the driver takes it (rows go to the driver unconverted)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
