"""Engine and sessions, with the per-dialect set-up the two supported databases need.

SQLite is the embedded default: WAL lets readers run while the loader writes, foreign keys
must be switched on per connection, and a busy timeout turns lock contention into waiting
instead of errors. PostgreSQL needs only a sized pool.

Sessions serve most routes; ``Reader`` serves hot, short reads from ``async`` routes on a
Core connection, on the event loop where the database allows it.
"""

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

P = ParamSpec("P")
T = TypeVar("T")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")  # writers queue, they do not fail
    cursor.close()


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Build an engine for ``url``; creates the folder of a SQLite file when it is missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        options: dict[str, Any] = {}
        database = parsed.database
        if database and database != ":memory:" and parsed.query.get("mode") != "memory":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # A file gets SQLAlchemy's QueuePool. SQLite has no server whose connection
            # limit a pool must protect, so a request never waits for a connection; reads
            # that run on the event loop (see Reader) must not block on one.
            options["max_overflow"] = -1
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work outside a request (CLI, loader): commit on success, roll back on error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _close_all(connections: list[Connection]) -> None:
    while connections:
        connections.pop().close()


def _read_once(engine: Engine, work: Callable[..., T], args: Any, kwargs: Any) -> T:
    with engine.connect() as connection:
        return work(connection, *args, **kwargs)


class Reader:
    """Short read-only units of work for ``async`` routes, run the cheapest safe way.

    On SQLite the work runs right on the event loop. A lookup by key in a local WAL file
    takes tens of microseconds and WAL readers never wait for the writer, whereas handing
    the work to the thread pool and back costs more than the lookup and caps a worker's
    throughput (here a sync route that does nothing serves half the requests an async one
    does). The reader also keeps its connection checked out between reads, rolled back
    after each one so that no snapshot outlives it: checking a connection out of the pool
    and back in costs more than the query. The connection is closed when the reader is
    collected with its application, or when a read fails.

    Every other database is across a network, where a blocking call would stall every
    request on the loop, so there the work goes to the thread pool, as a sync route's
    would, on a pooled connection of its own.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.inline = engine.dialect.name == "sqlite"
        self._lock = threading.Lock()
        self._held: list[Connection] = []  # the kept connection, once opened
        weakref.finalize(self, _close_all, self._held)

    async def run(
        self,
        work: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``work(connection, *args, **kwargs)``, on a connection that sees committed data."""
        if not self.inline:
            return await run_in_threadpool(_read_once, self.engine, work, args, kwargs)
        if not self._lock.acquire(blocking=False):
            # Another thread (a second event loop) is reading: don't share the connection.
            return _read_once(self.engine, work, args, kwargs)
        try:
            if not self._held:
                self._held.append(self.engine.connect())
            connection = self._held[0]
            try:
                result = work(connection, *args, **kwargs)
                connection.rollback()
            except BaseException:
                with suppress(Exception):  # keep the original error
                    _close_all(self._held)  # the next read starts on a fresh connection
                raise
            return result
        finally:
            self._lock.release()
