"""A stored document read back as the normalized record it was written from.

Writes through the API edit this record and hand it to the one loader, so an edit goes
through the same validation and indexing as an import; revisions store it, so a revert is
just writing an older record again. The reading itself is the exporter's
(api/records/read.py): one inverse of the loader, not two.
"""

from collections.abc import Iterable

from sqlalchemy import update
from sqlmodel import Session, col

from api.db.models import Document
from api.errors import NotFound
from api.records.read import document_records
from api.records.record import DocumentRecord
from api.records.rows import document_rows


def document_record(session: Session, document_id: str) -> DocumentRecord:
    if session.get(Document, document_id) is None:
        raise NotFound("document", document_id)
    return next(iter(document_records(session, [document_id])))


def refresh_parts_fingerprint(session: Session, document_ids: Iterable[str]) -> None:
    """Keep the stored hash of documents' parts true after a curated mention or reference
    of theirs was written on its own.

    Those belong to the document's record; with the hash left as it was, the document's
    next edit of metadata would take its parts for changed and rewrite them all, giving
    the curator's references new ids.
    """
    wanted = sorted(set(document_ids))
    if not wanted:
        return
    session.flush()
    for record in document_records(session, wanted):
        parts = document_rows(record).fields["parts_fingerprint"]
        session.execute(
            update(Document).where(col(Document.id) == record.id).values(parts_fingerprint=parts)
        )
