"""Running and inspecting Alembic migrations from code (CLI, start-up, readiness, tests)."""

from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from alembic import command
from api.settings import PROJECT_ROOT

ALEMBIC_DIR = PROJECT_ROOT / "alembic"

# Full-text search objects are written by hand in migrations (FTS5 tables and triggers,
# tsvector columns and GIN indexes); autogenerate must neither create nor drop them.
HAND_WRITTEN_PREFIXES = ("fts_", "search_")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (name and name.startswith(HAND_WRITTEN_PREFIXES))


def alembic_config(url: str, *, ini: Path | None = None) -> Config:
    config = Config(str(ini or PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
