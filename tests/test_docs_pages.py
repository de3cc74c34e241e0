"""The API documentation pages (Swagger UI at /docs, ReDoc at /redoc) work offline.

Every asset they reference is served by Quellen itself, under QUELLEN_ROOT_PATH, and the
docs' Content-Security-Policy lets them run (ReDoc starts its search worker from a blob:).
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

PAGES = ["/docs", "/redoc"]
ASSET = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""")


def _client(tmp_path: Path, root_path: str = "") -> TestClient:
    url = f"sqlite:///{tmp_path / 'docs.sqlite'}"
    return TestClient(create_app(Settings(database_url=url, load_seed=False, root_path=root_path)))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with _client(tmp_path) as test_client:
        yield test_client


@pytest.mark.parametrize("page", PAGES)
def test_page_references_only_same_origin_assets(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "http://" not in response.text and "https://" not in response.text
    assert "cdn" not in response.text.lower()
    assets = ASSET.findall(response.text)
    assert assets, response.text
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        assert client.get(asset).status_code == 200, asset


def test_redoc_serves_its_script(client: TestClient) -> None:
    page = client.get("/redoc").text
    assert '<redoc spec-url="/openapi.json">' in page
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["/static/redoc/redoc.standalone.js"]
    script = client.get(scripts[0])
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert len(script.content) > 500_000 and b"Redoc" in script.content


@pytest.mark.parametrize("path", [*PAGES, "/static/redoc/redoc.standalone.js"])
def test_docs_policy_lets_the_pages_run(client: TestClient, path: str) -> None:
    policy = client.get(path).headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert "'self'" in directives["script-src"]
    assert "blob:" in directives["worker-src"]  # ReDoc's search worker
    assert "'unsafe-inline'" in directives["style-src"]  # ReDoc's styled components


def test_the_api_keeps_its_strict_policy(client: TestClient) -> None:
    policy = client.get("/health").headers["content-security-policy"]
    assert policy.startswith("default-src 'none'") and "blob:" not in policy


def test_docs_are_not_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/docs", "/redoc"} & set(paths)


@pytest.mark.parametrize("page", PAGES)
def test_pages_honour_the_root_path(tmp_path: Path, page: str) -> None:
    with _client(tmp_path, root_path="/quellen") as client:
        response = client.get(page)
    assert response.status_code == 200
    assets = ASSET.findall(response.text)
    assert assets and all(asset.startswith("/quellen/") for asset in assets), assets
    assert "/quellen/openapi.json" in response.text
