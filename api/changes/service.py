"""The change log (api/records/changes.py) read as a IIIF Change Discovery 1.0 feed.

The log numbers changes 1, 2, … without gaps in commit order, so the feed pages by number
rather than by cursor: page n holds changes (n-1)·PAGE_SIZE+1 … n·PAGE_SIZE. Each page is
one range scan of the unique index on ``seq``, whatever the size of the log; a full page
never changes again (rows of the log are never rewritten), so a cache may keep it, and only
the newest page grows. Clients walk it from ``last`` back through ``prev``, as the
specification has them do, or jump to the page holding a given change (``page_of``).

What the feed says of each change:

- ``create`` and ``update`` are the activities of those names; ``restore`` (a deleted
  document brought back) is a ``Create`` too — to a mirror the document is there again —
  with a ``summary`` saying it was restored; ``delete`` (soft or hard) is a ``Delete``.
- The ``object`` is the resource's absolute URL, and a class of Activity Streams by kind
  (``OBJECT_TYPES``): ``Document``, ``Event``, and ``Object`` for an entity. An entity's
  own type (person, place, …) is not in the log and can change, and a deleted entity's is
  gone, so naming it would make an old page change; the resource itself says what it is.
- On ``Create`` and ``Update`` the object's ``seeAlso`` is a ``Dataset``: the resource's
  lines of the Quellen bundle (``?format=ndjson``), which is what ``quellen mirror`` fetches.
- ``endTime`` is the commit time, UTC, to the second.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session, col

from api.changes.schemas import (
    CONTEXT,
    Activity,
    ActivityDocument,
    ActivityType,
    ChangeCollection,
    ChangedObject,
    ChangePage,
    CollectionLink,
    Dataset,
    ObjectType,
    PageLink,
)
from api.db.models import Change
from api.errors import ProblemError

PAGE_SIZE = 100
OBJECT_TYPES: dict[str, ObjectType] = {
    "documents": "Document",
    "entities": "Object",
    "events": "Event",
}
ACTIVITY_TYPES: dict[str, ActivityType] = {
    "create": "Create",
    "update": "Update",
    "delete": "Delete",
    "restore": "Create",
}
RESTORED = "Restored: the document had been deleted and is back."
BUNDLE = "application/x-ndjson"
BUNDLE_LABEL = {"en": ["Quellen bundle lines (quellen import reads them)"]}


@dataclass(frozen=True, slots=True)
class Feed:
    """The URLs of the feed under an absolute base URL."""

    base: str

    @property
    def collection(self) -> str:
        return f"{self.base}/v1/changes"

    def page(self, number: int) -> str:
        return f"{self.collection}/pages/{number}"

    def activity(self, seq: int) -> str:
        return f"{self.collection}/activities/{seq}"

    def resource(self, kind: str, resource_id: str) -> str:
        return f"{self.base}/v1/{kind}/{resource_id}"


# what an activity is made from: one change's row
_ACTIVITY_ROWS = select(
    col(Change.seq),
    col(Change.kind),
    col(Change.resource_id),
    col(Change.operation),
    col(Change.at),
)


def total(session: Session) -> int:
    """How many changes there are: the last number given (the log has no gaps)."""
    return int(session.execute(select(func.max(col(Change.seq)))).scalar() or 0)


def page_count(changes: int) -> int:
    """Pages of the feed: at least one, empty while nothing has changed."""
    return max(1, -(-changes // PAGE_SIZE))


def page_of(seq: int) -> int:
    """The page that holds change ``seq`` (1, 2, …)."""
    return (max(seq, 1) - 1) // PAGE_SIZE + 1


def collection(session: Session, *, base: str) -> ChangeCollection:
    feed = Feed(base)
    changes = total(session)
    return ChangeCollection(
        context=CONTEXT,
        id=feed.collection,
        totalItems=changes,
        first=PageLink(id=feed.page(1)),
        last=PageLink(id=feed.page(page_count(changes))),
    )


def page(session: Session, number: int, *, base: str) -> tuple[ChangePage, bool]:
    """Page ``number`` and whether it is final: full, with a newer page after it (a page
    that is full but the newest still gains its ``next`` link when the next page begins)."""
    feed = Feed(base)
    changes = total(session)
    last = page_count(changes)
    if number > last:
        pages = "1 page" if last == 1 else f"{last} pages"
        raise ProblemError(
            404, f"No page {number} of changes: the feed has {pages} ({changes} changes)."
        )
    first_seq = (number - 1) * PAGE_SIZE + 1
    rows = session.execute(
        _ACTIVITY_ROWS.where(
            col(Change.seq) >= first_seq, col(Change.seq) < first_seq + PAGE_SIZE
        ).order_by(col(Change.seq))
    ).all()
    body = ChangePage(
        context=CONTEXT,
        id=feed.page(number),
        partOf=CollectionLink(id=feed.collection),
        startIndex=first_seq - 1,
        prev=PageLink(id=feed.page(number - 1)) if number > 1 else None,
        next=PageLink(id=feed.page(number + 1)) if number < last else None,
        orderedItems=[
            _activity(feed, row.seq, row.kind, row.resource_id, row.operation, row.at)
            for row in rows
        ],
    )
    return body, number < last


def activity(session: Session, seq: int, *, base: str) -> ActivityDocument:
    row = session.execute(_ACTIVITY_ROWS.where(col(Change.seq) == seq)).first()
    if row is None:
        raise ProblemError(404, f"No change {seq}: the feed has {total(session)} changes.")
    item = _activity(Feed(base), row.seq, row.kind, row.resource_id, row.operation, row.at)
    return ActivityDocument(context=CONTEXT, **item.model_dump(exclude_none=True))


def _activity(
    feed: Feed, seq: int, kind: str, resource_id: str, operation: str, at: dt.datetime | None
) -> Activity:
    url = feed.resource(kind, resource_id)
    type_ = ACTIVITY_TYPES[operation]
    see_also = None
    if type_ != "Delete":
        see_also = [Dataset(id=f"{url}?format=ndjson", format=BUNDLE, label=BUNDLE_LABEL)]
    return Activity(
        id=feed.activity(seq),
        type=type_,
        summary=RESTORED if operation == "restore" else None,
        object=ChangedObject(id=url, type=OBJECT_TYPES[kind], seeAlso=see_also),
        endTime=end_time(at),
    )


def end_time(at: dt.datetime | None) -> str:
    """xsd:dateTime in UTC with a Z, to the second (SQLite hands the time back naive)."""
    if at is None:  # numbered rows always have their time; a guard, not a case
        return "1970-01-01T00:00:00Z"
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")
