"""What operators watch: request ids, JSON access logs, Prometheus metrics and pool gauges.

One pure ASGI middleware does the per-request work, because the read path is benchmarked
against a bare Starlette app and every microsecond shows: Starlette's BaseHTTPMiddleware
would add a task and a stream per request, while this one only wraps ``send``. Per request
it reads one header, takes two clock readings, bumps a counter and a histogram (their
labelled children are cached, so no label lookup takes a lock), and writes one log line
when the access log is on.

Metrics come from prometheus-client. With several uvicorn workers each worker is its own
process, so ``quellen serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder before
it starts them and ``/metrics`` then adds up every worker's numbers (see
``prepare_multiprocess_metrics``); with one worker the process's own registry is served.
"""

import atexit
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
import weakref
from contextvars import ContextVar
from typing import Any

from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from sqlalchemy import Engine, event
from sqlalchemy.pool import Pool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import Settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
REQUEST_ID_HEADER = b"x-request-id"
REQUEST_ID_SCOPE_KEY = "quellen.request_id"
# An incoming id is kept when it is short and made of characters that cannot forge a log
# line or a header; anything else is replaced, so a client cannot inject into the logs.
_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._~:/+=@-]{1,128}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "<unmatched>"

#: The id of the request being served, for every log line written while it is served.
request_id_var: ContextVar[str | None] = ContextVar("quellen_request_id", default=None)

access_log = logging.getLogger("quellen.access")

REQUESTS = Counter(
    "quellen_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "quellen_http_request_duration_seconds",
    "Time from receiving a request to sending the last byte of its response.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
POOL_CHECKED_OUT = Gauge(
    "quellen_db_pool_checked_out_connections",
    "Database connections in use right now (checked out of the pool), summed over workers.",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "quellen_db_pool_size",
    "Connections each pool keeps open, summed over workers; on PostgreSQL a pool may open "
    "as many again as overflow under load.",
    multiprocess_mode="livesum",
)


# -- logging ------------------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object per line, so log shippers need no parsing rules.

    Every line has ``time`` (UTC, milliseconds), ``level``, ``logger`` and ``message``; a
    line written while a request is served also has its ``request_id``; the access log adds
    its fields (method, path, route, status, duration_ms, client) at the top level. The
    encoder is made once and the time's seconds are formatted once per second: the access
    log writes a line per request.
    """

    _encode = json.JSONEncoder(ensure_ascii=False, default=str).encode

    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._second_text = ""

    def _time(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._second_text}.{int((created - second) * 1000):03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id is not None:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return self._encode(entry)


def log_format(settings: Settings) -> str:
    """``json`` or ``text``: as set, or for ``auto`` text when stdout (the logs) is a terminal."""
    if settings.log_format != "auto":
        return settings.log_format
    isatty = getattr(sys.stdout, "isatty", None)
    return "text" if callable(isatty) and isatty() else "json"


def logging_config(settings: Settings) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the whole process, uvicorn's loggers included.

    Handed to uvicorn too, which applies it in every worker process it starts (the format is
    chosen once, here). Uvicorn's own access log is left off: the middleware writes a richer
    one.
    """
    level = settings.log_level.upper()
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"}
        if log_format(settings) == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


# -- the middleware -----------------------------------------------------------------------


def _incoming_request_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    for key, value in headers:
        if key.lower() == REQUEST_ID_HEADER:
            candidate = value.decode("latin-1")
            return candidate if _ACCEPTABLE_ID.fullmatch(candidate) else None
    return None


def route_template(scope: Scope) -> str:
    """The path template of the route that answered (``/v1/documents/{document_id}``).

    Labels use templates, never raw paths, so that the number of series stays bounded
    whatever clients ask for; requests no route matched share one label. FastAPI 0.16x
    keeps an included router's routes unflattened: the matched route's own ``path`` lacks
    the router's prefix, and the full template is on the effective route it records in the
    scope. Earlier versions flatten, and the route's ``path`` is already the full template.
    A static mount is labelled with its mount path.
    """
    effective = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(effective, "path", None) or getattr(scope.get("route"), "path", None)
    if isinstance(path, str) and path:
        return path
    if "app_root_path" in scope:  # answered by a Mount (static files)
        root_path: str = scope["root_path"]
        return root_path[len(scope["app_root_path"]) :] + "/{path}"
    return UNMATCHED_ROUTE


class ObservabilityMiddleware:
    """Request id in and out, metrics per route template, one access log line per request.

    The id is the client's ``X-Request-ID`` when it sends an acceptable one, so that a
    request can be followed through a proxy and several services; otherwise a random one.
    Either way it is echoed in the response's ``X-Request-ID`` header.
    """

    def __init__(self, app: ASGIApp, *, log_requests: bool = True) -> None:
        self.app = app
        self.log_requests = log_requests
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._histograms: dict[tuple[str, str], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _incoming_request_id(scope["headers"]) or os.urandom(16).hex()
        id_header = (REQUEST_ID_HEADER, request_id.encode("latin-1"))
        token = request_id_var.set(request_id)
        # An unexpected error is answered outside this middleware (by Starlette's outermost
        # one), after it has returned: the 500 handler finds the id here.
        scope[REQUEST_ID_SCOPE_KEY] = request_id
        status = 500  # what the client gets if the application fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), id_header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration = time.perf_counter() - started
            method = scope["method"] if scope["method"] in _METHODS else "other"
            route = route_template(scope)
            self._observe(method, route, status, duration)
            if self.log_requests and access_log.isEnabledFor(logging.INFO):
                self._log(scope, method, route, status, duration, request_id)
            request_id_var.reset(token)

    def _observe(self, method: str, route: str, status: int, duration: float) -> None:
        counter = self._counters.get((method, route, status))
        if counter is None:
            counter = REQUESTS.labels(method, route, str(status))
            self._counters[(method, route, status)] = counter
        counter.inc()
        histogram = self._histograms.get((method, route))
        if histogram is None:
            histogram = LATENCY.labels(method, route)
            self._histograms[(method, route)] = histogram
        histogram.observe(duration)

    @staticmethod
    def _log(
        scope: Scope, method: str, route: str, status: int, duration: float, request_id: str
    ) -> None:
        client = scope.get("client")
        duration_ms = round(duration * 1000, 3)
        access_log.info(
            "%s %s %d %.1fms",
            method,
            scope["path"],
            status,
            duration_ms,
            extra={
                "fields": {
                    "request_id": request_id,
                    "method": method,
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": duration_ms,
                    "client": client[0] if client else None,
                }
            },
        )


# -- database pool ------------------------------------------------------------------------

_instrumented_pools: "weakref.WeakSet[Pool]" = weakref.WeakSet()
_COUNTED = "quellen_counted"


def _on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    record.record_info[_COUNTED] = True
    POOL_CHECKED_OUT.inc()


def _on_checkin(dbapi_connection: Any, record: Any) -> None:
    # Only connections this module saw leave the pool are counted back in, so a connection
    # checked out before the pool was instrumented cannot drive the gauge below zero.
    if record is not None and record.record_info.pop(_COUNTED, False):
        POOL_CHECKED_OUT.dec()


def instrument_pool(engine: Engine) -> None:
    """Keep the pool gauges current from the pool's own checkout and checkin events.

    Events rather than sampling at scrape time: with several workers a scrape reaches one of
    them, and each worker's gauge must be current in its metrics file for the sum to be
    right. Instrumenting the same pool twice (tests build many apps on one engine) is a
    no-op.
    """
    pool = engine.pool
    if pool in _instrumented_pools:
        return
    _instrumented_pools.add(pool)
    event.listen(pool, "checkout", _on_checkout)
    event.listen(pool, "checkin", _on_checkin)
    event.listen(pool, "detach", lambda dbapi_connection, record: _on_checkin(None, record))
    size = getattr(pool, "size", None)
    if callable(size):
        POOL_SIZE.inc(size())


# -- /metrics -----------------------------------------------------------------------------


def prepare_multiprocess_metrics(workers: int) -> None:
    """Before uvicorn starts several workers, give them a shared, empty metrics folder.

    Must run before any worker imports prometheus-client, which reads the variable at
    import; each worker then writes its numbers to files there. An operator's own
    ``PROMETHEUS_MULTIPROC_DIR`` is kept but emptied, since files left from an earlier run
    would be added to this one's.
    """
    if workers <= 1:
        return
    folder = os.environ.get(MULTIPROC_ENV)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)
    else:
        os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="quellen-metrics-")


def metrics(request: Request) -> Response:
    """Prometheus text format: every worker's numbers when several run, else this one's."""
    body = generate_latest(_registry())
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def _registry() -> CollectorRegistry:
    """Every worker's numbers when several run (their files), else this process's."""
    if not os.environ.get(MULTIPROC_ENV):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def serve_metrics_apart(settings: Settings, host: str) -> None:
    """With QUELLEN_METRICS_PORT, serve /metrics on that port from a thread of this process.

    ``quellen serve`` calls it before it starts uvicorn: with one worker the application
    runs in this process, and the thread serves its registry; with several, this process
    is their supervisor and the thread adds up the files they write. Either way the API's
    own port has no /metrics, and the metrics port need not be published.
    """
    if settings.metrics and settings.metrics_port:
        start_http_server(settings.metrics_port, addr=host, registry=_registry())


def install(app: FastAPI, settings: Settings) -> None:
    """Wire the middleware, the pool gauges and (when QUELLEN_METRICS) ``GET /metrics``.

    Call it after every other middleware is added, so that it is the outermost one and its
    timing and status cover everything the application does (304s from the ETag layer too).
    """
    instrument_pool(app.state.engine)
    if os.environ.get(MULTIPROC_ENV):
        # A worker that exits drops its live gauges (pool use) from the sum.
        atexit.register(multiprocess.mark_process_dead, os.getpid())
    app.add_middleware(ObservabilityMiddleware, log_requests=settings.access_log)
    if settings.metrics and not settings.metrics_port:  # else on a port of its own
        app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
