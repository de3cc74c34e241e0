"""A stored document read back as the normalized record it was written from.

Writes through the API edit this record and hand it to the one loader, so an edit goes
through the same validation and indexing as an import; revisions store it, so a revert is
just writing an older record again. The reading itself is the exporter's
(api/export/records.py): one inverse of the loader, not two.
"""

from sqlmodel import Session

from api.export.records import document_records
from api.ingest.record import DocumentRecord
from api.models import Document
from api.problems import NotFound


def document_record(session: Session, document_id: str) -> DocumentRecord:
    if session.get(Document, document_id) is None:
        raise NotFound("document", document_id)
    return next(iter(document_records(session, [document_id])))
