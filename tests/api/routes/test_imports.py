"""POST /v1/imports: uploads through the same importer, inline or as a job."""

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from api.imports import service as uploads
from tests.conftest import DbHandle

CABLEGRAM = """---
doc_date: '1945-02-01'
doc_num: 9022
doc_order: 9022
title: Test to Commonwealth Government
vol_id: 8
vol_title: 'Volume 8: 1945'
naa_refs:
- naa_series: A1066
  naa_control_symbol: IC45/6/2/1
  naa_barcode: 188525
  reference: '[AA: A1066, IC45/6/2/1, i]'
---

Cablegram D999 LONDON, 1 February 1945, 7.30 p.m.

At the Moscow Conference last October Marshal Stalin gave an assurance.[1]

2\\. Contact officers are in readiness.

_

1 A note about the assurance.

_[AA : A1066, IC45/6/2/1, i]_
"""


@pytest.fixture
def curator(fresh_db: DbHandle) -> dict[str, str]:
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="importer", scope="curate")
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def api(fresh_db: DbHandle) -> Iterator[TestClient]:
    with TestClient(create_app(fresh_db.app_settings(), engine=fresh_db.engine)) as client:
        yield client


def test_small_upload_is_imported_at_once(api: TestClient, curator: dict[str, str]) -> None:
    files = {
        "file": ("9022-test-to-commonwealth-government.md", CABLEGRAM.encode(), "text/markdown")
    }
    response = api.post("/v1/imports", headers=curator, files=files)
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["status"] == "done" and job["format"] == "markdown"
    assert job["report"]["new"] == 1 and job["report"]["failed"] == 0
    assert response.headers["location"] == job["links"]["self"]
    assert api.get(job["links"]["self"], headers=curator).json() == job
    again = api.post("/v1/imports", headers=curator, files=files).json()
    assert again["report"]["unchanged"] == 1 and again["report"]["new"] == 0
    listed = api.get("/v1/imports", headers=curator).json()["items"]
    assert [j["id"] for j in listed] == [again["id"], job["id"]]


def test_large_upload_runs_as_a_job(
    api: TestClient, curator: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "INLINE_MAX_BYTES", 10)
    files = {
        "file": ("9022-test-to-commonwealth-government.md", CABLEGRAM.encode(), "text/markdown")
    }
    response = api.post("/v1/imports", headers=curator, files=files)
    assert response.status_code == 202, response.text
    url = response.headers["location"]
    deadline = time.monotonic() + 30
    job = response.json()
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
        job = api.get(url, headers=curator).json()
    assert job["status"] == "done", job
    assert job["progress"]["bytes_total"] == len(CABLEGRAM.encode())


def test_bad_uploads_are_refused(fresh_db: DbHandle, curator: dict[str, str]) -> None:
    client = TestClient(
        create_app(fresh_db.app_settings(upload_max_bytes=2048), engine=fresh_db.engine)
    )
    assert client.post("/v1/imports", files={"file": ("a.md", b"x")}).status_code == 401
    empty = client.post("/v1/imports", headers=curator, files={"file": ("a.md", b"")})
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    unknown = client.post("/v1/imports", headers=curator, files={"file": ("a.bin", b"\x00\x01")})
    assert unknown.status_code == 422
    big = client.post("/v1/imports", headers=curator, files={"file": ("a.md", b"x" * 5000)})
    assert big.status_code == 413
    broken = client.post(
        "/v1/imports", headers=curator, files={"file": ("broken.xml", b"<TEI><text>")}
    )
    assert broken.status_code == 201
    assert broken.json()["report"]["failed"] == 1 and broken.json()["report"]["new"] == 0
    assert client.get("/v1/imports/nope", headers=curator).status_code == 404
