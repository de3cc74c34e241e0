"""Cross-references: detect explicit citations, resolve identifiers, infer related sources.

*Detected* references are citations written out in a passage or note — a State Department
decimal file number such as ``740.62114/9–2744``, or a URL. *Curated* references come from
the records. Both may point at an identifier that no loaded document carries yet; such a
reference stays unresolved and resolves itself when a document with that identifier is
loaded. *Inferred* links (documents sharing entities or events) carry a score and a reason
and are never presented as curated.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import Session

from api.linking.citations import Citation, detect
from api.linking.mentions import Containers
from api.models import (
    CrossReference,
    Document,
    DocumentIdentifier,
    Entity,
    Footnote,
    Mention,
    Passage,
)

INFERRED_MIN_SHARED = 2
INFERRED_MIN_SCORE = 0.15
INFERRED_PER_DOCUMENT = 5


CHUNK = 500  # documents per round of queries: IN lists stay well below every engine's limit


def read_containers(session: Session, document_ids: Sequence[str]) -> Containers:
    """Passages and notes of these documents, as (kind, id, text), in one query each."""
    found: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    connection = session.connection()
    for row in connection.execute(
        select(Passage.document_id, Passage.id, Passage.text).where(  # type: ignore[call-overload]
            Passage.document_id.in_(document_ids)  # type: ignore[attr-defined]
        )
    ):
        found[row.document_id].append(("passage", row.id, row.text))
    for row in connection.execute(
        select(Footnote.document_id, Footnote.id, Footnote.text).where(
            Footnote.document_id.in_(document_ids)  # type: ignore[attr-defined]
        )
    ):
        found[row.document_id].append(("footnote", row.id, row.text))
    return found


def detected_reference(document_id: str, citation: Citation) -> dict[str, object]:
    """The columns of a detected reference but the passage or note it stands in."""
    return {
        "relation": "cites",
        "origin": "detected",
        "source_document_id": document_id,
        "source_start": citation.start,
        "source_end": citation.end,
        "target_scheme": citation.scheme,
        "target_value": citation.value,
        "target_key": citation.key,
    }


def detect_chunk(session: Session, chunk: list[str], containers: Containers) -> int:
    """Recompute the detected references of a chunk of documents whose containers are in hand."""
    session.execute(
        delete(CrossReference).where(
            CrossReference.source_document_id.in_(chunk),  # type: ignore[attr-defined]
            CrossReference.origin == "detected",  # type: ignore[arg-type]
        )
    )
    scopes = dict(
        session.connection()
        .execute(
            select(Document.id, Document.collection_id).where(
                Document.id.in_(chunk)  # type: ignore[attr-defined]
            )
        )
        .all()
    )
    own: dict[str, set[str]] = defaultdict(set)
    for row in session.connection().execute(
        select(DocumentIdentifier.document_id, DocumentIdentifier.normalized).where(
            DocumentIdentifier.document_id.in_(chunk)  # type: ignore[attr-defined]
        )
    ):
        own[row.document_id].add(row.normalized)
    rows = []
    for document_id in chunk:
        found = detect(
            (((kind, row_id), text) for kind, row_id, text in containers.get(document_id, [])),
            own[document_id],
            scopes.get(document_id),
        )
        for (kind, row_id), citation in found:
            rows.append(
                {
                    **detected_reference(document_id, citation),
                    "source_passage_id": row_id if kind == "passage" else None,
                    "source_footnote_id": row_id if kind == "footnote" else None,
                }
            )
    if rows:
        session.execute(insert(CrossReference), rows)
    return len(rows)


def resolve_references(session: Session) -> int:
    """Point every unresolved reference at the document that now carries its identifier."""
    pending = session.execute(
        select(
            CrossReference.id,
            CrossReference.source_document_id,
            CrossReference.target_scheme,
            CrossReference.target_key,
            CrossReference.target_passage_ref,
            CrossReference.target_footnote_ref,
        ).where(
            CrossReference.target_document_id.is_(None),  # type: ignore[union-attr]
            CrossReference.target_key.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    if not pending:
        return 0
    keys = {row.target_key for row in pending}
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in session.execute(
        select(
            DocumentIdentifier.scheme,
            DocumentIdentifier.normalized,
            DocumentIdentifier.document_id,
        ).where(DocumentIdentifier.normalized.in_(keys))  # type: ignore[attr-defined]
    ).all():
        holders[(row.scheme, row.normalized)].add(row.document_id)
    documents = set(
        session.execute(select(Document.id).where(Document.id.in_(keys))).scalars()  # type: ignore[attr-defined]
    )
    updates: list[dict[str, object]] = []
    for row in pending:
        if row.target_scheme == "document":
            candidates = {row.target_key} & documents
        else:
            # a copy: the holders of one identifier serve every reference to it
            candidates = set(holders.get((row.target_scheme, row.target_key), ()))
        if row.target_passage_ref is None and row.target_footnote_ref is None:
            # a document never cites itself; its own passages and notes it may (TEI #ids)
            candidates.discard(row.source_document_id)
        if len(candidates) == 1:
            updates.append({"xref_id": row.id, "target": candidates.pop()})
    if updates:
        table = CrossReference.__table__  # type: ignore[attr-defined]
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("xref_id"))
            .values(target_document_id=bindparam("target")),
            updates,
        )
    session.flush()
    return len(updates)


def infer_links(session: Session) -> int:
    """Recompute inferred links between documents that share entities or events.

    The score is the IDF-weighted overlap of the two documents' entity sets (weighted
    Jaccard), so sharing a rarely named person counts for more than sharing a country.
    Events shared make the link ``same_event``; otherwise it is ``see_also``.
    """
    session.execute(delete(CrossReference).where(CrossReference.origin == "inferred"))  # type: ignore[arg-type]
    rows = session.execute(
        select(Mention.document_id, Mention.entity_id, Entity.type, Entity.name)
        .join(Entity, Entity.id == Mention.entity_id)  # type: ignore[arg-type]
        .where(Mention.status != "rejected")
        .distinct()
    ).all()
    by_document: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, tuple[str, str]] = {}
    for row in rows:
        by_document[row.document_id].add(row.entity_id)
        kinds[row.entity_id] = (row.type, row.name)
    total = len(by_document)
    if total < 2:
        session.flush()
        return 0
    frequency = Counter(entity for entities in by_document.values() for entity in entities)
    weight = {e: math.log(1 + total / n) for e, n in frequency.items()}
    holders: dict[str, list[str]] = defaultdict(list)
    for document_id, entities in by_document.items():
        for entity in entities:
            holders[entity].append(document_id)
    candidates: dict[str, list[tuple[float, str, list[str]]]] = defaultdict(list)
    for document_id, entities in sorted(by_document.items()):
        others = {other for e in entities for other in holders[e] if other > document_id}
        for other in sorted(others):
            shared = sorted(entities & by_document[other])
            shared_events = [e for e in shared if kinds[e][0] == "event"]
            if len(shared) < INFERRED_MIN_SHARED and not shared_events:
                continue
            union = entities | by_document[other]
            score = sum(weight[e] for e in shared) / sum(weight[e] for e in union)
            if score < INFERRED_MIN_SCORE:
                continue
            candidates[document_id].append((score, other, shared))
    links = []
    for document_id, found in candidates.items():
        found.sort(key=lambda item: (-item[0], item[1]))
        for score, other, shared in found[:INFERRED_PER_DOCUMENT]:
            events = [kinds[e][1] for e in shared if kinds[e][0] == "event"]
            names = ", ".join(kinds[e][1] for e in shared[:8])
            more = f" and {len(shared) - 8} more" if len(shared) > 8 else ""
            reason = f"both name {len(shared)} of the same entities: {names}{more}"
            if events:
                reason = f"both report {', '.join(events)}; {reason}"
            links.append(
                {
                    "relation": "same_event" if events else "see_also",
                    "origin": "inferred",
                    "source_document_id": document_id,
                    "target_document_id": other,
                    "target_scheme": "document",
                    "target_value": other,
                    "target_key": other,
                    "score": round(score, 4),
                    "reason": reason,
                }
            )
    if links:
        session.execute(insert(CrossReference), links)
    session.flush()
    return len(links)
