"""Importing files: idempotent, a transaction per file, references resolved after the batch."""

from pathlib import Path

from sqlalchemy import event, select
from sqlmodel import Session

from api.db.models import Collection, CrossReference, Document, Footnote, Mention, Passage
from api.ingest.importer import import_sources
from api.ingest.parallel import CHUNK_FILES
from api.ingest.sources import Options, discover
from api.records.write import Outcome
from tests.conftest import DatabaseFactory
from tests.ingest.test_markdown import BODY, FRONT
from tests.ingest.test_tei import DOCUMENT, MONOGRAPH


def run(db, *paths: Path, **options: object):  # type: ignore[no-untyped-def]
    sources, problems = discover(list(paths))
    assert problems == []
    return import_sources(db.engine, sources, Options(**options))  # type: ignore[arg-type]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_same_file_again_changes_nothing_and_a_change_is_a_revision(
    databases: DatabaseFactory, backend: str, tmp_path: Path
) -> None:
    db = databases.migrated(backend)
    path = write(tmp_path, "22-cranborne-to-commonwealth-government.md", FRONT + BODY)
    first = run(db, tmp_path)
    assert first.counts[Outcome.NEW] == 1 and first.failed == 0
    assert run(db, tmp_path).counts[Outcome.UNCHANGED] == 1
    path.write_text(FRONT + BODY.replace("an assurance", "a personal assurance"), "utf-8")
    assert run(db, tmp_path).counts[Outcome.UPDATED] == 1
    with Session(db.engine) as session:
        stored = session.get(Document, "dfat-v8-22-cranborne-to-commonwealth-government")
        assert stored is not None and stored.revision == 2 and "personal assurance" in stored.text
        assert session.get(Collection, "dfat-volume-8-1945") is not None
        assert stored.provenance["place"] == "London"


def test_a_broken_file_leaves_nothing_and_the_batch_goes_on(
    databases: DatabaseFactory, backend: str, tmp_path: Path
) -> None:
    db = databases.migrated(backend)
    write(tmp_path, "a-good.md", "---\ntitle: Good\n---\n\nA good text.\n")
    write(tmp_path, "b-broken.xml", "<TEI>\n<teiHeader>\n</TEI>\n")
    (tmp_path / "c-latin.md").write_bytes(
        "---\ntitle: Bad\n---\n\nAu\xdfenpolitik\n".encode("latin-1")
    )
    write(tmp_path, "d-good.txt", "Another good text.")
    report = run(db, tmp_path)
    assert report.counts[Outcome.NEW] == 2
    failures = {Path(f.path).name: f for f in report.failures}
    assert set(failures) == {"b-broken.xml", "c-latin.md"}
    assert failures["b-broken.xml"].line == 3
    assert "not UTF-8" in failures["c-latin.md"].message and failures["c-latin.md"].line == 5
    with Session(db.engine) as session:
        ids = set(session.execute(select(Document.id)).scalars())
    assert ids == {"a-good", "d-good"}
    collection = tmp_path.name.lower()
    with Session(db.engine) as session:
        assert {d.collection_id for d in session.execute(select(Document)).scalars()} == {
            "".join(c if c.isalnum() else "-" for c in collection).strip("-")
        }


def test_a_document_the_database_refuses_is_rolled_back_alone(
    databases: DatabaseFactory, backend: str, tmp_path: Path
) -> None:
    db = databases.migrated(backend)
    # a mention of an entity the database does not know: the loader refuses the document
    write(tmp_path, "a.txt", "Stalin spoke.")
    write(tmp_path, "a.yaml", "mentions:\n  - {passage: p1, text: Stalin, entity: nobody}\n")
    write(tmp_path, "b.txt", "Fine.")
    report = run(db, tmp_path)
    assert report.counts[Outcome.NEW] == 1 and report.failed == 1
    assert "unknown entity" in report.failures[0].message
    with Session(db.engine) as session:
        assert session.execute(select(Passage.document_id)).scalars().all() == ["b"]


def test_the_import_connection_goes_back_to_the_pool_as_it_was(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    """The import's SQLite settings (sub-journal in memory, a large cache) are its own."""
    db = databases.migrated("sqlite")
    write(tmp_path, "a.txt", "Fine.")

    def settings() -> tuple[int, int]:
        with db.engine.connect() as connection:
            temp_store = connection.exec_driver_sql("PRAGMA temp_store").scalar()
            cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
            return temp_store, cache_size

    before = settings()
    seen: list[tuple[int, int]] = []
    listen = event.listens_for(db.engine, "before_cursor_execute")

    @listen
    def record(connection, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO passage"):
            seen.append(
                (
                    cursor.connection.execute("PRAGMA temp_store").fetchone()[0],
                    cursor.connection.execute("PRAGMA cache_size").fetchone()[0],
                )
            )

    assert run(db, tmp_path).counts[Outcome.NEW] == 1
    event.remove(db.engine, "before_cursor_execute", record)
    assert seen == [(2, -65536)]
    assert settings() == before


def test_strict_and_dry_run_write_nothing(
    databases: DatabaseFactory, backend: str, tmp_path: Path
) -> None:
    db = databases.migrated(backend)
    write(tmp_path, "a.txt", "Fine.")
    write(tmp_path, "b.xml", "<TEI>")
    strict = run(db, tmp_path, strict=True)
    assert strict.stopped and strict.failed == 1
    dry = run(db, tmp_path / "a.txt", dry_run=True)
    assert dry.counts[Outcome.NEW] == 1
    with Session(db.engine) as session:
        assert session.execute(select(Document.id)).all() == []


def test_tei_references_across_files_resolve_after_the_batch(
    databases: DatabaseFactory, backend: str, tmp_path: Path
) -> None:
    db = databases.migrated(backend)
    write(tmp_path, "tei/book.xml", MONOGRAPH)
    write(tmp_path, "tei/documents/1958-11-03-a-to-b.xml", DOCUMENT)
    write(tmp_path, "tei/documents/other-memo.xml", DOCUMENT.replace("A to B", "C to D"))
    report = run(db, tmp_path / "tei")
    assert report.failed == 0 and report.counts[Outcome.NEW] == 3
    with Session(db.engine) as session:
        rows = session.execute(
            select(CrossReference).where(
                CrossReference.source_document_id == "1958-11-03-a-to-b",
                CrossReference.origin == "curated",
            )
        ).scalars()
        targets = {(x.target_document_id, x.target_footnote_ref) for x in rows}
        assert targets == {("book", "chapter-1fn1"), ("other-memo", None)}
        inside = session.execute(
            select(CrossReference).where(CrossReference.source_document_id == "book")
        ).scalar_one()
        assert (inside.target_document_id, inside.target_footnote_ref) == ("book", "chapter-2fn1")
        notes = session.execute(select(Footnote.ref).where(Footnote.document_id == "book"))
        assert set(notes.scalars()) == {"chapter-1fn1", "chapter-2fn1"}
        mention = session.execute(select(Mention).where(Mention.document_id == "book")).scalar_one()
        assert (mention.entity_id, mention.status) == ("tei-book-p-bemis", "curated")


def many_files(folder: Path) -> Path:
    """Enough files for reading processes: Markdown, TEI, text and a broken file."""
    for n in range(1, 3 * CHUNK_FILES):
        text = FRONT.replace("doc_num: 22", f"doc_num: {n}") + BODY.replace("D193", f"D{n}")
        write(folder, f"dfat/{n}-cranborne-to-commonwealth-government.md", text)
    write(folder, "tei/book.xml", MONOGRAPH)
    write(folder, "tei/documents/1958-11-03-a-to-b.xml", DOCUMENT)
    write(folder, "text/note.txt", "A note on 740.62114/9–2744.")
    write(folder, "text/zz-broken.md", "---\ntitle: [unclosed\n---\n\nText.\n")
    return folder


def test_reading_processes_write_what_reading_here_writes(
    databases: DatabaseFactory, backend: str, tmp_path: Path
) -> None:
    """The same database, the same failures, in the same order, with files read elsewhere."""
    from tests.export.test_roundtrip import bundle_of

    folder = many_files(tmp_path)
    here, there = databases.migrated(backend), databases.migrated(backend)
    first = run(here, folder, readers=0)
    second = run(there, folder, readers=2)
    assert first.counts == second.counts and first.counts[Outcome.NEW] == 3 * CHUNK_FILES + 2
    assert [(f.path, f.line, f.message) for f in first.failures] == [
        (f.path, f.line, f.message) for f in second.failures
    ]
    assert [Path(f.path).name for f in second.failures] == ["zz-broken.md"]
    assert bundle_of(here) == bundle_of(there)


def test_strict_with_reading_processes_stops_and_writes_nothing(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    db = databases.migrated("sqlite")
    report = run(db, many_files(tmp_path), readers=2, strict=True)
    assert report.stopped and report.failed == 1
    with Session(db.engine) as session:
        assert session.execute(select(Document.id)).all() == []


def test_importing_the_seed_folder_links_as_the_seed_loader_does(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    """A registry in the import: every document is linked with its aliases, once."""
    from tests.conftest import DATA_DIR

    seeded = databases.seeded("sqlite")
    imported = databases.migrated("sqlite")
    report = run(imported, DATA_DIR)
    assert report.failed == 0 and report.link is not None

    def links(db):  # type: ignore[no-untyped-def]
        with Session(db.engine) as session:
            mentions = session.execute(
                select(Mention.document_id, Mention.entity_id, Mention.start, Mention.status)
            ).all()
            references = session.execute(
                select(
                    CrossReference.source_document_id,
                    CrossReference.origin,
                    CrossReference.target_value,
                    CrossReference.target_document_id,
                )
            ).all()
        return sorted(map(tuple, mentions)), sorted(map(tuple, references), key=repr)

    mentions, references = links(imported)
    assert (mentions, references) == links(seeded)
    assert report.link.mentions == sum(1 for m in mentions if m[3] == "auto")
    assert report.link.detected == sum(1 for r in references if r[1] == "detected") > 0
