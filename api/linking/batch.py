"""What runs after documents are written: mentions, references, resolution, inference.

One function, so the seed loader, the importers and the curation API all leave the
database in the same linked state.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from api.linking.matcher import AliasMatcher
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
    mentions: int = 0
    detected: int = 0
    resolved: int = 0
    inferred: int = 0


class Linker:
    """Links documents as they are written, then the corpus once they all are.

    What concerns one document — its mentions, the citations written in it — can be worked
    out as soon as it is in, a batch at a time, while an import is still reading (so the
    work overlaps with reading instead of following it). What concerns the corpus —
    references resolved to the documents that now carry their targets, inferred links —
    waits for ``finish``. The alias matcher is built once; ``forget_aliases`` rebuilds it
    after the registry changed.
    """

    def __init__(self, session: Session):
        self.session = session
        self.report = LinkReport()
        self._matcher: AliasMatcher | None = None

    def forget_aliases(self) -> None:
        self._matcher = None

    def documents(self, document_ids: Sequence[str] | None = None, *, detect: bool = True) -> None:
        """Recompute the mentions and detected references of these documents (None: all).

        ``detect=False``: the documents were just written with the references detected in
        their text (an import detects them where it reads the files), and have no automatic
        mentions yet; with no aliases to look for, there is then nothing to do.
        """
        session = self.session
        if document_ids is None:
            document_ids = list(
                session.execute(select(Document.id).order_by(Document.id)).scalars()
            )
        if self._matcher is None:
            self._matcher = build_matcher(session)
        if not detect and not self._matcher.size:
            return
        for first in range(0, len(document_ids), CHUNK):
            chunk = list(document_ids[first : first + CHUNK])
            containers = read_containers(session, chunk)  # read once, for both passes
            self.report.mentions += link_chunk(session, chunk, containers, self._matcher)
            if detect:
                self.report.detected += detect_chunk(session, chunk, containers)
        session.flush()

    def detected(self, count: int) -> None:
        """Count references detected elsewhere (where an import read its files)."""
        self.report.detected += count

    def finish(self) -> LinkReport:
        """Resolve what waits for a target and infer links across the corpus."""
        self.report.resolved += resolve_references(self.session)
        self.report.inferred += infer_links(self.session)
        return self.report


def link_batch(session: Session, document_ids: Sequence[str] | None = None) -> LinkReport:
    """Link these documents (all when None), then resolve and infer across the corpus."""
    linker = Linker(session)
    linker.documents(document_ids)
    return linker.finish()
