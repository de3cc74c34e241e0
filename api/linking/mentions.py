"""Run the alias matcher over documents and store what it finds as ``auto`` mentions.

A curator's decisions win: an ``auto`` match is dropped where a curated or rejected mention
already covers the same span, so a rejected mention stays rejected however often the linker
runs. Everything ``auto`` is recomputed, and stored as the difference with what was, which
keeps the run idempotent and the ids of mentions found again.
"""

import threading
from collections.abc import Mapping

from sqlalchemy import RowMapping, delete, insert, select
from sqlmodel import Session, col

from api.db.models import EntityAlias, Mention
from api.linking.matcher import AliasMatcher

# document id → its passages and notes as (kind, row id), text
Containers = dict[str, list[tuple[str, int, str]]]


_built: dict[tuple[tuple[str, str, bool], ...], AliasMatcher] = {}
_built_lock = threading.Lock()


def build_matcher(session: Session) -> AliasMatcher:
    """The matcher for the aliases stored now.

    Every write re-links its document, and building the automaton costs far more than
    reading the aliases: the last one built is kept, and used again while the aliases
    read are the same ones.
    """
    aliases = tuple(
        (r.text, r.entity_id, bool(r.case_sensitive))
        for r in session.execute(
            select(
                col(EntityAlias.text), col(EntityAlias.entity_id), col(EntityAlias.case_sensitive)
            ).order_by(col(EntityAlias.key), col(EntityAlias.entity_id))
        )
    )
    with _built_lock:
        matcher = _built.get(aliases)
    if matcher is None:
        matcher = AliasMatcher(aliases)
        with _built_lock:
            _built.clear()
            _built[aliases] = matcher
    return matcher


def link_chunk(
    session: Session,
    chunk: list[str],
    containers: Containers,
    matcher: AliasMatcher,
) -> int:
    """Recompute the auto mentions of a chunk of documents whose containers are in hand.

    Written as a difference with what is stored: a mention found again keeps its row and
    id (clients link to mentions), only those gone are deleted and only new ones inserted.
    Returns the number found.
    """
    taken: dict[tuple[str, int], list[tuple[int, int]]] = {}
    held: dict[tuple[object, ...], int] = {}
    for row in session.connection().execute(
        select(
            col(Mention.id),
            col(Mention.document_id),
            col(Mention.passage_id),
            col(Mention.footnote_id),
            col(Mention.entity_id),
            col(Mention.start),
            col(Mention.end),
            col(Mention.status),
        ).where(col(Mention.document_id).in_(chunk))
    ):
        if row.status == "auto":
            held[_key(row._mapping)] = row.id
            continue
        key = (
            ("passage", row.passage_id)
            if row.passage_id is not None
            else ("footnote", row.footnote_id)
        )
        taken.setdefault(key, []).append((row.start, row.end))
    rows: list[dict[str, object]] = []
    for document_id in chunk if matcher.size else []:
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
    found = {_key(row) for row in rows}
    gone = sorted(row_id for key, row_id in held.items() if key not in found)
    for first in range(0, len(gone), 500):
        session.execute(delete(Mention).where(col(Mention.id).in_(gone[first : first + 500])))
    new = [row for row in rows if _key(row) not in held]
    if new:
        session.execute(insert(Mention), new)
    return len(rows)


def _key(row: Mapping[str, object] | RowMapping) -> tuple[object, ...]:
    """What makes an automatic mention the same one: where it is and whom it names."""
    get = row.get
    return tuple(
        get(name)
        for name in ("document_id", "passage_id", "footnote_id", "entity_id", "start", "end")
    )
