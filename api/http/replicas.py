"""Reads to replicas, writes to the primary, and the token that makes a writer's reads fresh.

``ReplicaMiddleware`` decides per request which database a read uses (routes and the
dependencies in ``api/deps.py`` just take what it chose), so no route knows replicas exist:

- A write (any method but GET, HEAD, OPTIONS; not the POSTs that only read, such as a
  reconciliation batch: ``api/http/limits.py:READ_ONLY_POSTS``) runs on the primary. Its
  successful response carries ``Quellen-Consistency``: the primary's WAL position after
  the commit.
- A read runs on a replica in turn (``api/db/replicas.py``), or on the primary when none is
  fit. A read that presents ``Quellen-Consistency`` runs only on a replica that has
  replayed that position, else on the primary.
- A read whose replica fails before it answers (the replica stopped) is run again on the
  primary, and the replica leaves the rotation until a check finds it well: a GET is safe
  to repeat, and nothing of the first answer was sent.

Without ``QUELLEN_DATABASE_REPLICA_URLS`` the middleware is not installed; on SQLite no
token is sent either (one file has no replicas).
"""

import logging

import anyio.to_thread
from prometheus_client import Counter, Gauge
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.db.replicas import (
    READ_TARGET,
    ReadTarget,
    Replica,
    ReplicaSet,
    parse_lsn,
    primary_position,
)
from api.http.limits import writes
from api.http.problems import problem_response

log = logging.getLogger("quellen.replicas")

CONSISTENCY_HEADER = "Quellen-Consistency"
_TOKEN_HEADER = CONSISTENCY_HEADER.lower().encode()

READS = Counter(
    "quellen_db_reads",
    "Reads (GET and HEAD requests that opened a database session or reader), by the "
    "database that served them: the primary or a replica.",
    ["database"],
)
REPLICA_UP = Gauge(
    "quellen_db_replica_up",
    "1 while the replica serves reads (reachable, within QUELLEN_REPLICA_MAX_LAG), else 0.",
    ["replica"],
    multiprocess_mode="mostrecent",
)
REPLICA_LAG = Gauge(
    "quellen_db_replica_lag_seconds",
    "Seconds the replica is behind the primary at the last check (-1: unreachable).",
    ["replica"],
    multiprocess_mode="mostrecent",
)


def observe(replica: Replica) -> None:
    """Keep the gauges equal to what the last check (or failed read) found."""
    REPLICA_UP.labels(replica.name).set(1 if replica.serving else 0)
    lag = replica.lag_seconds
    REPLICA_LAG.labels(replica.name).set(-1 if lag is None else lag)


def read_target(name: str, engine: Engine, snapshot_engine: Engine) -> ReadTarget:
    """A database reads may use, counting them under ``name`` in quellen_db_reads_total."""
    return ReadTarget(name, engine, snapshot_engine, READS.labels(name).inc)


class ReplicaMiddleware:
    def __init__(self, app: ASGIApp, *, replicas: ReplicaSet, primary: ReadTarget) -> None:
        self.app = app
        self.replicas = replicas
        self.primary = primary
        replicas.observer = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
        elif not writes(scope):
            await self._read(scope, receive, send)
        else:
            await with_consistency_token(self.app, self.primary.engine, scope, receive, send)

    async def _read(self, scope: Scope, receive: Receive, send: Send) -> None:
        token, problem = read_token(scope)
        if problem:
            await problem_response(Request(scope), 400, problem)(scope, receive, send)
            return
        replicas = self.replicas
        if replicas.never_checked:
            await anyio.to_thread.run_sync(replicas.check)
        elif replicas.stale:
            replicas.refresh_in_background()
        replica = replicas.choose(token)
        if replica is None and token is not None and replicas.serving():
            replica = await anyio.to_thread.run_sync(replicas.confirm, token)
        started = False

        async def tracking_send(message: Message) -> None:
            # whichever database answers: a cache keeps a token's read apart from the others
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", []).append((b"vary", b"Quellen-Consistency"))
            await send(message)

        if replica is None:
            await self._serve(self.primary, scope, receive, tracking_send)
            return
        target = read_target(replica.name, replica.engine, replica.snapshot_engine)

        try:
            await self._serve(target, scope, receive, tracking_send)
        except Exception as exc:
            # SQLAlchemy's wrapper, or the driver's own error from a route that runs its
            # statements on the driver's cursor (api/documents/service.py)
            driver_error = replica.engine.dialect.loaded_dbapi.Error
            if started or not isinstance(exc, DBAPIError | driver_error):
                raise
            cause = exc.orig if isinstance(exc, DBAPIError) else exc
            if getattr(cause, "sqlstate", None) is None:  # no server answered: gone
                replicas.mark_down(replica, f"a read failed: {type(cause).__name__}")
            log.warning("read on replica %s failed, served by the primary: %s", replica.name, exc)
            await self._serve(self.primary, scope, _empty_body, tracking_send)

    async def _serve(self, target: ReadTarget, scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"] = {**scope.get("state", {}), READ_TARGET: target}
        await self.app(scope, receive, send)


async def _empty_body() -> Message:
    """What a repeated GET reads as its body: none (the first run may have read it)."""
    return {"type": "http.request", "body": b"", "more_body": False}


def read_token(scope: Scope) -> tuple[int | None, str]:
    """The request's consistency token, or a problem's detail when it is malformed."""
    for name, value in scope["headers"]:
        if name == _TOKEN_HEADER:
            try:
                return parse_lsn(value.decode("latin-1")), ""
            except ValueError:
                return None, (
                    f"The {CONSISTENCY_HEADER} header must be the token a write's response "
                    "carried (a WAL position such as 16/B374D848)."
                )
    return None, ""


async def with_consistency_token(
    app: ASGIApp, primary: Engine, scope: Scope, receive: Receive, send: Send
) -> None:
    """Run a write; add the primary's WAL position to its response when it succeeded.

    Asked when the response starts, after the route committed: the position is at or past
    the write's commit record. A failure to ask leaves the header out (the write stands);
    a reader without a token reads from a replica, as anyone else.
    """
    if scope["type"] != "http" or not writes(scope):
        await app(scope, receive, send)
        return

    async def send_with_token(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] < 400:
            try:
                position = await anyio.to_thread.run_sync(primary_position, primary)
            except DBAPIError as exc:
                log.warning("no consistency token for %s: %s", scope["path"], exc)
            else:
                headers = message.setdefault("headers", [])
                headers.append((_TOKEN_HEADER, position.encode()))
        await send(message)

    await app(scope, receive, send_with_token)


class ConsistencyTokenMiddleware:
    """PostgreSQL without replicas: writes still carry the token, so a client that passes
    it on keeps working unchanged when replicas are added."""

    def __init__(self, app: ASGIApp, *, primary: Engine) -> None:
        self.app = app
        self.primary = primary

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await with_consistency_token(self.app, self.primary, scope, receive, send)
