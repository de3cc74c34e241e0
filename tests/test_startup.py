"""Start-up: replicas starting together migrate and seed a database exactly once."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlmodel import Session

from api.db.engine import make_engine
from api.db.migrations import current_revision, head_revision
from api.db.models import Document
from api.ingest.seed import read_seed_corpus
from api.settings import Settings
from api.startup import prepare_database, startup_lock
from tests.conftest import DATA_DIR, DatabaseFactory


def _documents(url: str) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.execute(select(func.count()).select_from(Document)).scalar_one()
    finally:
        engine.dispose()


def test_prepare_migrates_and_seeds_once(databases: DatabaseFactory, backend: str) -> None:
    db = databases.empty(backend)
    settings = Settings(database_url=db.url, load_seed=True)
    expected = len(read_seed_corpus(DATA_DIR).documents)
    assert prepare_database(settings) == expected
    assert prepare_database(settings) == 0  # a restart: migrations no-op, seed left alone
    assert current_revision(db.engine) == head_revision(db.url)
    assert _documents(db.url) == expected


def test_prepare_without_load_seed_leaves_the_database_empty(
    databases: DatabaseFactory, backend: str
) -> None:
    db = databases.empty(backend)
    assert prepare_database(Settings(database_url=db.url, load_seed=False)) == 0
    assert current_revision(db.engine) == head_revision(db.url)
    assert _documents(db.url) == 0


def test_replicas_starting_together_seed_once(databases: DatabaseFactory) -> None:
    """Four `quellen serve` start-ups at once on one PostgreSQL database: one does the work."""
    db = databases.empty("postgresql")
    settings = Settings(database_url=db.url, load_seed=True)
    with ThreadPoolExecutor(max_workers=4) as pool:
        loaded = list(pool.map(lambda _: prepare_database(settings), range(4)))
    expected = len(read_seed_corpus(DATA_DIR).documents)
    assert sorted(loaded) == [0, 0, 0, expected]
    assert _documents(db.url) == expected
    assert current_revision(db.engine) == head_revision(db.url)


def test_the_startup_lock_is_exclusive(databases: DatabaseFactory) -> None:
    db = databases.empty("postgresql")
    entered = threading.Event()

    def second() -> None:
        with startup_lock(db.url):
            entered.set()

    with startup_lock(db.url):
        thread = threading.Thread(target=second)
        thread.start()
        assert not entered.wait(0.5), "a second holder got the lock while the first held it"
    assert entered.wait(10), "the lock was not released"
    thread.join()
