"""What runs after documents are written: mentions, references, resolution, inference.

One function, so the seed loader, the importers and the curation API all leave the
database in the same linked state.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from api.linking.mentions import link_documents
from api.linking.references import detect_references, infer_links, resolve_references
from api.models import Document


@dataclass
class LinkReport:
    mentions: int
    detected: int
    resolved: int
    inferred: int


def link_batch(session: Session, document_ids: Sequence[str] | None = None) -> LinkReport:
    """Link these documents (all when None), then resolve and infer across the corpus."""
    if document_ids is None:
        document_ids = list(session.execute(select(Document.id).order_by(Document.id)).scalars())
    return LinkReport(
        mentions=link_documents(session, document_ids),
        detected=detect_references(session, document_ids),
        resolved=resolve_references(session),
        inferred=infer_links(session),
    )
