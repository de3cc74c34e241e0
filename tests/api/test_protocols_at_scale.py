"""Opt-in (../shared/corpus): the change feed and reconciliation over an imported DFAT volume
copied past 10,000 documents, through the importer, so every change is a real one.

OAI-PMH has its own test over the same volume (tests/api/routes/test_oai.py). Here the
volume is imported on top of the seed corpus (whose registry names the people and places
the DFAT texts mention), then exported as a bundle and imported again under new ids until
there are more than 10,000 documents. The feed is walked from the newest page to the
oldest, as its clients do, and reconciliation answers a batch of names with each entity's
number of documents: each request's peak memory stays bounded and does not grow with the
database.
"""

import io
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session, col

from api.app import create_app
from api.db.models import Change, Document, DocumentEntity
from api.formats.jsonl.writer import write_bundle
from api.ingest.importer import import_sources
from api.ingest.sources import Options, discover
from api.settings import PROJECT_ROOT
from tests.conftest import DatabaseFactory, DbHandle

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
DFAT = CORPUS / "dfat-volume-8-1945"
DFAT_ID = "dfat-volume-8-1945"
TARGET = 10_000

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not DFAT.is_dir(), reason=f"no sample corpus at {DFAT}"),
]


def _import(db: DbHandle, path: Path) -> None:
    sources, problems = discover([path])
    report = import_sources(db.engine, sources, Options())
    assert not problems and not report.failures, report.failures[:3]


@pytest.fixture(scope="module")
def big(databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbHandle]:
    db = databases.seeded("sqlite")
    _import(db, DFAT)
    out = io.StringIO()
    with Session(db.engine) as session:
        write_bundle(session, out, DFAT_ID)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    documents = [line for line in lines if line["type"] == "document"]
    copies = -(-(TARGET - 4) // len(documents)) - 1  # the volume itself is the first copy
    bundle = tmp_path_factory.mktemp("dfat") / "copies.jsonl"
    with bundle.open("w") as handle:
        for line in lines:
            if line["type"] != "document":
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        for n in range(copies):
            for document in documents:
                copy = {**document, "id": f"{document['id']}-copy-{n}"}
                handle.write(json.dumps(copy, ensure_ascii=False) + "\n")
    _import(db, bundle)
    with Session(db.engine) as session:
        assert session.execute(select(func.count()).select_from(Document)).scalar_one() > TARGET
    yield db


def _peak(work: Any) -> tuple[Any, int]:
    tracemalloc.reset_peak()
    result = work()
    return result, tracemalloc.get_traced_memory()[1]


def test_the_change_feed_over_10000_imported_documents(big: DbHandle) -> None:
    with Session(big.engine) as session:
        total = int(session.execute(select(func.max(col(Change.seq)))).scalar() or 0)
        documents = session.execute(
            select(func.count()).where(col(Change.kind) == "documents")
        ).scalar_one()
    assert documents > TARGET
    with TestClient(create_app(big.app_settings(), engine=big.engine)) as api:
        collection = api.get("/v1/changes").json()
        assert collection["totalItems"] == total
        url: str | None = collection["last"]["id"]
        seen: list[int] = []
        peaks: list[int] = []
        tracemalloc.start()
        try:
            while url is not None:
                page, peak = _peak(lambda url=url: api.get(url).json())
                peaks.append(peak)
                seen += [int(item["id"].rsplit("/", 1)[1]) for item in page["orderedItems"]]
                url = page.get("prev", {}).get("id")
        finally:
            tracemalloc.stop()
    assert sorted(seen) == list(range(1, total + 1))  # every change once, walking back
    assert max(peaks) < 4_000_000, max(peaks)
    assert peaks[0] < 2 * peaks[-1] + 1_000_000, (peaks[0], peaks[-1])  # flat, not growing
    print(f"\n{len(peaks)} pages over {total} changes; peak {max(peaks) / 1e6:.2f} MB")


def test_reconciling_names_over_10000_imported_documents(big: DbHandle) -> None:
    names = ["Harriman", "Lord Moyne", "Moscow", "Washington", "United Nations", "Evatt"]
    queries = {f"q{n}": {"query": name} for n, name in enumerate(names)}
    with Session(big.engine) as session:
        moscow = session.execute(
            select(func.count()).where(col(DocumentEntity.entity_id) == "moscow")
        ).scalar_one()
    assert moscow > 21  # named in the volume and in each of its copies
    with TestClient(create_app(big.app_settings(), engine=big.engine)) as api:
        tracemalloc.start()
        try:
            answer, peak_query = _peak(
                lambda: api.post("/reconcile", data={"queries": json.dumps(queries)})
            )
            extension = {
                "ids": ["moscow", "w-averell-harriman"],
                "properties": [{"id": "documents"}],
            }
            extended, peak_extend = _peak(
                lambda: api.post("/reconcile", data={"extend": json.dumps(extension)})
            )
        finally:
            tracemalloc.stop()
    assert answer.status_code == 200 and extended.status_code == 200
    results = answer.json()
    assert results["q2"]["result"][0]["id"] == "moscow" and results["q2"]["result"][0]["match"]
    assert results["q0"]["result"][0]["id"] == "w-averell-harriman"
    assert not any(candidate["match"] for candidate in results["q5"]["result"])  # no entity
    rows = extended.json()["rows"]
    assert rows["moscow"]["documents"] == [{"int": moscow}]
    assert peak_query < 8_000_000 and peak_extend < 8_000_000, (peak_query, peak_extend)
    print(f"\nreconcile: {peak_query / 1e6:.2f} MB; extend: {peak_extend / 1e6:.2f} MB")
