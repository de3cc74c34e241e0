"""Curating mentions: a curator's mention at exact offsets replaces an automatic match of the
same span; a removed automatic mention is marked rejected so the linker leaves it gone.
Each write re-infers the links of the mention's document only.
"""

from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session, col

from api.curation import revisions
from api.curation.revisions import row_of
from api.curation.schemas import MentionCreate
from api.db.keys import Principal
from api.db.models import (
    Entity,
    Footnote,
    Mention,
    Passage,
)
from api.documents.service import require_document
from api.errors import ProblemError
from api.linking.inference import infer_links
from api.mentions.schemas import MentionPublic
from api.mentions.service import get_mention
from api.records.snapshots import refresh_parts_fingerprint


def _relink(session: Session, document_id: str) -> None:
    """What a mention changes beyond itself: the links inferred from the document's
    mentions, and the fingerprint that tells an import whether the document changed."""
    infer_links(session, [document_id])
    refresh_parts_fingerprint(session, [document_id])


def create_mention(
    session: Session, principal: Principal, document_id: str, body: MentionCreate, *, base: str
) -> MentionPublic:
    require_document(session, document_id)
    if (body.passage is None) == (body.footnote is None):
        raise ProblemError(422, "Give either a passage ref or a footnote ref.")
    if body.passage is not None:
        holder = session.execute(
            select(col(Passage.id), col(Passage.text)).where(
                col(Passage.document_id) == document_id, col(Passage.ref) == body.passage
            )
        ).first()
        what = f"passage {body.passage!r}"
    else:
        holder = session.execute(
            select(col(Footnote.id), col(Footnote.text)).where(
                col(Footnote.document_id) == document_id, col(Footnote.ref) == body.footnote
            )
        ).first()
        what = f"footnote {body.footnote!r}"
    if holder is None:
        raise ProblemError(422, f"The document has no {what}.")
    start, end = body.passage_start, body.passage_end  # in the passage's or note's text
    if not 0 <= start < end <= len(holder.text):
        raise ProblemError(422, f"Offsets {start}-{end} are outside {what}.")
    found = holder.text[start:end]
    if found != body.surface:
        raise ProblemError(
            422, f"Offsets {start}-{end} of {what} hold {found!r}, not {body.surface!r}."
        )
    if session.get(Entity, body.entity) is None:
        raise ProblemError(422, f"No entity {body.entity!r}.")
    clash = session.execute(
        select(col(Mention.id)).where(
            col(Mention.document_id) == document_id,
            col(Mention.passage_id) == (holder.id if body.passage else None),
            col(Mention.footnote_id) == (holder.id if body.footnote else None),
            col(Mention.start) == start,
            col(Mention.end) == end,
            col(Mention.entity_id) == body.entity,
            col(Mention.status) != "auto",
        )
    ).first()
    if clash is not None:
        raise ProblemError(409, f"That mention exists already (id {clash.id}).")
    # An automatic match of the same span gives way to the curator's mention.
    session.execute(
        delete(Mention).where(
            col(Mention.document_id) == document_id,
            col(Mention.passage_id) == (holder.id if body.passage else None),
            col(Mention.footnote_id) == (holder.id if body.footnote else None),
            col(Mention.start) < end,
            col(Mention.end) > start,
            col(Mention.status) == "auto",
        )
    )
    mention = Mention(
        document_id=document_id,
        passage_id=holder.id if body.passage else None,
        footnote_id=holder.id if body.footnote else None,
        entity_id=body.entity,
        start=start,
        end=end,
        surface=body.surface,
        status="curated",
    )
    session.add(mention)
    session.flush()
    assert mention.id is not None  # the flush gave it one
    _relink(session, document_id)
    revisions.record(
        session,
        kind="mentions",
        resource_id=str(mention.id),
        operation="create",
        principal=principal,
        before=None,
        after=row_of(mention),
    )
    return get_mention(session, mention_id=mention.id, base=base)


def update_mention(
    session: Session,
    principal: Principal,
    mention_id: int,
    patch: dict[str, Any],
    *,
    if_match: str | None,
    base: str,
) -> MentionPublic:
    revisions.guard(
        session,
        Mention,
        mention_id,
        what="mention",
        if_match=if_match,
        current=lambda: get_mention(session, mention_id=mention_id, base=base),
    )
    mention = session.get(Mention, mention_id)
    assert mention is not None
    before = row_of(mention)
    if patch.get("entity") is not None:
        if session.get(Entity, patch["entity"]) is None:
            raise ProblemError(422, f"No entity {patch['entity']!r}.")
        mention.entity_id = patch["entity"]
        mention.status = "curated"
    if patch.get("status") is not None:
        mention.status = patch["status"]
    if row_of(mention) == before:
        return get_mention(session, mention_id=mention_id, base=base)  # a no-op: no revision
    session.flush()
    _relink(session, mention.document_id)
    revisions.record(
        session,
        kind="mentions",
        resource_id=str(mention_id),
        operation="update",
        principal=principal,
        before=before,
        after=row_of(mention),
    )
    return get_mention(session, mention_id=mention_id, base=base)


def delete_mention(
    session: Session, principal: Principal, mention_id: int, *, if_match: str | None, base: str
) -> None:
    """Delete a curated mention; an automatic one is rejected instead, so it stays gone."""
    revisions.guard(
        session,
        Mention,
        mention_id,
        what="mention",
        if_match=if_match,
        current=lambda: get_mention(session, mention_id=mention_id, base=base),
    )
    mention = session.get(Mention, mention_id)
    assert mention is not None
    before = row_of(mention)
    if mention.status == "auto":
        mention.status = "rejected"
        after: dict[str, Any] | None = row_of(mention)
    else:
        session.delete(mention)
        after = None
    session.flush()
    _relink(session, before["document_id"])
    revisions.record(
        session,
        kind="mentions",
        resource_id=str(mention_id),
        operation="delete",
        principal=principal,
        before=before,
        after=after,
    )
