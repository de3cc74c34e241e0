"""The change log as writes keep it: what changed is noted as it is written, ordered at commit.

Every path that creates, changes or deletes a document, an entity or an event notes it here:
the loader (``api/records/write.py``: imports and curated edits alike) and the revisions
curation records (``api/curation/revisions.py``: deletes, restores, and the mentions and
references that change a document's parts). A note is a row of ``change`` written in the
same transaction as the change itself, so a rolled-back write (a broken file in an import's
savepoint, a 412) leaves no note behind.

The order is given at commit (``_number``): under a PostgreSQL advisory lock held until the
commit ends, the transaction's notes get the next numbers. Two transactions therefore
commit their notes in the order of their numbers, and a reader that sees change n sees all
changes before it: a mirror that asks "what came after n?" misses nothing, even when two
curators' writes overlap. The lock is the last one a transaction takes and it is held only
for the commit, so it neither deadlocks with row locks nor makes writes wait on an import.
On SQLite there is one writer at a time, so the order of commits is already one order.
"""

from sqlalchemy import bindparam, delete, event, func, insert, select, text, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from api.db.models import Change
from api.db.models.base import table_of, utcnow

KINDS = ("documents", "entities", "events")
OPERATIONS = ("create", "update", "delete", "restore")
CHANGE_LOCK_KEY = 0x5155454C4C4348  # "QUELLCH": the advisory lock that orders the log
_PENDING = "quellen_changes_pending"  # session.info: this transaction wrote notes


def note(session: Session, kind: str, resource_ids: list[str], operation: str) -> None:
    """Note that ``resource_ids`` of ``kind`` were created, updated, deleted or restored."""
    if not resource_ids:
        return
    assert kind in KINDS and operation in OPERATIONS, (kind, operation)
    rows = [{"kind": kind, "resource_id": rid, "operation": operation} for rid in resource_ids]
    session.connection().execute(insert(Change), rows)
    session.info[_PENDING] = True


def entity_kind(entity_type: str) -> str:
    """Events are entities of type event, but a log of their own kind, as in the API."""
    return "events" if entity_type == "event" else "entities"


@event.listens_for(OrmSession, "before_commit")
def _number(session: OrmSession) -> None:
    """Give this transaction's notes their numbers and time, in the order they were noted.

    Notes of the same resource and operation made twice in one transaction (the loader and
    the revision both note a curated edit) are one change.
    """
    if not session.info.pop(_PENDING, False):
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOCK_KEY})
    pending = col(Change.seq).is_(None)
    first = (
        select(func.min(col(Change.id)))
        .where(pending)
        .group_by(col(Change.kind), col(Change.resource_id), col(Change.operation))
    )
    connection.execute(delete(Change).where(pending, col(Change.id).not_in(first)))
    in_order = select(col(Change.id)).where(pending).order_by(col(Change.id))
    ids = list(connection.execute(in_order).scalars())
    if not ids:
        return
    last = connection.execute(select(func.max(col(Change.seq)))).scalar() or 0
    table = table_of(Change)
    now = utcnow()
    connection.execute(
        update(table).where(table.c.id == bindparam("row")).values(seq=bindparam("number"), at=now),
        [{"row": row, "number": last + n} for n, row in enumerate(ids, start=1)],
    )


@event.listens_for(OrmSession, "after_rollback")
def _forget(session: OrmSession) -> None:
    session.info.pop(_PENDING, None)
