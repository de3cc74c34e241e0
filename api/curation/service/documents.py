"""Curating documents through the API: create, edit metadata and passages, delete, restore,
revert. Every operation edits the document's normalized record and hands it to the one
loader, then re-links the document, and records a revision with the record before and after.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, update
from sqlmodel import Session, col

from api.curation import revisions
from api.curation.schemas import DocumentCreate
from api.curation.service.patches import invalid, merge_patch
from api.db.keys import Principal
from api.db.models import Collection, Document
from api.db.models.base import utcnow
from api.documents.schemas import DocumentPublic
from api.documents.service import get_document
from api.errors import Gone, IngestError, NotFound, ProblemError
from api.formats.plaintext import read_annotated_text
from api.linking.batch import link_batch
from api.records.record import DocumentRecord
from api.records.rows import document_rows
from api.records.snapshots import document_record
from api.records.textedit import replace_passage_text
from api.records.write import write_documents
from api.texts.schemas import FootnotePublic, PassagePublic
from api.texts.service import get_footnote, get_passage

KIND = "documents"


class LinksNeeded(Exception):
    """A write begun beside others (not exclusive) found it must rewrite parts and re-link:
    it is to be run again in the write lane."""


# Document fields that only the document's own row holds: an edit of these alone changes no
# passage, note, identifier or link, and needs no turn in the write lane (api.db.engine).
OWN_ROW_FIELDS = frozenset(
    {"title", "authors", "recipients", "date", "source_type", "genre", "language", "number"}
    | {"notes"}
)


def _write(session: Session, record: DocumentRecord, *, exclusive: bool = True) -> None:
    """Write the record and re-link the document, unless its parts are as stored: then the
    loader wrote the document row alone, and the links it would find are the ones it has."""
    rows = document_rows(record)
    stored = session.get(Document, record.id)
    kept = stored is not None and stored.parts_fingerprint == rows.fields["parts_fingerprint"]
    if not kept and not exclusive:
        raise LinksNeeded(record.id)  # e.g. a document stored before parts were hashed
    try:
        write_documents(session, [rows])
    except IngestError as exc:
        raise invalid(exc) from None
    if not kept:
        link_batch(session, [record.id])


def _rewrite(
    session: Session,
    principal: Principal,
    document_id: str,
    *,
    operation: str,
    change: Callable[[DocumentRecord], DocumentRecord],
    exclusive: bool = True,
) -> None:
    """The one path by which a stored document changes: its record read back, changed,
    validated, written (re-linked when its parts changed) and recorded as a revision.

    A change that leaves the record as it was is no change: a curator who sends what is
    already there must not move the ETag and turn the next curator's edit into a 412."""
    record = document_record(session, document_id)
    before = record.model_dump(mode="json")
    try:
        updated = change(record)
    except ValidationError as exc:
        raise invalid(exc) from None
    if updated.model_dump(mode="json") == before:
        return  # nothing changes: no write, no revision, and the ETag stays what it was
    _write(session, updated, exclusive=exclusive)
    revisions.record(
        session,
        kind=KIND,
        resource_id=document_id,
        operation=operation,
        principal=principal,
        before=before,
        after=updated.model_dump(mode="json"),
    )


def _live(session: Session, document_id: str) -> Document:
    """Lock the document for this write; 404 unknown, 410 deleted."""
    revisions.lock(session, Document, document_id, what="document")
    document = session.get(Document, document_id)
    assert document is not None
    if document.deleted_at is not None:
        raise Gone("document", document_id)
    return document


def create_document(
    session: Session, principal: Principal, body: DocumentCreate, *, base: str
) -> DocumentPublic:
    if session.get(Document, body.id) is not None:
        raise ProblemError(409, f"A document with id {body.id!r} already exists.")
    if session.get(Collection, body.collection) is None:
        raise ProblemError(422, f"No collection {body.collection!r}; create it or pick another.")
    metadata = body.model_dump(exclude={"text", "collection"})
    metadata["collection_id"] = body.collection
    try:
        record = read_annotated_text(body.text, Path(f"{body.id}.txt"), metadata)
    except (IngestError, ValidationError, ValueError) as exc:
        raise invalid(exc) from None
    _write(session, record)
    revisions.record(
        session,
        kind=KIND,
        resource_id=record.id,
        operation="create",
        principal=principal,
        before=None,
        after=record.model_dump(mode="json"),
    )
    return get_document(session, document_id=record.id, base=base)


_METADATA = {
    "collection": "collection_id",
    "title": "title",
    "authors": "authors",
    "recipients": "recipients",
    "date": "date",
    "source_type": "source_type",
    "genre": "genre",
    "language": "language",
    "number": "number",
    "provenance": "provenance",
    "notes": "notes",
    "identifiers": "identifiers",
}


def update_document(
    session: Session,
    principal: Principal,
    document_id: str,
    patch: dict[str, Any],
    *,
    if_match: str | None,
    base: str,
    exclusive: bool = True,
) -> DocumentPublic:
    """Edit a document's metadata (a JSON merge patch of its API fields); ``exclusive``:
    the session took its turn in the write lane (needed unless the patch holds only
    ``OWN_ROW_FIELDS``; LinksNeeded says when it turns out to be needed after all)."""
    _live(session, document_id)
    revisions.check_if_match(if_match, get_document(session, document_id=document_id, base=base))

    def change(record: DocumentRecord) -> DocumentRecord:
        data = record.model_dump()
        for api_name, value in patch.items():
            field = _METADATA[api_name]
            data[field] = merge_patch(data.get(field), value) if value is not None else None
            if value is None and field in ("title", "source_type", "collection_id", "language"):
                raise ProblemError(422, f"{api_name} cannot be removed.")
            if value is None and field in ("authors", "recipients", "notes", "identifiers"):
                data[field] = []
            if value is None and field == "provenance":
                data[field] = {}
        if "collection_id" in data and session.get(Collection, data["collection_id"]) is None:
            raise ProblemError(422, f"No collection {data['collection_id']!r}.")
        return DocumentRecord(**data)

    _rewrite(
        session, principal, document_id, operation="update", change=change, exclusive=exclusive
    )
    return get_document(session, document_id=document_id, base=base)


def update_passage(
    session: Session,
    principal: Principal,
    document_id: str,
    ref: str,
    patch: dict[str, Any],
    *,
    if_match: str | None,
    base: str,
) -> PassagePublic:
    _live(session, document_id)
    revisions.check_if_match(
        if_match, get_passage(session, document_id=document_id, ref=ref, base=base)
    )

    def change(record: DocumentRecord) -> DocumentRecord:
        if "text" in patch and patch["text"] is not None:
            record = replace_passage_text(record, ref, patch["text"])
        data = record.model_dump()
        for passage in data["passages"]:
            if passage["ref"] == ref:
                for field in ("kind", "boilerplate"):
                    if patch.get(field) is not None:
                        passage[field] = patch[field]
        return DocumentRecord(**data)

    _rewrite(session, principal, document_id, operation=f"update passage {ref}", change=change)
    return get_passage(session, document_id=document_id, ref=ref, base=base)


def update_footnote(
    session: Session,
    principal: Principal,
    document_id: str,
    key: str,
    patch: dict[str, Any],
    *,
    if_match: str | None,
    base: str,
) -> FootnotePublic:
    _live(session, document_id)
    current = get_footnote(session, document_id=document_id, key=key, base=base)
    revisions.check_if_match(if_match, current)

    def change(record: DocumentRecord) -> DocumentRecord:
        data = record.model_dump()
        for note in data["footnotes"]:
            if note["ref"] == current.ref:
                for field in ("text", "marker"):
                    if patch.get(field) is not None:
                        note[field] = patch[field]
        return DocumentRecord(**data)

    _rewrite(
        session, principal, document_id, operation=f"update footnote {current.ref}", change=change
    )
    return get_footnote(session, document_id=document_id, key=current.ref, base=base)


def delete_document(
    session: Session,
    principal: Principal,
    document_id: str,
    *,
    if_match: str | None,
    hard: bool,
    base: str,
) -> None:
    revisions.lock(session, Document, document_id, what="document")
    document = session.get(Document, document_id)
    assert document is not None
    if document.deleted_at is None:
        revisions.check_if_match(
            if_match, get_document(session, document_id=document_id, base=base)
        )
    elif not hard:
        raise Gone("document", document_id)
    before = document_record(session, document_id).model_dump(mode="json")
    if hard:
        session.execute(delete(Document).where(col(Document.id) == document_id))
        operation = "delete (permanent)"
    else:
        document.deleted_at = utcnow()
        operation = "delete"
    session.flush()
    revisions.record(
        session,
        kind=KIND,
        resource_id=document_id,
        operation=operation,
        principal=principal,
        before=before,
        after=None,
    )


def restore_document(
    session: Session, principal: Principal, document_id: str, *, base: str
) -> DocumentPublic:
    revisions.lock(session, Document, document_id, what="document")
    document = session.get(Document, document_id)
    assert document is not None
    if document.deleted_at is None:
        raise ProblemError(409, f"The document {document_id!r} is not deleted.")
    session.execute(update(Document).where(col(Document.id) == document_id).values(deleted_at=None))
    session.flush()
    session.expire_all()
    revisions.record(
        session,
        kind=KIND,
        resource_id=document_id,
        operation="restore",
        principal=principal,
        before=None,
        after=document_record(session, document_id).model_dump(mode="json"),
    )
    return get_document(session, document_id=document_id, base=base)


def revert_document(
    session: Session, principal: Principal, document_id: str, number: int, *, base: str
) -> DocumentPublic:
    """Make the document what revision ``number`` left it as."""
    target = revisions.get_revision(session, kind=KIND, resource_id=document_id, number=number)
    state = target.after or target.before
    if state is None:
        raise ProblemError(409, "That revision holds no state to revert to.")
    if session.get(Document, document_id) is None:
        raise NotFound("document", document_id)
    _live(session, document_id)
    _rewrite(
        session,
        principal,
        document_id,
        operation=f"revert to {number}",
        change=lambda _current: DocumentRecord(**state),
    )
    return get_document(session, document_id=document_id, base=base)
