"""The search index after imports that fill it once, at the end (migration 0007).

On SQLite an import marks the full-text index as deferred inside its transaction, writes
its rows with the insert triggers standing aside, and indexes them in one statement before
it commits. These tests check what a reader sees afterwards, through the search API on both
engines, and on SQLite that the index holds exactly the table's rows (FTS5's integrity
check against the content table).
"""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.ingest import importer
from api.ingest.importer import import_sources
from api.ingest.sources import Options, discover
from api.records.write import Outcome
from tests.conftest import DatabaseFactory, DbHandle


def _import(db: DbHandle, *paths: Path, **options: object):  # type: ignore[no-untyped-def]
    sources, problems = discover(list(paths))
    assert problems == []
    return import_sources(db.engine, sources, Options(**options))  # type: ignore[arg-type]


def _hits(db: DbHandle, query: str, scope: str = "all") -> list[str]:
    app = create_app(db.app_settings(), engine=db.engine)
    with TestClient(app) as client:
        response = client.get("/v1/search", params={"q": query, "scope": scope, "limit": 50})
    assert response.status_code == 200, response.text
    return sorted({hit["document"] for hit in response.json()["items"]})


def _check_index(db: DbHandle) -> None:
    """No mark left behind; on SQLite, the FTS5 tables agree row for row with their tables."""
    if db.backend != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM search_deferred")).scalar() == 0
        for table in ("passage", "footnote"):
            # rank 1: compare the index with the content table, not only with itself
            connection.execute(
                text(f"INSERT INTO fts_{table}(fts_{table}, rank) VALUES ('integrity-check', 1)")
            )
            indexed = connection.execute(text(f"SELECT count(*) FROM fts_{table}")).scalar()
            stored = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            assert indexed == stored


def _write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


NOTED = "---\ntitle: {title}\n---\n\n{body} [1]\n\n _\n\n1 {note}\n\n_\n"


def test_an_import_is_searchable_and_the_index_matches_the_tables(
    databases: DatabaseFactory, backend: str, tmp_path: Path
) -> None:
    db = databases.seeded(backend)
    for n in range(40):  # more than one batch of the importer
        _write(
            tmp_path / f"doc-{n:02d}.md",
            NOTED.format(
                title=f"Report {n}", body=f"Plenipotentiary number{n} wrote.", note="Aide"
            ),
        )
    report = _import(db, tmp_path)
    assert report.counts[Outcome.NEW] == 40 and report.failed == 0
    assert len(_hits(db, "plenipotentiary", scope="text")) == 40
    assert _hits(db, "number17") == ["doc-17"]
    assert len(_hits(db, "aide", scope="footnotes")) == 40
    assert _hits(db, "Moyne") == ["harriman-to-secretary-of-state-1944-09-24"]  # seed still there
    _check_index(db)


def test_a_document_written_twice_in_one_import_is_indexed_as_it_ends(
    databases: DatabaseFactory, backend: str, tmp_path: Path
) -> None:
    """Two files with one id: the second replaces rows the index has not seen yet."""
    db = databases.migrated(backend)
    _write(tmp_path / "a" / "twice.txt", "Earlier wording of the cable.")
    _write(tmp_path / "b" / "twice.txt", "Corrected wording of the telegram.")
    report = _import(db, tmp_path / "a" / "twice.txt", tmp_path / "b" / "twice.txt")
    assert report.counts[Outcome.NEW] == 1 and report.counts[Outcome.UPDATED] == 1
    assert _hits(db, "telegram") == ["twice"]
    assert _hits(db, "cable") == []
    _check_index(db)


def test_changing_an_indexed_document_replaces_its_entries(
    databases: DatabaseFactory, backend: str, tmp_path: Path
) -> None:
    """Rows indexed by an earlier import are removed from the index as they are replaced."""
    db = databases.migrated(backend)
    path = _write(tmp_path / "changing.md", NOTED.format(title="T", body="Armistice", note="Old"))
    _import(db, path)
    _write(tmp_path / "changing.md", NOTED.format(title="T", body="Capitulation", note="New"))
    assert _import(db, path).counts[Outcome.UPDATED] == 1
    assert _hits(db, "capitulation") == ["changing"]
    assert _hits(db, "armistice") == []
    assert _hits(db, "old", scope="footnotes") == []
    assert _hits(db, "new", scope="footnotes") == ["changing"]
    _check_index(db)


@pytest.mark.parametrize("how", ["strict", "dry_run"])
def test_an_import_that_writes_nothing_leaves_no_mark(
    databases: DatabaseFactory, backend: str, tmp_path: Path, how: str
) -> None:
    db = databases.migrated(backend)
    _write(tmp_path / "a-fine.txt", "Ratification pending.")
    if how == "strict":
        _write(tmp_path / "b-broken.xml", "<TEI>\n</teiHeader>\n")
    report = _import(db, tmp_path, **{how: True})
    assert report.counts[Outcome.NEW] == 1
    assert _hits(db, "ratification") == []
    _check_index(db)
    _write(tmp_path / "b-broken.xml", "")
    (tmp_path / "b-broken.xml").unlink()
    assert _import(db, tmp_path).counts[Outcome.NEW] == 1
    assert _hits(db, "ratification") == ["a-fine"]
    _check_index(db)


def test_indexing_between_batches_keeps_the_index_in_step(
    databases: DatabaseFactory, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catching up after every batch: rows indexed early are replaced through the triggers."""
    monkeypatch.setattr(importer, "INDEX_EVERY", 1)
    monkeypatch.setattr(importer.BatchWriter, "BATCH", 1)
    db = databases.migrated(backend)
    first = _write(tmp_path / "a" / "twice.md", NOTED.format(title="T", body="Cable", note="Old"))
    others = [_write(tmp_path / "b" / f"other-{n}.txt", f"Memorandum number{n}.") for n in range(3)]
    second = _write(
        tmp_path / "c" / "twice.md", NOTED.format(title="T", body="Telegram", note="New")
    )
    report = _import(db, first, *others, second)
    assert report.counts[Outcome.NEW] == 4 and report.counts[Outcome.UPDATED] == 1
    assert _hits(db, "telegram") == ["twice"]
    assert _hits(db, "cable") == []
    assert _hits(db, "old", scope="footnotes") == []
    assert _hits(db, "new", scope="footnotes") == ["twice"]
    assert _hits(db, "number1") == ["other-1"]
    _check_index(db)
