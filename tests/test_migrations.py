"""The schema exists only through Alembic: upgrade, downgrade, and no drift from the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlmodel import Session, SQLModel

import api.db.models  # noqa: F401  (registers the tables)
from api.db.migrations import (
    current_revision,
    downgrade,
    head_revision,
    include_object,
    upgrade,
)
from api.db.models import Document, Footnote, Mention, Passage
from api.records.index import rebuild as reindex
from api.search.backends import backend_for
from api.search.query import parse
from tests.conftest import DatabaseFactory

TABLES = {
    "collection",
    "document",
    "document_identifier",
    "passage",
    "footnote",
    "page_marker",
    "entity",
    "entity_alias",
    "event",
    "mention",
    "cross_reference",
}


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_upgrade_downgrade_and_no_drift(databases: DatabaseFactory, engine_name: str) -> None:
    db = databases.empty(engine_name)
    assert current_revision(db.engine) is None

    upgrade(db.url)
    assert current_revision(db.engine) == head_revision(db.url)
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    columns = {c["name"] for c in inspect(db.engine).get_columns("passage")}
    if engine_name == "sqlite":
        assert {"fts_passage", "fts_footnote"} <= set(inspect(db.engine).get_table_names())
    else:
        assert "search_vector" in columns

    with db.engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}
            ),
            SQLModel.metadata,
        )
    assert diff == [], f"models and migrations disagree: {diff}"

    downgrade(db.url, "base")
    assert current_revision(db.engine) is None
    assert not TABLES & set(inspect(db.engine).get_table_names())

    upgrade(db.url)  # and back up again, as an upgrade after a rollback would
    assert current_revision(db.engine) == head_revision(db.url)


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_downgrade_and_upgrade_keep_the_data(databases: DatabaseFactory, engine_name: str) -> None:
    """Upgrades must be boring: stepping back and forth through the revisions loses nothing."""
    db = databases.seeded(engine_name)

    def counts() -> tuple[int, ...]:
        with Session(db.engine) as session:
            return tuple(
                session.execute(select(func.count()).select_from(model)).scalar_one()
                for model in (Document, Passage, Footnote, Mention)
            )

    before = counts()
    assert before[0] == 4 and before[3] > 100
    downgrade(db.url, "0002")
    upgrade(db.url)
    assert counts() == before
    reindex(db.engine)  # the index rebuilt by the migration finds the texts again
    with db.engine.connect() as connection:
        clause = backend_for(db.engine).clause("passage", parse("Lienz"))
        query = select(Passage.id).select_from(Passage)
        if clause.index is not None:
            query = query.join(clause.index, clause.index.c.rowid == Passage.id)
        assert connection.execute(query.where(clause.match)).all()
