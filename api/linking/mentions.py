"""Run the alias matcher over documents and store what it finds as ``auto`` mentions.

A curator's decisions win: an ``auto`` match is dropped where a curated or rejected mention
already covers the same span, so a rejected mention stays rejected however often the linker
runs. Everything ``auto`` is recomputed from scratch, which keeps the run idempotent.
"""

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from api.linking.matcher import AliasMatcher
from api.models import EntityAlias, Mention

# document id → its passages and notes as (kind, row id), text
Containers = dict[str, list[tuple[str, int, str]]]


def build_matcher(session: Session) -> AliasMatcher:
    rows = session.execute(
        select(EntityAlias.text, EntityAlias.entity_id, EntityAlias.case_sensitive)
    ).all()
    return AliasMatcher((r.text, r.entity_id, r.case_sensitive) for r in rows)


def link_chunk(
    session: Session,
    chunk: list[str],
    containers: Containers,
    matcher: AliasMatcher,
) -> int:
    """Recompute the auto mentions of a chunk of documents whose containers are in hand."""
    session.execute(
        delete(Mention).where(
            Mention.document_id.in_(chunk),  # type: ignore[attr-defined]
            Mention.status == "auto",  # type: ignore[arg-type]
        )
    )
    if not matcher.size:
        return 0  # no aliases: nothing to find
    taken: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for row in session.connection().execute(
        select(Mention.passage_id, Mention.footnote_id, Mention.start, Mention.end).where(
            Mention.document_id.in_(chunk)  # type: ignore[attr-defined]
        )
    ):
        key = (
            ("passage", row.passage_id)
            if row.passage_id is not None
            else ("footnote", row.footnote_id)
        )
        taken.setdefault(key, []).append((row.start, row.end))
    rows: list[dict[str, object]] = []
    for document_id in chunk:
        for kind, container_id, text in containers.get(document_id, []):
            spans = taken.get((kind, container_id), [])
            for match in matcher.find(text):
                if any(match.start < end and start < match.end for start, end in spans):
                    continue
                rows.append(
                    {
                        "document_id": document_id,
                        "passage_id": container_id if kind == "passage" else None,
                        "footnote_id": container_id if kind == "footnote" else None,
                        "entity_id": match.entity_id,
                        "start": match.start,
                        "end": match.end,
                        "surface": match.surface,
                        "status": "auto",
                    }
                )
    if rows:
        session.execute(insert(Mention), rows)
    return len(rows)
