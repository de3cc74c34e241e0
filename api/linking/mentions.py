"""Run the alias matcher over documents and store what it finds as ``auto`` mentions.

A curator's decisions win: an ``auto`` match is dropped where a curated or rejected mention
already covers the same span, so a rejected mention stays rejected however often the linker
runs. Everything ``auto`` is recomputed from scratch, which keeps the run idempotent.
"""

from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from api.linking.matcher import AliasMatcher
from api.models import EntityAlias, Footnote, Mention, Passage


def build_matcher(session: Session) -> AliasMatcher:
    rows = session.execute(
        select(EntityAlias.text, EntityAlias.entity_id, EntityAlias.case_sensitive)
    ).all()
    return AliasMatcher((r.text, r.entity_id, r.case_sensitive) for r in rows)


def link_documents(
    session: Session, document_ids: Sequence[str], matcher: AliasMatcher | None = None
) -> int:
    """Recompute auto mentions for these documents; returns how many were stored."""
    matcher = matcher or build_matcher(session)
    stored = 0
    for document_id in document_ids:
        session.execute(
            delete(Mention).where(
                Mention.document_id == document_id,  # type: ignore[arg-type]
                Mention.status == "auto",  # type: ignore[arg-type]
            )
        )
        decided = session.execute(
            select(Mention.passage_id, Mention.footnote_id, Mention.start, Mention.end).where(
                Mention.document_id == document_id
            )
        ).all()
        taken: dict[tuple[str, int], list[tuple[int, int]]] = {}
        for row in decided:
            key = ("p", row.passage_id) if row.passage_id is not None else ("f", row.footnote_id)
            taken.setdefault(key, []).append((row.start, row.end))
        rows: list[dict[str, object]] = []
        containers = [
            ("p", r.id, r.text)
            for r in session.execute(
                select(Passage.id, Passage.text).where(Passage.document_id == document_id)
            ).all()
        ] + [
            ("f", r.id, r.text)
            for r in session.execute(
                select(Footnote.id, Footnote.text).where(Footnote.document_id == document_id)
            ).all()
        ]
        for kind, container_id, text in containers:
            spans = taken.get((kind, container_id), [])
            for match in matcher.find(text):
                if any(match.start < end and start < match.end for start, end in spans):
                    continue
                rows.append(
                    {
                        "document_id": document_id,
                        "passage_id": container_id if kind == "p" else None,
                        "footnote_id": container_id if kind == "f" else None,
                        "entity_id": match.entity_id,
                        "start": match.start,
                        "end": match.end,
                        "surface": match.surface,
                        "status": "auto",
                    }
                )
        if rows:
            session.execute(insert(Mention), rows)
            stored += len(rows)
    session.flush()
    return stored
