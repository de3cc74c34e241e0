"""Downloads by link: ``?format=csv`` does what ``Accept: text/csv`` does, as an attachment.

A browser following a link (or a spreadsheet opening a URL) cannot set ``Accept``, so every
read under ``/v1`` (and ``/``) also takes ``format``, a name from ``FORMATS``. One pure-ASGI
middleware, inside the ETag and HEAD middlewares and before routing, turns it into content
negotiation: the request's ``Accept`` becomes that media type and ``format`` leaves the query
string the routes see (so the unknown-parameter check in ``api.http.query`` never meets it),
and the scope is marked (``FORMAT_SCOPE_KEY``) so that ``api.http.negotiation.negotiate``
answers 400 naming the formats a route offers, rather than 406, when it does not offer this
one; ``api.http.pagination.next_link`` puts ``format`` back into ``next`` links. A 2xx
answer gets ``Content-Disposition: attachment`` with a file name made from the path
(``/v1/documents/{id}/citation?format=bibtex`` → ``{id}-citation.bib``). A route that does
not negotiate at all answers JSON whatever ``Accept`` says; asked for another format, its
answer is replaced by the same 400.

``/dts`` is left alone: DTS has its own ``mediaType`` parameter.
"""

import re
import unicodedata
from urllib.parse import parse_qsl, quote

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ProblemError
from api.http.problems import problem_response

FORMATS: dict[str, str] = {
    "json": "application/json",
    "jsonld": "application/ld+json",
    "tei": "application/tei+xml",
    "csv": "text/csv",
    "txt": "text/plain",
    "html": "text/html",
    "bibtex": "application/x-bibtex",
    "csl": "application/vnd.citationstyles.csl+json",
    "ndjson": "application/x-ndjson",
}
"""What ``?format=`` takes: a name for each media type some route under ``/v1`` offers."""

EXTENSIONS: dict[str, str] = {
    "json": "json",
    "jsonld": "jsonld",
    "tei": "xml",
    "csv": "csv",
    "txt": "txt",
    "html": "html",
    "bibtex": "bib",
    "csl": "json",
    "ndjson": "jsonl",
}

FORMAT_SCOPE_KEY = "quellen.format"
"""The scope key holding the ``format`` name a request asked for (absent when none)."""

_BY_MEDIA_TYPE = {media_type: name for name, media_type in FORMATS.items()}
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")
_UNSAFE = re.compile(r"[^\w.-]+")
_MAX_NAME = 120


def _essence(media_type: str) -> str:
    """``text/csv; charset=utf-8`` → ``text/csv``."""
    return media_type.split(";", 1)[0].strip().lower()


def formats_for(media_types: list[str]) -> list[str]:
    """The ``format`` names of ``media_types`` (a route's offered types), in their order."""
    names: list[str] = []
    for media_type in media_types:
        name = _BY_MEDIA_TYPE.get(_essence(media_type))
        if name is not None and name not in names:
            names.append(name)
    return names


def not_offered(name: str, offered: list[str]) -> ProblemError:
    """The 400 for a ``format`` the route does not offer, naming those it does."""
    names = ", ".join(formats_for(offered)) or "none"
    return ProblemError(400, f"This route does not offer format={name}; its formats: {names}.")


def chosen_format(request: Request) -> str | None:
    """The ``format`` name the request asked for, or None when it used ``Accept``."""
    name: str | None = request.scope.get(FORMAT_SCOPE_KEY)
    return name


def attachment(path: str, name: str) -> str:
    """``Content-Disposition`` for a download of ``path`` (the route path) as ``name``.

    The file name joins the path's segments after ``/v1`` and the resource kind:
    ``/v1/documents`` → ``documents``, ``/v1/documents/{id}`` → ``{id}``,
    ``/v1/documents/{id}/citation`` → ``{id}-citation``. Only letters, digits, ``.``, ``_``
    and ``-`` are kept; a name that needs more than ASCII also goes in ``filename*``
    (RFC 6266, RFC 8187).
    """
    parts = [part for part in path.split("/") if part]
    if parts[:1] == ["v1"]:
        parts = parts[1:] or ["v1"]
    if len(parts) > 1:
        parts = parts[1:]
    stem = unicodedata.normalize("NFC", "-".join(parts) or "quellen")
    extension = EXTENSIONS[name]
    wide = _UNSAFE.sub("-", stem).strip(".-")[:_MAX_NAME] or "download"
    ascii_only = unicodedata.normalize("NFKD", wide).encode("ascii", "ignore").decode("ascii")
    narrow = _UNSAFE_ASCII.sub("-", ascii_only).strip(".-")[:_MAX_NAME] or "download"
    value = f'attachment; filename="{narrow}.{extension}"'
    if wide != narrow:
        value += f"; filename*=UTF-8''{quote(f'{wide}.{extension}', safe='')}"
    return value


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :] or "/"
    return path


def _applies(path: str) -> bool:
    return path in ("/", "/v1") or path.startswith("/v1/")


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class DownloadMiddleware:
    """``?format=`` as ``Accept``, and ``Content-Disposition: attachment`` on the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query: bytes = scope.get("query_string", b"") if scope["type"] == "http" else b""
        # one substring test on most reads; "%" in case the name itself is percent-encoded
        if (
            (b"format" not in query and b"%" not in query)
            or scope["method"] != "GET"  # HEAD arrives as GET (api/http/head.py)
            or not _applies(path := _route_path(scope))
        ):
            await self.app(scope, receive, send)
            return
        kept: list[bytes] = []
        values: list[str] = []
        for raw in query.split(b"&"):
            pair = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
            if pair and pair[0][0] == "format":
                values.append(pair[0][1])
            else:
                kept.append(raw)
        if not values:
            await self.app(scope, receive, send)
            return
        name = values[0].strip().lower()
        problem = None
        if len(values) > 1:
            problem = f"Give format once; this request gives it {len(values)} times."
        elif name not in FORMATS:
            problem = (
                f"Unknown format {values[0][:50]!r}; the formats are: {', '.join(FORMATS)} "
                "(each route offers some of them)."
            )
        if problem is not None:
            await problem_response(Request(scope), 400, problem)(scope, receive, send)
            return
        media_type = FORMATS[name]
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept"]
        headers.append((b"accept", media_type.encode("latin-1")))
        inner = {
            **scope,
            "query_string": b"&".join(kept),
            "headers": headers,
            FORMAT_SCOPE_KEY: name,
        }
        refused = False

        async def respond(message: Message) -> None:
            nonlocal refused
            if refused:
                return  # the body of an answer replaced by the 400 below
            if message["type"] != "http.response.start" or not 200 <= message["status"] < 300:
                await send(message)
                return
            response_headers = list(message.get("headers", ()))
            content_type = _header(response_headers, b"content-type")
            served = _essence(content_type.decode("latin-1")) if content_type else None
            if served is not None and served != media_type:
                # a route that does not negotiate: it answered JSON whatever Accept said
                refused = True
                error = not_offered(name, [served])
                await problem_response(Request(scope), 400, error.detail)(scope, receive, send)
                return
            if _header(response_headers, b"content-disposition") is None:
                disposition = attachment(path, name).encode("latin-1")
                response_headers.append((b"content-disposition", disposition))
            await send({**message, "headers": response_headers})

        try:
            await self.app(inner, receive, respond)
        finally:
            # what routing learnt (the route, for metrics and the access log) goes back out
            scope.update(
                {
                    k: v
                    for k, v in inner.items()
                    if k not in ("query_string", "headers", FORMAT_SCOPE_KEY)
                }
            )
