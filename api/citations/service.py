"""A document's citation: its metadata as CSL-JSON, formatted, or as BibTeX."""

from typing import Any

from sqlmodel import Session

from api.citations.schemas import CitationHtml, CitationPublic
from api.documents import service as documents
from api.documents.linked_data import resolve_people
from api.formats import csl as citations


def csl_item(session: Session, *, document_id: str, base: str) -> dict[str, Any]:
    """The CSL-JSON item of a document; ``base`` is the API's absolute base URL."""
    record = documents.get_document(session, document_id=document_id, base=base)
    people = resolve_people(session, [*record.authors, *record.recipients])
    kinds = {name: ref.type for name, ref in people.items()}
    return citations.csl_item(record.model_dump(mode="json"), kinds, url=record.links.self)


def formatted(session: Session, *, document_id: str, style: str, base: str) -> CitationPublic:
    item = csl_item(session, document_id=document_id, base=base)
    result = citations.format_citation(item, style)
    return CitationPublic(
        document=document_id,
        style=style,
        style_title=result.style_title,
        citation=result.citation,
        bibliography=result.bibliography,
        html=CitationHtml(citation=result.citation_html, bibliography=result.bibliography_html),
        csl=item,
    )
