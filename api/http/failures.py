"""When the server, not the request, is at fault: a busy database, or a bug.

Both are answered as problem documents, and neither closes the client's connection. A
database that is busy with other writes past the wait a write allows (``api.db.engine``), or
cannot be reached, is a 503 with ``Retry-After``: the request may well succeed in a moment.
Anything else unexpected is a 500 that carries the request id, so a report can be matched
to the logged traceback.

Starlette's own handler for unexpected errors re-raises after answering, and the server
then drops the connection (a client with a keep-alive pool sees a transport error for a
request that was answered); this middleware answers and returns instead.
"""

import logging
import sqlite3

from sqlalchemy.exc import OperationalError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.db.engine import WriteTimeout
from api.http.observability import REQUEST_ID_SCOPE_KEY
from api.http.problems import problem_response

log = logging.getLogger("quellen.errors")

RETRY_AFTER_SECONDS = 2

# PostgreSQL: deadlock, serialization failure, lock wait timed out, statement cancelled
_CONTENTION_STATES = {"40P01", "40001", "55P03", "57014"}


def is_contention(exc: OperationalError) -> bool:
    """Whether the database refused for other transactions' sake, not for this one's fault."""
    original = exc.orig
    if isinstance(original, sqlite3.OperationalError):
        return "locked" in str(original) or "busy" in str(original)
    return getattr(original, "sqlstate", None) in _CONTENTION_STATES


class FailureMiddleware:
    """Answer a request whose handling raised, unless the answer had already begun."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:  # half an answer cannot be mended: let the server close it
                raise
            await self._answer(scope, receive, send, exc)

    async def _answer(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        where = f"{scope.get('method')} {scope.get('path')}"
        if isinstance(exc, WriteTimeout | OperationalError):
            busy = not isinstance(exc, OperationalError) or is_contention(exc)
            log.warning("database %s on %s: %s", "busy" if busy else "unavailable", where, exc)
            detail = (
                "The database is busy with other writes; try again in a moment."
                if busy
                else "The database cannot be reached just now; try again in a moment."
            )
            retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            response = problem_response(Request(scope), 503, detail, headers=retry)
        else:
            log.error("unhandled error on %s", where, exc_info=exc)
            request_id = scope.get(REQUEST_ID_SCOPE_KEY)  # ObservabilityMiddleware sends it back
            detail = (
                "The server failed to answer this request; the error has been logged "
                f"(request id {request_id})."
            )
            response = problem_response(Request(scope), 500, detail)
        await response(scope, receive, send)
