"""Cross-references: detect explicit citations, resolve identifiers, infer related sources.

*Detected* references are citations written out in a passage or note — a State Department
decimal file number such as ``740.62114/9–2744``, or a URL. *Curated* references come from
the records. Both may point at an identifier that no loaded document carries yet; such a
reference stays unresolved and resolves itself when a document with that identifier is
loaded. *Inferred* links are ``api.linking.inference``'s.
"""

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, bindparam, delete, insert, or_, select, tuple_, update
from sqlmodel import Session

from api.db.models import (
    CrossReference,
    Document,
    DocumentIdentifier,
    Footnote,
    Passage,
)
from api.linking.mentions import Containers
from api.records.filenumbers import detect, detected_reference

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


def detect_chunk(session: Session, chunk: list[str], containers: Containers) -> int:
    """Recompute the detected references of a chunk of documents whose containers are in hand.

    Stored as the difference with what was: a citation found again keeps its row, its id
    and its resolution. Returns the number found.
    """
    held: dict[tuple[object, ...], int] = {}
    for row in session.connection().execute(
        select(CrossReference.id, *_DETECTED_KEY).where(
            CrossReference.source_document_id.in_(chunk),  # type: ignore[attr-defined]
            CrossReference.origin == "detected",  # type: ignore[arg-type]
        )
    ):
        held[tuple(row[1:])] = row.id
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
    keys = {tuple(row[column.key] for column in _DETECTED_KEY) for row in rows}
    gone = sorted(row_id for key, row_id in held.items() if key not in keys)
    for first in range(0, len(gone), CHUNK):
        session.execute(
            delete(CrossReference).where(
                CrossReference.id.in_(gone[first : first + CHUNK])  # type: ignore[union-attr]
            )
        )
    new = [row for row in rows if tuple(row[c.key] for c in _DETECTED_KEY) not in held]
    if new:
        session.execute(insert(CrossReference), new)
    return len(rows)


# what makes a detected reference the same one: where it stands and what it cites
_DETECTED_KEY = (
    CrossReference.source_document_id,
    CrossReference.source_passage_id,
    CrossReference.source_footnote_id,
    CrossReference.source_start,
    CrossReference.source_end,
    CrossReference.relation,
    CrossReference.target_scheme,
    CrossReference.target_value,
    CrossReference.target_key,
)


def resolve_references(
    session: Session, document_ids: Sequence[str] | None = None, *, incoming: bool = True
) -> int:
    """Point unresolved references at the documents that now carry their identifiers.

    All of them (None), or those these documents could resolve: their own references, and
    (``incoming``) the references to an identifier they carry. A write passes the
    documents it touched, so it never reads the whole corpus's unresolved references.
    """
    query = select(
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
    if document_ids is None:
        pending = session.execute(query).all()
    else:
        pending = []
        for first in range(0, len(document_ids), CHUNK):
            pending.extend(
                session.execute(
                    query.where(
                        _could_resolve(session, document_ids[first : first + CHUNK], incoming)
                    )
                ).all()
            )
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


def _could_resolve(
    session: Session, document_ids: Sequence[str], incoming: bool
) -> ColumnElement[bool]:
    """References from these documents, or (``incoming``) to an identifier (or id) one of
    them carries."""
    own = CrossReference.source_document_id.in_(document_ids)  # type: ignore[attr-defined]
    if not incoming:
        return own  # type: ignore[no-any-return]
    carried = [
        tuple(row)
        for row in session.execute(
            select(DocumentIdentifier.scheme, DocumentIdentifier.normalized).where(
                DocumentIdentifier.document_id.in_(document_ids)  # type: ignore[attr-defined]
            )
        )
    ]
    carried += [("document", document_id) for document_id in document_ids]
    return or_(own, tuple_(CrossReference.target_scheme, CrossReference.target_key).in_(carried))
