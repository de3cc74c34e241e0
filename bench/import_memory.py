"""Import memory: the peak resident memory of ``quellen import`` of the scaled corpus
(10,880 documents, as the 28 DFAT volumes), with the entity registry loaded and without.

Run ``python -m bench.import_memory`` (``make bench-import`` runs it after the import
throughput benchmark; ``make bench-import-memory`` alone). For each engine (SQLite, and
PostgreSQL when a server answers) it imports the corpus of bench/scaled_corpus.py twice,
each into a fresh database and in the same run:

* **without the registry** (the baseline): ``quellen migrate``, then ``quellen import``;
* **with the registry**: ``quellen seed`` (the seed corpus ``data/`` with its entity
  registry: 4 documents, the people, places, organizations, groups, terms and events whose
  aliases the linker matches in every document), then ``quellen import``.

``quellen import --no-progress`` runs as an administrator runs it, in a process of its own
with its reading processes. Its peak is taken three ways: the largest process of the
import (``ru_maxrss`` from ``wait4``: the importing process or one of its readers,
whichever peaked higher — the figure the issue's 500 MB target is for), the importing
process's own high-water mark (VmHWM, read from /proc every 0.1 s), and the largest sum of
the resident memory of the importer and its readers at one sample (shared pages counted
once per process, so an upper bound). The issue measured 1.8 GB with the registry and
193 MB without; the target is under 500 MB with it.

The results go to the "Import memory" section of docs/benchmarks.md (other sections are
kept) and to bench/results/import-memory.json.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import harness
from bench.harness import BenchError
from bench.scaled_corpus import ISSUE_SIZE, build

HEADING = "## Import memory"
TARGET_MB = 500.0


@dataclass
class Run:
    engine: str
    registry: bool
    documents: int
    seconds: float
    peak_mb: float  # the largest process of the import (wait4's ru_maxrss)
    importer_mb: float  # the importing process's VmHWM (last sample)
    tree_mb: float  # the largest sampled sum of VmRSS over the importer and its readers
    readers: int  # reading processes seen
    summary: str


def _import(url: str, corpus: Path) -> tuple[float, float, float, float, int, str]:
    """``quellen import`` of ``corpus`` into ``url``, watched; (seconds, ru_maxrss MB,
    importer VmHWM MB, tree RSS MB, readers seen, its closing lines)."""
    env = {**os.environ, "QUELLEN_DATABASE_URL": url, "QUELLEN_LOG_FORMAT": "text"}
    out = harness.RESULTS / "import-memory.out"
    started = time.perf_counter()
    with out.open("wb") as log:
        process = subprocess.Popen(
            [*harness.QUELLEN, "import", "--no-progress", str(corpus)],
            cwd=harness.ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    hwm, tree, readers = 0.0, 0.0, set()
    stop = threading.Event()

    def watch() -> None:
        nonlocal hwm, tree
        while not stop.wait(0.1):
            own = harness.peak_rss_mb(process.pid)
            if own is None:
                return
            hwm = max(hwm, own)
            pids = harness.children(process.pid)
            readers.update(pids)
            total = (harness.rss_mb(process.pid) or 0.0) + sum(
                harness.rss_mb(p) or 0.0 for p in pids
            )
            tree = max(tree, total)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stop.set()
    watcher.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    text = out.read_text(errors="replace")
    if process.returncode != 0:
        raise BenchError(f"quellen import failed ({process.returncode}):\n{text[-3000:]}")
    summary = "\n".join(line for line in text.splitlines() if line.startswith("imported:"))
    return seconds, usage.ru_maxrss / 1024, hwm, tree, len(readers), summary


def measure(engine: str, corpus: Path, registry: bool) -> Run:
    label = "with" if registry else "without"
    with harness.fresh_database(engine, f"importmem{'r' if registry else ''}") as url:
        harness.quellen(url, "seed" if registry else "migrate")
        print(f"[{engine}, {label} registry] importing {corpus}", file=sys.stderr, flush=True)
        seconds, peak, importer, tree, readers, summary = _import(url, corpus)
        documents = harness.count_documents(url) - (4 if registry else 0)
    run = Run(engine, registry, documents, seconds, peak, importer, tree, readers, summary)
    print(f"  {run}", file=sys.stderr, flush=True)
    return run


ABOUT = """\
Peak resident memory of `quellen import --no-progress` of the scaled corpus
(bench/scaled_corpus.py: the six sample DFAT volumes, copied under new volume ids up to
{size:,} documents, the size of the 28 volumes of issue 14), into a fresh database:
**with the registry** (`quellen seed` first: the seed corpus and its entity registry, whose
aliases the linker matches in every document) and, as the same-run baseline, **without**
(`quellen migrate` first). *peak RSS* is the largest process of the import (`ru_maxrss`
from `wait4`: the importing process or one of its readers); *importer* the importing
process's own high-water mark (VmHWM); *sum* the largest total of the importer's and its
readers' resident memory at one sample (every 0.1 s; shared pages counted in each). The
target is a peak under {target:.0f} MB with the registry (issue 14 measured 1.8 GB, and
193 MB without it).
"""


def report(runs: list[Run], size: int, args: argparse.Namespace, command: str) -> str:
    lines = [
        HEADING,
        "",
        ABOUT.format(size=size, target=TARGET_MB),
        "| engine | registry | documents | seconds | documents/s | **peak RSS (MB)** | "
        "importer (MB) | sum (MB) | readers |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {'SQLite' if run.engine == 'sqlite' else 'PostgreSQL'} | "
            f"{'with' if run.registry else 'without (baseline)'} | {run.documents:,} | "
            f"{run.seconds:.0f} | {run.documents / run.seconds:,.0f} | **{run.peak_mb:.0f}** | "
            f"{run.importer_mb:.0f} | {run.tree_mb:.0f} | {run.readers} |"
        )
    lines.append("")
    for engine in harness.ENGINES:
        pair = {r.registry: r for r in runs if r.engine == engine}
        if len(pair) == 2:
            name = "SQLite" if engine == "sqlite" else "PostgreSQL"
            peak = pair[True].peak_mb
            verdict = "met" if peak < TARGET_MB else "NOT met"
            if size < ISSUE_SIZE:
                verdict += f" (but judged on {ISSUE_SIZE:,} documents, not {size:,})"
            lines.append(
                f"- {name}: **{peak:.0f} MB with the registry, "
                f"{peak / pair[False].peak_mb:.2f}x the peak without it**; import time "
                f"{pair[True].seconds / pair[False].seconds:.2f}x. Target under "
                f"{TARGET_MB:.0f} MB: {verdict}."
            )
    lines += ["", *harness.machine_lines(args.load_before, command)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=ISSUE_SIZE, help="corpus size")
    parser.add_argument(
        "--engines", default="sqlite,postgresql", help="sqlite, postgresql or both (default)"
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not update the doc")
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    notes = []
    if "postgresql" in engines and (problem := harness.postgres_problem()) is not None:
        engines.remove("postgresql")
        notes.append(f"- PostgreSQL was not reachable ({problem}): its rows are missing.")
    corpus = build(args.documents)
    runs = [measure(engine, corpus, registry) for engine in engines for registry in (False, True)]
    command = ("python -m bench.import_memory " + shlex.join(sys.argv[1:])).strip()
    text = report(runs, args.documents, args, command) + "".join(n + "\n" for n in notes)
    print(text)
    harness.RESULTS.mkdir(parents=True, exist_ok=True)
    (harness.RESULTS / "import-memory.json").write_text(
        json.dumps([asdict(r) for r in runs], indent=1)
    )
    if not args.no_write:
        harness.write_section(HEADING, text)


if __name__ == "__main__":
    main()
