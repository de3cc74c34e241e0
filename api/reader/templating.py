"""Rendering a page: the Jinja2 environment, the site's Content-Security-Policy, and the
HTML answer to an error a service raises.

Every value is escaped (autoescape), so a document's text, a title holding ``<script>`` or
an alias holding ``"><img onerror=…>`` is shown as text. The policy allows only the site's
own files: no inline script, no inline style, nothing from another host.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from api import __version__
from api.deps import absolute_base
from api.errors import ProblemError
from api.reader.assets import asset_url

READER_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

ENVIRONMENT = Environment(
    loader=PackageLoader("api.reader", "templates"),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.globals.update(asset=asset_url, version=__version__)


@dataclass(frozen=True, slots=True)
class Alternate:
    """Another representation of a page: a ``<link rel="alternate">`` and a visible link."""

    label: str
    href: str
    media_type: str


def page(
    request: Request,
    template: str,
    *,
    title: str,
    description: str,
    status_code: int = 200,
    alternates: list[Alternate] | None = None,
    canonical: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` with what every page has: its title, description, canonical URL,
    alternates, the root path for links (``root``) and the absolute base (``base``)."""
    base = absolute_base(request)
    html = ENVIRONMENT.get_template(template).render(
        root=request.scope.get("root_path", ""),
        base=base,
        title=title,
        description=description,
        alternates=alternates or [],
        canonical=canonical or f"{base}{request.url.path.removeprefix(_root(request))}",
        **context,
    )
    return HTMLResponse(
        html, status_code=status_code, headers={"Content-Security-Policy": READER_CSP}
    )


def _root(request: Request) -> str:
    root: str = request.scope.get("root_path", "")
    return root


P = ParamSpec("P")


def html_errors(route: Callable[P, HTMLResponse]) -> Callable[P, HTMLResponse]:
    """A 404, 410 or 400 a service raises becomes a page saying so, not a JSON problem."""

    @wraps(route)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HTMLResponse:
        try:
            return route(*args, **kwargs)
        except ProblemError as error:
            request = next(a for a in [*args, *kwargs.values()] if isinstance(a, Request))
            titles = {404: "Not found", 410: "Gone", 400: "Bad request"}
            return page(
                request,
                "error.html",
                title=titles.get(error.status, "Cannot show this page"),
                description=error.detail,
                status_code=error.status,
                detail=error.detail,
            )

    return wrapper
