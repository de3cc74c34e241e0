"""The linker against a hand-made gold list of mentions in the four seed sources.

The gold list (gold_mentions.yaml) was written by reading the texts, not by running the
matcher. Every gold mention must be found, and nothing may be found that is not in it
(a false match has to be rejected by a curator in the data, which removes it from view).
"""

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlmodel import Session

from api.db.models import Footnote, Mention, Passage
from tests.conftest import DbHandle

GOLD = Path(__file__).with_name("gold_mentions.yaml")

Key = tuple[str, str, str, str, int, str]


def _gold() -> set[Key]:
    items = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    keys: set[Key] = set()
    for item in items:
        container = "passage" if "passage" in item else "footnote"
        keys.add(
            (
                item["document"],
                container,
                str(item[container]),
                item["text"],
                int(item.get("occurrence", 1)),
                item["entity"],
            )
        )
    assert len(keys) == len(items), "the gold list repeats a mention"
    return keys


def _found(db: DbHandle) -> set[Key]:
    with Session(db.engine) as session:
        rows = session.execute(
            select(
                Mention.document_id,
                Mention.start,
                Mention.surface,
                Mention.entity_id,
                Passage.ref,
                Passage.text,
                Footnote.marker,
                Footnote.text.label("note_text"),  # type: ignore[attr-defined]
            )
            .outerjoin(Passage, Passage.id == Mention.passage_id)  # type: ignore[arg-type]
            .outerjoin(Footnote, Footnote.id == Mention.footnote_id)  # type: ignore[arg-type]
            .where(Mention.status != "rejected")
        ).all()
    keys: set[Key] = set()
    for r in rows:
        container, ref, text = (
            ("passage", r.ref, r.text) if r.ref is not None else ("footnote", r.marker, r.note_text)
        )
        occurrence = text[: r.start].count(r.surface) + 1
        keys.add((r.document_id, container, ref, r.surface, occurrence, r.entity_id))
    return keys


def test_linker_matches_the_gold_list(seeded_db: DbHandle) -> None:
    gold = _gold()
    assert len(gold) >= 40
    found = _found(seeded_db)
    missing = sorted(gold - found)
    unexpected = sorted(found - gold)
    assert not missing, f"gold mentions not found: {missing}"
    assert not unexpected, f"mentions outside the gold list: {unexpected}"
