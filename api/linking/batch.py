"""What runs after documents are written: mentions, references, resolution, inference.

One function, so the seed loader, the importers and the curation API all leave the
database in the same linked state.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from api.linking.mentions import build_matcher, link_chunk
from api.linking.references import (
    CHUNK,
    detect_chunk,
    infer_links,
    read_containers,
    resolve_references,
)
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
    matcher = build_matcher(session)
    mentions = detected = 0
    for first in range(0, len(document_ids), CHUNK):
        chunk = list(document_ids[first : first + CHUNK])
        containers = read_containers(session, chunk)  # read once, for both passes
        mentions += link_chunk(session, chunk, containers, matcher)
        detected += detect_chunk(session, chunk, containers)
    session.flush()
    return LinkReport(
        mentions=mentions,
        detected=detected,
        resolved=resolve_references(session),
        inferred=infer_links(session),
    )
