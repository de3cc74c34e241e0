"""The reading view, ``GET /documents/{document_id}``: a document as printed, its notes at
hand, the people and places it names, what it cites and what cites it, how to cite it.

Built from one reading bundle (``api.reading.service.reading_bundle``: metadata, text,
passages, notes, page breaks, mentions and cross-references, as ``/v1/documents/{id}/reading``
serves them), the collection it belongs to and its CSL-JSON item; the text becomes HTML in
``api.reader.text``, the rest of the metadata in ``api.reader.document_meta``.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api.citations import service as citations
from api.collections import service as collections
from api.crossrefs.schemas import CrossReferencePublic
from api.deps import SessionDep, absolute_base
from api.documents import service as documents
from api.errors import ProblemError
from api.formats import csl
from api.reader import document_meta as meta
from api.reader.templating import Alternate, html_errors, page
from api.reader.text import render_text
from api.reading.schemas import ReadingBundle
from api.reading.service import reading_bundle

router = APIRouter(include_in_schema=False)

RELATIONS = {
    "cites": ("Cites", "Cited by"),
    "replies_to": ("Replies to", "Replied to by"),
    "quotes": ("Quotes", "Quoted by"),
    "same_event": ("Same event as", "Same event as"),
    "see_also": ("See also", "See also"),
}
TITLE_LOOKUPS = 50  # at most this many citing documents are looked up for their titles


@dataclass(frozen=True, slots=True)
class Citation:
    """One citation in the box: its style's name, the text, and the id its Copy button
    copies from."""

    key: str
    label: str
    text: str
    block: bool = False  # BibTeX keeps its lines: a <pre>


@dataclass(frozen=True, slots=True)
class Reference:
    """A cross-reference as the page shows it: the relation, where in this document (a
    passage or note and the words), and the other end, linked when it is in the corpus."""

    relation: str
    where_href: str | None
    where_label: str | None
    words: str | None
    other_href: str | None
    other_label: str
    waiting: bool
    origin: str


@lru_cache(maxsize=512)
def _formatted(item: str, style: str) -> csl.Formatted:
    """Chicago or MLA for a CSL item (as sorted JSON): the CSL processor takes a hundred
    milliseconds or more a citation, and its answer depends on nothing but the item, so
    each item is formatted once per process (an edit makes a new item, so a new entry)."""
    return csl.format_citation(json.loads(item), style)


def citation_box(session: Session, *, document_id: str, base: str) -> list[Citation]:
    """Chicago (the note historians write, and the bibliography entry), MLA and BibTeX,
    from the document's CSL item as ``/v1/documents/{id}/citation`` makes them."""
    item = citations.csl_item(session, document_id=document_id, base=base)
    key = json.dumps(item, sort_keys=True, ensure_ascii=False)
    chicago = _formatted(key, "chicago")
    mla = _formatted(key, "mla")
    box = [
        Citation("cite-chicago", "Chicago (note)", chicago.citation),
        Citation("cite-chicago-bibliography", "Chicago (bibliography)", chicago.bibliography),
        Citation("cite-mla", "MLA", mla.bibliography),
        Citation("cite-bibtex", "BibTeX", csl.bibtex_entry(item), block=True),
    ]
    return [citation for citation in box if citation.text.strip()]  # a style may give none


def _document_href(root: str, document_id: str, passage: str | None = None) -> str:
    href = f"{root}/documents/{quote(document_id, safe='')}"
    return f"{href}#{passage}" if passage else href


def _where(
    ref: CrossReferencePublic, markers: dict[str, str], incoming: bool
) -> tuple[str | None, str | None]:
    """The passage or note of *this* document the reference is made at (its source when
    going out, its target when coming in), as an in-page link and a label."""
    passage = ref.target.passage if incoming else ref.source.passage
    footnote = ref.target.footnote if incoming else ref.source.footnote
    if footnote:
        return f"#{footnote}", f"note {markers.get(footnote, footnote)}"
    if passage:
        return f"#{passage}", f"passage {passage}"
    return None, None


def references(
    session: Session, bundle: ReadingBundle, *, root: str, base: str
) -> tuple[list[Reference], list[Reference]]:
    """What the document cites (resolved: a link to the target; not: its label, waiting for
    the target to be added) and what cites it (each citing document by its title)."""
    markers = {note.ref: note.marker for note in bundle.footnotes}
    outgoing = []
    for ref in bundle.cross_references.outgoing:
        target = ref.target
        if ref.resolved and target.document:
            href: str | None = _document_href(
                root, target.document, target.passage or target.footnote
            )
            label = target.title or target.document
        else:
            href = None
            scheme = meta.label_for(target.scheme) if target.scheme else "Reference"
            label = target.label or f"{scheme} {target.value or ''}".strip()
        where_href, where_label = _where(ref, markers, incoming=False)
        outgoing.append(
            Reference(
                relation=RELATIONS.get(ref.relation, (ref.relation, ref.relation))[0],
                where_href=where_href,
                where_label=where_label,
                words=ref.source.text,
                other_href=href,
                other_label=label,
                waiting=href is None,
                origin=ref.origin,
            )
        )
    titles: dict[str, str] = {}
    for document_id in dict.fromkeys(r.source.document for r in bundle.cross_references.incoming):
        if document_id is None or len(titles) >= TITLE_LOOKUPS:
            continue
        try:
            titles[document_id] = documents.get_document(
                session, document_id=document_id, base=base
            ).title
        except ProblemError:  # deleted since: shown by its id
            continue
    incoming = []
    for ref in bundle.cross_references.incoming:
        source = ref.source.document
        where_href, where_label = _where(ref, markers, incoming=True)
        incoming.append(
            Reference(
                relation=RELATIONS.get(ref.relation, (ref.relation, ref.relation))[1],
                where_href=where_href,
                where_label=where_label,
                words=ref.source.text,
                other_href=_document_href(root, source, ref.source.passage or ref.source.footnote)
                if source
                else None,
                other_label=titles.get(source or "", source or "another source"),
                waiting=False,
                origin=ref.origin,
            )
        )
    return outgoing, incoming


def alternates(base: str, document_id: str) -> list[Alternate]:
    """The document's other representations: the links in the page's head, its formats
    row and its downloads list."""
    doc = f"{base}/v1/documents/{quote(document_id, safe='')}"
    return [
        Alternate("JSON", f"{doc}?format=json", "application/json"),
        Alternate("JSON-LD", f"{doc}?format=jsonld", "application/ld+json"),
        Alternate("TEI", f"{doc}?format=tei", "application/tei+xml"),
        Alternate("Plain text", f"{doc}/text?format=txt", "text/plain"),
        Alternate("BibTeX", f"{doc}/citation?format=bibtex", csl.BIBTEX),
        Alternate("CSL-JSON", f"{doc}/citation?format=csl", csl.CSL_JSON),
    ]


@router.get("/documents/{document_id}", response_class=HTMLResponse)
@html_errors
def document_page(request: Request, session: SessionDep, document_id: str) -> HTMLResponse:
    """A document for reading; an HTML 404 for an unknown id, 410 for a deleted one."""
    base = absolute_base(request)
    root: str = request.scope.get("root_path", "")
    bundle = reading_bundle(session, document_id=document_id, base=base)
    metadata = bundle.metadata
    try:
        collection = collections.get_collection(
            session, collection_id=metadata.collection, base=base
        )
    except ProblemError:
        collection = None
    collection_title = collection.title if collection else None
    first_page, last_page = meta.page_range(metadata, bundle.passages, bundle.pages)
    url = f"{base}/documents/{quote(document_id, safe='')}"
    outgoing, incoming = references(session, bundle, root=root, base=base)
    return page(
        request,
        "document.html",
        title=metadata.title,
        description=meta.description(metadata, collection_title),
        alternates=alternates(base, document_id),
        canonical=url,
        doc=metadata,
        collection=collection,
        source_type=meta.SOURCE_TYPES[metadata.source_type],
        date=meta.human_date(metadata.date),
        reliability=[n for n in metadata.notes if n.get("kind") == "reliability"],
        notes_about=[
            (meta.NOTE_KINDS.get(n.get("kind", ""), meta.label_for(n.get("kind") or "note")), n)
            for n in metadata.notes
            if n.get("kind") != "reliability"
        ],
        provenance=meta.provenance_rows(metadata),
        identifiers=meta.identifier_rows(metadata),
        number=meta.own_number(metadata),
        text=render_text(bundle, root=root),
        outgoing=outgoing,
        incoming=incoming,
        citations=citation_box(session, document_id=document_id, base=base),
        highwire=meta.highwire_tags(
            metadata,
            url=url,
            collection_title=collection_title,
            collection_publisher=collection.publisher if collection else None,
            first_page=first_page,
            last_page=last_page,
        ),
    )
