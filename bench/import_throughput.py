"""Import throughput: documents/s, MB/s and peak RSS, beside a bare sqlite3 baseline.

Imports the DFAT volume (481 Markdown documents) and the TEI set (the FRUS history
monograph and 63 documents) from ``../shared/corpus`` into a fresh, migrated database on
SQLite and on PostgreSQL, each run in a process of its own so that its peak RSS is its
own, and runs ``bench/import_baseline.py`` on the DFAT volume in the same session. The
figure timed is ``import_sources`` as ``quellen import`` runs it (with its reading
processes), and on SQLite also in one process: reading, validating, writing (passages,
footnotes, offsets, identifiers, the search index), and the linker (mentions, detected
references, resolution, inferred links) — not the migration.

Results go to docs/benchmarks.md, section ``## Import throughput`` (replaced on each run;
the other sections of the file are left as they are).

    python -m bench.import_throughput [--rounds N] [--no-write]
"""

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
CORPORA = {"dfat": CORPUS / "dfat-volume-8-1945", "tei": CORPUS / "tei"}
REPORT = ROOT / "docs" / "benchmarks.md"
SECTION = "## Import throughput"
PG_ADMIN = os.environ.get(
    "QUELLEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the reading processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _run_import(corpus: str, backend: str, readers: str) -> dict[str, float]:
    """One import into a fresh database, in this process (called in a child process)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from api.db.engine import make_engine
    from api.db.migrations import upgrade
    from api.ingest.importer import import_sources
    from api.ingest.sources import Options, default_readers, discover
    from bench.import_baseline import peak_rss_mb

    tmp = tempfile.mkdtemp()
    name = f"quellen_bench_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        url = f"sqlite:///{Path(tmp) / (name + '.sqlite')}"
    else:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        engine = make_engine(url)
        sources, problems = discover([CORPORA[corpus]])
        cpu = _cpu_seconds()
        started = time.perf_counter()
        options = Options(readers=default_readers() if readers == "default" else int(readers))
        report = import_sources(engine, sources, options)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu  # the reading processes have ended by now
        engine.dispose()
        if problems or report.failures:
            raise SystemExit(f"import failed: {(problems + report.failures)[:3]}")
        return {
            "documents": report.documents,
            "bytes": report.bytes,
            "seconds": seconds,
            "cpu_seconds": cpu,
            # the reading processes' ru_maxrss counts what they shared with this one
            "peak_rss_mb": max(
                peak_rss_mb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            ),
            "readers": options.readers,
        }
    finally:
        if backend == "postgresql":
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _child(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _postgres_reachable() -> bool:
    """Asked in a child, so that this process stays small (see ``peak_rss_mb``)."""
    probe = (
        "import sys; from sqlalchemy import create_engine, text\n"
        "try:\n"
        f"    e = create_engine({PG_ADMIN!r}, connect_args={{'connect_timeout': 3}})\n"
        "    e.connect().execute(text('SELECT 1'))\n"
        "except Exception:\n"
        "    sys.exit(1)\n"
    )
    return subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    """The fastest run, with the median time of all and the largest peak RSS."""
    best = min(runs, key=lambda r: r["seconds"])
    return {
        **best,
        "median_seconds": statistics.median(r["seconds"] for r in runs),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _row(label: str, result: dict[str, float]) -> str:
    rate = result["documents"] / result["seconds"]
    mb = result["bytes"] / 1_000_000 / result["seconds"]
    cpu = f"{result['cpu_seconds']:.2f}" if "cpu_seconds" in result else "–"
    return (
        f"| {label} | {int(result['documents'])} | {result['bytes'] / 1_000_000:.1f} | "
        f"{result['seconds']:.2f} | {result['median_seconds']:.2f} | {cpu} | {rate:,.0f} | "
        f"{mb:.2f} | "
        f"{result['peak_rss_mb']:.0f} |"
    )


def _write(section: str) -> None:
    current = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: section, current)
    else:
        updated = current.rstrip("\n") + "\n\n" + section
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


RUNS = {
    # key: (corpus, backend, readers) — readers None: what `quellen import` uses here
    "dfat/sqlite": ("dfat", "sqlite", None),
    "dfat/sqlite/0": ("dfat", "sqlite", 0),
    "dfat/postgresql": ("dfat", "postgresql", None),
    "tei/sqlite": ("tei", "sqlite", None),
    "tei/sqlite/0": ("tei", "sqlite", 0),
    "tei/postgresql": ("tei", "postgresql", None),
}
LABELS = {
    "dfat/sqlite": "Quellen, DFAT volume 8, SQLite",
    "dfat/sqlite/0": "Quellen, DFAT volume 8, SQLite, one process (`--readers 0`)",
    "dfat/postgresql": "Quellen, DFAT volume 8, PostgreSQL",
    "tei/sqlite": "Quellen, TEI (monograph + 63 documents), SQLite",
    "tei/sqlite/0": "Quellen, TEI, SQLite, one process (`--readers 0`)",
    "tei/postgresql": "Quellen, TEI (monograph + 63 documents), PostgreSQL",
}

ABOUT = """\
`quellen import` of the sample corpora into a fresh, migrated database: reading and
validating every file, writing documents, passages, footnotes with their offsets,
pages, identifiers and mentions, the search index, and the linker (mentions, detected
references, resolution, inferred links), in one transaction of savepoints. The baseline
([bench/import_baseline.py](../bench/import_baseline.py)) is a bare `sqlite3` script
that reads the same DFAT files minimally (front matter, markers stripped, paragraphs)
and inserts documents and passages with an FTS5 index, in one process.

How the importer spends its time (api/ingest/sources.py, parallel.py, importer.py): files
are read, validated and turned into table rows (api/records/rows.py: folded search text,
fingerprint, detected citations, the rows of every table) by {readers} forked reading
process(es) — `quellen import --readers`, one per CPU but the writer's — while the
importing process writes what they send, 32 documents at a time, each batch in a
savepoint: one `executemany` per table, the rows handed to the driver as they are, each
note's passage id looked up by its own `INSERT`. The writer reads the first chunk itself
while the processes start, and takes back a queued chunk rather than wait, as long as
another one is left for the processes. It links each batch as it lands (aliases, when
the registry has any) and, on SQLite, indexes what it wrote for search every 512 KiB of
files (the FTS5 triggers stand aside during an import, migration 0007); resolution,
inferred links and the last of the index come at the end. On SQLite the import's
connection keeps the savepoints' sub-journal in memory and has a 64 MiB page cache.
The one-process rows (`--readers 0`) read in the importing process; *CPU s* is the CPU
time of the import and its reading processes.
"""


TARGET = 0.4  # issue 13: a real Markdown parser is worth some speed, not half of it


def _analysis(ratio: float, one_process: float) -> list[str]:
    met = "Met" if ratio >= TARGET else "Below the target"
    return [
        f"{met}. In one process the same import reaches {one_process:.2f} of the baseline.",
        "Where the time goes (measured on 2026-12-01 with cProfile and best-of-7 timings of",
        "each step, unprofiled): the reading side needs about 0.45 s of CPU for the 481",
        "files — YAML front matter (0.04 s, which the baseline pays too), CommonMark block",
        "parsing with markdown-it-py (0.08 s), its inline parsing of the paragraphs that have",
        "inline syntax beyond escapes and bracketed numbers (0.04 s, a fifth of them), the",
        "walk into blocks and pieces (0.05 s), finding notes, their sequences and archival",
        "lines (0.05 s), passages with their marks, the record and its validation (0.1 s),",
        "and the rows (folding, fingerprint, detected citations: 0.08 s) — where the",
        "baseline's parse is a regex and a split. Before the CommonMark reader (2026-11-30)",
        "the reading side took about 0.2 s and the ratio was 0.50-0.55; markdown-it-pyrs",
        "would parse in a fifth of the time but panics on inputs as small as ``[` ``. The",
        "writing side takes about 0.25 s on its own, 0.17 s of it inside SQLite: passages",
        "with two unique indexes and the text as printed and folded, notes, identifiers, the",
        "FTS5 index and the commit (two thirds of it the WAL checkpoint), against the",
        "baseline's one table, one index and the same FTS5 build. The two sides overlap on",
        "two CPUs, less the cost of forking and sending rows and of the machine itself: two",
        "busy processes here each run 20-30% slower than one alone, most of the difference",
        "between the *CPU s* of the two SQLite rows. Figures move by a fifth or more from",
        "run to run on this machine (a shared virtual machine): compare the ratios of one",
        "run, and the best runs with the best.",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs per measurement (best kept)")
    parser.add_argument("--no-write", action="store_true", help="print, do not update the doc")
    parser.add_argument(
        "--child", nargs=3, metavar=("CORPUS", "BACKEND", "READERS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_run_import(*args.child)))
        return
    if not CORPUS.is_dir():
        raise SystemExit(f"no sample corpus at {CORPUS}")
    pg = _postgres_reachable()
    runs = {k: v for k, v in RUNS.items() if pg or v[1] != "postgresql"}
    load_before = os.getloadavg()[0]
    results: dict[str, list[dict[str, float]]] = {}
    baseline = []
    for _ in range(args.rounds):  # the runs take turns, so a slow spell hits all of them
        baseline.append(_child("-m", "bench.import_baseline", str(CORPORA["dfat"])))
        for key, (corpus, backend, count) in runs.items():
            count = "default" if count is None else count
            run = _child("-m", "bench.import_throughput", "--child", corpus, backend, str(count))
            results.setdefault(key, []).append(run)
    base = _best(baseline)
    best = {key: _best(found) for key, found in results.items()}

    def ratio(key: str, figure: str = "seconds") -> float:
        return base[figure] / best[key][figure]  # same documents: a ratio of rates

    lines = [
        SECTION,
        "",
        ABOUT.format(readers=int(best["dfat/sqlite"]["readers"])),
        f"Each figure is the best of {args.rounds} runs (*median s*: their median), each in a",
        "process of its own, the runs taking turns (peak RSS: the largest process of any run).",
        "",
        "| run | documents | MB | seconds | median s | CPU s | documents/s | MB/s | "
        "peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        _row("bare sqlite3 + FTS5 (baseline), DFAT volume 8", base),
        *(_row(LABELS[key], best[key]) for key in runs),
        "",
        f"**Ratio on SQLite (Quellen / baseline, DFAT): {ratio('dfat/sqlite'):.2f}** "
        f"(target: {TARGET}), best run against best run; of the medians: "
        f"{ratio('dfat/sqlite', 'median_seconds'):.2f}; in one process: "
        f"{ratio('dfat/sqlite/0'):.2f}",
        "",
        *_analysis(ratio("dfat/sqlite"), ratio("dfat/sqlite/0")),
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {os.cpu_count()} CPUs (`nproc`), {_cpu()}; {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; load average "
        f"(1 min) {load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after (other work "
        "on the machine slows both sides)",
        f"- Command: `python -m bench.import_throughput --rounds {args.rounds}` "
        "(`make bench-import`)",
    ]
    if not pg:
        lines.append(f"- PostgreSQL was not reachable at {PG_ADMIN}: its rows are missing.")
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.no_write:
        _write(section)


if __name__ == "__main__":
    main()
