"""Links are absolute: a frontend on another origin follows `self`, `next` and `Link` as
they are. They come from QUELLEN_PUBLIC_URL when set, else from the request."""

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from tests.conftest import DbHandle

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"


def test_links_name_the_host_the_request_came_to(client: TestClient) -> None:
    headers = {"Host": "sources.example.org:8443"}
    body = client.get(f"/v1/documents/{TELEGRAM}", headers=headers).json()
    assert body["links"]["self"] == f"http://sources.example.org:8443/v1/documents/{TELEGRAM}"
    page = client.get("/v1/documents", params={"limit": 1}, headers=headers)
    assert page.json()["next"].startswith("http://sources.example.org:8443/v1/documents?")
    assert page.headers["link"].startswith("<http://sources.example.org:8443/v1/documents?")
    assert client.get(page.json()["next"]).status_code == 200


def test_public_url_and_root_path_make_every_link(seeded_db: DbHandle) -> None:
    public = "https://sources.example.org/quellen"
    settings = seeded_db.app_settings(public_url=public + "/", root_path="/quellen")
    with TestClient(create_app(settings, engine=seeded_db.engine)) as client:
        body = client.get(f"/quellen/v1/documents/{TELEGRAM}").json()
        assert body["links"]["self"] == f"{public}/v1/documents/{TELEGRAM}"
        page = client.get("/quellen/v1/documents", params={"limit": 1}).json()
        assert page["next"].startswith(f"{public}/v1/documents?limit=1&cursor=")
        hits = client.get("/quellen/v1/search", params={"q": "Moyne"}).json()
        assert all(
            link.startswith(public) for hit in hits["items"] for link in hit["links"].values()
        )


def test_public_url_must_be_a_url(seeded_db: DbHandle) -> None:
    with pytest.raises(ValidationError, match="http:// or https://"):
        seeded_db.app_settings(public_url="sources.example.org")
