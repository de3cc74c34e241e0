"""Request limits and browser-facing headers, as pure ASGI middleware.

- Bodies larger than the configured limit are refused with 413 before they are read whole.
- A moving-window rate limit per API key, by the key's identity once it is verified, or per
  client address when there is no valid key (so rotating made-up keys, and the 401s they
  earn, count against the address), with 429 and ``Retry-After``; writes and reads have
  separate budgets (reads are unlimited by default). Counters live where
  ``QUELLEN_RATE_LIMIT_STORAGE`` says: in the worker process (``memory://``), or in a
  storage every worker and replica shares (``redis://…``), so that N replicas allow the
  limit once, not N times. A shared storage that cannot be reached fails open (see
  ``RateLimitMiddleware``).
- Security headers on every response.
"""

import contextlib
import hashlib
import logging
import math
import time
from urllib.parse import urlsplit

import anyio.to_thread
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, MovingWindowSupport, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter
from sqlmodel import Session
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.db.keys import verify
from api.http.problems import send_problem

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# POSTs that only read: protocols whose clients send their queries as form fields (the
# Reconciliation Service API, OAI-PMH). They are counted, routed and documented as reads.
READ_ONLY_POSTS = frozenset({"/reconcile", "/oai"})


def is_write(method: str, path: str) -> bool:
    """Whether a request changes something: its method, unless it is a read-only POST.

    ``path`` without the root path (as routes see it)."""
    if method not in WRITE_METHODS:
        return False
    return not (method == "POST" and path.rstrip("/") in READ_ONLY_POSTS)


def writes(scope: Scope) -> bool:
    """``is_write`` for an ASGI request, whether or not its path carries the root path."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return is_write(scope["method"], path)


UPLOAD_PATHS = ("/v1/imports",)
KEY_CACHE_SECONDS = 60.0
KEY_CACHE_SIZE = 10_000
#: After a shared storage failed, requests go unlimited this long before it is tried again,
#: so that an outage costs one failed connection per worker every few seconds, not one per
#: request (and one warning each time).
STORAGE_RETRY_SECONDS = 5.0
#: Redis and Valkey are asked with these timeouts (seconds) unless the URI's query sets
#: its own (``?socket_timeout=…&socket_connect_timeout=…``): a hung server must not hang
#: requests.
REDIS_TIMEOUTS = {"socket_timeout": 1.0, "socket_connect_timeout": 1.0}
_REDIS_SCHEMES = {"redis", "rediss", "redis+unix", "valkey", "valkeys", "valkey+unix"}
log = logging.getLogger("quellen.ratelimit")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"cross-origin"),
]
API_CSP = b"default-src 'none'; frame-ancestors 'none'"
# The docs pages (Swagger UI, ReDoc) load only their own assets; ReDoc's search runs in a
# web worker it starts from a blob: URL, and its styles and Swagger UI's are inline.
DOCS_CSP = (
    b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    b"script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; frame-ancestors 'none'"
)
DOCS_PAGES = ("/docs", "/redoc")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int, upload_max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.upload_max_bytes if scope["path"].endswith(UPLOAD_PATHS) else self.max_bytes
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_problem(
                scope, receive, send, 413, f"The request body is larger than {limit} bytes."
            )
            return
        received = 0
        too_large = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _TooLarge
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def guarded_send(message: Message) -> None:
            # once the body ran over, whatever the route makes of the cut stream (a 400 for
            # a body it could not parse) gives way to the 413 that says why
            if not too_large:
                await tracking_send(message)

        with contextlib.suppress(_TooLarge):  # the route's own reading may let it through
            await self.app(scope, counting_receive, guarded_send)
        if too_large and not started:
            await send_problem(
                scope, receive, send, 413, f"The request body is larger than {limit} bytes."
            )


class _TooLarge(Exception):
    pass


def make_limiter(storage_uri: str) -> RateLimiter:
    """The rate limiter over the ``limits`` storage at ``storage_uri`` (validated by
    ``api.settings.rate_limit_storage_uri``): a moving window where the storage keeps one
    (memory, Redis, Valkey, MongoDB), else a fixed window (memcached). Storage errors are
    raised as ``limits.errors.StorageError``. Nothing is connected yet."""
    options: dict[str, float | str | bool] = {"wrap_exceptions": True}
    if urlsplit(storage_uri).scheme.lower() in _REDIS_SCHEMES:
        options.update(REDIS_TIMEOUTS)
    storage = storage_from_string(storage_uri, **options)
    if isinstance(storage, MovingWindowSupport):
        return MovingWindowRateLimiter(storage)
    return FixedWindowRateLimiter(storage)


def _without_password(uri: str) -> str:
    """``scheme://host:port`` of a storage URI, for logs: the whole URI may hold a password."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    with contextlib.suppress(ValueError):  # a port that is not a number
        host += f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}"


class RateLimitMiddleware:
    """Counts requests per key or address in the limiter's storage and answers 429 past the
    limit.

    Failing open: when the storage cannot be reached (a shared Redis down, unreachable or
    timing out), the request is let through unlimited and a warning is logged; for
    ``STORAGE_RETRY_SECONDS`` after that, requests are let through without asking the
    storage, then it is tried again. This holds for reads and writes alike: rate limiting
    protects the service, it does not decide whether a request is right, and an outage of
    the counters must not become an outage of the API (writes stay guarded by keys, scopes
    and If-Match). The memory storage of one process cannot fail so.
    """

    def __init__(
        self, app: ASGIApp, *, writes: str, reads: str, storage: str = "memory://"
    ) -> None:
        self.app = app
        self.writes: RateLimitItem | None = parse(writes) if writes else None
        self.reads: RateLimitItem | None = parse(reads) if reads else None
        self.limiter = make_limiter(storage)
        # a shared storage is asked over the network: in a thread, not on the event loop
        self._in_thread = not isinstance(self.limiter.storage, MemoryStorage)
        self._storage_name = _without_password(storage)
        self._skip_until = 0.0  # monotonic time until which a failed storage is not asked
        self._keys: dict[str, tuple[str | None, float]] = {}  # token hash → (key name, until)

    async def _who(self, scope: Scope) -> str:
        """The bucket: a valid key's name, else the client's address."""
        scheme, _, token = (Headers(scope=scope).get("authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            name = await self._key_name(scope, token.strip())
            if name is not None:
                return "key:" + name
        client = scope.get("client")
        return "addr:" + (client[0] if client else "unknown")

    async def _key_name(self, scope: Scope, token: str) -> str | None:
        """The name of the key ``token`` is, or None; verified answers are kept a minute
        (by the token's hash: the token itself never sits in memory)."""
        digest = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        known = self._keys.get(digest)
        if known is not None and known[1] > now:
            return known[0]
        engine = scope["app"].state.engine

        def check() -> str | None:
            with Session(engine) as session:
                principal = verify(session, token)
            return principal.name if principal is not None else None

        name = await anyio.to_thread.run_sync(check)
        if len(self._keys) >= KEY_CACHE_SIZE:
            self._keys.clear()
        self._keys[digest] = (name, now + KEY_CACHE_SECONDS)
        return name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        item = self.writes if writes(scope) else self.reads
        if item is None:
            await self.app(scope, receive, send)
            return
        who = await self._who(scope)
        retry = await self._check(item, who)
        if retry is not None:
            await send_problem(
                scope,
                receive,
                send,
                429,
                f"Too many requests: the limit is {item}. Retry in {retry} s.",
                headers={"Retry-After": str(retry)},
            )
            return
        await self.app(scope, receive, send)

    async def _check(self, item: RateLimitItem, who: str) -> int | None:
        """Counts the request: None when it is within the limit (or the storage failed and
        it is let through), else the seconds until it would be."""
        if self._skip_until and time.monotonic() < self._skip_until:
            return None

        def hit() -> int | None:
            if self.limiter.hit(item, who):
                return None
            reset, _ = self.limiter.get_window_stats(item, who)
            return max(1, math.ceil(reset - time.time()))

        try:
            retry = await anyio.to_thread.run_sync(hit) if self._in_thread else hit()
        except StorageError as error:
            self._skip_until = time.monotonic() + STORAGE_RETRY_SECONDS
            log.warning(
                "rate-limit storage %s unreachable, requests go unlimited for %g s: %s",
                self._storage_name,
                STORAGE_RETRY_SECONDS,
                error.storage_error,
            )
            return None
        self._skip_until = 0.0
        return retry


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].endswith(DOCS_PAGES) or "/static/" in scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers.append(name.decode(), value.decode())
                if "content-security-policy" not in headers:  # the reading site sets its own
                    policy = DOCS_CSP if docs else API_CSP
                    headers.append("content-security-policy", policy.decode())
            await send(message)

        await self.app(scope, receive, with_headers)
