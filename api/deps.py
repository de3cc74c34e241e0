"""Dependencies, declared once with Annotated and reused by every route."""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from api.db.engine import Reader, write_session
from api.db.replicas import READ_TARGET, ReadTarget


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, opened lazily.

    An async generator, so FastAPI runs it on the event loop instead of sending it to the
    thread pool: creating a Session does no I/O, and the sync route that uses it already
    runs in a worker thread. This saves two thread hand-offs per request on the read path.
    """
    target: ReadTarget | None = request.scope.get("state", {}).get(READ_TARGET)
    if target is None:
        engine = request.app.state.snapshot_engine
    else:  # replicas are configured and this is a read (api/http/replicas.py)
        engine = target.snapshot_engine
        target.on_read()
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


async def get_primary_session(request: Request) -> AsyncIterator[Session]:
    """A read session on the primary even where replicas serve reads: for what a curator or
    an administrator polls right after changing it (import jobs, keys), where a replica a
    moment behind would answer 404 for the job just accepted."""
    session = Session(request.app.state.snapshot_engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


def get_write_session(request: Request) -> Iterator[Session]:
    """A session whose transaction is a write, begun before the route runs (``begin_write``).

    Sync, so FastAPI runs it in the thread pool: waiting for the write lock must not hold
    up the event loop.
    """
    with write_session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


def get_row_write_session(request: Request) -> Iterator[Session]:
    """A write session that takes no turn in the write lane on PostgreSQL: for writes that
    lock a document's row before the rows they change in it and touch nothing shared
    with other documents' writes (``begin_write(exclusive=False)``)."""
    engine = request.app.state.engine
    with write_session(engine, exclusive=False, expire_on_commit=False) as session:
        yield session


def reader_for(request: Request) -> Reader:
    """The application's Reader, made on first use and kept for the application's life.

    Kept on the app rather than made per request because it holds the connection that
    reads on the event loop reuse. A plain call rather than a ``Depends``: on the hot read
    path, resolving one more dependency costs FastAPI about half as much as the lookup.
    """
    state = request.app.state
    target: ReadTarget | None = request.scope.get("state", {}).get(READ_TARGET)
    if target is not None:  # a read with replicas configured: one Reader per database
        target.on_read()
        readers: dict[str, Reader] = state.replica_readers
        found = readers.get(target.name)
        if found is None or found.engine is not target.engine:
            found = readers[target.name] = Reader(target.engine)
        return found
    reader: Reader | None = getattr(state, "reader", None)
    if reader is None or reader.engine is not state.engine:
        reader = state.reader = Reader(state.engine)
    return reader


def absolute_base(request: Request) -> str:
    """The prefix of every link and ``@id`` in a response: scheme, host and root path.

    Absolute, so a frontend served from another origin can follow ``next`` and ``self``
    as they are. ``QUELLEN_PUBLIC_URL`` when set (a proxy that rewrites hosts); otherwise
    the request's own, which honours ``X-Forwarded-Proto`` from a trusted proxy and
    ``QUELLEN_ROOT_PATH``.
    """
    public: str = request.app.state.settings.public_url
    if public:
        return public
    scope = request.scope
    host = request.headers.get("host")
    if host is None:  # HTTP/1.0 without Host: the address the server listens on
        server = scope.get("server")
        host = f"{server[0]}:{server[1]}" if server else "localhost"
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}"


links_base = absolute_base  # one prefix for links and identifiers alike


async def _links_base(request: Request) -> str:
    """``links_base`` as a dependency: ``async``, so FastAPI calls it on the event loop
    rather than handing it to the thread pool as it does a plain function."""
    return links_base(request)


async def _absolute_base(request: Request) -> str:
    """``absolute_base`` as a dependency, on the event loop like ``_links_base``."""
    return absolute_base(request)


SessionDep = Annotated[Session, Depends(get_session)]
PrimarySessionDep = Annotated[Session, Depends(get_primary_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]
RowWriteSessionDep = Annotated[Session, Depends(get_row_write_session)]
BaseUrl = Annotated[str, Depends(_links_base)]
AbsoluteBaseUrl = Annotated[str, Depends(_absolute_base)]
