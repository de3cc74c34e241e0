"""How big the tables and indexes of a PostgreSQL database grow, at 100k and 1M passages.

Run ``python -m bench.index_sizes`` (``--sizes 100k,1m`` by default). For each size it
builds a fresh database with the synthetic search corpus of bench/search_corpus.py (real
passages of the seed corpus and ``../shared/corpus``, sampled and recombined, so the
full-text index sees realistic text), through the project's migrations and the same bulk
path the search benchmark uses: ``COPY`` of documents, passages and notes with the GIN
indexes dropped, then the indexes created again and ``VACUUM ANALYZE``. It measures:

- the time of that build, and of creating each GIN index again on the loaded table;
- ``pg_relation_size`` of every table (its heap), of its TOAST table, and of every index
  (``pg_indexes``), with ``pg_total_relation_size`` of the table;
- the average stored size of a passage's ``text``, ``norm_text`` and ``search_vector``;
- the distinct lexemes of the passage index (``ts_stat``): how the vocabulary grows.

The synthetic corpus has documents, passages and notes only. So that the other tables
(mentions, identifiers, cross-references, pages) are counted too, a real import comes
first: ``quellen seed`` + ``quellen import`` of the scaled corpus (bench/scaled_corpus.py)
into a fresh database, with its time and every table's rows and sizes; its rows per passage
scale those tables to the sizes above.

Every database it creates is named ``quellen_bench_idx_…`` and dropped at the end, also on
failure. The figures go to the "Index sizes on PostgreSQL" section of docs/benchmarks.md.
"""

import argparse
import contextlib
import os
import shlex
import sys
import textwrap
import time
from dataclasses import dataclass, field
from typing import Any

HEADING = "## Index sizes on PostgreSQL"
DEFAULT_SIZES = "100k,1m"
TARGET = 100_000_000  # the passages docs/scaling.md plans for


@dataclass
class Relation:
    name: str
    table: str
    kind: str  # "table" or "index"
    bytes: int  # heap (tables) or the index
    toast: int = 0  # tables: their TOAST table with its index
    total: int = 0  # tables: pg_total_relation_size
    rows: int = 0
    definition: str = ""


@dataclass
class Measured:
    label: str
    passages: int
    build_seconds: float
    database_bytes: int
    relations: list[Relation]
    gin_seconds: dict[str, float] = field(default_factory=dict)
    column_bytes: dict[str, float] = field(default_factory=dict)
    lexemes: int | None = None
    lexeme_seconds: float | None = None
    documents: int = 0
    scaling: set[str] = field(default_factory=set)  # tables that grow with the corpus

    def relation(self, name: str) -> Relation | None:
        return next((r for r in self.relations if r.name == name), None)


# --- measuring a database ------------------------------------------------------------------------


SIZES_SQL = """
SELECT c.relname, c.reltuples::bigint, pg_relation_size(c.oid),
       coalesce(pg_total_relation_size(c.reltoastrelid), 0), pg_total_relation_size(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r'
ORDER BY c.relname
"""

INDEXES_SQL = """
SELECT i.indexname, i.tablename, pg_relation_size(format('%I.%I', i.schemaname, i.indexname)),
       i.indexdef
FROM pg_indexes i WHERE i.schemaname = 'public'
ORDER BY i.tablename, i.indexname
"""


def relations(connection: Any) -> list[Relation]:
    found = []
    for name, estimate, heap, toast, total in connection.execute(SIZES_SQL).fetchall():
        row = connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()
        rows = int(row[0]) if row else int(estimate)
        found.append(Relation(name, name, "table", int(heap), int(toast), int(total), rows))
    for name, table, size, definition in connection.execute(INDEXES_SQL).fetchall():
        found.append(Relation(name, table, "index", int(size), definition=definition))
    return found


SCALING_SQL = """
SELECT DISTINCT table_name FROM information_schema.columns
WHERE table_schema = 'public' AND column_name LIKE '%document_id'
"""
LEXEMES_SQL = "SELECT search_vector FROM passage"


def _scalar(connection: Any, sql: str) -> Any:
    row = connection.execute(sql).fetchone()
    return row[0] if row else None


def measure_database(
    libpq: str, label: str, passages: int, build_seconds: float, *, lexemes: bool, gin: bool
) -> Measured:
    import psycopg

    with psycopg.connect(libpq, autocommit=True) as connection:
        measured = Measured(
            label=label,
            passages=passages,
            build_seconds=build_seconds,
            database_bytes=int(_scalar(connection, "SELECT pg_database_size(current_database())")),
            relations=relations(connection),
            documents=int(_scalar(connection, "SELECT count(*) FROM document")),
        )
        row = connection.execute(
            "SELECT avg(pg_column_size(text)), avg(pg_column_size(norm_text)), "
            "avg(pg_column_size(search_vector)), avg(length(text)) FROM passage"
        ).fetchone()
        if row:
            measured.column_bytes = {
                "text": float(row[0] or 0),
                "norm_text": float(row[1] or 0),
                "search_vector": float(row[2] or 0),
                "characters": float(row[3] or 0),
            }
        if lexemes:
            started = time.monotonic()
            measured.lexemes = int(
                _scalar(
                    connection, "SELECT count(*) FROM ts_stat('SELECT search_vector FROM passage')"
                )
            )
            measured.lexeme_seconds = time.monotonic() - started
        if gin:
            for relation in measured.relations:
                if relation.kind == "index" and "USING gin" in relation.definition:
                    connection.execute(f'DROP INDEX "{relation.name}"')
                    started = time.monotonic()
                    connection.execute(relation.definition)
                    measured.gin_seconds[relation.name] = time.monotonic() - started
    return measured


# --- the databases --------------------------------------------------------------------------------


def _drop(admin_libpq: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_libpq, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def synthetic(admin_url: str, size: int, families: list[Any], *, lexemes: bool) -> Measured:
    """Build the search corpus of ``size`` passages in a database of its own, measure it,
    drop it."""
    from bench.harness import libpq_url
    from bench.search_corpus import DEFAULT_SEED, _pg_urls, build_postgres

    name = f"quellen_bench_idx_{size}_{os.getpid()}"
    _, admin_libpq = _pg_urls(admin_url, "postgres")
    try:
        print(f"building {name} ({size:,} passages)…", file=sys.stderr, flush=True)
        started = time.monotonic()
        build_postgres(admin_url, name, size, DEFAULT_SEED, families)
        seconds = time.monotonic() - started
        print(f"built in {seconds:.0f} s; measuring…", file=sys.stderr, flush=True)
        sa_url, _ = _pg_urls(admin_url, name)
        return measure_database(
            libpq_url(sa_url), _label(size), size, seconds, lexemes=lexemes, gin=True
        )
    finally:
        _drop(admin_libpq, name)


def real_import(admin_url: str, documents: int, *, lexemes: bool) -> Measured:
    """``quellen seed`` + ``quellen import`` of the scaled corpus into a fresh database."""
    from bench.harness import fresh_database, libpq_url, prepare
    from bench.scaled_corpus import build

    corpus = build(documents)
    with fresh_database("postgresql", "bench_idx_real") as url:
        print(
            f"importing {documents:,} documents with quellen import…", file=sys.stderr, flush=True
        )
        prepared = prepare(url, corpus)
        import psycopg

        with psycopg.connect(libpq_url(url), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
            passages = int(_scalar(connection, "SELECT count(*) FROM passage"))
        measured = measure_database(
            libpq_url(url),
            f"quellen import, {prepared.documents:,} documents",
            passages,
            prepared.import_seconds,
            lexemes=lexemes,
            gin=False,
        )
        measured.documents = prepared.documents
        with psycopg.connect(libpq_url(url), autocommit=True) as connection:
            measured.scaling = {row[0] for row in connection.execute(SCALING_SQL).fetchall()} | {
                "document",
                "change",
                "revision",
            }
        return measured


# --- the report -----------------------------------------------------------------------------------


def _label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return f"{size:,}"


def mb(value: float) -> str:
    megabytes = value / 1e6
    if megabytes >= 100:
        return f"{megabytes:,.0f}"
    return f"{megabytes:,.1f}"


def gb(value: float) -> str:
    return f"{value / 1e9:,.1f}"


def growth(small: float, large: float, factor: float) -> float:
    """How ``large`` grew over ``small``, as a share of linear growth by ``factor``."""
    return (large / small) / factor if small else float("nan")


def section(
    real: Measured | None, sizes: list[Measured], command: str, load: float, seconds: float
) -> str:
    from bench.harness import machine_lines

    lines = [HEADING, ""]
    lines.append(
        "Sizes of every table and index of a PostgreSQL database "
        "([bench/index_sizes.py](../bench/index_sizes.py)), measured with "
        "`pg_relation_size` (heap, or the index), the TOAST table with its index, and "
        "`pg_total_relation_size` (all of it). Synthetic corpora: bench/search_corpus.py (real "
        "passages sampled and recombined; documents, passages and notes only), loaded with "
        "`COPY` and the GIN indexes created after the load; *real import*: `quellen seed` + "
        "`quellen import` of the scaled corpus (every table). MB are 10^6 bytes. "
        "[scaling.md](scaling.md) extrapolates them to 100 million passages."
    )
    lines.append("")
    measured = ([real] if real else []) + sizes
    lines.append("| corpus | documents | passages | build or import (s) | database (MB) |")
    lines.append("|---|---:|---:|---:|---:|")
    for m in measured:
        lines.append(
            f"| {m.label} | {m.documents:,} | {m.passages:,} | {m.build_seconds:,.0f} | "
            f"{mb(m.database_bytes)} |"
        )
    lines.append("")
    if sizes:
        largest = sizes[-1]
        smallest = sizes[0]
        factor = largest.passages / smallest.passages if len(sizes) > 1 else 1.0
        scale = TARGET / largest.passages
        # the tables the synthetic corpus fills, and their indexes, largest first (from half
        # a megabyte: the small indexes of the document table are left out)
        filled = {"document", "passage", "footnote"}
        names = [
            r.name
            for r in sorted(largest.relations, key=lambda r: -(r.bytes + r.toast))
            if r.table in filled and (r.bytes + r.toast) >= 500_000
        ]
        head = " | ".join(f"{s.label} (MB)" for s in sizes)
        lines.append(
            f"Tables (heap + TOAST = table; *total* with its indexes) and indexes; "
            f"*growth* is the {smallest.label}→{largest.label} ratio over linear "
            f"({factor:g}x): 1.00 is linear, below 1 slower. *{_label(TARGET)} linear* scales "
            f"the {largest.label} figure by {scale:g}."
        )
        lines.append("")
        lines.append(
            f"| relation | kind | rows at {largest.label} | {head} | growth | "
            f"{_label(TARGET)} linear (GB) |"
        )
        lines.append("|---|---|---:|" + "---:|" * len(sizes) + "---:|---:|")
        for name in names:
            relation = largest.relation(name)
            assert relation is not None
            values = []
            for s in sizes:
                r = s.relation(name)
                values.append(
                    (r.bytes + r.toast) if r and r.kind == "table" else (r.bytes if r else 0)
                )
            kind = relation.kind
            if kind == "index":
                kind = "GIN index" if "USING gin" in relation.definition else "B-tree index"
            rows = f"{relation.rows:,}" if relation.kind == "table" else ""
            ratio = growth(values[0], values[-1], factor) if len(sizes) > 1 else float("nan")
            lines.append(
                f"| `{name}` | {kind} | {rows} | "
                + " | ".join(mb(v) for v in values)
                + f" | {ratio:.2f} | {gb(values[-1] * scale)} |"
            )
        totals = [s.database_bytes for s in sizes]
        lines.append(
            "| **database** | | | "
            + " | ".join(f"**{mb(v)}**" for v in totals)
            + f" | {growth(totals[0], totals[-1], factor):.2f} | **{gb(totals[-1] * scale)}** |"
        )
        lines.append("")
        for s in sizes:
            c = s.column_bytes
            gin = ", ".join(f"`{k}` {v:.1f} s" for k, v in s.gin_seconds.items())
            lexemes = (
                f"; {s.lexemes:,} distinct lexemes in the passage index "
                f"(`ts_stat`, {s.lexeme_seconds:.0f} s)"
                if s.lexemes is not None
                else ""
            )
            lines.append(
                f"- {s.label}: a passage averages {c.get('characters', 0):.0f} characters; "
                f"stored `text` {c.get('text', 0):.0f} bytes, `norm_text` "
                f"{c.get('norm_text', 0):.0f}, `search_vector` {c.get('search_vector', 0):.0f}; "
                f"GIN indexes created again on the loaded tables: {gin}{lexemes}."
            )
        lines.append("")
    if real:
        per = real.passages or 1
        lines.append(
            f"Real import ({real.label}: {real.passages:,} passages, "
            f"{real.build_seconds:.0f} s for `quellen import`, "
            f"{real.passages / real.build_seconds:,.0f} passages/s): every table, with its "
            f"rows and bytes per passage, and {_label(TARGET)} passages at those ratios."
        )
        lines.append("")
        lines.append(
            "| table | rows | rows per passage | table (MB) | its indexes (MB) | total (MB) "
            f"| bytes per passage | {_label(TARGET)} passages (GB) |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        scaling = [r for r in real.relations if r.kind == "table" and r.name in real.scaling]
        for r in sorted(scaling, key=lambda r: -r.total):
            indexes = r.total - r.bytes - r.toast
            lines.append(
                f"| `{r.name}` | {r.rows:,} | {r.rows / per:.3f} | {mb(r.bytes + r.toast)} | "
                f"{mb(indexes)} | {mb(r.total)} | {r.total / per:,.0f} | "
                f"{gb(r.total / per * TARGET)} |"
            )
        corpus_bytes = sum(r.total for r in scaling)
        lines.append(
            f"| **these tables** | | | | | **{mb(corpus_bytes)}** | {corpus_bytes / per:,.0f} | "
            f"**{gb(corpus_bytes / per * TARGET)}** |"
        )
        fixed = real.database_bytes - corpus_bytes
        lines.append("")
        if sizes:
            largest = sizes[-1]
            lines.append(
                f"Bytes per passage of the indexes of `passage` and `footnote`: the real "
                f"import (the GIN indexes kept up row by row as the import inserts) beside the "
                f"synthetic {largest.label} (the GIN indexes built once after the load):"
            )
            lines.append("")
            lines.append(f"| index | real import | synthetic {largest.label} |")
            lines.append("|---|---:|---:|")
            for r in real.relations:
                if r.kind != "index" or r.table not in ("passage", "footnote"):
                    continue
                other = largest.relation(r.name)
                theirs = f"{other.bytes / largest.passages:,.1f}" if other else "–"
                lines.append(f"| `{r.name}` | {r.bytes / per:,.1f} | {theirs} |")
            lines.append("")
        lines.append(
            f"The rest of the database ({mb(fixed)} MB of {mb(real.database_bytes)}: the "
            "system catalogs, the entity registry, keys, jobs) does not grow with the corpus; "
            "the tables above are those with a row per document or per part of one "
            "(a `document_id` column), and the change log and revisions."
        )
        lines.append("")
    lines.append(f"The whole run took {seconds / 60:.0f} minutes.")
    lines.append("")
    lines.extend(machine_lines(load, command))
    lines.append(
        "- PostgreSQL settings of the server measured: "
        + ", ".join(f"{k} {v}" for k, v in _settings().items())
    )
    return "\n".join(_wrap(line) for line in lines) + "\n"


def _wrap(line: str, width: int = 92) -> str:
    """Prose and list items wrapped as the rest of docs/benchmarks.md; tables as they are."""
    if line.startswith(("|", "#")) or len(line) <= width:
        return line
    indent = "  " if line.startswith("- ") else ""
    return textwrap.fill(line, width, subsequent_indent=indent, break_on_hyphens=False)


def _settings() -> dict[str, str]:
    import psycopg

    from bench.harness import PG_ADMIN, libpq_url

    with (
        contextlib.suppress(Exception),
        psycopg.connect(libpq_url(PG_ADMIN), connect_timeout=3) as connection,
    ):
        return {
            name: str(_scalar(connection, f"SHOW {name}"))
            for name in ("shared_buffers", "maintenance_work_mem", "work_mem")
        }
    return {}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    from bench.harness import PG_ADMIN

    parser = argparse.ArgumentParser(
        prog="python -m bench.index_sizes",
        description="Table and index sizes on PostgreSQL at 100k and 1M passages; written "
        "to docs/benchmarks.md.",
    )
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES, help=f"passages, ascending ({DEFAULT_SIZES})"
    )
    parser.add_argument("--admin", default=PG_ADMIN, help="a PostgreSQL URL to create databases")
    parser.add_argument(
        "--real-documents",
        type=int,
        default=2425,
        help="documents of the scaled corpus for the real import (2425; 0: skip it)",
    )
    parser.add_argument(
        "--no-lexemes", dest="lexemes", action="store_false", help="skip counting lexemes"
    )
    parser.add_argument("--no-write", dest="write", action="store_false", help="print only")
    return parser.parse_args(argv)


def _size(value: str, parse: Any) -> int:
    """10k, 250k, 1m, 1000000: bench/search_corpus.py's names, or a count with k or m."""
    value = value.strip().lower()
    if value.endswith(("k", "m")) and value[:-1].isdecimal():
        return int(value[:-1]) * (1000 if value[-1] == "k" else 1_000_000)
    return int(parse(value))


def main(argv: list[str] | None = None) -> int:
    from bench.harness import BenchError, postgres_problem, write_section
    from bench.search_corpus import parse_size, read_families

    args = _arguments(argv)
    command = shlex.join(["python", "-m", "bench.index_sizes", *sys.argv[1:]])
    sizes = sorted(_size(s, parse_size) for s in args.sizes.split(",") if s.strip())
    problem = postgres_problem(args.admin)
    if problem:
        print(f"error: PostgreSQL does not answer at {args.admin}: {problem}", file=sys.stderr)
        return 1
    load = os.getloadavg()[0]
    started = time.monotonic()
    try:
        real = (
            real_import(args.admin, args.real_documents, lexemes=args.lexemes)
            if args.real_documents
            else None
        )
        families = read_families()
        measured = [synthetic(args.admin, size, families, lexemes=args.lexemes) for size in sizes]
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = section(real, measured, command, load, time.monotonic() - started)
    print(text)
    if args.write:
        write_section(HEADING, text)
        print("wrote docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
