"""PATCH latency as the corpus grows: a one-field document edit over HTTP, beside the same
one-column UPDATE as raw SQL on the same database.

Run ``python -m bench.patch_latency`` (or ``make bench-patch``). For each engine (SQLite,
and PostgreSQL when a server answers at ``QUELLEN_TEST_POSTGRES_URL``) and each corpus size
(default 500, 2,500, 5,000 and 10,000 documents) it

1. makes the scaled corpus of that size (bench/scaled_corpus.py: the six sample DFAT
   volumes, copied under new volume ids as far as needed);
2. creates a fresh database, runs ``quellen seed`` (migrations, and the seed corpus with
   the entity registry, so that the linker has aliases to match), ``quellen import`` of
   the corpus, and ``quellen keys create --scope admin``;
3. serves it with ``quellen serve`` (uvicorn, one worker, default settings but the write
   rate limit, which is off) and, over HTTP with one keep-alive connection, for each of
   ``--patches`` documents — spread evenly over the smallest corpus, which every larger
   one begins with, so that each size edits the same documents and only the corpus
   around them grows —: ``GET /v1/documents/{id}`` (for
   the ETag), then ``PATCH /v1/documents/{id}`` with ``If-Match`` and the JSON merge patch
   ``{"genre": "…"}`` — once to change the genre and once to put it back, both timed;
4. right after each document's two PATCHes, the **baseline**: the same two changes as raw
   SQL, ``UPDATE document SET genre = ? WHERE id = ?`` and a commit each, through
   ``sqlite3`` (with the API's pragmas: WAL, synchronous=NORMAL) or psycopg, on the same
   database while the server runs. The raw pair ends where it began, so the document's
   ETag is unchanged for the next round.

Three warm-up PATCHes on other documents come first and are not counted. A size stops
early when its PATCHes have taken ``--budget`` seconds (the figures then say how many were
made). A PATCH that does not answer 200 is counted as an error and reported with its
status. The figures are p50/p95 of all timed PATCHes (two per document), and the growth
ratio of the p95 from the smallest to the largest size: the issue asks for a p95 under
200 ms on 10,000 documents and at most 2x growth from 500.

The results go to the "PATCH latency" section of docs/benchmarks.md (other sections are
kept) and, in full, to bench/results/patch-latency.json.
"""

import argparse
import json
import os
import shlex
import sqlite3
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import harness
from bench.harness import BenchError, ms, percentile
from bench.scaled_corpus import build, ordered_files

HEADING = "## PATCH latency"
SIZES = [500, 2_500, 5_000, 10_000]
TARGET_P95_MS = 200.0
TARGET_GROWTH = 2.0
WARMUP = 3
GENRE = "bench-genre"  # what the first PATCH of a pair sets; the second puts back the original


@dataclass
class SizeResult:
    engine: str
    size: int
    documents: int  # live documents in the database (the corpus and the 4 seed documents)
    import_seconds: float
    api_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    get_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stopped_early: bool = False
    server_peak_rss_mb: float | None = None

    def p(self, which: str, q: float) -> float:
        return percentile(getattr(self, which), q)


class Raw:
    """The baseline: one UPDATE and its commit, on the engine's own driver."""

    def __init__(self, url: str):
        self.url = url
        if url.startswith("sqlite"):
            self.connection: Any = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
                self.connection.execute(f"PRAGMA {pragma}")
            self.sql = "UPDATE document SET genre = ? WHERE id = ?"
        else:
            import psycopg

            self.connection = psycopg.connect(harness.libpq_url(url), autocommit=True)
            self.sql = "UPDATE document SET genre = %s WHERE id = %s"

    def update(self, document: str, genre: str | None) -> float:
        started = time.perf_counter()
        if isinstance(self.connection, sqlite3.Connection):
            self.connection.execute("BEGIN")
            self.connection.execute(self.sql, (genre, document))
            self.connection.execute("COMMIT")
        else:
            with self.connection.transaction():
                self.connection.execute(self.sql, (genre, document))
        return (time.perf_counter() - started) * 1000

    def documents(self) -> list[str]:
        """The imported documents (not the seed corpus's), in id order."""
        rows = self.connection.execute(
            "SELECT id FROM document WHERE deleted_at IS NULL AND collection_id LIKE 'dfat-%' "
            "ORDER BY id"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def close(self) -> None:
        self.connection.close()


def spread(items: list[str], count: int) -> list[str]:
    """``count`` items taken evenly from ``items`` (all of them when there are fewer)."""
    if count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def _patch(client: httpx.Client, document: str, etag: str, genre: str | None) -> httpx.Response:
    return client.patch(
        f"/v1/documents/{document}",
        json={"genre": genre},
        headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )


def sample(size: int, count: int) -> list[str]:
    """The ids of ``count`` documents spread evenly over the corpus of ``size`` documents.
    Every larger corpus begins with that one, so each size PATCHes the same documents."""
    from api.formats.markdown.reader import read_markdown

    chosen = spread([str(p) for p in ordered_files(build(size))], count)
    return [read_markdown(Path(p).read_text("utf-8"), Path(p)).record.id for p in chosen]


def measure(engine: str, size: int, chosen: list[str], budget: float) -> SizeResult:
    corpus = build(size)
    with harness.fresh_database(engine, f"patch{size}") as url:
        print(f"[{engine} {size}] importing {corpus}", file=sys.stderr, flush=True)
        prepared = harness.prepare(url, corpus)
        key = harness.create_key(url, "bench-patch")
        result = SizeResult(engine, size, prepared.documents, prepared.import_seconds)
        raw = Raw(url)
        try:
            missing = set(chosen) - set(raw.documents())
            if missing:
                raise BenchError(f"not imported: {sorted(missing)[:5]}")
            warmup, documents = chosen[:WARMUP], chosen[WARMUP:]
            log = harness.RESULTS / f"patch-latency-{engine}-{size}.log"
            with harness.serving(url, log) as server:
                headers = {"Authorization": f"Bearer {key}"}
                with httpx.Client(base_url=server.base_url, headers=headers, timeout=600) as c:
                    print(f"[{engine} {size}] {len(documents)} documents", file=sys.stderr)
                    for document in warmup:
                        _round(c, raw, document, None)
                    started = time.monotonic()
                    for document in documents:
                        _round(c, raw, document, result)
                        if time.monotonic() - started > budget:
                            result.stopped_early = True
                            break
                result.server_peak_rss_mb = max(
                    (harness.peak_rss_mb(pid) or 0.0) for pid in server.workers()
                )
        finally:
            raw.close()
    return result


def _round(client: httpx.Client, raw: Raw, document: str, result: SizeResult | None) -> None:
    """Two PATCHes of one document (change, put back), then the same two as raw SQL."""
    started = time.perf_counter()
    read = client.get(f"/v1/documents/{document}")
    got = (time.perf_counter() - started) * 1000
    if read.status_code != 200:
        raise BenchError(f"GET {document}: {read.status_code} {read.text[:300]}")
    original = read.json().get("genre")
    etag = read.headers["ETag"]
    changed = GENRE if original != GENRE else "memorandum"
    timings = []
    for genre in (changed, original):
        started = time.perf_counter()
        response = _patch(client, document, etag, genre)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            if result is not None:
                result.errors.append(f"{document}: {response.status_code} {response.text[:200]}")
            return
        etag = response.headers["ETag"]
    raws = [raw.update(document, changed), raw.update(document, original)]
    if result is not None:
        result.get_ms.append(got)
        result.api_ms.extend(timings)
        result.raw_ms.extend(raws)
        print(
            f"  {document}: PATCH {timings[0]:.0f} / {timings[1]:.0f} ms, "
            f"raw {raws[0]:.1f} / {raws[1]:.1f} ms",
            file=sys.stderr,
            flush=True,
        )


ABOUT = """\
A one-field edit of a document's metadata through the API, as a curator makes it, against
the corpus growing from 500 to 10,000 documents: `PATCH /v1/documents/{{id}}` with
`If-Match` and the JSON merge patch `{{"genre": …}}`, over HTTP (httpx, one keep-alive
connection, sequential) to `quellen serve` (uvicorn, 1 worker, default settings but
`QUELLEN_RATE_LIMIT_WRITES` off). The **baseline** is the same one-column change as raw
SQL on the same database while the server runs — `UPDATE document SET genre = ? WHERE
id = ?` and its commit, through `sqlite3` (WAL, synchronous=NORMAL, as the API's
connections) or psycopg — so *PATCH p95 / raw p95* is what the API's write path costs
above the engine: the If-Match check, the record, the revision, re-linking and
re-indexing what the edit touched.

Each database is fresh: `quellen seed` (migrations, the seed corpus and its entity
registry), `quellen import` of the scaled corpus (bench/scaled_corpus.py: the six sample
DFAT volumes, 2,425 documents, taken in turn and copied under new volume ids as far as
the size needs, so every size has the same mix), `quellen keys create --scope admin`. Then
for each of {patches} documents — spread evenly over the smallest corpus, which every
larger one begins with, so every size edits the same documents — a GET for the ETag
(untimed in the PATCH figures; its p50 is the *GET* column), a PATCH that changes the
genre and one that puts it back (both timed), then the same two changes as raw SQL
(timed). Three warm-up PATCHes on other documents come first. Latencies in ms; p95 over
all timed PATCHes of a size (two per document); *errors*: PATCHes that did not answer
200.
"""


def report(results: list[SizeResult], args: argparse.Namespace, command: str) -> str:
    lines = [HEADING, "", ABOUT.format(patches=args.patches)]
    for engine in harness.ENGINES:
        rows = [r for r in results if r.engine == engine]
        if not rows:
            continue
        name = "SQLite" if engine == "sqlite" else "PostgreSQL"
        lines += [
            f"### {name}",
            "",
            "| corpus | documents | import s | PATCHes | errors | PATCH p50 | PATCH p95 | "
            "raw p50 | raw p95 | PATCH p95 / raw p95 | GET p50 | server peak RSS (MB) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            ratio = r.p("api_ms", 95) / r.p("raw_ms", 95) if r.raw_ms else float("nan")
            lines.append(
                f"| {r.size:,} | {r.documents:,} | {r.import_seconds:.0f} | "
                f"{len(r.api_ms)}{' (budget)' if r.stopped_early else ''} | {len(r.errors)} | "
                f"{ms(r.p('api_ms', 50))} | **{ms(r.p('api_ms', 95))}** | "
                f"{ms(r.p('raw_ms', 50))} | {ms(r.p('raw_ms', 95))} | {ratio:,.1f} | "
                f"{ms(r.p('get_ms', 50))} | {ms(r.server_peak_rss_mb)} |"
            )
        measured = [r for r in rows if r.api_ms]
        if len(measured) >= 2:
            small, large = measured[0], measured[-1]
            growth = large.p("api_ms", 95) / small.p("api_ms", 95)
            raw_growth = large.p("raw_ms", 95) / small.p("raw_ms", 95)
            p95 = large.p("api_ms", 95)
            verdict = (
                "met"
                if p95 < TARGET_P95_MS and growth <= TARGET_GROWTH and large.size >= 10_000
                else "not met"
                if large.size >= 10_000
                else "not judged (the largest size is under 10,000)"
            )
            lines += [
                "",
                f"**Growth of the PATCH p95 from {small.size:,} to {large.size:,} documents: "
                f"{growth:.2f}x** (raw UPDATE: {raw_growth:.2f}x); p95 at {large.size:,}: "
                f"{ms(p95)} ms. Target: p95 under {TARGET_P95_MS:.0f} ms at 10,000 and growth "
                f"within {TARGET_GROWTH:.0f}x — {verdict}.",
            ]
        lines.append("")
    errors = [e for r in results for e in r.errors[:3]]
    if errors:
        lines += ["Errors (first of each size):", "", *(f"- `{e}`" for e in errors), ""]
    lines += harness.machine_lines(args.load_before, command)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in SIZES),
        help="corpus sizes in documents, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--engines", default="sqlite,postgresql", help="sqlite, postgresql or both (default)"
    )
    parser.add_argument("--patches", type=int, default=50, help="documents PATCHed per size")
    parser.add_argument(
        "--budget", type=float, default=600, help="seconds of PATCHing per size at most"
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not update the doc")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    args.load_before = os.getloadavg()[0]
    notes = []
    if "postgresql" in engines and (problem := harness.postgres_problem()) is not None:
        engines.remove("postgresql")
        notes.append(f"- PostgreSQL was not reachable ({problem}): its rows are missing.")
    chosen = sample(min(sizes), args.patches + WARMUP)
    results = []
    for engine in engines:
        for size in sorted(sizes):
            results.append(measure(engine, size, chosen, args.budget))
    command = "python -m bench.patch_latency " + shlex.join(sys.argv[1:])
    text = report(results, args, command.strip()) + "".join(n + "\n" for n in notes)
    print(text)
    harness.RESULTS.mkdir(parents=True, exist_ok=True)
    (harness.RESULTS / "patch-latency.json").write_text(
        json.dumps([asdict(r) for r in results], indent=1)
    )
    if not args.no_write:
        harness.write_section(HEADING, text)


if __name__ == "__main__":
    main()
