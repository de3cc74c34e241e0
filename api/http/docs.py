"""The API documentation pages, served offline: Swagger UI at /docs and ReDoc at /redoc.

Neither page loads anything from another origin, so both work on a machine without internet
access and under the docs' Content-Security-Policy (``api/http/limits.py``). The assets
come from PyPI packages rather than a CDN: Swagger UI from ``swagger-ui-bundle-v2``, ReDoc's
``redoc.standalone.js`` (and the favicon beside it) from ``fastapi-offline``. Both are
mounted under ``/static/`` and every URL in the pages carries ``QUELLEN_ROOT_PATH``.
"""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from api.settings import Settings

SWAGGER_UI = "/static/swagger-ui"
REDOC = "/static/redoc"
REDOC_ASSETS = Path(fastapi_offline.__file__).parent / "static"
TITLE = "Quellen API"


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the assets and add ``GET /docs`` and ``GET /redoc`` (not in the OpenAPI document)."""
    root = settings.root_path
    app.mount(SWAGGER_UI, StaticFiles(directory=swagger_ui_path), name="swagger-ui")
    app.mount(REDOC, StaticFiles(directory=REDOC_ASSETS), name="redoc")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=TITLE,
            swagger_js_url=f"{root}{SWAGGER_UI}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{SWAGGER_UI}/swagger-ui.css",
            swagger_favicon_url=f"{root}{SWAGGER_UI}/favicon-32x32.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=TITLE,
            redoc_js_url=f"{root}{REDOC}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{REDOC}/favicon.png",
            with_google_fonts=False,
        )
