"""Inferred links: each document's most related documents, by the entities they share.

A document's *related* documents are those naming the same people, places and events. The
score is the IDF-weighted overlap of the two entity sets (weighted Jaccard), so sharing a
rarely named person counts for more than sharing a country; shared events make the link
``same_event``, otherwise it is ``see_also``. Every document keeps its own
``INFERRED_PER_DOCUMENT`` best links, stored as links from it.

Candidates come only through the entities that are *distinctive*: one named in more than
``COMMON_SHARE`` of the documents (and more than ``COMMON_MIN``) is too common to suggest a
link by itself, though it still counts in the score. That keeps the work for one document
proportional to its few real neighbours, not to the corpus, so a write can recompute the
links of what it touched in its own transaction.

Links are written as a difference against what is stored, keyed by (source, target): an
unchanged link keeps its row and id, so ids survive unrelated writes and the id sequence
does not grow with every write. Writes are incremental; the scores of documents a write did
not touch keep the weights of when they were last computed until the next bulk pass (an
import's last step) recomputes every document.
"""

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col

from api.db.models import CrossReference, Document, DocumentEntity, Entity, Mention
from api.db.models.base import table_of

INFERRED_MIN_SHARED = 2
INFERRED_MIN_SCORE = 0.15
INFERRED_PER_DOCUMENT = 5
COMMON_SHARE = 0.05
COMMON_MIN = 50
CHUNK = 500  # ids per IN list: well below every engine's limit


@dataclass(frozen=True)
class Link:
    target: str
    relation: str
    score: float
    reason: str


def _chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    for first in range(0, len(ids), CHUNK):
        yield list(ids[first : first + CHUNK])


def sync_entity_sets(session: Session, document_ids: Sequence[str] | None) -> set[str]:
    """Bring ``document_entity`` up to date with the mentions; return the documents whose set
    changed (all of them when ``document_ids`` is None and the table is rebuilt)."""
    if document_ids is None:
        session.execute(delete(DocumentEntity))
        session.execute(
            insert(DocumentEntity).from_select(
                ["document_id", "entity_id"],
                select(col(Mention.document_id), col(Mention.entity_id))
                .where(col(Mention.status) != "rejected")
                .distinct(),
            )
        )
        return set(session.execute(select(col(DocumentEntity.document_id)).distinct()).scalars())
    changed: set[str] = set()
    for chunk in _chunks(sorted(set(document_ids))):
        before = _sets(
            session, col(DocumentEntity.document_id), col(DocumentEntity.entity_id), chunk
        )
        after = _sets(session, col(Mention.document_id), col(Mention.entity_id), chunk, live=True)
        gone = [
            (document_id, entity_id)
            for document_id in chunk
            for entity_id in sorted(before[document_id] - after[document_id])
        ]
        new = [
            {"document_id": document_id, "entity_id": entity_id}
            for document_id in chunk
            for entity_id in sorted(after[document_id] - before[document_id])
        ]
        if gone:
            session.execute(
                delete(DocumentEntity).where(
                    tuple_(col(DocumentEntity.document_id), col(DocumentEntity.entity_id)).in_(gone)
                )
            )
        if new:
            session.execute(insert(DocumentEntity), new)
        changed |= {d for d in chunk if before[d] != after[d]}
    return changed


def _sets(
    session: Session,
    owner: Mapped[str],
    member: Mapped[str],
    ids: Collection[str],
    *,
    live: bool = False,
) -> defaultdict[str, set[str]]:
    query = select(owner, member).where(owner.in_(ids))
    if live:
        query = query.where(col(Mention.status) != "rejected")
    found: defaultdict[str, set[str]] = defaultdict(set)
    for holder, item in session.execute(query.distinct()):
        found[holder].add(item)
    return found


class _Corpus:
    """What scoring needs, read for the documents in question only."""

    def __init__(self, session: Session):
        self.session = session
        self.total: int = session.execute(select(func.count()).select_from(Document)).scalar_one()
        self.entities: dict[str, set[str]] = {}
        self.frequency: dict[str, int] = {}
        self.kinds: dict[str, tuple[str, str]] = {}

    def common(self, n: int) -> bool:
        return n > max(COMMON_MIN, COMMON_SHARE * self.total)

    def load_sets(self, document_ids: Iterable[str]) -> None:
        wanted = sorted(set(document_ids) - self.entities.keys())
        for chunk in _chunks(wanted):
            found = _sets(
                self.session, col(DocumentEntity.document_id), col(DocumentEntity.entity_id), chunk
            )
            for document_id in chunk:
                self.entities[document_id] = found[document_id]
        self._load_entities({e for d in wanted for e in self.entities[d]})

    def _load_entities(self, entity_ids: set[str]) -> None:
        wanted = sorted(entity_ids - self.frequency.keys())
        for chunk in _chunks(wanted):
            for entity_id, count in self.session.execute(
                select(col(DocumentEntity.entity_id), func.count())
                .where(col(DocumentEntity.entity_id).in_(chunk))
                .group_by(col(DocumentEntity.entity_id))
            ):
                self.frequency[entity_id] = count
            for row in self.session.execute(
                select(col(Entity.id), col(Entity.type), col(Entity.name)).where(
                    col(Entity.id).in_(chunk)
                )
            ):
                self.kinds[row.id] = (row.type, row.name)

    def weight(self, entity_id: str) -> float:
        return math.log(1 + self.total / max(1, self.frequency.get(entity_id, 1)))

    def neighbours(self, document_id: str) -> set[str]:
        """The documents sharing a distinctive entity with this one."""
        distinctive = [
            e for e in self.entities[document_id] if not self.common(self.frequency.get(e, 0))
        ]
        found: set[str] = set()
        for chunk in _chunks(sorted(distinctive)):
            found.update(
                self.session.execute(
                    select(col(DocumentEntity.document_id)).where(
                        col(DocumentEntity.entity_id).in_(chunk)
                    )
                ).scalars()
            )
        found.discard(document_id)
        return found

    def link(self, document_id: str, other: str) -> Link | None:
        """The link between two documents whose sets are loaded, if they are related."""
        mine, theirs = self.entities[document_id], self.entities[other]
        shared = sorted(mine & theirs)
        events = [self.kinds[e][1] for e in shared if self.kinds.get(e, ("", ""))[0] == "event"]
        if len(shared) < INFERRED_MIN_SHARED and not events:
            return None
        score = sum(map(self.weight, shared)) / sum(map(self.weight, mine | theirs))
        if score < INFERRED_MIN_SCORE:
            return None
        names = ", ".join(self.kinds.get(e, ("", e))[1] for e in shared[:8])
        more = f" and {len(shared) - 8} more" if len(shared) > 8 else ""
        reason = f"both name {len(shared)} of the same entities: {names}{more}"
        if events:
            reason = f"both report {', '.join(events)}; {reason}"
        relation = "same_event" if events else "see_also"
        return Link(other, relation, round(score, 4), reason)


def _best(links: Iterable[Link]) -> list[Link]:
    return sorted(links, key=lambda link: (-link.score, link.target))[:INFERRED_PER_DOCUMENT]


def infer_links(
    session: Session, document_ids: Sequence[str] | None = None, *, changed: Iterable[str] = ()
) -> int:
    """Recompute inferred links: of every document (None), or of these documents.

    For given documents, only those whose entity set changed are recomputed, together with
    the documents that link to them (their link may have weakened or gone) and those they
    now link to (they may now belong among theirs). ``changed`` names documents whose sets
    changed behind the table's back (an entity deleted takes its rows with it). Returns the
    number of links inserted or changed.
    """
    changed = sync_entity_sets(session, document_ids) | set(changed)
    corpus = _Corpus(session)
    if document_ids is None:
        sources = sorted(changed)
        corpus.load_sets(sources)
        found = _all_links(corpus, sources)
        stored = _stored(session, None)
    else:
        if not changed:
            return 0
        linking_in: set[str] = set()
        for chunk in _chunks(sorted(changed)):
            linking_in.update(
                session.execute(
                    select(col(CrossReference.source_document_id)).where(
                        col(CrossReference.origin) == "inferred",
                        col(CrossReference.target_document_id).in_(chunk),
                    )
                ).scalars()
            )
        sources = sorted(changed | linking_in)
        found = {d: _neighbourhood(corpus, d) for d in sources}
        # a document that now links to another belongs among that one's links, most likely
        reached = {link.target for d in changed for link in found[d]} - found.keys()
        found |= {d: _neighbourhood(corpus, d) for d in sorted(reached)}
        sources = sorted(found)
        stored = _stored(session, sources)
    return _write(session, found, stored)


def _neighbourhood(corpus: _Corpus, document_id: str) -> list[Link]:
    """One document's best links, its neighbours read as needed."""
    corpus.load_sets([document_id])
    others = corpus.neighbours(document_id)
    corpus.load_sets(others)
    return _best(filter(None, (corpus.link(document_id, other) for other in sorted(others))))


def _all_links(corpus: _Corpus, sources: list[str]) -> dict[str, list[Link]]:
    """Every document's best links, each pair scored once."""
    holders: dict[str, list[str]] = defaultdict(list)
    for document_id in sources:
        for entity_id in corpus.entities[document_id]:
            holders[entity_id].append(document_id)
    candidates: dict[str, list[Link]] = defaultdict(list)
    for document_id in sources:
        others = {
            other
            for entity_id in corpus.entities[document_id]
            if not corpus.common(len(holders[entity_id]))
            for other in holders[entity_id]
            if other > document_id
        }
        for other in sorted(others):
            forward = corpus.link(document_id, other)
            if forward is None:
                continue
            backward = Link(document_id, forward.relation, forward.score, forward.reason)
            for holder, link in ((document_id, forward), (other, backward)):
                held = candidates[holder]
                held.append(link)
                if len(held) > 4 * INFERRED_PER_DOCUMENT:  # memory stays linear in documents
                    candidates[holder] = _best(held)
    return {document_id: _best(candidates[document_id]) for document_id in sources}


_Stored = dict[tuple[str, str], tuple[int, str, float | None, str | None]]


def _stored(session: Session, sources: list[str] | None) -> _Stored:
    query = select(
        col(CrossReference.id),
        col(CrossReference.source_document_id),
        col(CrossReference.target_document_id),
        col(CrossReference.relation),
        col(CrossReference.score),
        col(CrossReference.reason),
    ).where(col(CrossReference.origin) == "inferred")
    stored: _Stored = {}
    for chunk in [None] if sources is None else list(_chunks(sources)):
        chosen = (
            query
            if chunk is None
            else query.where(col(CrossReference.source_document_id).in_(chunk))
        )
        for row in session.execute(chosen):
            key = (row.source_document_id, row.target_document_id or "")
            if key in stored:
                # two writers that raced on one source: the key no link has drops the copy
                key = (row.source_document_id, f"\0{row.id}")
            stored[key] = (row.id, row.relation, row.score, row.reason)
    return stored


def _write(session: Session, found: dict[str, list[Link]], stored: _Stored) -> int:
    """Make the stored links of these sources what was found, touching only differences."""
    new: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    keep: set[tuple[str, str]] = set()
    for source, links in found.items():
        for link in links:
            key = (source, link.target)
            keep.add(key)
            held = stored.get(key)
            if held is None:
                new.append(
                    {
                        "relation": link.relation,
                        "origin": "inferred",
                        "source_document_id": source,
                        "target_document_id": link.target,
                        "target_scheme": "document",
                        "target_value": link.target,
                        "target_key": link.target,
                        "score": link.score,
                        "reason": link.reason,
                    }
                )
            elif held[1:] != (link.relation, link.score, link.reason):
                changed.append(
                    {
                        "xref_id": held[0],
                        "relation": link.relation,
                        "score": link.score,
                        "reason": link.reason,
                    }
                )
    gone = sorted(held[0] for key, held in stored.items() if key not in keep)
    for first in range(0, len(gone), CHUNK):
        session.execute(
            delete(CrossReference).where(col(CrossReference.id).in_(gone[first : first + CHUNK]))
        )
    if changed:
        table = table_of(CrossReference)
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("xref_id"))
            .values(
                relation=bindparam("relation"),
                score=bindparam("score"),
                reason=bindparam("reason"),
            ),
            changed,
        )
    if new:
        session.execute(insert(CrossReference), new)
    session.flush()
    return len(new) + len(changed)
