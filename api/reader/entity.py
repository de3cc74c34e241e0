"""GET /entities/{id}: a person, place, organization, group, term or event, and where the
sources name it.

Composed from the services the JSON routes call: the entity (``api.entities.service``),
its mentions as keyword-in-context lines (``api.mentions.service``, paged with the cursor
of ``/v1/entities/{id}/mentions``), the documents that name it, the events it takes part
in or that happened there (``api.events.service``), and the documents around it drawn as a
small graph (``api.graph.service.build_graph``, depth 1) with a list of the same
neighbours for those who do not see the picture.
"""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api.deps import SessionDep, absolute_base
from api.entities import service as entities
from api.entities.schemas import EntityPublic
from api.errors import NotFound
from api.events import service as events
from api.events.schemas import EventSummary
from api.graph.schemas import GraphNode
from api.graph.service import build_graph
from api.http.pagination import decode_cursor, encode_cursor
from api.links import AUTHORITY_URIS
from api.mentions import service as mentions
from api.mentions.schemas import MentionPublic
from api.reader.search import place
from api.reader.svg_graph import graph_svg, layout
from api.reader.templating import Alternate, html_errors, page

router = APIRouter(include_in_schema=False)

MENTIONS_PER_PAGE = 50
DOCUMENTS_SHOWN = 100
EVENTS_SHOWN = 50
MEMBERS_SHOWN = 30
GRAPH_NODES = 25  # the entity and its 24 strongest neighbours: a picture, not a census
CURSOR_KIND = "entity-mentions"  # as /v1/entities/{id}/mentions, so its cursor reads ours
CURSOR_TYPES = (str, int, int, int, int)


@dataclass(frozen=True, slots=True)
class Identifier:
    """An authority id, with the record's URL when the scheme is one we can link."""

    scheme: str
    value: str
    href: str | None


@dataclass(frozen=True, slots=True)
class Line:
    """A mention as a keyword-in-context line, and the place in the document it links to."""

    mention: MentionPublic
    href: str
    where: str


def _node_href(root: str, node: GraphNode) -> str:
    key = node.id.split(":", 1)[1]
    if node.kind == "document":
        return f"{root}/documents/{quote(key, safe='')}"
    return f"{root}/entities/{quote(key, safe='')}"


def _line(session: Session, root: str, mention: MentionPublic, titles: dict[str, str]) -> Line:
    ref = mention.passage if mention.container == "passage" else mention.footnote
    href, where = place(session, root, mention.document, mention.container, ref)
    return Line(mention, href, f"{titles.get(mention.document, mention.document)}, {where}")


def _identifiers(entity: EntityPublic) -> list[Identifier]:
    return [
        Identifier(
            scheme,
            value,
            AUTHORITY_URIS[scheme].format(value) if scheme in AUTHORITY_URIS else None,
        )
        for scheme, value in sorted(entity.external_ids.items())
    ]


def _members(session: Session, entity: EntityPublic) -> list[tuple[str, str]]:
    """A group's members as (id, name); a member not in the registry keeps its id."""
    found = []
    for member in entity.members[:MEMBERS_SHOWN]:
        try:
            name = entities.get_entity(session, entity_id=member, base="").name
        except NotFound:
            name = member
        found.append((member, name))
    return found


def _events(session: Session, entity: EntityPublic, base: str) -> list[tuple[EventSummary, str]]:
    """The events the entity takes part in, and those that happened there if it is a place,
    each with how it is linked to them, in order of date."""
    seen: dict[str, tuple[EventSummary, str]] = {}
    asks: list[tuple[str, str | None, str | None]] = [("took part", entity.id, None)]
    if entity.type == "place":
        asks.append(("took place here", None, entity.id))
    for how, participant, at in asks:
        items, _ = events.list_events(
            session,
            date_from=None,
            date_to=None,
            event_type=None,
            place=at,
            participant=participant,
            after=None,
            limit=EVENTS_SHOWN,
            base=base,
        )
        for item in items:
            seen.setdefault(item.id, (item, how))
    return sorted(
        seen.values(),
        key=lambda pair: (
            pair[0].date_start is None,
            pair[0].date_start or dt.date.min,
            pair[0].id,
        ),
    )


def _description(entity: EntityPublic) -> str:
    counts = entity.counts
    named = (
        f"named {counts.mentions} time{'' if counts.mentions == 1 else 's'} in "
        f"{counts.documents} document{'' if counts.documents == 1 else 's'}"
    )
    about = f" {entity.description}" if entity.description else ""
    text = f"{entity.name}: {entity.type}, {named}.{about}"
    return text if len(text) <= 300 else text[:299].rstrip() + "…"


@router.get("/entities/{entity_id}")
@html_errors
def entity_page(
    request: Request, session: SessionDep, entity_id: str, cursor: str | None = None
) -> HTMLResponse:
    """An entity, the lines that name it, its documents, events and neighbours."""
    root: str = request.scope.get("root_path", "")
    base = absolute_base(request)
    entity = entities.get_entity(session, entity_id=entity_id, base=base)
    after = decode_cursor(cursor, CURSOR_KIND, CURSOR_TYPES) if cursor else None
    found, last = mentions.entity_mentions(
        session,
        entity_id=entity.id,
        document_id=None,
        include_rejected=False,
        after=after,
        limit=MENTIONS_PER_PAGE,
        base=base,
    )
    documents, more_documents = entities.entity_documents(
        session, entity_id=entity.id, after=None, limit=DOCUMENTS_SHOWN, base=base
    )
    titles = {document.id: document.title for document in documents}
    graph = build_graph(session, center=f"entity:{entity.id}", depth=1, limit=GRAPH_NODES)
    view = layout(graph, lambda node: _node_href(root, node))
    here = f"{root}/entities/{quote(entity.id, safe='')}"
    json_url = f"{base}/v1/entities/{quote(entity.id, safe='')}"
    return page(
        request,
        "entity.html",
        title=entity.name,
        description=_description(entity),
        alternates=[
            Alternate("JSON", json_url, "application/json"),
            Alternate("JSON-LD", f"{json_url}?format=jsonld", "application/ld+json"),
        ],
        canonical=f"{base}/entities/{quote(entity.id, safe='')}",
        entity=entity,
        identifiers=_identifiers(entity),
        members=_members(session, entity),
        lines=[_line(session, root, mention, titles) for mention in found],
        more_href=f"{here}?cursor={encode_cursor(CURSOR_KIND, last)}#mentions" if last else None,
        first_href=f"{here}#mentions" if after is not None else None,
        documents=documents,
        documents_href=None if more_documents is None else f"{json_url}/documents",
        events=_events(session, entity, base),
        graph=graph,
        graph_svg=graph_svg(view) if view.neighbours else "",
        neighbours=view.neighbours,
        search_href=f"{root}/search?entity={quote(entity.id, safe='')}",
    )
