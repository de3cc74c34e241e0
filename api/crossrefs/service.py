"""Cross-references between sources, in either direction, with their anchors."""

from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from api.crossrefs.schemas import Anchor, CrossReferencePublic, Target
from api.db.models import CrossReference, Document, Footnote, Passage
from api.documents.service import require_document
from api.errors import NotFound

Direction = Literal["out", "in", "both"]
_Target = aliased(Document)


def _query() -> Any:
    return (
        select(
            CrossReference,
            Passage.ref.label("passage_ref"),  # type: ignore[attr-defined]
            Passage.text.label("passage_text"),  # type: ignore[attr-defined]
            Footnote.ref.label("footnote_ref"),  # type: ignore[attr-defined]
            Footnote.text.label("footnote_text"),  # type: ignore[attr-defined]
            _Target.title.label("target_title"),
        )
        .outerjoin(Passage, Passage.id == CrossReference.source_passage_id)  # type: ignore[arg-type]
        .outerjoin(Footnote, Footnote.id == CrossReference.source_footnote_id)  # type: ignore[arg-type]
        .outerjoin(_Target, _Target.id == CrossReference.target_document_id)  # type: ignore[arg-type]
    )


def _public(row: Any, base: str) -> CrossReferencePublic:
    x: CrossReference = row.CrossReference
    container_text = row.passage_text if row.passage_ref is not None else row.footnote_text
    quoted = (
        container_text[x.source_start : x.source_end]
        if container_text is not None and x.source_start is not None and x.source_end is not None
        else None
    )
    links = {
        "self": f"{base}/v1/cross-references/{x.id}",
        "source": f"{base}/v1/documents/{x.source_document_id}",
    }
    if x.target_document_id is not None:
        links["target"] = f"{base}/v1/documents/{x.target_document_id}"
    return CrossReferencePublic(
        id=x.id,  # type: ignore[arg-type]
        relation=x.relation,  # type: ignore[arg-type]
        origin=x.origin,  # type: ignore[arg-type]
        resolved=x.target_document_id is not None,
        score=x.score,
        reason=x.reason,
        source=Anchor(
            document=x.source_document_id,
            passage=row.passage_ref,
            footnote=row.footnote_ref,
            start=x.source_start,
            end=x.source_end,
            text=quoted,
        ),
        target=Target(
            document=x.target_document_id,
            title=row.target_title,
            passage=x.target_passage_ref,
            footnote=x.target_footnote_ref,
            scheme=x.target_scheme,
            value=x.target_value,
            label=x.target_label,
        ),
        links=links,
    )


def list_cross_references(
    session: Session,
    *,
    relation: str | None,
    origin: str | None,
    resolved: bool | None,
    document_id: str | None = None,
    direction: Direction = "both",
    after: int | None,
    limit: int,
    base: str,
) -> tuple[list[CrossReferencePublic], int | None]:
    query = _query()
    if document_id is not None:
        require_document(session, document_id)
        outgoing = CrossReference.source_document_id == document_id
        incoming = CrossReference.target_document_id == document_id
        query = query.where(
            {"out": outgoing, "in": incoming, "both": or_(outgoing, incoming)}[direction]
        )
    if relation is not None:
        query = query.where(CrossReference.relation == relation)
    if origin is not None:
        query = query.where(CrossReference.origin == origin)
    if resolved is not None:
        column = CrossReference.target_document_id
        query = query.where(column.is_not(None) if resolved else column.is_(None))  # type: ignore[union-attr]
    if after is not None:
        query = query.where(CrossReference.id > after)  # type: ignore[operator]
    rows = session.execute(query.order_by(CrossReference.id).limit(limit + 1)).all()
    items = [_public(r, base) for r in rows[:limit]]
    return items, (items[-1].id if len(rows) > limit else None)


def get_cross_reference(session: Session, *, xref_id: int, base: str) -> CrossReferencePublic:
    row = session.execute(_query().where(CrossReference.id == xref_id)).first()
    if row is None:
        raise NotFound("cross-reference", str(xref_id))
    return _public(row, base)
