"""``/sitemap.xml``, every page of the reading site for a search engine, and
``/robots.txt``, which points to it.

The sitemap lists ``/``, ``/events``, each collection, each live document (with its last
change as ``lastmod``), each entity and each event, as absolute URLs from the request's
base (or ``QUELLEN_PUBLIC_URL``). Deleted documents are left out: their pages answer 410.
Everything comes from the domain services, a page of rows at a time; written with
ElementTree, so every URL is escaped as XML needs.
"""

import datetime as dt
from collections.abc import Iterator
from urllib.parse import quote
from xml.etree import ElementTree

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from api.collections import service as collections
from api.deps import SessionDep, absolute_base
from api.documents.service import live_documents_modified
from api.entities import service as entities
from api.reader.events import all_events
from api.schemas import every_page

router = APIRouter(include_in_schema=False)

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML = "application/xml"
PAGE = 1000  # rows asked of a service at a time


def _segment(value: str) -> str:
    """An id as one path segment of a URL (ids are slugs, but a name may hold anything)."""
    return quote(value, safe="")


def _lastmod(moment: dt.datetime) -> str:
    """W3C Datetime in UTC to the second, as the sitemap protocol takes it."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def urls(session: Session, base: str) -> Iterator[tuple[str, str | None]]:
    """Every page of the reading site, with its last change when one is known."""
    yield f"{base}/", None
    yield f"{base}/events", None
    for collection in every_page(
        lambda after: collections.list_collections(session, after=after, limit=PAGE, base=base)
    ):
        yield f"{base}/collections/{_segment(collection.id)}", None
    for document in every_page(
        lambda after: live_documents_modified(session, after=after, limit=PAGE)
    ):
        yield f"{base}/documents/{_segment(document.id)}", _lastmod(document.updated_at)
    for entity in every_page(
        lambda after: entities.list_entities(
            session, type_=None, prefix=None, collection=None, after=after, limit=PAGE, base=base
        )
    ):
        yield f"{base}/entities/{_segment(entity.id)}", None
    for event in all_events(session, base=base):
        yield f"{base}/events/{_segment(event.id)}", None


def sitemap(entries: Iterator[tuple[str, str | None]]) -> bytes:
    """A sitemap (sitemaps.org 0.9) of ``entries``: (absolute URL, lastmod or None)."""
    root = ElementTree.Element("urlset", xmlns=NAMESPACE)
    for location, lastmod in entries:
        url = ElementTree.SubElement(root, "url")
        ElementTree.SubElement(url, "loc").text = location
        if lastmod is not None:
            ElementTree.SubElement(url, "lastmod").text = lastmod
    ElementTree.indent(root, space="")
    body: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


@router.get("/sitemap.xml")
def get_sitemap(request: Request, session: SessionDep) -> Response:
    """Every page of the reading site, for a search engine."""
    body = sitemap(urls(session, absolute_base(request)))
    return Response(body, media_type=XML)


@router.get("/robots.txt")
def get_robots(request: Request) -> Response:
    """Crawlers may read everything; the sitemap says where it all is."""
    body = f"User-agent: *\nAllow: /\nSitemap: {absolute_base(request)}/sitemap.xml\n"
    return Response(body, media_type="text/plain; charset=utf-8")
