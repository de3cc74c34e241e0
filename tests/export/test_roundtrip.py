"""Export, import into an empty database, export again: the same bytes, in both formats."""

import io
from pathlib import Path

import pytest
from sqlmodel import Session

from api.formats.jsonl.writer import write_bundle
from api.formats.tei.reader import read_tei
from api.formats.tei.writer import document_tei, write_tei_folder
from api.ingest.importer import import_sources
from api.ingest.sources import Options, discover
from api.records.read import document_records
from tests.conftest import DatabaseFactory, DbHandle
from tests.ingest.test_markdown import BODY, FRONT
from tests.ingest.test_tei import DOCUMENT, MONOGRAPH


def bundle_of(db: DbHandle) -> str:
    out = io.StringIO()
    with Session(db.engine) as session:
        write_bundle(session, out)
    return out.getvalue()


def tei_of(db: DbHandle, folder: Path) -> dict[str, bytes]:
    with Session(db.engine) as session:
        write_tei_folder(session, folder)
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.xml"))}


def load(db: DbHandle, path: Path) -> None:
    sources, problems = discover([path])
    report = import_sources(db.engine, sources, Options())
    assert problems == [] and report.failures == [], report.failures


def fixtures(folder: Path) -> Path:
    """One small file of each format the readers take."""
    (folder / "tei" / "documents").mkdir(parents=True)
    (folder / "tei" / "book.xml").write_text(MONOGRAPH, encoding="utf-8")
    (folder / "tei" / "documents" / "1958-11-03-a-to-b.xml").write_text(DOCUMENT, "utf-8")
    (folder / "dfat").mkdir()
    (folder / "dfat" / "22-cranborne.md").write_text(FRONT + BODY, encoding="utf-8")
    (folder / "text").mkdir()
    (folder / "text" / "note.txt").write_text("# A note\n\nOne line.[^1]\n\n[Page 2]\n\n- item\n")
    (folder / "text" / "note.yaml").write_text(
        "title: A note\ndate: '1945~'\nfootnotes:\n  - {marker: '1', text: The note.}\n"
        "  - {marker: '2', text: Without a marker.}\n"
        "cross_references:\n"
        "  - {relation: cites, target: {scheme: file_number, value: '740.62114/9–2744'}}\n"
        "  - anchor: {footnote: '1'}\n"
        "    relation: see_also\n"
        "    target: {document: dfat-v8-22-cranborne, label: 'Cranborne, 1 February'}\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize("source", ["seed", "fixtures"])
def test_bundle_round_trip_is_byte_identical(
    databases: DatabaseFactory, backend: str, tmp_path: Path, source: str
) -> None:
    if source == "seed":
        first = databases.seeded(backend)
    else:
        first = databases.migrated(backend)
        load(first, fixtures(tmp_path / "in"))
    exported = bundle_of(first)
    assert exported.count('{"type":"document"') >= 4
    path = tmp_path / "export.jsonl"
    path.write_text(exported, encoding="utf-8")
    second = databases.migrated(backend)
    load(second, path)
    assert bundle_of(second) == exported


@pytest.mark.parametrize("source", ["seed", "fixtures"])
def test_tei_round_trip_is_byte_identical(
    databases: DatabaseFactory, backend: str, tmp_path: Path, source: str
) -> None:
    if source == "seed":
        first = databases.seeded(backend)
    else:
        first = databases.migrated(backend)
        load(first, fixtures(tmp_path / "in"))
    exported = tei_of(first, tmp_path / "a")
    assert len(exported) >= 4
    if source == "fixtures":  # a reference without a span is written as a relation
        assert any(b"<listRelation>" in data for data in exported.values())
    second = databases.migrated(backend)
    load(second, tmp_path / "a")
    assert tei_of(second, tmp_path / "b") == exported


def test_tei_of_one_document_reads_back_with_its_text_notes_pages_and_mentions(
    seeded_db: DbHandle,
) -> None:
    telegram = "harriman-to-secretary-of-state-1944-09-24"
    with Session(seeded_db.engine) as session:
        data = document_tei(session, telegram)
        (stored,) = document_records(session, [telegram])
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<TEI")
    record = read_tei(data, Path("x.xml"), max_bytes=10_000_000).document
    assert record.id == telegram and record.text == stored.text
    assert record.passages == stored.passages
    assert record.footnotes == stored.footnotes
    assert record.pages == stored.pages
    curated = [m for m in stored.mentions if m.status == "curated"]
    key = lambda m: (m.container, m.ref, m.start)  # noqa: E731
    assert sorted(record.mentions, key=key) == sorted(curated, key=key) and curated
