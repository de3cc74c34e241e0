"""What runs after documents are written: mentions, references, resolution, inference.

One function, so the seed loader, the importers and the curation API all leave the
database in the same linked state.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from api.db.models import Document, Footnote, Mention, Passage
from api.linking.inference import infer_links
from api.linking.matcher import AliasMatcher
from api.linking.mentions import build_matcher, link_chunk
from api.linking.references import (
    CHUNK,
    detect_chunk,
    read_containers,
    resolve_references,
)


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
                session.execute(select(col(Document.id)).order_by(col(Document.id))).scalars()
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

    def finish(self, touched: Sequence[str] | None = None) -> LinkReport:
        """Resolve what waits for a target and infer links: across the corpus (None, an
        import's last pass), or only as far as the ``touched`` documents reach (a write)."""
        self.report.resolved += resolve_references(self.session, touched)
        self.report.inferred += infer_links(self.session, touched)
        return self.report


def link_batch(session: Session, document_ids: Sequence[str] | None = None) -> LinkReport:
    """Link these documents and what they reach (a write), or the whole corpus (None)."""
    linker = Linker(session)
    linker.documents(document_ids)
    return linker.finish(document_ids)


def documents_mentioning(session: Session, entity_id: str) -> set[str]:
    """The documents with a mention of this entity (any status)."""
    return set(
        session.execute(
            select(col(Mention.document_id)).where(col(Mention.entity_id) == entity_id).distinct()
        ).scalars()
    )


_ASCII_RUN = re.compile(r"[\x20-\x7e]{3,}")


def documents_naming(session: Session, aliases: Iterable[str]) -> set[str] | None:
    """The documents whose text may contain one of these aliases; None: any may.

    A superset of what the alias matcher will find, cheap to ask the database for: a
    case-insensitive substring test, on the longest ASCII run of each alias (both engines
    lower-case ASCII alike, whatever their collation). An alias with no such run of three
    characters could be anywhere.
    """
    needles: set[str] = set()
    for alias in aliases:
        runs = _ASCII_RUN.findall(alias)
        if not runs:
            return None
        needles.add(max(runs, key=len).lower())
    found: set[str] = set()
    for model in (Passage, Footnote):
        for first in range(0, len(needles), 50):
            chunk = sorted(needles)[first : first + 50]
            found.update(
                session.execute(
                    select(col(model.document_id))
                    .where(
                        or_(
                            *(
                                func.lower(col(model.text)).contains(needle, autoescape=True)
                                for needle in chunk
                            )
                        )
                    )
                    .distinct()
                ).scalars()
            )
    return found
