"""Engine and sessions, with the per-dialect set-up the two supported databases need.

SQLite is the embedded default: WAL lets readers run while the loader writes, foreign keys
must be switched on per connection, and a busy timeout turns lock contention into waiting
instead of errors. PostgreSQL needs only a sized pool.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    cursor.execute("PRAGMA busy_timeout=5000")
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
            # that run on the event loop (see run_read) must not block on one.
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


def _read(engine: Engine, work: Callable[..., T], args: Any, kwargs: Any) -> T:
    with engine.connect() as connection:
        return work(connection, *args, **kwargs)


async def run_read(
    engine: Engine,
    work: Callable[Concatenate[Connection, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run a short read-only ``work(connection, ...)`` from an ``async`` route.

    On SQLite the work runs right here, on the event loop. A lookup by key in a local WAL
    file takes tens of microseconds and WAL readers never wait for the writer, while handing
    the work to the thread pool and back costs several times that and caps a worker's
    throughput (a sync route that does nothing serves about half the requests an async one
    does). The pool never makes it wait for a connection either (see make_engine).

    Every other database is across a network, where a blocking call would stall every
    request on the loop, so the work goes to the thread pool as a sync route's would.
    """
    if engine.dialect.name == "sqlite":
        return _read(engine, work, args, kwargs)
    return await run_in_threadpool(_read, engine, work, args, kwargs)
