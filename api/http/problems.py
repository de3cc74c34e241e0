"""RFC 9457 problem details for every error, so clients parse one error shape.

Validation errors, unknown routes, unsupported methods and our own ``ProblemError`` all end
up here; an unexpected exception becomes a 500 problem without internals in the body.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.status import HTTP_500_INTERNAL_SERVER_ERROR
from starlette.types import Receive, Scope, Send

from api.errors import ProblemError
from api.http.observability import REQUEST_ID_SCOPE_KEY, request_id_var
from api.schemas import Problem

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("quellen.errors")

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    410: "Gone",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def problem_document(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The RFC 9457 document every error is answered with."""
    body = Problem(
        title=_TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=instance,
        errors=errors,
    )
    return body.model_dump(exclude_none=True)


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    return JSONResponse(
        problem_document(status, detail, instance=request.url.path, errors=errors),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


async def send_problem(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
) -> None:
    """A problem answered by ASGI middleware, before any route: the same document."""
    await problem_response(Request(scope), status, detail, headers=headers)(scope, receive, send)


def _describe(error: dict[str, Any]) -> dict[str, Any]:
    loc = [str(part) for part in error.get("loc", ())]
    where = loc[0] if loc else "request"
    name = ".".join(loc[1:]) or where
    return {"in": where, "name": name, "message": error.get("msg", "invalid")}


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_describe(error) for error in exc.errors()]
    detail = "; ".join(f"{e['in']} parameter {e['name']!r}: {e['message']}" for e in errors)
    return problem_response(request, 422, detail or "The request is not valid.", errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"There is no resource at {request.url.path}."
    elif exc.status_code == 405 and detail == "Method Not Allowed":
        detail = f"{request.method} is not allowed on {request.url.path}."
    return problem_response(request, exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _problem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc.status, exc.detail, headers=exc.headers, errors=exc.errors)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Starlette answers an unexpected error outside the request-id middleware, once that
    # has returned: put the id back on the log line and on the response.
    request_id = request.scope.get(REQUEST_ID_SCOPE_KEY)
    token = request_id_var.set(request_id)
    try:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    finally:
        request_id_var.reset(token)
    return problem_response(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "The server failed to answer this request; the error has been logged.",
        headers={"X-Request-ID": request_id} if request_id else None,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer with."""
    descriptions = {
        400: "Malformed input (e.g. an invalid cursor, or a NUL character in the path or query)",
        404: "No such resource",
        406: "None of the media types in Accept can be served",
        409: "The request is ambiguous or conflicts with the current state",
        410: "The document has been deleted (a tombstone); an administrator can restore it",
        422: "A parameter is invalid (wrong type, out of range, not an EDTF date)",
    }
    return {
        status: {
            "model": Problem,
            "description": descriptions.get(status, _TITLES.get(status, "Error")),
        }
        for status in statuses
    }
