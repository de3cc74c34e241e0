"""Engine and sessions, with the per-dialect set-up the two supported databases need.

SQLite is the embedded default: WAL lets readers run while the loader writes, foreign keys
must be switched on per connection, and a busy timeout turns lock contention into waiting
instead of errors. PostgreSQL needs only a sized pool.

Writes go one at a time on either engine (``begin_write``): on SQLite a write transaction
takes the database's write lock when it begins, on PostgreSQL a transaction-scoped advisory
lock. One lock taken first, before any row, is one lock order: writers queue instead of
deadlocking, and a write never fails because another committed between its reads and its
first change. A wait longer than ``WRITE_WAIT_SECONDS`` ends the request with a 503.

Sessions serve most routes; ``Reader`` serves hot, short reads from ``async`` routes on a
Core connection, on the event loop where the database allows it.
"""

import functools
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import anyio.to_thread
from sqlalchemy import Connection, Engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

P = ParamSpec("P")
T = TypeVar("T")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


WRITE_WAIT_SECONDS = 10.0
WRITE = "quellen_write"  # execution option: this connection's transactions write
WRITE_WAIT = "quellen_write_wait"  # engine-wide execution option: the bound, in seconds
WRITE_LOCK_KEY = 0x5155454C4C454E  # "QUELLEN": PostgreSQL's advisory lock for writes


def _sqlite_pragmas(write_wait: float) -> Callable[[Any, Any], None]:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite would begin a transaction only before the first change, so the reads
        # before it would share no snapshot, and a write could not claim the lock up front:
        # SQLAlchemy says when a transaction begins, and _sqlite_begin begins it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(write_wait * 1000)}")  # writers queue
        cursor.close()

    return configure


def _sqlite_begin(connection: Connection) -> None:
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return
    # IMMEDIATE takes the write lock now, waiting for it as long as the busy timeout says; a
    # deferred transaction that read first would fail at its first change if another writer
    # committed meanwhile (its snapshot can no longer become a write), whatever the timeout
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE) else "BEGIN")


class WriteTimeout(Exception):
    """A write waited longer than it may for the ones before it."""


_LANES: "weakref.WeakKeyDictionary[Engine, threading.Lock]" = weakref.WeakKeyDictionary()
_LANES_LOCK = threading.Lock()


@contextmanager
def write_lane(engine: Engine) -> Iterator[None]:
    """This process's writers, one at a time, in the order they came.

    Taken before a connection is: writers waiting for the database's lock would otherwise
    each hold a pooled connection, and with the pool drained the writer holding the lock
    could wait for one it needs too. On SQLite it also keeps waiters fair: the busy
    handler polls with growing sleeps, so among many waiting writers some would lose every
    race and wait past any bound, whereas here only one writer per process polls.
    """
    with _LANES_LOCK:
        lane = _LANES.setdefault(engine, threading.Lock())
    wait = float(engine.get_execution_options().get(WRITE_WAIT, WRITE_WAIT_SECONDS))
    if not lane.acquire(timeout=wait):
        raise WriteTimeout(f"waited {wait:g} s for the writes before this one")
    try:
        yield
    finally:
        lane.release()


@contextmanager
def write_session(engine: Engine, *, exclusive: bool = True, **options: Any) -> Iterator[Session]:
    """A session for one write transaction, begun in the write lane (see ``begin_write``).

    The caller commits; the session is closed (and rolled back if it was not) on the way out.
    """
    lane = write_lane(engine) if exclusive or engine.dialect.name == "sqlite" else nullcontext()
    with lane, Session(engine, **options) as session:
        begin_write(session, exclusive=exclusive)
        yield session


def begin_write(session: Session, *, exclusive: bool = True) -> None:
    """Begin the session's transaction as a write: one writer at a time, in any process.

    Called before anything else in the transaction. PostgreSQL's lock waits (this one and
    any row's after it) are bounded too, so a write waits at most about
    ``WRITE_WAIT_SECONDS`` before the request answers 503.

    ``exclusive=False``, PostgreSQL only: a write that changes one document's own row and
    nothing shared with other writes (no links, no other document's rows) needs no turn;
    its row lock orders it with the writes of that document, and it runs beside the others.
    On SQLite every write takes the database's one write lock.
    """
    if session.in_transaction():
        raise RuntimeError("begin_write must open the session's transaction")
    connection = session.connection(execution_options={WRITE: True})
    if connection.dialect.name == "postgresql":
        wait = float(connection.get_execution_options().get(WRITE_WAIT, WRITE_WAIT_SECONDS))
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(wait * 1000)}ms'")
        if exclusive:
            key = {"key": WRITE_LOCK_KEY}
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), key)


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    write_wait: float = WRITE_WAIT_SECONDS,
    connect_args: dict[str, Any] | None = None,
) -> Engine:
    """Build an engine for ``url``; creates the folder of a SQLite file when it is missing.

    ``write_wait``: how long a write waits for the one before it (see ``begin_write``).
    ``connect_args``: for PostgreSQL's driver (a replica's ``connect_timeout``).
    """
    parsed = make_url(url)
    waits = {WRITE_WAIT: write_wait}
    if parsed.get_backend_name() == "sqlite":
        options: dict[str, Any] = {"execution_options": waits}
        database = parsed.database
        if database and database != ":memory:" and parsed.query.get("mode") != "memory":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # A file gets SQLAlchemy's QueuePool. SQLite has no server whose connection
            # limit a pool must protect, so a request never waits for a connection; reads
            # that run on the event loop (see Reader) must not block on one.
            options["max_overflow"] = -1
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
        event.listen(engine, "connect", _sqlite_pragmas(write_wait))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        execution_options=waits,
        connect_args=connect_args or {},
    )
    event.listen(engine.pool, "connect", _note_checkin)
    event.listen(engine.pool, "checkin", _note_checkin)
    event.listen(engine.pool, "checkout", _ping_after_idle(engine.dialect))
    return engine


PING_AFTER_IDLE = 1.0  # seconds a pooled connection may rest and still be trusted unpinged
_CHECKED_IN = "quellen_checked_in"


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info[_CHECKED_IN] = time.monotonic()


def _ping_after_idle(dialect: Any) -> Callable[[Any, Any, Any], None]:
    """Check a pooled connection before use only if it rested longer than PING_AFTER_IDLE.

    A server restart or an idle timeout leaves dead connections in the pool; pinging at
    every checkout (``pool_pre_ping``) finds them, but costs every request one more round
    trip. A connection handed back moments ago was alive moments ago: like HikariCP's
    ``aliveBypassWindowMs``, only one that has rested is pinged. A dead one raises
    DisconnectionError, on which the pool drops it and connects afresh. The ping is the
    dialect's own (what ``pool_pre_ping`` runs).
    """

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        rested = time.monotonic() - record.info.get(_CHECKED_IN, float("-inf"))
        if rested <= PING_AFTER_IDLE:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:  # a failing ping is a connection that is gone
            raise exc.DisconnectionError(f"pooled connection is gone: {error}") from error
        if not alive:
            raise exc.DisconnectionError("pooled connection is gone")

    return checkout


def snapshot_engine(engine: Engine) -> Engine:
    """The engine for reads that take several statements, each transaction one snapshot.

    A search reads its hits, then their texts; a document's text reads passages, then
    notes. PostgreSQL's default isolation gives every statement a snapshot of its own, so
    a write committed between two of them (one that re-inserts passages) would show half:
    REPEATABLE READ keeps the first one's (a read-only transaction never fails for it).
    SQLite's transactions are snapshots already. The same pool either way.
    """
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="REPEATABLE READ")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A write outside a request (CLI, loader): commit on success, roll back on error."""
    with write_session(engine) as session:
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
            return await anyio.to_thread.run_sync(
                functools.partial(_read_once, self.engine, work, args, kwargs)
            )
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
