"""Curating cross-references. A reference is edited in place (its id stays stable for
clients) and locked after the document it stands in, the order a rewrite of that document
takes them in.
"""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from api.crossrefs.schemas import CrossReferencePublic
from api.crossrefs.service import get_cross_reference
from api.curation import revisions
from api.curation.revisions import row_of
from api.curation.schemas import CrossReferenceCreate
from api.curation.service.patches import invalid
from api.db.keys import Principal
from api.db.models import (
    CrossReference,
    Document,
    Footnote,
    Passage,
)
from api.documents.service import require_document
from api.errors import NotFound, ProblemError
from api.linking.references import resolve_references
from api.records.record import TargetRecord, normalize_identifier
from api.records.snapshots import refresh_parts_fingerprint


def _anchor(session: Session, source: dict[str, Any]) -> dict[str, Any]:
    document_id = source.get("document")
    if not isinstance(document_id, str):
        raise ProblemError(422, "source.document (a document id) is required.")
    require_document(session, document_id)
    values: dict[str, Any] = {
        "source_document_id": document_id,
        "source_passage_id": None,
        "source_footnote_id": None,
        "source_start": None,
        "source_end": None,
    }
    text: str | None = None
    if source.get("passage") is not None:
        row = session.execute(
            select(col(Passage.id), col(Passage.text)).where(
                col(Passage.document_id) == document_id,
                col(Passage.ref) == str(source["passage"]),
            )
        ).first()
        if row is None:
            raise ProblemError(422, f"No passage {source['passage']!r} in {document_id!r}.")
        values["source_passage_id"], text = row.id, row.text
    elif source.get("footnote") is not None:
        row = session.execute(
            select(col(Footnote.id), col(Footnote.text)).where(
                col(Footnote.document_id) == document_id,
                col(Footnote.ref) == str(source["footnote"]),
            )
        ).first()
        if row is None:
            raise ProblemError(422, f"No footnote {source['footnote']!r} in {document_id!r}.")
        values["source_footnote_id"], text = row.id, row.text
    if "start" in source or "end" in source:
        raise ProblemError(
            422,
            "source.start/end are not taken: give source.passage_start/passage_end, offsets "
            "in the text of the passage or note.",
        )
    if source.get("passage_start") is not None or source.get("passage_end") is not None:
        start, end = source.get("passage_start"), source.get("passage_end")
        if (
            text is None
            or not isinstance(start, int)
            or not isinstance(end, int)
            or not (0 <= start <= end <= len(text))
        ):
            raise ProblemError(
                422, "source.passage_start/passage_end must be offsets inside the passage or note."
            )
        values["source_start"], values["source_end"] = start, end
    return values


def _target(session: Session, target: dict[str, Any], source_document: str) -> dict[str, Any]:
    try:
        found = TargetRecord.model_validate(target)
    except ValidationError as exc:
        raise invalid(exc) from None
    if found.document is not None:
        document_id = found.document
        if document_id == source_document and not (found.passage or found.footnote):
            raise ProblemError(422, "A cross-reference cannot point at its own document.")
        if session.get(Document, document_id) is None:
            raise ProblemError(422, f"No document {document_id!r}.")
        return {
            "target_document_id": document_id,
            "target_passage_ref": found.passage,
            "target_footnote_ref": found.footnote,
            "target_scheme": "document",
            "target_value": document_id,
            "target_key": normalize_identifier(document_id),
            "target_label": found.label,
        }
    assert found.scheme is not None and found.value is not None  # TargetRecord checks it
    return {
        "target_document_id": None,
        "target_passage_ref": None,
        "target_footnote_ref": None,
        "target_scheme": found.scheme,
        "target_value": found.value,
        "target_key": normalize_identifier(found.value)[:500],
        "target_label": found.label,
    }


def _lock_source(session: Session, xref_id: int | None, document_id: object = None) -> None:
    """Lock the document a reference stands in, then the reference: the order a rewrite of
    that document takes them in, so that curating a reference needs no turn in the write
    lane (api.db.engine.begin_write) and still cannot deadlock with one."""
    if xref_id is not None:
        found = session.get(CrossReference, xref_id)
        if found is None:
            raise NotFound("cross-reference", str(xref_id))
        document_id = found.source_document_id
    if isinstance(document_id, str):
        revisions.lock(session, Document, document_id, what="document")
    if xref_id is not None:
        revisions.lock(session, CrossReference, xref_id, what="cross-reference")
        session.expire_all()  # read again what the locks now hold still


def create_cross_reference(
    session: Session, principal: Principal, body: CrossReferenceCreate, *, base: str
) -> CrossReferencePublic:
    _lock_source(session, None, body.source.get("document"))
    values = _anchor(session, body.source)
    values |= _target(session, body.target, values["source_document_id"])
    xref = CrossReference(relation=body.relation, origin="curated", **values)
    session.add(xref)
    session.flush()
    assert xref.id is not None  # the flush gave it one
    resolve_references(session, [xref.source_document_id], incoming=False)  # target loaded?
    refresh_parts_fingerprint(session, [xref.source_document_id])
    revisions.record(
        session,
        kind="cross-references",
        resource_id=str(xref.id),
        operation="create",
        principal=principal,
        before=None,
        after=row_of(xref),
    )
    return get_cross_reference(session, xref_id=xref.id, base=base)


def update_cross_reference(
    session: Session,
    principal: Principal,
    xref_id: int,
    patch: dict[str, Any],
    *,
    if_match: str | None,
    base: str,
) -> CrossReferencePublic:
    _lock_source(session, xref_id)
    revisions.check_if_match(if_match, get_cross_reference(session, xref_id=xref_id, base=base))
    xref = session.get(CrossReference, xref_id)
    assert xref is not None
    if xref.origin != "curated":
        raise ProblemError(
            409, f"Only curated cross-references can be edited; this one is {xref.origin}."
        )
    before = row_of(xref)
    if patch.get("relation") is not None:
        xref.relation = patch["relation"]
    if patch.get("target") is not None:
        for key, value in _target(session, patch["target"], xref.source_document_id).items():
            setattr(xref, key, value)
    if row_of(xref) == before:
        return get_cross_reference(session, xref_id=xref_id, base=base)  # a no-op
    session.flush()
    resolve_references(session, [xref.source_document_id], incoming=False)
    refresh_parts_fingerprint(session, [xref.source_document_id])
    revisions.record(
        session,
        kind="cross-references",
        resource_id=str(xref_id),
        operation="update",
        principal=principal,
        before=before,
        after=row_of(xref),
    )
    return get_cross_reference(session, xref_id=xref_id, base=base)


def delete_cross_reference(
    session: Session, principal: Principal, xref_id: int, *, if_match: str | None, base: str
) -> None:
    _lock_source(session, xref_id)
    revisions.check_if_match(if_match, get_cross_reference(session, xref_id=xref_id, base=base))
    xref = session.get(CrossReference, xref_id)
    assert xref is not None
    if xref.origin == "detected":
        raise ProblemError(409, "A reference detected in the text goes away with the text.")
    before = row_of(xref)
    session.delete(xref)
    session.flush()
    refresh_parts_fingerprint(session, [before["source_document_id"]])
    revisions.record(
        session,
        kind="cross-references",
        resource_id=str(xref_id),
        operation="delete",
        principal=principal,
        before=before,
        after=None,
    )
