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
from sqlmodel import Session, col

from api.db.models import (
    CrossReference,
    Document,
    DocumentIdentifier,
    Footnote,
    Passage,
)
from api.db.models.base import table_of
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
        select(col(Passage.document_id), col(Passage.id), col(Passage.text)).where(
            col(Passage.document_id).in_(document_ids)
        )
    ):
        found[row.document_id].append(("passage", row.id, row.text))
    for row in connection.execute(
        select(col(Footnote.document_id), col(Footnote.id), col(Footnote.text)).where(
            col(Footnote.document_id).in_(document_ids)
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
        select(col(CrossReference.id), *_DETECTED_KEY).where(
            col(CrossReference.source_document_id).in_(chunk),
            col(CrossReference.origin) == "detected",
        )
    ):
        held[tuple(row[1:])] = row.id
    scopes: dict[str, str] = dict(
        session.connection()
        .execute(
            select(col(Document.id), col(Document.collection_id)).where(col(Document.id).in_(chunk))
        )
        .all()
    )
    own: dict[str, set[str]] = defaultdict(set)
    for row in session.connection().execute(
        select(col(DocumentIdentifier.document_id), col(DocumentIdentifier.normalized)).where(
            col(DocumentIdentifier.document_id).in_(chunk)
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
    keys = {tuple(row[name] for name in _DETECTED_NAMES) for row in rows}
    gone = sorted(row_id for key, row_id in held.items() if key not in keys)
    for first in range(0, len(gone), CHUNK):
        session.execute(
            delete(CrossReference).where(col(CrossReference.id).in_(gone[first : first + CHUNK]))
        )
    new = [row for row in rows if tuple(row[name] for name in _DETECTED_NAMES) not in held]
    if new:
        session.execute(insert(CrossReference), new)
    return len(rows)


# what makes a detected reference the same one: where it stands and what it cites
_DETECTED_NAMES = (
    "source_document_id",
    "source_passage_id",
    "source_footnote_id",
    "source_start",
    "source_end",
    "relation",
    "target_scheme",
    "target_value",
    "target_key",
)
_DETECTED_KEY = tuple(table_of(CrossReference).c[name] for name in _DETECTED_NAMES)


def resolve_references(
    session: Session, document_ids: Sequence[str] | None = None, *, incoming: bool = True
) -> int:
    """Point unresolved references at the documents that now carry their identifiers.

    All of them (None), or those these documents could resolve: their own references, and
    (``incoming``) the references to an identifier they carry. A write passes the
    documents it touched, so it never reads the whole corpus's unresolved references.
    """
    query = select(
        col(CrossReference.id),
        col(CrossReference.source_document_id),
        col(CrossReference.target_scheme),
        col(CrossReference.target_key),
        col(CrossReference.target_passage_ref),
        col(CrossReference.target_footnote_ref),
    ).where(
        col(CrossReference.target_document_id).is_(None),
        col(CrossReference.target_key).is_not(None),
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
            col(DocumentIdentifier.scheme),
            col(DocumentIdentifier.normalized),
            col(DocumentIdentifier.document_id),
        ).where(col(DocumentIdentifier.normalized).in_(keys))
    ).all():
        holders[(row.scheme, row.normalized)].add(row.document_id)
    documents = set(
        session.execute(select(col(Document.id)).where(col(Document.id).in_(keys))).scalars()
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
        table = table_of(CrossReference)
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
    own = col(CrossReference.source_document_id).in_(document_ids)
    if not incoming:
        return own
    carried = [
        tuple(row)
        for row in session.execute(
            select(col(DocumentIdentifier.scheme), col(DocumentIdentifier.normalized)).where(
                col(DocumentIdentifier.document_id).in_(document_ids)
            )
        )
    ]
    carried += [("document", document_id) for document_id in document_ids]
    return or_(
        own,
        tuple_(col(CrossReference.target_scheme), col(CrossReference.target_key)).in_(carried),
    )
