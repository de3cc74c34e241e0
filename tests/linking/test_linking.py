"""Mentions, references and inferred links in the database, on both engines."""

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from api.db.engine import session_scope
from api.db.models import CrossReference, Mention
from api.errors import IngestError
from api.linking.batch import link_batch
from api.records.registry import read_registry
from api.records.write import write_document, write_registry
from tests.conftest import DatabaseFactory
from tests.utils.builders import document, registry

# Invented names, so that they cannot clash with the seed registry's aliases.
PEOPLE = registry(
    {
        "id": "fennimore",
        "type": "person",
        "name": "Lord Fennimore",
        "aliases": ["Lord Fennimore", "Fennimore"],
    },
    {"id": "aldport", "type": "place", "name": "Aldport", "aliases": ["Aldport"]},
    {"id": "brimsby", "type": "place", "name": "Brimsby", "aliases": ["Brimsby"]},
)


def mentions(session: Session, document_id: str) -> list[tuple[str, str, str]]:
    rows = session.execute(
        select(Mention.surface, Mention.entity_id, Mention.status)
        .where(Mention.document_id == document_id)
        .order_by(Mention.passage_id, Mention.start)
    ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_linker_finds_aliases_and_keeps_curator_decisions(
    databases: DatabaseFactory, backend: str
) -> None:
    db = databases.seeded(backend)
    text = "Lord Fennimore in Aldport wrote to Brimsby.\n\nFennimore again, in Brimsby."
    with session_scope(db.engine) as session:
        write_registry(session, PEOPLE)
        write_document(
            session,
            document(
                "moyne-letter",
                text,
                mentions=[
                    {"passage": "p2", "text": "Brimsby", "entity": "brimsby", "status": "rejected"}
                ],
            ),
        )
        link_batch(session, ["moyne-letter"])
    with Session(db.engine) as session:
        found = mentions(session, "moyne-letter")
    assert ("Lord Fennimore", "fennimore", "auto") in found
    assert ("Aldport", "aldport", "auto") in found
    assert ("Brimsby", "brimsby", "rejected") in found
    assert found.count(("Brimsby", "brimsby", "auto")) == 1  # p1 only; p2 stays rejected
    # Run again: same result, the rejection survives.
    with session_scope(db.engine) as session:
        link_batch(session, ["moyne-letter"])
    with Session(db.engine) as session:
        assert sorted(mentions(session, "moyne-letter")) == sorted(found)


def test_unresolved_reference_resolves_when_its_document_arrives(
    databases: DatabaseFactory, backend: str
) -> None:
    db = databases.seeded(backend)
    telegram = "harriman-to-secretary-of-state-1944-09-24"
    with Session(db.engine) as session:
        refs = (
            session.execute(
                select(CrossReference).where(
                    CrossReference.source_document_id == telegram,
                    CrossReference.origin != "inferred",
                )
            )
            .scalars()
            .all()
        )
    assert len(refs) == 2
    assert all(r.target_document_id is None for r in refs)
    assert {r.target_value for r in refs} == {"740.62114/9–2744", "2212"}
    with session_scope(db.engine) as session:
        write_document(
            session,
            document(
                "british-memorandum-1944-09-26",
                "Memorandum on Soviet nationals.",
                identifiers=[{"scheme": "file_number", "value": "740.62114/9-2744"}],
                date="1944-09-26",
            ),
        )
        report = link_batch(session, ["british-memorandum-1944-09-26"])
    assert report.resolved == 1
    with Session(db.engine) as session:
        cited = session.execute(
            select(CrossReference).where(
                CrossReference.source_document_id == telegram,
                CrossReference.target_value == "740.62114/9–2744",
            )
        ).scalar_one()
        assert cited.target_document_id == "british-memorandum-1944-09-26"


def test_own_file_number_is_not_a_reference(databases: DatabaseFactory) -> None:
    db = databases.migrated("sqlite")
    with session_scope(db.engine) as session:
        write_registry(session, PEOPLE)
        from api.records.record import CollectionRecord
        from api.records.write import write_collection

        write_collection(session, CollectionRecord(id="frus-1944-v04", title="FRUS"))
        write_document(
            session,
            document(
                "self-citing",
                "# 711.62114/9–2444: Telegram\n\nSee 740.62114/9–2744 and https://example.org/x.",
                identifiers=[{"scheme": "file_number", "value": "711.62114/9–2444"}],
            ),
        )
        link_batch(session)
    with Session(db.engine) as session:
        values = set(session.execute(select(CrossReference.target_value)).scalars())
    assert values == {"740.62114/9–2744", "https://example.org/x"}


def test_inferred_links_are_scored_explained_and_never_curated(
    databases: DatabaseFactory, backend: str
) -> None:
    db = databases.seeded(backend)
    with session_scope(db.engine) as session:
        write_registry(session, PEOPLE)
        for name in ("a", "b"):
            write_document(
                session, document(f"letter-{name}", "Lord Fennimore left Aldport for Brimsby.")
            )
        link_batch(session)
    with Session(db.engine) as session:
        inferred = session.execute(
            select(CrossReference).where(
                CrossReference.origin == "inferred",
                CrossReference.source_document_id == "letter-a",
                CrossReference.target_document_id == "letter-b",
            )
        ).scalar_one()
    assert inferred.relation == "see_also"
    assert inferred.score is not None and 0 < inferred.score <= 1
    assert "Lord Fennimore" in (inferred.reason or "")


def test_mention_of_unknown_entity_is_refused(databases: DatabaseFactory) -> None:
    db = databases.seeded("sqlite")
    record = document(
        "x",
        "Lord Fennimore.",
        mentions=[{"passage": "p1", "text": "Fennimore", "entity": "nobody"}],
    )
    with (
        pytest.raises(IngestError, match="unknown entity 'nobody'"),
        session_scope(db.engine) as session,
    ):
        write_document(session, record)


def test_mention_whose_offsets_do_not_match_is_refused() -> None:
    with pytest.raises(IngestError, match="holds 'Lord '"):
        document(
            "x",
            "Lord Moyne.",
            mentions=[{"passage": "p1", "text": "Moyne", "start": 0, "entity": "m"}],
        )


def test_registry_refuses_duplicate_ids_and_alias_clashes(tmp_path: Path) -> None:
    (tmp_path / "people.yaml").write_text(
        "- id: a\n  name: A\n  aliases: [Stalin]\n- id: b\n  name: B\n  aliases: [stalin]\n",
        encoding="utf-8",
    )
    with pytest.raises(IngestError) as caught:
        read_registry(tmp_path)
    assert "people.yaml:4" in str(caught.value) and "already belongs to 'a'" in str(caught.value)

    (tmp_path / "people.yaml").write_text("- id: a\n  name: A\n", encoding="utf-8")
    (tmp_path / "places.yaml").write_text("- id: a\n  name: A place\n", encoding="utf-8")
    with pytest.raises(IngestError, match="also used in"):
        read_registry(tmp_path)

    (tmp_path / "places.yaml").write_text("- id: p\n  name: P\n  type: person\n", encoding="utf-8")
    with pytest.raises(IngestError, match="does not belong"):
        read_registry(tmp_path)

    (tmp_path / "places.yaml").unlink()
    (tmp_path / "events.yaml").write_text(
        "- id: e\n  name: E\n  event_type: x\n  place: nowhere\n", encoding="utf-8"
    )
    with pytest.raises(IngestError, match="unknown place 'nowhere'"):
        read_registry(tmp_path)
