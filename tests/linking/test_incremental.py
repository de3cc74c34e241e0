"""Writes re-link only what they touch: inferred links keep their ids, no sequence churn.

The same small corpus on both engines: three letters that name the same invented people and
places, and one that names none of them. A write to one document must leave the links of
documents it does not reach as they were, row for row, and a write that changes what a
document names must bring its own links up to date in the same transaction.
"""

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from api.db.engine import session_scope
from api.db.models import CrossReference, Document, DocumentEntity, Mention, Passage
from api.linking.batch import documents_naming, link_batch
from api.linking.inference import infer_links
from api.records.write import write_document, write_registry
from tests.conftest import DatabaseFactory, DbHandle
from tests.utils.builders import document, registry

PEOPLE = registry(
    {"id": "fennimore", "type": "person", "name": "Lord Fennimore", "aliases": ["Fennimore"]},
    {"id": "aldport", "type": "place", "name": "Aldport", "aliases": ["Aldport"]},
    {"id": "brimsby", "type": "place", "name": "Brimsby", "aliases": ["Brimsby"]},
    {"id": "quillon", "type": "person", "name": "Dame Quillon", "aliases": ["Quillon"]},
)

TEXTS = {
    "letter-a": "Fennimore left Aldport for Brimsby.",
    "letter-b": "Fennimore reached Brimsby from Aldport.",
    "letter-c": "Quillon met Fennimore at Aldport.",
    "letter-d": "Nothing here names anyone.",
}


def inferred(session: Session) -> dict[tuple[str, str | None], tuple[int, float | None]]:
    rows = session.execute(
        select(
            CrossReference.source_document_id,
            CrossReference.target_document_id,
            CrossReference.id,
            CrossReference.score,
        ).where(CrossReference.origin == "inferred")
    ).all()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


@pytest.fixture
def corpus(databases: DatabaseFactory, backend: str) -> DbHandle:
    db = databases.seeded(backend)
    with session_scope(db.engine) as session:
        write_registry(session, PEOPLE)
        for doc_id, text in TEXTS.items():
            write_document(session, document(doc_id, text))
        link_batch(session)
    return db


def test_each_document_keeps_its_best_links_from_itself(corpus: DbHandle) -> None:
    with Session(corpus.engine) as session:
        links = inferred(session)
    assert ("letter-a", "letter-b") in links and ("letter-b", "letter-a") in links
    assert ("letter-c", "letter-a") in links  # Fennimore and Aldport
    assert not any("letter-d" in key for key in links)


def test_an_unrelated_write_keeps_every_link_and_the_sequence(corpus: DbHandle) -> None:
    with Session(corpus.engine) as session:
        before = inferred(session)
        top = session.execute(select(func.max(CrossReference.id))).scalar_one()
    with session_scope(corpus.engine) as session:
        write_document(session, document("letter-d", "Still nothing here.", genre="memo"))
        link_batch(session, ["letter-d"])
        write_document(session, document("letter-a", TEXTS["letter-a"], genre="letter"))
        link_batch(session, ["letter-a"])  # a metadata change: the same entities
    with Session(corpus.engine) as session:
        assert inferred(session) == before
        assert session.execute(select(func.max(CrossReference.id))).scalar_one() == top


def test_a_write_that_changes_what_a_document_names_relinks_it(corpus: DbHandle) -> None:
    with Session(corpus.engine) as session:
        before = inferred(session)
    with session_scope(corpus.engine) as session:
        write_document(session, document("letter-d", "Quillon and Fennimore at Aldport."))
        link_batch(session, ["letter-d"])
    with Session(corpus.engine) as session:
        after = inferred(session)
        names = set(
            session.execute(
                select(DocumentEntity.entity_id).where(DocumentEntity.document_id == "letter-d")
            ).scalars()
        )
    assert names == {"quillon", "fennimore", "aldport"}
    assert ("letter-d", "letter-c") in after  # the same three names
    # links of the other documents that were not recomputed kept their rows
    for key, (row_id, _score) in before.items():
        if key in after and key[0] != "letter-d":
            assert after[key][0] == row_id
    # and what the write computed is what a bulk pass computes for that document
    with session_scope(corpus.engine) as session:
        infer_links(session)
    with Session(corpus.engine) as session:
        bulk = inferred(session)
    mine = {k: v for k, v in after.items() if k[0] == "letter-d"}
    assert mine == {k: v for k, v in bulk.items() if k[0] == "letter-d"}


def test_losing_its_entities_drops_a_documents_links_both_ways(corpus: DbHandle) -> None:
    with session_scope(corpus.engine) as session:
        write_document(session, document("letter-b", "Now it names nobody."))
        link_batch(session, ["letter-b"])
    with Session(corpus.engine) as session:
        links = inferred(session)
    assert not any("letter-b" in key for key in links)
    assert ("letter-a", "letter-c") in links


def test_candidate_documents_for_an_alias_are_a_superset(corpus: DbHandle) -> None:
    with Session(corpus.engine) as session:
        assert documents_naming(session, ["QUILLON"]) == {"letter-c"}
        assert documents_naming(session, ["Dame Quillon"]) == set()  # not in any text
        assert documents_naming(session, ["Éé"]) is None  # no ASCII run: any document


def test_a_metadata_edit_keeps_every_part_and_its_id(corpus: DbHandle) -> None:
    """Passages, mentions and detected references of a document whose metadata alone
    changed keep their rows: nothing is deleted and re-inserted."""
    text = TEXTS["letter-a"] + "\n\nSee 740.62114/9–2744."

    def parts(session: Session) -> list[set[tuple[object, ...]]]:
        return [
            set(session.execute(select(model.id).where(column == "letter-a")).all())
            for model, column in (
                (Passage, Passage.document_id),
                (Mention, Mention.document_id),
                (CrossReference, CrossReference.source_document_id),
            )
        ]

    with session_scope(corpus.engine) as session:
        write_document(session, document("letter-a", text))
        link_batch(session, ["letter-a"])
    with Session(corpus.engine) as session:
        before = parts(session)
    assert all(before)
    with session_scope(corpus.engine) as session:
        outcome = write_document(session, document("letter-a", text, title="Renamed"))
        link_batch(session, ["letter-a"])
    assert outcome == "updated"
    with Session(corpus.engine) as session:
        assert parts(session) == before
        assert session.get(Document, "letter-a").title == "Renamed"  # type: ignore[union-attr]
