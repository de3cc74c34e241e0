"""``/events``, the events on a timeline, and ``/events/{event_id}``, one event with who
took part and the passages that report it.

The timeline is drawn on the server (``api.reader.timeline``) as inline SVG whose bars are
links; the same events follow as a list, which is the text alternative to the drawing and
what a browser without SVG shows. Events come from ``api.events.service`` as the JSON
routes serve them, and the passages that report an event from ``api.texts.service``.
"""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api.deps import SessionDep, absolute_base
from api.documents.service import require_document
from api.errors import ProblemError
from api.events import service as events
from api.events.schemas import EventDocument, EventPublic, EventSummary
from api.formats.jsonld.writer import MEDIA_TYPE as JSONLD
from api.reader.templating import Alternate, html_errors, page
from api.reader.timeline import Span, Timeline, layout_timeline
from api.schemas import every_page
from api.texts import service as texts

router = APIRouter(include_in_schema=False)

PAGE = 500  # events asked of the service at a time
PACKED_FROM = 40  # more events than this: the timeline packs them into fewer rows
EXCERPT = 320  # characters of a reporting passage shown on an event's page


@dataclass(frozen=True, slots=True)
class ReportedPassage:
    """A passage that reports an event: its ref (the anchor on the document's page)."""

    ref: str
    kind: str
    excerpt: str


@dataclass(frozen=True, slots=True)
class Report:
    """A document that reports an event, and where in it."""

    document: EventDocument
    passages: list[ReportedPassage]


def all_events(session: Session, *, base: str) -> list[EventSummary]:
    """Every event in date order (undated last), page by page from the events service."""
    return list(
        every_page(
            lambda after: events.list_events(
                session,
                date_from=None,
                date_to=None,
                event_type=None,
                place=None,
                participant=None,
                after=after,
                limit=PAGE,
                base=base,
            )
        )
    )


def spans(items: list[EventSummary]) -> list[Span]:
    """The dated events as the timeline draws them; an open end is the start's day."""
    return [
        Span(e.id, e.name, e.date or "", e.date_start, e.date_end or e.date_start)
        for e in items
        if e.date_start is not None
    ]


def draw(items: list[EventSummary], *, packed: bool | None = None) -> Timeline | None:
    """The timeline of ``items``: one row per event, packed when there are many."""
    dated = spans(items)
    return layout_timeline(dated, packed=len(dated) > PACKED_FROM if packed is None else packed)


@router.get("/events")
@html_errors
def events_page(
    request: Request,
    session: SessionDep,
    event_type: Annotated[str | None, Query(alias="type", max_length=50)] = None,
) -> HTMLResponse:
    """The timeline of every event (or of one type), then the same events as a list."""
    base = absolute_base(request)
    everything = all_events(session, base=base)
    types = sorted({e.type for e in everything})
    shown = [e for e in everything if event_type is None or e.type == event_type]
    dated = [e for e in shown if e.date_start is not None]
    undated = [e for e in shown if e.date_start is None]
    query = f"?{urlencode({'type': event_type})}" if event_type else ""
    json_url = f"{base}/v1/events{query}"
    title = f"Events: {event_type}" if event_type else "Events"
    return page(
        request,
        "events.html",
        title=title,
        description=f"A timeline of {len(shown)} events"
        + (f" of type {event_type}" if event_type else "")
        + ", with the people and places involved and the sources that report them.",
        alternates=[Alternate("JSON", json_url, "application/json")],
        canonical=f"{base}/events{query}",
        timeline=draw(dated),
        dated=dated,
        undated=undated,
        types=types,
        current_type=event_type,
    )


def _excerpt(text: str) -> str:
    """The start of a passage, cut at a word within EXCERPT characters."""
    if len(text) <= EXCERPT:
        return text
    cut = text[:EXCERPT].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " …"


def _reports(session: Session, event: EventPublic, base: str) -> list[Report]:
    """The documents that report ``event``, each with its passages' refs and excerpts.

    A document deleted since, or a passage no longer in it, is left out rather than linked
    to a page that would say it is gone.
    """
    reported: list[Report] = []
    for document in event.documents:
        if not document.reported_in:
            continue
        passages = []
        for ref in document.reported_in:
            try:
                passage = texts.get_passage(session, document_id=document.id, ref=ref, base=base)
            except ProblemError:
                continue
            passages.append(ReportedPassage(ref, passage.kind, _excerpt(passage.text)))
        if passages:
            reported.append(Report(document, passages))
    return reported


def _live(session: Session, document_id: str) -> bool:
    """Whether the document is there to link to (the event service lists deleted ones too)."""
    try:
        require_document(session, document_id)
    except ProblemError:
        return False
    return True


@router.get("/events/{event_id}")
@html_errors
def event_page(
    request: Request,
    session: SessionDep,
    event_id: Annotated[str, Path(max_length=200)],
) -> HTMLResponse:
    """One event: what, when, where, who took part in which role, and who reports it."""
    base = absolute_base(request)
    event = events.get_event(session, event_id=event_id, base=base)
    reports = _reports(session, event, base)
    reporting = {report.document.id for report in reports}
    named = [
        d for d in event.documents if d.mentions and d.id not in reporting and _live(session, d.id)
    ]
    when = f", {event.date}" if event.date else ""
    where = f", {event.place_name}" if event.place_name else ""
    json_url = f"{base}/v1/events/{event_id}"
    return page(
        request,
        "event.html",
        title=event.name,
        description=f"{event.type.capitalize()}{when}{where}: who took part, and the "
        "sources that report it.",
        alternates=[
            Alternate("JSON", json_url, "application/json"),
            Alternate("JSON-LD", f"{json_url}?format=jsonld", JSONLD),
        ],
        event=event,
        reports=reports,
        named=named,
    )
