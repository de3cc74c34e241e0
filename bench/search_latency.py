"""Search latency over 100k and 1M synthetic passages: the HTTP API against the raw query.

Run ``python -m bench.search_latency`` (or ``make bench-search``). For each database — SQLite
at 100k and 1M passages, PostgreSQL at 100k when a server answers — it builds or reuses the
corpus of ``bench.search_corpus``, starts ``uvicorn api.asgi:app`` on a free local port
against it, and times a fixed query set two ways in the same run, query by query, turn and
turn about:

* **API**: ``GET /v1/search?q=…&limit=20`` over HTTP (httpx, one keep-alive connection,
  sequential), response read in full;
* **raw**: the plain engine query the issue measures — ``… WHERE fts_passage MATCH ?
  ORDER BY bm25(fts_passage) LIMIT 20`` through ``sqlite3``, or ``… WHERE search_vector @@ q
  ORDER BY ts_rank_cd(search_vector, q) DESC LIMIT 20`` through psycopg — with the MATCH
  expression or tsquery the API compiles from the same text.

The raw query is what search costs without a strategy for very common words, so the API/raw
ratio shows what the strategy buys for them and what the API costs on top for the others.
Besides p50/p95 per query class and overall, it reports how good an approximate ranking is:
the engine's own exact score of the API's top 20, as a share of the best possible top 20
(1.00 when the ranking is exact; ties score equal, so they do not count against it). Peak
memory is the server's VmHWM from /proc.

The figures are written to the "Search latency" section of docs/benchmarks.md (other sections
are kept) and, in full, to bench/results/search-latency.json.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.search_corpus import (
    DEFAULT_SEED,
    RESULTS,
    parse_size,
    postgres_database,
    sqlite_database,
)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
HEADING = "## Search latency"
LIMIT = 20
DEFAULT_POSTGRES = os.environ.get(
    "QUELLEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
UVICORN_OPTIONS = ["--workers", "1", "--no-access-log", "--log-level", "warning"]
TARGET_P95_MS = 50.0
TARGET_RATIO = 1.5

# (class, query): the issue asks for very common words, rare names, phrases, prefixes and NOT.
QUERIES: list[tuple[str, str]] = [
    ("common", "the"),
    ("common", "war"),
    ("common", "government"),
    ("rare", "Lienz"),
    ("rare", "Tambone"),
    ("rare", "Hiroshima"),
    ("rare", "Cranborne"),
    ("rare", "Hasluck"),
    ("phrase", '"Soviet nationals"'),
    ("phrase", '"prisoners of war"'),
    ("phrase", '"Security Council"'),
    ("phrase", '"the war"'),
    ("phrase", '"Combined Chiefs of Staff"'),
    ("prefix", "repatriat*"),
    ("prefix", "diplomat*"),
    ("prefix", "Dumbart*"),
    ("prefix", "gov*"),
    ("not", "Potsdam -Yalta"),
    ("not", "conference -Yalta"),
    ("not", "Stalin NOT Churchill"),
    ("not", "war -government"),
    ("boolean", "Yalta OR Potsdam"),
    ("boolean", "Truman Stalin"),
    ("boolean", "(Evatt OR Chifley) Security"),
]
CLASSES = ["common", "rare", "phrase", "prefix", "not", "boolean"]
# Find in one document (GET /v1/documents/{id}/search, in reading order): reported beside
# the set above, not in it. The raw query is the plain one: MATCH, the document, by position.
IN_DOCUMENT = "in document"
DOCUMENT_QUERIES = ["the", "war", "government"]


class BenchError(Exception):
    """The benchmark could not produce a trustworthy figure; the message says why."""


# --- the raw engine queries -------------------------------------------------------------------


class Raw:
    """The plain ranked query, straight to the engine; and the exact scores of given hits."""

    def top(self, query: str) -> list[tuple[int, float]]:
        raise NotImplementedError

    def count(self, query: str) -> int:
        raise NotImplementedError

    def in_document(self, query: str, document: str, limit: int = LIMIT) -> list[Any]:
        """The first matches in one document, in reading order (passages only)."""
        raise NotImplementedError

    def middle_document(self) -> str:
        """A document from the middle of the corpus, for find-in-document."""
        raise NotImplementedError

    def scores(self, query: str, ids: list[int]) -> list[float]:
        """The engine's exact score of each row (0 when it does not match)."""
        raise NotImplementedError

    def best(self, query: str) -> list[float]:
        """The exact scores of the best possible top 20 of the API (boilerplate left out)."""
        raise NotImplementedError

    def passage_ids(self, keys: list[tuple[str, str]]) -> list[int]:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _compile(query: str, engine: str) -> str:
    from api.search.query import parse, to_fts5, to_tsquery

    node = parse(query)
    return to_fts5(node) if engine == "sqlite" else to_tsquery(node)


class SqliteRaw(Raw):
    def __init__(self, path: Path):
        self.path = path
        self.connection = sqlite3.connect(path)
        self.connection.execute("PRAGMA query_only=1")

    def top(self, query: str) -> list[tuple[int, float]]:
        return self.connection.execute(
            "SELECT rowid, -bm25(fts_passage) FROM fts_passage WHERE fts_passage MATCH ? "
            f"ORDER BY bm25(fts_passage) LIMIT {LIMIT}",
            [_compile(query, "sqlite")],
        ).fetchall()

    def count(self, query: str) -> int:
        return int(
            self.connection.execute(
                "SELECT count(*) FROM fts_passage WHERE fts_passage MATCH ?",
                [_compile(query, "sqlite")],
            ).fetchone()[0]
        )

    def in_document(self, query: str, document: str, limit: int = LIMIT) -> list[Any]:
        return self.connection.execute(
            "SELECT passage.id FROM fts_passage JOIN passage ON passage.id = fts_passage.rowid "
            "WHERE fts_passage MATCH ? AND passage.document_id = ? "
            f"ORDER BY passage.seq LIMIT {limit}",
            [_compile(query, "sqlite"), document],
        ).fetchall()

    def middle_document(self) -> str:
        return str(
            self.connection.execute(
                "SELECT document_id FROM passage WHERE id >= (SELECT max(id) / 2 FROM passage) "
                "ORDER BY id LIMIT 1"
            ).fetchone()[0]
        )

    def scores(self, query: str, ids: list[int]) -> list[float]:
        found = []
        for row_id in ids:
            row = self.connection.execute(
                "SELECT -bm25(fts_passage) FROM fts_passage "
                "WHERE fts_passage MATCH ? AND rowid = ?",
                [_compile(query, "sqlite"), row_id],
            ).fetchone()
            found.append(row[0] if row else 0.0)
        return found

    def best(self, query: str) -> list[float]:
        rows = self.connection.execute(
            "SELECT -bm25(fts_passage) FROM fts_passage JOIN passage "
            "ON passage.id = fts_passage.rowid WHERE fts_passage MATCH ? "
            f"AND passage.boilerplate = 0 ORDER BY bm25(fts_passage) LIMIT {LIMIT}",
            [_compile(query, "sqlite")],
        ).fetchall()
        return [r[0] for r in rows]

    def passage_ids(self, keys: list[tuple[str, str]]) -> list[int]:
        return [
            self.connection.execute(
                "SELECT id FROM passage WHERE document_id = ? AND ref = ?", key
            ).fetchone()[0]
            for key in keys
        ]

    def describe(self) -> dict[str, Any]:
        one = self.connection.execute
        return {
            "engine": f"SQLite {sqlite3.sqlite_version} (FTS5)",
            "passages": one("SELECT count(*) FROM passage").fetchone()[0],
            "documents": one("SELECT count(*) FROM document").fetchone()[0],
            "footnotes": one("SELECT count(*) FROM footnote").fetchone()[0],
            "size_mb": round(self.path.stat().st_size / 1e6),
        }

    def close(self) -> None:
        self.connection.close()


class PostgresRaw(Raw):
    SCORE = "ts_rank_cd(search_vector, to_tsquery('simple', %(q)s))"

    def __init__(self, url: str):
        import psycopg
        from sqlalchemy.engine import make_url

        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection = psycopg.connect(libpq, autocommit=True)

    def top(self, query: str) -> list[tuple[int, float]]:
        return self.connection.execute(
            f"SELECT id, {self.SCORE} AS score FROM passage "
            "WHERE search_vector @@ to_tsquery('simple', %(q)s) "
            f"ORDER BY score DESC LIMIT {LIMIT}",
            {"q": _compile(query, "postgresql")},
        ).fetchall()

    def count(self, query: str) -> int:
        row = self.connection.execute(
            "SELECT count(*) FROM passage WHERE search_vector @@ to_tsquery('simple', %(q)s)",
            {"q": _compile(query, "postgresql")},
        ).fetchone()
        return int(row[0]) if row else 0

    def in_document(self, query: str, document: str, limit: int = LIMIT) -> list[Any]:
        return self.connection.execute(
            "SELECT id FROM passage WHERE search_vector @@ to_tsquery('simple', %(q)s) "
            f"AND document_id = %(d)s ORDER BY seq LIMIT {limit}",
            {"q": _compile(query, "postgresql"), "d": document},
        ).fetchall()

    def middle_document(self) -> str:
        row = self.connection.execute(
            "SELECT document_id FROM passage WHERE id >= (SELECT max(id) / 2 FROM passage) "
            "ORDER BY id LIMIT 1"
        ).fetchone()
        assert row is not None
        return str(row[0])

    def scores(self, query: str, ids: list[int]) -> list[float]:
        rows = dict(
            self.connection.execute(
                f"SELECT id, {self.SCORE} FROM passage WHERE id = ANY(%(ids)s) "
                "AND search_vector @@ to_tsquery('simple', %(q)s)",
                {"q": _compile(query, "postgresql"), "ids": ids},
            ).fetchall()
        )
        return [float(rows.get(i, 0.0)) for i in ids]

    def best(self, query: str) -> list[float]:
        rows = self.connection.execute(
            f"SELECT {self.SCORE} AS score FROM passage "
            "WHERE search_vector @@ to_tsquery('simple', %(q)s) AND NOT boilerplate "
            f"ORDER BY score DESC LIMIT {LIMIT}",
            {"q": _compile(query, "postgresql")},
        ).fetchall()
        return [float(r[0]) for r in rows]

    def passage_ids(self, keys: list[tuple[str, str]]) -> list[int]:
        found = []
        for document_id, ref in keys:
            row = self.connection.execute(
                "SELECT id FROM passage WHERE document_id = %s AND ref = %s", [document_id, ref]
            ).fetchone()
            assert row is not None
            found.append(int(row[0]))
        return found

    def describe(self) -> dict[str, Any]:
        def one(sql: str) -> Any:
            row = self.connection.execute(sql).fetchone()
            assert row is not None
            return row[0]

        return {
            "engine": "PostgreSQL " + one("SHOW server_version").split()[0] + " (tsvector, GIN)",
            "passages": one("SELECT count(*) FROM passage"),
            "documents": one("SELECT count(*) FROM document"),
            "footnotes": one("SELECT count(*) FROM footnote"),
            "size_mb": round(one("SELECT pg_database_size(current_database())") / 1e6),
        }

    def close(self) -> None:
        self.connection.close()


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """The process's high-water resident set size (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise BenchError("no VmHWM in /proc/<pid>/status (is this Linux?)")


@contextlib.contextmanager
def serving(url: str, log: Path) -> Iterator[tuple[httpx.Client, int]]:
    """uvicorn serving the API on ``url``'s database; yields a client and the server's pid."""
    port = _free_port()
    env = {
        **os.environ,
        "QUELLEN_DATABASE_URL": url,
        "QUELLEN_LOAD_SEED": "0",
        "QUELLEN_ACCESS_LOG": "0",
    }
    command = [
        *(sys.executable, "-m", "uvicorn", "api.asgi:app"),
        *("--host", "127.0.0.1", "--port", str(port)),
        *UVICORN_OPTIONS,
    ]
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"the server did not start:\n{log.read_text()}")
                time.sleep(0.2)
            yield client, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- measuring --------------------------------------------------------------------------------


@dataclass
class QueryResult:
    cls: str
    query: str
    matches: int
    ranking: str
    quality: float
    api_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    document: str | None = None  # find in this document


@dataclass
class RunResult:
    name: str
    corpus: dict[str, Any]
    queries: list[QueryResult]
    rss_start_mb: float
    rss_peak_mb: float
    health_ms: float  # p50 of GET /health: the HTTP floor under every API figure
    load: tuple[float, float]  # the machine's 1-minute load average before and after


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: a latency some request actually had."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return (time.perf_counter() - started) * 1000, result


def _api(client: httpx.Client, query: str, document: str | None = None) -> httpx.Response:
    path = f"/v1/documents/{document}/search" if document else "/v1/search"
    response = client.get(path, params={"q": query, "limit": LIMIT})
    if response.status_code != 200:
        raise BenchError(f"{query!r}: HTTP {response.status_code}: {response.text[:300]}")
    return response


def measure(name: str, url: str, raw: Raw, repeat: int, warmup: int) -> RunResult:
    print(f"\n{name}", file=sys.stderr)
    load_before = os.getloadavg()[0]
    corpus = raw.describe()
    log = RESULTS / f"search-latency-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.log"
    with serving(url, log) as (client, pid):
        rss_start = peak_rss_mb(pid)
        results = []
        for cls, query in QUERIES:
            body = _api(client, query).json()
            keys = [(h["document"], h["passage"] or h["footnote"]) for h in body["items"]]
            got = raw.scores(query, raw.passage_ids(keys))
            best = raw.best(query)
            quality = sum(got) / sum(best) if sum(best) > 0 else 1.0
            results.append(
                QueryResult(cls, query, raw.count(query), body["ranking"], round(quality, 3))
            )
        document = raw.middle_document()
        for query in DOCUMENT_QUERIES:
            body = _api(client, query, document).json()
            found = len(raw.in_document(query, document, limit=1_000_000))
            results.append(
                QueryResult(IN_DOCUMENT, query, found, body["ranking"], 1.0, [], [], document)
            )

        def api_call(r: QueryResult) -> Callable[[], Any]:
            return lambda: _api(client, r.query, r.document)

        def raw_call(r: QueryResult) -> Callable[[], Any]:
            if r.document:
                return lambda: raw.in_document(r.query, r.document or "")
            return lambda: raw.top(r.query)

        for _ in range(warmup):
            for result in results:
                api_call(result)()
                raw_call(result)()
        for round_number in range(repeat):
            for result in results:
                result.api_ms.append(_timed(api_call(result))[0])
                result.raw_ms.append(_timed(raw_call(result))[0])
            print(f"\r  round {round_number + 1}/{repeat}", end="", file=sys.stderr)
        print(file=sys.stderr)
        health = [_timed(lambda: client.get("/health"))[0] for _ in range(100)]
        rss_peak = peak_rss_mb(pid)
    return RunResult(
        name,
        corpus,
        results,
        round(rss_start, 1),
        round(rss_peak, 1),
        percentile(health, 50),
        (load_before, os.getloadavg()[0]),
    )


# --- reporting --------------------------------------------------------------------------------


def _pooled(results: list[QueryResult], kind: str) -> list[float]:
    return [ms for r in results for ms in getattr(r, f"{kind}_ms")]


def summary(run: RunResult) -> dict[str, dict[str, float]]:
    """p50/p95 of API and raw, and the p95 ratio, per class and overall."""
    groups = {cls: [r for r in run.queries if r.cls == cls] for cls in [*CLASSES, IN_DOCUMENT]}
    groups["all"] = [r for r in run.queries if r.cls in CLASSES]
    out = {}
    for name, results in groups.items():
        api, raw = _pooled(results, "api"), _pooled(results, "raw")
        out[name] = {
            "api_p50": percentile(api, 50),
            "api_p95": percentile(api, 95),
            "raw_p50": percentile(raw, 50),
            "raw_p95": percentile(raw, 95),
            "ratio_p95": percentile(api, 95) / percentile(raw, 95),
        }
    return out


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def run_section(run: RunResult) -> str:
    figures = summary(run)
    corpus = run.corpus
    lines = [
        f"### {run.name}",
        "",
        f"{corpus['engine']}: {corpus['passages']:,} passages in {corpus['documents']:,} "
        f"documents, {corpus['footnotes']:,} footnotes; database {corpus['size_mb']:,} MB. "
        f"Server peak RSS (VmHWM) **{run.rss_peak_mb:,.0f} MB** "
        f"({run.rss_start_mb:,.0f} MB after start-up). `GET /health` takes "
        f"{run.health_ms:.1f} ms (p50): the HTTP and middleware floor under every API figure. "
        f"Load average on the {len(os.sched_getaffinity(0))} CPUs: {run.load[0]:.1f} before, "
        f"{run.load[1]:.1f} after.",
        "",
        "| class | queries | API p50 | API p95 | raw p50 | raw p95 | API p95 / raw p95 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in [*CLASSES, "all", IN_DOCUMENT]:
        f = figures[name]
        count = len(
            [r for r in run.queries if r.cls == name or (name == "all" and r.cls in CLASSES)]
        )
        label = {"all": "**all**", IN_DOCUMENT: "*in one document*"}.get(name, name)
        lines.append(
            f"| {label} | {count} | {_ms(f['api_p50'])} | {_ms(f['api_p95'])} | "
            f"{_ms(f['raw_p50'])} | {_ms(f['raw_p95'])} | {f['ratio_p95']:.2f} |"
        )
    lines += [
        "",
        "<details><summary>Per query</summary>",
        "",
        "| class | query | matches | ranking | quality | API p50 | API p95 | raw p50 | raw p95 |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in run.queries:
        query = r.query.replace("|", "\\|")
        where = f" in `{r.document}`" if r.document else ""
        lines.append(
            f"| {r.cls} | `{query}`{where} | {r.matches:,} | {r.ranking} | {r.quality:.2f} | "
            f"{_ms(percentile(r.api_ms, 50))} | {_ms(percentile(r.api_ms, 95))} | "
            f"{_ms(percentile(r.raw_ms, 50))} | {_ms(percentile(r.raw_ms, 95))} |"
        )
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gb() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    return "RAM unknown"


def section(runs: list[RunResult], args: argparse.Namespace, command: str, notes: list[str]) -> str:
    from api.settings import Settings

    settings = Settings()
    targets = []
    for run in runs:
        if run.name.startswith("SQLite") and run.corpus["passages"] >= 1_000_000:
            f = summary(run)["all"]
            p95_ok = "met" if f["api_p95"] < TARGET_P95_MS else "**missed**"
            ratio_ok = "met" if f["ratio_p95"] <= TARGET_RATIO else "**missed**"
            targets.append(
                f"- {run.name}: API p95 **{_ms(f['api_p95'])} ms** (target under "
                f"{TARGET_P95_MS:.0f} ms: {p95_ok}); API p95 / raw p95 **{f['ratio_p95']:.2f}** "
                f"(target at most {TARGET_RATIO}: {ratio_ok})."
            )
    query_list = ", ".join(f"`{q}`" for _, q in QUERIES)
    body = "\n".join(run_section(run) for run in runs)
    return f"""{HEADING}

`GET /v1/search?q=…&limit=20` through HTTP against the same query run straight on the engine,
in the same run: the **raw** query is the plain one — FTS5 `MATCH` ordered by `bm25()`, or
tsvector `@@` ordered by `ts_rank_cd()`, `LIMIT 20` — with the MATCH expression or tsquery
the API compiles from the same text. The API does more per query: the boilerplate and
tombstone filters, documents, snippets with offsets, JSON over HTTP.

**Strategy for very common words** (api/search/ranking.py). What makes "the" slow is not
finding its matches but ranking them: FTS5's BM25 first counts every row holding each query
word, then scores and sorts every match; `ts_rank_cd` reads every match's tsvector. So when
a query may match more than `QUELLEN_SEARCH_RANK_LIMIT` ({settings.search_rank_limit})
rows, or on SQLite holds a word found in more than `QUELLEN_SEARCH_COMMON_WORD`
({settings.search_common_word:,}) rows — word frequencies are estimated from the index, from
the first 256 matches of each word, in well under a millisecond — the API fetches the first
{settings.search_rank_limit} matches in index order (the engine stops there: `ORDER BY
rowid LIMIT`), scores them with FTS5's BM25 formula from their folded text and the
estimated frequencies, and answers `"ranking": "approximate"`; later matches follow in
index order, so paging still reaches every hit once. Matching is never approximated:
phrases, NOT, prefixes and filters are the engine's. A one-word query, and any query on
PostgreSQL (which has no word-weighing pass), just fetches its first matches and lets the
engine rank them when there are no more than that. The ratio is therefore below 1 where the
strategy pays, and shows the API's own cost where the engine ranks (rare names: HTTP, JSON
and snippets on top of a sub-millisecond query).

*In one document* is find-in-document, `GET /v1/documents/{{id}}/search?q=…` in reading
order, for {", ".join(f"`{q}`" for q in DOCUMENT_QUERIES)} in a document from the middle
of the corpus, against the plain query (MATCH and the document, by position); it is not part
of **all**. On SQLite the API has the engine look up the document's rows in the index and
scores the matches itself, since FTS5's `bm25()` would weigh the words again for every row
looked up.

Known limits, by design: `sort=date` and `facets=` (both opt-in) still read every match, so
over a very common word they cost what the raw query costs, or more; the approximate
ranking favours rows loaded first (index order); a prefix shared by many words (`gov*`)
costs FTS5 a merge of all their lists before the first match.

Latencies are milliseconds, pooled over {args.repeat} rounds of every query (API and raw
taking turns, one keep-alive connection, after {args.warmup} warm-up rounds); p95 is
nearest-rank.

**Quality** is the engine's exact score of the API's top 20 as a share of the best possible
top 20 (boilerplate left out): 1.00 for an exact ranking; below 1 when the approximate
ranking (first matches in index order, estimated BM25) missed better hits.

{chr(10).join(targets) if targets else "- (no SQLite run at 1M passages in this run)"}

Query set ({len(QUERIES)}): {query_list}.

{body}
Corpus: `bench/search_corpus.py` samples and recombines real passages — the seed corpus in
`data/` and, when present, `../shared/corpus` (DFAT Markdown paragraphs, TEI `<p>` text and
footnotes) — with seed {args.seed}; each passage is a real paragraph or real sentences of
the same source family recombined, each document takes the shape (passages, notes, date) of
a real one. Databases are built through the project's migrations and cached in
`bench/results/`. {" ".join(notes)}

- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC
- Machine: {len(os.sched_getaffinity(0))} CPUs (`nproc`), {_cpu_model()}, {_memory_gb()};
  {platform.system()} {platform.release()}; Python {platform.python_version()}; shared with
  other work, so single figures are noisy — compare ratios
- Server: `uvicorn api.asgi:app {" ".join(UVICORN_OPTIONS)}` (default settings otherwise)
- Command: `{command}` (`make bench-search` runs it with the defaults)
"""


def write_section(path: Path, text: str) -> None:
    """Replace this benchmark's section of ``path`` (or add it), leaving other sections as is."""
    document = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(document):
        document = pattern.sub(lambda _: text.rstrip("\n") + "\n\n", document, count=1)
        document = document.rstrip("\n") + "\n"
    else:
        document = document.rstrip("\n") + "\n\n" + text
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document)


def _postgres_reachable(url: str) -> str | None:
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        psycopg.connect(libpq, connect_timeout=3).close()
    except Exception as exc:  # any failure means: no usable server
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search_latency",
        description="Search latency through the API against the raw engine query, on "
        "synthetic corpora of real passages; written to docs/benchmarks.md.",
    )
    parser.add_argument(
        "--sizes", default="100k,1m", help="SQLite corpus sizes, comma-separated (100k,1m)"
    )
    parser.add_argument(
        "--postgres-sizes",
        default="100k",
        help="PostgreSQL corpus sizes (100k; empty for none)",
    )
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        metavar="ADMIN_URL",
        help="PostgreSQL server to build the databases on (skipped when unreachable)",
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed rounds (default 20)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up rounds (default 2)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus seed")
    parser.add_argument(
        "--output", type=Path, default=DOCS, help="Markdown file to update (docs/benchmarks.md)"
    )
    parser.add_argument(
        "--no-write", dest="write", action="store_false", help="print the figures only"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    command = shlex.join(["python", "-m", "bench.search_latency", *sys.argv[1:]])
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    pg_sizes = [parse_size(s) for s in args.postgres_sizes.split(",") if s.strip()]
    notes = []
    runs: list[RunResult] = []
    RESULTS.mkdir(parents=True, exist_ok=True)
    try:
        for size in sizes:
            path = sqlite_database(size, args.seed)
            raw = SqliteRaw(path)
            try:
                runs.append(
                    measure(
                        f"SQLite, {size:,} passages",
                        f"sqlite:///{path}",
                        raw,
                        args.repeat,
                        args.warmup,
                    )
                )
            finally:
                raw.close()
        problem = _postgres_reachable(args.postgres) if pg_sizes else None
        if problem:
            notes.append(f"PostgreSQL was not measured: {problem}.")
            print(f"skipping PostgreSQL: {problem}", file=sys.stderr)
        else:
            for size in pg_sizes:
                url = postgres_database(args.postgres, size, args.seed)
                pg = PostgresRaw(url)
                try:
                    runs.append(
                        measure(f"PostgreSQL, {size:,} passages", url, pg, args.repeat, args.warmup)
                    )
                finally:
                    pg.close()
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for run in runs:
        f = summary(run)["all"]
        print(
            f"{run.name}: API p50 {f['api_p50']:.1f} ms, p95 {f['api_p95']:.1f} ms; raw p50 "
            f"{f['raw_p50']:.1f} ms, p95 {f['raw_p95']:.1f} ms; ratio {f['ratio_p95']:.2f}; "
            f"server peak RSS {run.rss_peak_mb:.0f} MB"
        )
    (RESULTS / "search-latency.json").write_text(
        json.dumps([asdict(run) for run in runs], indent=1) + "\n"
    )
    if args.write:
        write_section(args.output, section(runs, args, command, notes))
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
