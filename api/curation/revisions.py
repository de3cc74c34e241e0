"""Revisions (who changed what, before and after) and the optimistic-concurrency guard.

Every write runs in one transaction that starts by locking the resource's row (an UPDATE
that changes nothing: a row lock on PostgreSQL, the write lock on SQLite). Only then is the
current representation rebuilt and its ETag compared with the client's ``If-Match``. Two
curators holding the same ETag therefore serialize on the lock, and the second finds the
ETag changed: 412, never a silent overwrite.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlmodel import Session, col

from api.curation.schemas import RevisionPublic
from api.db.keys import Principal
from api.db.models import CrossReference, Document, Entity, Mention, Revision
from api.errors import NotFound, ProblemError
from api.records import changes
from api.versions import current_etag


def lock(session: Session, model: Any, key: Any, *, what: str) -> None:
    """Take the row lock for a write; 404 when there is no such row."""
    column = model.id
    result = session.execute(update(model).where(column == key).values(id=column))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(what, str(key))


class _AnyVersion(str):
    pass


# What a write the server makes on its own account (a revert) passes as If-Match: it holds
# the row lock and means whatever version is current. No header is this object, so a
# client's ``If-Match: *`` is still refused.
ANY_VERSION = _AnyVersion("*")


def check_if_match(if_match: str | None, representation: BaseModel) -> None:
    if if_match is ANY_VERSION:
        return
    if if_match is None:
        raise ProblemError(
            428,
            "This write needs an If-Match header with the ETag of the resource as you last "
            "read it, so that no one else's change is overwritten.",
        )
    candidates = [c.strip().removeprefix("W/") for c in if_match.split(",")]
    if "*" in candidates:
        raise ProblemError(
            428,
            "If-Match: * does not say which version you edit; send the ETag of the resource "
            "as you last read it, so that no one else's change is overwritten.",
        )
    etag = current_etag(representation)
    if etag not in candidates:
        raise ProblemError(
            412,
            "The resource has changed since you read it (its ETag is now "
            f"{etag}). Read it again, reapply your change, and retry.",
            headers={"ETag": etag},
        )


def guard(
    session: Session,
    model: Any,
    key: Any,
    *,
    what: str,
    if_match: str | None,
    current: Callable[[], BaseModel],
) -> None:
    """How every edit of an existing resource begins: its row lock (404 when there is no
    such row), then If-Match checked against the representation as it now is (428, 412).

    The lock comes first so that no other write can slip in between the check and the
    change; ``current`` is read under the lock.
    """
    lock(session, model, key, what=what)
    check_if_match(if_match, current())


def record(
    session: Session,
    *,
    kind: str,
    resource_id: str,
    operation: str,
    principal: Principal,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> Revision:
    number = (
        session.execute(
            select(func.max(Revision.number)).where(
                col(Revision.kind) == kind, col(Revision.resource_id) == resource_id
            )
        ).scalar()
        or 0
    ) + 1
    revision = Revision(
        kind=kind,
        resource_id=resource_id,
        number=number,
        operation=operation,
        key_name=principal.name,
        before=before,
        after=after,
    )
    session.add(revision)
    session.flush()
    _note_change(session, kind, resource_id, operation, before or after or {})
    return revision


def _note_change(
    session: Session, kind: str, resource_id: str, operation: str, row: dict[str, Any]
) -> None:
    """The change log's view of a revision: a document, entity or event created, updated,
    deleted or restored; a mention or reference changes the document it belongs to."""
    if kind in changes.KINDS:
        if operation in ("create", "restore"):
            logged = operation
        elif operation.startswith("delete"):
            logged = "delete"
        else:
            logged = "update"
        changes.note(session, kind, [resource_id], logged)
        return
    document = row.get("document_id") or row.get("source_document_id")
    if document:
        changes.note(session, "documents", [str(document)], "update")


def _public(revision: Revision, base: str) -> RevisionPublic:
    link = f"{base}/v1/{revision.kind}/{revision.resource_id}/revisions/{revision.number}"
    return RevisionPublic(
        number=revision.number,
        operation=revision.operation,
        key_name=revision.key_name,
        at=revision.at,
        before=revision.before,
        after=revision.after,
        links={"self": link, "revert": f"{link}/revert"},
    )


def list_revisions(
    session: Session, *, kind: str, resource_id: str, after: int | None, limit: int, base: str
) -> tuple[list[RevisionPublic], int | None]:
    query = select(Revision).where(
        col(Revision.kind) == kind, col(Revision.resource_id) == resource_id
    )
    if after is not None:
        query = query.where(col(Revision.number) > after)
    rows = session.execute(query.order_by(col(Revision.number)).limit(limit + 1)).scalars().all()
    if not rows and after is None and not _exists(session, kind, resource_id):
        # a deleted resource keeps its history; one that never was has none to show
        raise NotFound(kind.rstrip("s").replace("-", " "), resource_id)
    items = [_public(r, base) for r in rows[:limit]]
    return items, (rows[limit - 1].number if len(rows) > limit else None)


# the table each kind of revised resource lives in, and the type of its id (events are
# entities of type event)
_RESOURCES: dict[str, tuple[type, type]] = {
    "documents": (Document, str),
    "entities": (Entity, str),
    "events": (Entity, str),
    "mentions": (Mention, int),
    "cross-references": (CrossReference, int),
}


def _exists(session: Session, kind: str, resource_id: str) -> bool:
    model, key = _RESOURCES[kind]
    if key is int:
        if not resource_id.isdecimal() or int(resource_id) >= 2**31:
            return False
        return session.get(model, int(resource_id)) is not None
    return session.get(model, resource_id) is not None


def get_revision(session: Session, *, kind: str, resource_id: str, number: int) -> Revision:
    revision = session.scalars(
        select(Revision).where(
            col(Revision.kind) == kind,
            col(Revision.resource_id) == resource_id,
            col(Revision.number) == number,
        )
    ).one_or_none()
    if revision is None:
        raise NotFound("revision", f"{kind}/{resource_id}/{number}")
    return revision


def _json_value(value: Any) -> Any:
    """A row's value as JSON keeps it: times in UTC ending in ``Z``, as the API serves them
    (the database keeps no time zone; every time Quellen writes is UTC)."""
    if isinstance(value, dt.datetime):
        utc = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return utc.isoformat().replace("+00:00", "Z")
    return value.isoformat() if hasattr(value, "isoformat") else value


def row_of(model: BaseModel) -> dict[str, Any]:
    return {k: _json_value(v) for k, v in model.model_dump().items()}
