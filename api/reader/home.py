"""``/``: the reading site's front page for a browser, the JSON API's home for everyone else.

``/`` is also the JSON API's entry point (``api.home.routes.get_home``, in the OpenAPI
document). This router is mounted before that one, so it answers both: HTML only when the
client explicitly accepts ``text/html`` at least as much as ``application/json`` (what a
browser's ``text/html,…,*/*;q=0.8`` says), and the JSON home, byte for byte as
``get_home`` makes it, to a missing Accept, ``*/*``, ``application/json``, anything else,
and any ``?format=`` download. Both carry ``Vary: Accept`` so that a cache keeps them apart.

The page: the collections with their document counts, a search box, the newest documents
(by the documents' own dates, newest first: the sort the documents service offers; undated
ones come last), the most cited documents (by references from other documents,
``api.crossrefs.service.most_cited``) and a small timeline of the events.
"""

import mimeparse
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api.collections import service as collections
from api.collections.schemas import CollectionPublic
from api.crossrefs.service import most_cited
from api.deps import SessionDep, absolute_base, links_base
from api.documents import service as documents
from api.documents.service import DocumentFilters
from api.home.routes import get_home
from api.http.downloads import chosen_format
from api.reader.events import all_events, draw
from api.reader.templating import Alternate, html_errors, page

router = APIRouter(include_in_schema=False)

HTML = "text/html"
JSON = "application/json"
VARY = "Accept"
NEWEST = 8
MOST_CITED = 8
COLLECTION_PAGE = 200


def prefers_html(request: Request) -> bool:
    """Whether ``Accept`` names ``text/html`` itself, with q > 0, ranked at least as high
    as ``application/json``.

    Not ``negotiate``: its first offered type answers ``*/*`` and a missing Accept, and a
    bare ``*/*`` must keep getting JSON here, as API clients always have. A ``text/*`` or
    ``*/*`` alone does not ask for a page; malformed ranges count for nothing.
    """
    accept = request.headers.get("accept", "").lower()
    if HTML not in accept or chosen_format(request) is not None:
        return False
    ranges = []
    for part in accept.split(","):
        try:
            ranges.append(mimeparse.parse_media_range(part))
        except ValueError:  # mimeparse.MimeTypeParseException: not type/subtype
            continue
    if not any(t == "text" and s == "html" and float(p["q"]) > 0 for t, s, p in ranges):
        return False
    html: float = mimeparse.quality_parsed(HTML, ranges)
    json: float = mimeparse.quality_parsed(JSON, ranges)
    return html > 0 and html >= json


def _collections(session: Session, base: str) -> list[CollectionPublic]:
    """Every collection, in id order, page by page from the collections service."""
    found: list[CollectionPublic] = []
    after: str | None = None
    while True:
        items, after = collections.list_collections(
            session, after=after, limit=COLLECTION_PAGE, base=base
        )
        found.extend(items)
        if after is None:
            return found


@html_errors
def _home_page(request: Request, session: Session) -> HTMLResponse:
    base = absolute_base(request)
    listed = _collections(session, base)
    newest, _ = documents.list_documents(
        session, filters=DocumentFilters(), sort="-date", after=None, limit=NEWEST, base=base
    )
    return page(
        request,
        "home.html",
        title="Historical sources, as printed",
        description="Curated historical source records: documents as printed with their "
        "notes, the people, places and events they name, and full-text search.",
        alternates=[Alternate("JSON", f"{base}/?format=json", JSON)],
        canonical=f"{base}/",
        collections=listed,
        newest=newest,
        cited=most_cited(session, limit=MOST_CITED),
        timeline=draw(all_events(session, base=base), packed=True),
    )


@router.get("/")
def home(request: Request, session: SessionDep) -> Response:
    """The front page for a browser; the JSON API's home, unchanged, for anyone else."""
    response: Response = (
        _home_page(request, session) if prefers_html(request) else get_home(links_base(request))
    )
    response.headers["Vary"] = VARY
    return response
