"""The schema exists only through Alembic: upgrade, downgrade, and no drift from the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import api.models  # noqa: F401  (registers the tables)
from api.migrations import current_revision, downgrade, head_revision, upgrade
from tests.conftest import DatabaseFactory

TABLES = {"collection", "document", "document_identifier", "passage", "footnote", "page_marker"}


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_upgrade_downgrade_and_no_drift(databases: DatabaseFactory, engine_name: str) -> None:
    db = databases.empty(engine_name)
    assert current_revision(db.engine) is None

    upgrade(db.url)
    assert current_revision(db.engine) == head_revision(db.url)
    assert set(inspect(db.engine).get_table_names()) >= TABLES

    with db.engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}),
            SQLModel.metadata,
        )
    assert diff == [], f"models and migrations disagree: {diff}"

    downgrade(db.url, "base")
    assert current_revision(db.engine) is None
    assert not TABLES & set(inspect(db.engine).get_table_names())

    upgrade(db.url)  # and back up again, as an upgrade after a rollback would
    assert current_revision(db.engine) == head_revision(db.url)
