"""Test databases on both engines.

Every API test runs twice: on a SQLite file and on a PostgreSQL database that the run
creates and drops itself. PostgreSQL tests skip with a message when the server cannot be
reached, unless QUELLEN_REQUIRE_POSTGRES=1 (CI sets it), when they fail instead.
"""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from api.db.engine import make_engine
from api.db.migrations import upgrade
from api.ingest.seed import load_seed_corpus
from api.settings import PROJECT_ROOT, Settings

DATA_DIR = PROJECT_ROOT / "data"
PG_ADMIN_URL = os.environ.get(
    "QUELLEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgresql"]


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means: no usable server
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}: {exc}"
    return None


_PG_PROBLEM: str | bool | None = False  # False: not probed yet


def require_backend(backend: str) -> None:
    global _PG_PROBLEM
    if backend != "postgresql":
        return
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _postgres_problem()
    if _PG_PROBLEM:
        if os.environ.get("QUELLEN_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"QUELLEN_REQUIRE_POSTGRES=1 but {_PG_PROBLEM}")
        pytest.skip(str(_PG_PROBLEM))


@dataclass
class DbHandle:
    backend: str
    url: str
    engine: Engine

    def app_settings(self, **overrides: object) -> Settings:
        return Settings(database_url=self.url, load_seed=False, **overrides)  # type: ignore[arg-type]


class DatabaseFactory:
    """Creates empty databases on either engine and removes them at the end."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.created: list[DbHandle] = []

    def empty(self, backend: str) -> DbHandle:
        require_backend(backend)
        for earlier in self.created:
            # idle pooled connections of earlier databases closed (they reconnect when used
            # again): the server allows 100 connections, and the run makes hundreds of pools
            if earlier.backend == "postgresql":
                earlier.engine.dispose()
        name = f"quellen_test_{uuid.uuid4().hex[:12]}"
        if backend == "sqlite":
            url = f"sqlite:///{self.tmp / (name + '.sqlite')}"
        else:
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        db = DbHandle(backend, url, make_engine(url))
        self.created.append(db)
        return db

    def migrated(self, backend: str) -> DbHandle:
        db = self.empty(backend)
        upgrade(db.url)
        return db

    def seeded(self, backend: str) -> DbHandle:
        db = self.migrated(backend)
        load_seed_corpus(db.engine, DATA_DIR)
        return db

    def drop(self, db: DbHandle) -> None:
        """Close the database's connections and remove it (a PostgreSQL database at once:
        the server allows 100 connections, and every pool keeps some open)."""
        db.engine.dispose()
        if db.backend == "postgresql":
            name = make_url(db.url).database
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        if db in self.created:
            self.created.remove(db)

    def drop_all(self) -> None:
        for db in list(self.created):
            self.drop(db)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("db"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_db(request: pytest.FixtureRequest, databases: DatabaseFactory) -> DbHandle:
    """The seed corpus, loaded once per engine and shared by read-only tests."""
    return databases.seeded(request.param)


@pytest.fixture(scope="session")
def client(seeded_db: DbHandle) -> Iterator[TestClient]:
    app = create_app(seeded_db.app_settings(), engine=seeded_db.engine)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(params=BACKENDS)
def fresh_db(request: pytest.FixtureRequest, databases: DatabaseFactory) -> Iterator[DbHandle]:
    """A database of its own, seeded, for a test that writes; removed when the test ends."""
    db = databases.seeded(request.param)
    yield db
    databases.drop(db)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    require_backend(request.param)
    return str(request.param)
