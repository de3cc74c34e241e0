"""A synthetic corpus for the search benchmark: 100k or 1M passages made of real ones.

Search latency depends on what the text looks like — how often "the" or "war" occurs, how
long a passage is, how rare a name is — so the corpus is built from real passages: the seed
corpus in ``data/`` and, when present, the sample corpora in ``../shared/corpus`` (DFAT
Markdown bodies split into paragraphs, TEI ``<p>`` elements, their footnotes). Each
synthetic document takes the shape of a real one of its family (how many passages, how many
notes, its date and genre); each passage is either a real paragraph or a recombination of
real sentences of the same family with the sentence count of a real paragraph. A fixed seed
makes the corpus the same on every run and on both engines.

Rows are written with bulk inserts that skip the record validation of ``quellen import``,
but they are the rows the loader would write: documents whose text is the passages joined
by blank lines, passages with exact offsets into it and ``norm_text = fold(text)``, notes
anchored at the end of a passage. The schema comes from the project's own migrations, and
the search index is built by the migration's own triggers (SQLite: dropped for the load and
recreated from their stored SQL, then ``rebuild`` and ``optimize``) or generated column
(PostgreSQL: its GIN index is recreated after the load), so what is measured is what
``quellen migrate`` creates.

Built databases are cached: SQLite files under ``bench/results/`` (gitignored), PostgreSQL
databases named ``quellen_bench_<size>`` and marked with a comment. A cache entry is reused
when its recipe matches (size, seed, generator version, source files); a database migrated
to an older head is upgraded first.

    python -m bench.search_corpus --size 100k            # build (or find) the SQLite file
    python -m bench.search_corpus --size 100k --postgres postgresql+psycopg://postgres@127.0.0.1/postgres
"""

import argparse
import hashlib
import json
import random
import re
import sqlite3
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA_DIR = ROOT / "data"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
DEFAULT_SEED = 20261123
# Bump when the recipe changes: cached databases of another version are rebuilt.
VERSION = 2
BATCH_DOCUMENTS = 2000
MAX_PASSAGES_PER_DOCUMENT = 400
MAX_NOTES_PER_DOCUMENT = 12
BOILERPLATE_SHARE = 0.01
RECOMBINED_SHARE = 0.5
# The curated seed corpus is tiny (about 40 paragraphs); at its natural share its names would
# occur a handful of times, so it gets a little more — not so much that they become common.
SEED_SHARE = 0.005
TIMESTAMP = "2026-01-01 00:00:00.000000"
TEI = "{http://www.tei-c.org/ns/1.0}"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“‘(\[]?[A-Z0-9])")
SPACES = re.compile(r"\s+")


@dataclass
class Family:
    """Real material of one kind (one source collection) to sample synthetic documents from."""

    name: str
    collection_title: str
    source_type: str
    genres: list[str | None]
    paragraphs: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    dates: list[str | None] = field(default_factory=list)
    passage_counts: list[int] = field(default_factory=list)
    note_counts: list[int] = field(default_factory=list)

    def add_document(
        self, title: str, date: str | None, paragraphs: list[str], notes: list[str]
    ) -> None:
        paragraphs = [p for p in (_clean(p) for p in paragraphs) if p]
        notes = [n for n in (_clean(n) for n in notes) if n]
        if not paragraphs:
            return
        self.titles.append(_clean(title) or self.name)
        self.dates.append(date)
        self.paragraphs += paragraphs
        self.notes += notes
        self.passage_counts.append(min(len(paragraphs), MAX_PASSAGES_PER_DOCUMENT))
        self.note_counts.append(min(len(notes), MAX_NOTES_PER_DOCUMENT))
        for paragraph in paragraphs:
            self.sentences += [s for s in SENTENCE_END.split(paragraph) if s]


def _clean(text: str) -> str:
    return SPACES.sub(" ", text).strip()


# --- reading the real material --------------------------------------------------------------


def _seed_family() -> Family:
    """The curated documents in data/ (read with the project's own reader)."""
    from api.formats.plaintext import read_document

    family = Family("seed", "Seed corpus (synthetic)", "secondary", ["essay", None])
    for text_path in sorted(DATA_DIR.glob("*/*.txt")):
        try:
            record = read_document(text_path, collection_id=text_path.parent.name)
        except Exception as exc:  # a broken file elsewhere must not stop the benchmark
            print(f"skipped {text_path}: {exc}", file=sys.stderr)
            continue
        family.add_document(
            record.title,
            record.date,
            [p.text for p in record.passages if not p.boilerplate],
            [n.text for n in record.footnotes],
        )
    return family


def _dfat_family(folder: Path) -> Family:
    """DFAT Markdown: paragraphs of the body; notes follow a line holding only ``_``."""
    family = Family(
        "dfat", "Documents on Australian Foreign Policy (synthetic)", "primary", ["cablegram"]
    )
    for path in sorted(folder.glob("*.md")):
        raw = path.read_text(encoding="utf-8")
        meta: dict[str, Any] = {}
        if raw.startswith("---"):
            _, front, raw = raw.split("---", 2)
            meta = yaml.safe_load(front) or {}
        body, _, notes_part = raw.partition("\n _\n")
        if not notes_part:
            body, _, notes_part = raw.partition("\n_\n")
        blocks = [b for b in re.split(r"\n\s*\n", body) if b.strip()]
        paragraphs = [
            b.replace("\\", "")
            for b in blocks
            if not b.strip().startswith("_[") and b.strip() not in ("_", "")
        ]
        notes = [
            n.replace("\\", "")
            for n in re.split(r"\n\s*\n", notes_part)
            if n.strip() and not n.strip().startswith(("_[", "_"))
        ]
        family.add_document(
            str(meta.get("title", path.stem)), meta.get("doc_date"), paragraphs, notes
        )
    return family


def _text_without_notes(element: ET.Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag != f"{TEI}note":
            parts.append(_text_without_notes(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _tei_family(folder: Path) -> Family:
    """TEI: each standalone document, and each chapter of the monograph, is one document."""
    family = Family(
        "tei",
        "Office of the Historian (synthetic)",
        "primary",
        ["memorandum", "meeting minutes", "letter", "monograph chapter"],
    )
    units: list[tuple[str, str | None, ET.Element]] = []
    for path in sorted(folder.rglob("*.xml")):
        tree = ET.parse(path)
        root = tree.getroot()
        title = root.find(f".//{TEI}titleStmt/{TEI}title")
        created = root.find(f".//{TEI}date[@type='created']")
        body = root.find(f".//{TEI}text/{TEI}body")
        if body is None:
            continue
        chapters = body.findall(f".//{TEI}div[@type='chapter']")
        if chapters:
            for chapter in chapters:
                head = chapter.find(f"{TEI}head")
                name = "".join(head.itertext()) if head is not None else path.stem
                units.append((name, "2015", chapter))
        else:
            name = "".join(title.itertext()) if title is not None else path.stem
            date = created.get("when") if created is not None else None
            units.append((name, date, body))
    for name, date, element in units:
        paragraphs = [_text_without_notes(p) for p in element.iter(f"{TEI}p")]
        notes = ["".join(n.itertext()) for n in element.iter(f"{TEI}note")]
        family.add_document(name, date, paragraphs, notes)
    return family


def read_families(shared: Path = SHARED_CORPUS) -> list[Family]:
    families = [_seed_family()]
    if (shared / "dfat-volume-8-1945").is_dir():
        families.append(_dfat_family(shared / "dfat-volume-8-1945"))
    if (shared / "tei").is_dir():
        families.append(_tei_family(shared / "tei"))
    return [f for f in families if f.paragraphs]


def source_files(shared: Path = SHARED_CORPUS) -> list[Path]:
    files = sorted(DATA_DIR.glob("*/*.txt")) + sorted(DATA_DIR.glob("*/*.yaml"))
    if shared.is_dir():
        files += sorted(shared.glob("dfat-volume-8-1945/*.md")) + sorted(
            shared.rglob("tei/**/*.xml")
        )
    return files


def recipe(size: int, seed: int, shared: Path = SHARED_CORPUS) -> dict[str, Any]:
    """What a cached database must match to be reused."""
    digest = hashlib.sha256()
    for path in source_files(shared):
        digest.update(f"{path.relative_to(path.anchor)}:{path.stat().st_size}\n".encode())
    return {"version": VERSION, "passages": size, "seed": seed, "sources": digest.hexdigest()[:16]}


# --- generating rows -------------------------------------------------------------------------


@dataclass
class Doc:
    row: dict[str, Any]
    passages: list[dict[str, Any]]
    notes: list[dict[str, Any]]


def _date_range(date: str | None) -> tuple[str | None, str | None]:
    if date is None:
        return None, None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return date, date
    if re.fullmatch(r"\d{4}", date):
        return f"{date}-01-01", f"{date}-12-31"
    return None, None


def generate(families: list[Family], size: int, seed: int) -> Iterator[Doc]:
    """Documents until ``size`` passages are made; the same ones for the same seed."""
    from api.records.normalize import fold

    rng = random.Random(seed)
    # A family is drawn in proportion to its real passages, with a floor (SEED_SHARE) so that
    # the names of the small curated corpus (Lienz, Moyne) occur, if rarely.
    total = sum(len(f.paragraphs) for f in families)
    weights = [max(len(f.paragraphs) / total, SEED_SHARE) for f in families]
    made = 0
    number = 0
    passage_id = 0
    note_id = 0
    while made < size:
        family = rng.choices(families, weights)[0]
        shape = rng.randrange(len(family.passage_counts))
        count = min(family.passage_counts[shape], size - made)
        number += 1
        doc_id = f"bench-{family.name}-{number:07d}"
        texts = []
        for _ in range(count):
            paragraph = rng.choice(family.paragraphs)
            if rng.random() < RECOMBINED_SHARE:
                n = len([s for s in SENTENCE_END.split(paragraph) if s])
                paragraph = " ".join(rng.choice(family.sentences) for _ in range(n))
            texts.append(paragraph)
        passages = []
        offset = 0
        for seq, text in enumerate(texts, start=1):
            passage_id += 1
            heading = len(text) < 60 and not text.endswith((".", ":", ";"))
            passages.append(
                {
                    "id": passage_id,
                    "document_id": doc_id,
                    "seq": seq,
                    "ref": f"p{seq}",
                    "kind": "heading" if heading else "paragraph",
                    "boilerplate": rng.random() < BOILERPLATE_SHARE,
                    "section_ref": None,
                    "text": text,
                    "norm_text": fold(text),
                    "start_offset": offset,
                    "end_offset": offset + len(text),
                    "page": None,
                }
            )
            offset += len(text) + 2
        notes = []
        for n in range(1, min(family.note_counts[shape], len(family.notes)) + 1):
            note_id += 1
            anchor = rng.choice(passages)
            text = rng.choice(family.notes)
            notes.append(
                {
                    "id": note_id,
                    "document_id": doc_id,
                    "ref": f"fn{n}",
                    "marker": str(n),
                    "number": n,
                    "text": text,
                    "norm_text": fold(text),
                    "passage_id": anchor["id"],
                    "offset": anchor["end_offset"],
                }
            )
        full_text = "\n\n".join(texts)
        date = family.dates[shape]
        start, end = _date_range(date)
        genre = rng.choice(family.genres)
        yield Doc(
            row={
                "id": doc_id,
                "collection_id": f"bench-{family.name}",
                "title": family.titles[shape][:1000],
                "authors": "[]",
                "recipients": "[]",
                "date": date,
                "date_start": start,
                "date_end": end,
                "source_type": family.source_type,
                "genre": genre,
                "language": "en",
                "number": None,
                "provenance": json.dumps({"note": "synthetic benchmark document"}),
                "notes": "[]",
                "text": full_text,
                "checksum": "sha256:" + hashlib.sha256(full_text.encode()).hexdigest(),
                "fingerprint": "",
                "revision": 1,
                "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP,
            },
            passages=passages,
            notes=notes,
        )
        made += count


def _batches(docs: Iterator[Doc]) -> Iterator[list[Doc]]:
    batch: list[Doc] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == BATCH_DOCUMENTS:
            yield batch
            batch = []
    if batch:
        yield batch


def _collections(families: list[Family]) -> list[dict[str, Any]]:
    return [
        {
            "id": f"bench-{f.name}",
            "title": f.collection_title,
            "description": "Synthetic documents recombined from real passages, for benchmarks.",
            "publisher": None,
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
        for f in families
    ]


def _progress(made: int, started: float) -> None:
    print(f"\r  {made:,} passages ({time.monotonic() - started:.0f} s)", end="", file=sys.stderr)


# --- SQLite ------------------------------------------------------------------------------------


def _insert_sql(table: str, row: dict[str, Any], style: str = "qmark") -> str:
    columns = ", ".join(f'"{c}"' for c in row)
    marks = ", ".join("?" for _ in row) if style == "qmark" else ", ".join(f"%({c})s" for c in row)
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"


def build_sqlite(path: Path, size: int, seed: int, families: list[Family]) -> None:
    """Migrate a new file, then load it with the FTS triggers off and rebuild the index once."""
    from api.db.migrations import upgrade

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    upgrade(f"sqlite:///{partial}")
    connection = sqlite3.connect(partial, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    triggers = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'fts_%'"
    ).fetchall()
    connection.execute("BEGIN")
    for name, _ in triggers:
        connection.execute(f"DROP TRIGGER {name}")
    for row in _collections(families):
        connection.execute(_insert_sql("collection", row), list(row.values()))
    started = time.monotonic()
    made = 0
    for batch in _batches(generate(families, size, seed)):
        connection.executemany(
            _insert_sql("document", batch[0].row), [list(d.row.values()) for d in batch]
        )
        passages = [p for d in batch for p in d.passages]
        connection.executemany(
            _insert_sql("passage", passages[0]), [list(p.values()) for p in passages]
        )
        notes = [n for d in batch for n in d.notes]
        if notes:
            connection.executemany(
                _insert_sql("footnote", notes[0]), [list(n.values()) for n in notes]
            )
        made += len(passages)
        _progress(made, started)
    print(file=sys.stderr)
    for _, sql in triggers:
        connection.execute(sql)
    for table in ("passage", "footnote"):
        connection.execute(f"INSERT INTO fts_{table}(fts_{table}) VALUES ('rebuild')")
        connection.execute(f"INSERT INTO fts_{table}(fts_{table}) VALUES ('optimize')")
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    partial.rename(path)


def sqlite_database(size: int, seed: int = DEFAULT_SEED, *, rebuild: bool = False) -> Path:
    """The cached SQLite file for this recipe, built when missing; migrated to the head."""
    from api.db.engine import make_engine
    from api.db.migrations import current_revision, head_revision, upgrade

    wanted = recipe(size, seed)
    path = RESULTS / f"search-{size}-{seed}-v{VERSION}-{wanted['sources']}.sqlite"
    meta = path.with_suffix(".json")
    fresh = path.exists() and meta.exists() and json.loads(meta.read_text()) == wanted
    if rebuild or not fresh:
        print(f"building {path.name} ({size:,} passages)…", file=sys.stderr)
        started = time.monotonic()
        build_sqlite(path, size, seed, read_families())
        meta.write_text(json.dumps(wanted, indent=2) + "\n")
        print(f"built in {time.monotonic() - started:.0f} s", file=sys.stderr)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        if current_revision(engine) != head_revision(url):
            upgrade(url)
    finally:
        engine.dispose()
    return path


# --- PostgreSQL --------------------------------------------------------------------------------


def _pg_urls(admin_url: str, name: str) -> tuple[str, str]:
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    sa_url = url.set(database=name).render_as_string(hide_password=False)
    libpq = url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    return sa_url, libpq


def build_postgres(admin_url: str, name: str, size: int, seed: int, families: list[Family]) -> None:
    import psycopg
    from psycopg import sql

    from api.db.migrations import upgrade

    _, admin_libpq = _pg_urls(admin_url, "postgres")
    sa_url, libpq = _pg_urls(admin_url, name)
    with psycopg.connect(admin_libpq, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    upgrade(sa_url)
    with psycopg.connect(libpq) as connection:
        indexes = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'search_%'"
        ).fetchall()
        for index, _ in indexes:
            connection.execute(f"DROP INDEX {index}")
        for row in _collections(families):
            connection.execute(_insert_sql("collection", row, "pyformat"), row)
        started = time.monotonic()
        made = 0
        for batch in _batches(generate(families, size, seed)):
            for table, rows in (
                ("document", [d.row for d in batch]),
                ("passage", [p for d in batch for p in d.passages]),
                ("footnote", [n for d in batch for n in d.notes]),
            ):
                if not rows:
                    continue
                columns = ", ".join(f'"{c}"' for c in rows[0])
                with connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(list(row.values()))
            made += sum(len(d.passages) for d in batch)
            _progress(made, started)
        print(file=sys.stderr)
        for table in ("passage", "footnote"):
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        for _, definition in indexes:
            connection.execute(definition)
        connection.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(json.dumps(recipe(size, seed)))
            )
        )
        connection.commit()
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def postgres_database(
    admin_url: str, size: int, seed: int = DEFAULT_SEED, *, rebuild: bool = False
) -> str:
    """The SQLAlchemy URL of the cached PostgreSQL database for this recipe."""
    import psycopg

    from api.db.engine import make_engine
    from api.db.migrations import current_revision, head_revision, upgrade

    name = f"quellen_bench_{size}"
    sa_url, _ = _pg_urls(admin_url, name)
    _, admin_libpq = _pg_urls(admin_url, "postgres")
    wanted = json.dumps(recipe(size, seed))
    with psycopg.connect(admin_libpq, autocommit=True) as admin:
        found = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if rebuild or found is None or found[0] != wanted:
        print(f"building PostgreSQL database {name} ({size:,} passages)…", file=sys.stderr)
        started = time.monotonic()
        build_postgres(admin_url, name, size, seed, read_families())
        print(f"built in {time.monotonic() - started:.0f} s", file=sys.stderr)
    engine = make_engine(sa_url)
    try:
        if current_revision(engine) != head_revision(sa_url):
            upgrade(sa_url)
    finally:
        engine.dispose()
    return sa_url


def parse_size(value: str) -> int:
    if value.lower() in SIZES:
        return SIZES[value.lower()]
    return int(value.replace("_", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100k", help="passages: 10k, 100k, 1m or a number")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="also build on this server")
    parser.add_argument("--rebuild", action="store_true", help="ignore the cache")
    args = parser.parse_args(argv)
    size = parse_size(args.size)
    print(sqlite_database(size, args.seed, rebuild=args.rebuild))
    if args.postgres:
        print(postgres_database(args.postgres, size, args.seed, rebuild=args.rebuild))
    return 0


if __name__ == "__main__":
    sys.exit(main())
