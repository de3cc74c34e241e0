"""What a server does before it serves: migrate, then seed an empty database, one at a time.

Several replicas (compose ``--scale``, an orchestrator's rollout) may start at once against
one PostgreSQL database. Without coordination two of them would both run a migration, or
both find the database empty and load the seed corpus twice. So the whole preparation runs
under a PostgreSQL session advisory lock: the first replica migrates and seeds, the others
wait for the lock, then find the schema at the head and the documents there, and do
nothing. The lock belongs to the connection, so a replica that dies lets go of it.

SQLite is one file on one machine, reached by one ``quellen serve`` at a time; it needs no
lock.
"""

import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from api.db.engine import is_sqlite, make_engine
from api.db.migrations import upgrade
from api.ingest.seed import database_is_empty, load_seed_corpus
from api.settings import Settings

log = logging.getLogger("quellen.startup")

#: One fixed 64-bit key for every Quellen process, derived from a name so it is greppable.
LOCK_KEY = zlib.crc32(b"quellen:migrate-and-seed")


@contextmanager
def startup_lock(url: str) -> Iterator[None]:
    """Hold the advisory lock on ``url``'s PostgreSQL database for the ``with`` block.

    A no-op on SQLite. The lock is taken on a connection of its own that is held until the
    block ends; migrations and the loader use their own connections meanwhile.
    """
    if is_sqlite(url):
        yield
        return
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            log.info("waiting for the start-up lock", extra={"fields": {"lock": LOCK_KEY}})
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    finally:
        engine.dispose()


def migrate(url: str, revision: str = "head") -> None:
    """``alembic upgrade`` to ``revision``, one process at a time."""
    with startup_lock(url):
        upgrade(url, revision)


def prepare_database(settings: Settings, *, run_migrations: bool = True) -> int:
    """Migrate to the head, then load the seed corpus if wanted and the database is empty.

    Returns the number of seed documents written (0 when nothing was loaded). Raises
    ``IngestError`` when the seed corpus is broken; nothing is written then.
    """
    url = settings.database_url
    with startup_lock(url):
        if run_migrations:
            upgrade(url)
            log.info("database schema at the migration head")
        if not settings.load_seed:
            return 0
        engine = make_engine(url, pool_size=1)
        try:
            if not database_is_empty(engine):
                log.info("database holds documents; seed corpus not loaded")
                return 0
            counts = load_seed_corpus(engine, settings.data_dir)
        finally:
            engine.dispose()
    loaded = sum(counts.values())
    log.info(
        "loaded the seed corpus: %d documents",
        loaded,
        extra={"fields": {"documents": loaded, "data_dir": str(settings.data_dir)}},
    )
    return loaded
