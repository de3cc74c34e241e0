"""Reads scaled out: one and two API replicas over a PostgreSQL streaming replica, beside a
bare Starlette + psycopg baseline on the same replica.

Run ``python -m bench.scale_replicas`` (or ``make bench-scale``). It needs ``wrk``, and
PostgreSQL's server binaries (``initdb``, ``pg_ctl``, ``pg_basebackup``; as root it runs them
as the ``postgres`` user): it makes its own primary and streaming replica on spare ports with
``tests/utils/pg_cluster.py`` and removes them at the end, also on failure.

What it does:

1. A cluster (primary + streaming replica); on the primary a database ``quellen_bench_scale``
   made the way a deployment makes it: ``quellen seed`` (migrations, the seed corpus, the
   entity registry) and ``quellen import`` of the scaled corpus (bench/scaled_corpus.py, the
   sample DFAT volumes: 2,425 documents by default), then ``VACUUM ANALYZE``; it waits until
   the replica has replayed all of it. Meanwhile it runs the API's own replica check
   (``api.db.replicas.ReplicaSet``) every 0.5 s and notes the lag it computes and whether
   the replica would be out of the rotation (``LagWatch``).
2. Servers, all reading from the replica, all started once:

   - **baseline**: ``uvicorn bench.scale_replicas:baseline`` (one worker), bare Starlette and
     psycopg (a connection per pool thread, autocommit), no ORM, no validation, no ETag.
     ``GET /v1/documents/{id}`` runs the statements of bench/baseline_app.py (which is
     SQLite-only) on PostgreSQL and answers the same JSON value as Quellen (checked);
     ``GET /raw/search?q=`` runs the plain engine query of bench/search_latency.py:
     ``@@`` ordered by ``ts_rank_cd`` ``LIMIT 20``, the ids and scores as JSON;
   - **API replica A** and **B**: ``quellen serve`` with ``QUELLEN_WORKERS=1`` and
     ``QUELLEN_DATABASE_REPLICA_URLS`` naming the replica (writes would go to the primary);
     both with the same ``QUELLEN_PUBLIC_URL``, so their bodies, and so their ETags, are the
     same, as behind one load balancer;
   - **API replica C** (unless ``--pool-variant 0``): the same with ``QUELLEN_DB_POOL_SIZE``
     as large as the load's connections.

3. Load with ``wrk --latency``, round after round, the configurations taking turns:
   *baseline* (one wrk, ``-t2 -cC``), *1 API replica* (one wrk on A, ``-t2 -cC``), *2 API
   replicas* (two wrk processes at once, ``-t1 -cC/2`` each, one on A and one on B: the same
   threads and connections in total; requests/s summed, latencies from the two runs'
   merged histograms) and, for documents, *1 API replica, 304* (every request carries the
   document's ETag in ``If-None-Match``: what revalidation by a shared cache costs) and
   *1 API replica, pool N* (on C).
   A wrk Lua script turns over a sample of the documents (``--sample``) or over the query
   set of bench/search_latency.py, so that reads are not all of one row. Any non-2xx/3xx
   answer or socket error fails the run.

For every run the CPU seconds of each party are taken from /proc: the API processes, the
baseline, the replica's and the primary's PostgreSQL processes, and wrk (``wait4``), beside
the machine's busy time, so the figures say where the 2 CPUs of a small machine went; and
the connections the replica started (``pg_stat_database.sessions``).

The figures are written to the "Scaling reads" section of docs/benchmarks.md (other
sections are kept); docs/scaling.md discusses them.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.harness import children, cpu_seconds, free_port, libpq_url, machine_cpu

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Scaling reads: API replicas over a streaming replica"
DATABASE = "quellen_bench_scale"
PUBLIC_URL = "http://quellen.bench"  # every server's links: identical bodies and ETags
DEFAULT_DOCUMENTS = 2425  # the six sample DFAT volumes once, no copies
WARMUP_SECONDS = 3
SPREAD_LIMIT = 1.3  # rounds further apart than this: the machine was disturbed
BASELINE_OPTIONS = ["--workers", "1", "--no-access-log", "--log-level", "warning"]

# --- the baseline: Starlette + psycopg on the replica -----------------------------------------

_local = threading.local()


def _pg() -> Any:
    """This pool thread's connection to the database the baseline reads (autocommit)."""
    connection = getattr(_local, "connection", None)
    if connection is None:
        import psycopg

        connection = psycopg.connect(os.environ["QUELLEN_BENCH_PG"], autocommit=True)
        _local.connection = connection
    return connection


def _iso(value: Any) -> Any:
    """A timestamp as Quellen writes it: ISO 8601, UTC, ``Z``."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"
    return value


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _document(document_id: str) -> dict[str, Any] | None:
    from bench.baseline_app import DETAIL_SQL, IDENTIFIERS_SQL

    connection = _pg()
    row = connection.execute(DETAIL_SQL.replace("?", "%s"), (document_id,)).fetchone()
    if row is None:
        return None
    identifiers = connection.execute(IDENTIFIERS_SQL.replace("?", "%s"), (document_id,)).fetchall()
    (
        doc_id,
        collection,
        title,
        authors,
        recipients,
        date,
        date_start,
        date_end,
        source_type,
        genre,
        language,
        number,
        provenance,
        notes,
        checksum,
        revision,
        created_at,
        updated_at,
        characters,
        passages,
        footnotes,
        pages,
    ) = row
    self_url = f"{PUBLIC_URL}/v1/documents/{doc_id}"
    return {
        "id": doc_id,
        "collection": collection,
        "title": title,
        "authors": _json(authors),
        "recipients": _json(recipients),
        "date": date,
        "date_start": date_start.isoformat() if date_start else None,
        "date_end": date_end.isoformat() if date_end else None,
        "source_type": source_type,
        "genre": genre,
        "language": language,
        "number": number,
        "identifiers": [{"scheme": s, "value": v} for s, v in identifiers],
        "provenance": _json(provenance),
        "notes": _json(notes),
        "checksum": checksum,
        "revision": revision,
        "created_at": _iso(created_at),
        "updated_at": _iso(updated_at),
        "counts": {
            "passages": passages,
            "footnotes": footnotes,
            "pages": pages,
            "characters": characters,
        },
        "links": {
            "self": self_url,
            "collection": f"{PUBLIC_URL}/v1/collections/{collection}",
            "text": f"{self_url}/text",
            "passages": f"{self_url}/passages",
            "footnotes": f"{self_url}/footnotes",
            "pages": f"{self_url}/pages",
        },
    }


def _baseline_document(request: Request) -> Response:
    document_id = request.path_params["document_id"]
    document = _document(document_id)
    if document is None:
        problem = {"title": "Not Found", "status": 404, "detail": f"No document {document_id!r}."}
        return Response(json.dumps(problem), 404, media_type="application/problem+json")
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return Response(body, media_type="application/json")


RAW_SEARCH_SQL = (
    "SELECT id, ts_rank_cd(search_vector, to_tsquery('simple', %(q)s)) AS score FROM passage "
    "WHERE search_vector @@ to_tsquery('simple', %(q)s) ORDER BY score DESC LIMIT 20"
)


def _baseline_search(request: Request) -> Response:
    """The plain engine query (bench/search_latency.py's raw PostgreSQL query)."""
    rows = _pg().execute(RAW_SEARCH_SQL, {"q": request.query_params["q"]}).fetchall()
    body = json.dumps([[row_id, round(score, 6)] for row_id, score in rows])
    return Response(body, media_type="application/json")


# plain ``def`` endpoints: Starlette runs them in its thread pool, as blocking handlers run
baseline = Starlette(
    routes=[
        Route("/v1/documents/{document_id}", _baseline_document),
        Route("/raw/search", _baseline_search),
    ]
)


# --- the machine and its processes ------------------------------------------------------------


class BenchError(Exception):
    """The benchmark could not produce a trustworthy figure; the message says why."""


def _tree(pid: int) -> list[int]:
    """A process and its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children(current))
    return found


def _postmaster(folder: Path) -> int:
    return int((folder / "postmaster.pid").read_text().split("\n", 1)[0])


@dataclass
class Party:
    """Processes whose CPU time is counted together (the API's, a PostgreSQL server's).

    Besides the CPU time of every process of the tree, the roots' *reaped* time counts:
    that of children which ended and were waited for (``cutime``, ``cstime``), such as
    PostgreSQL backends that lived for one connection between two snapshots.
    """

    name: str
    roots: list[int]

    def snapshot(self) -> dict[tuple[int, str], float]:

        out = {}
        for root in self.roots:
            reaped = _reaped_seconds(root)
            if reaped is not None:
                out[(root, "reaped")] = reaped
            for pid in _tree(root):
                seconds = cpu_seconds(pid)
                if seconds is not None:
                    out[(pid, "own")] = seconds
        return out


def _reaped_seconds(pid: int) -> float | None:
    """CPU time of a process's children that ended and were waited for (/proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def _cpu_between(
    before: dict[tuple[int, str], float], after: dict[tuple[int, str], float]
) -> float:
    """CPU seconds spent between two snapshots: a process that ended meanwhile moved its
    time into its parent's reaped time, so the sums' difference counts it once."""
    return sum(after.values()) - sum(before.values())


# --- wrk --------------------------------------------------------------------------------------

LUA = """\
-- generated by bench/scale_replicas.py: turn over PATHS, one request after another
local paths = {%(paths)s}
local tags = {%(tags)s}
local started = 0
setup = function(thread)
  thread:set("offset", started * 7919)
  started = started + 1
end
local counter = nil
request = function()
  if counter == nil then counter = offset or 0 end
  counter = counter + 1
  local i = counter %% #paths + 1
  local tag = tags[i]
  if tag then
    return wrk.format("GET", paths[i], {["If-None-Match"] = tag})
  end
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  -- the latency histogram (microseconds, count), so that two runs can be merged
  local out = assert(io.open(os.getenv("QUELLEN_WRK_HISTOGRAM"), "w"))
  for i = 1, #latency do
    local value, count = latency(i)
    out:write(value, " ", count, "\\n")
  end
  out:close()
end
"""


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII is a valid Lua string


def lua_script(paths: list[str], tags: list[str] | None = None) -> str:
    return LUA % {
        "paths": ", ".join(_lua_string(p) for p in paths),
        "tags": ", ".join(_lua_string(t) for t in tags) if tags else "",
    }


@dataclass
class WrkRun:
    requests_per_second: float
    requests: int
    histogram: dict[int, int]  # latency in microseconds: count (after wrk's correction)
    cpu_seconds: float  # wrk's own


def merged_percentile(histograms: list[dict[int, int]], p: float) -> float:
    """The percentile (ms) of the merged histograms, ranked as wrk ranks its own."""
    merged: dict[int, int] = {}
    for histogram in histograms:
        for value, count in histogram.items():
            merged[value] = merged.get(value, 0) + count
    total = sum(merged.values())
    if total == 0:
        return float("nan")
    rank = round(p / 100 * total + 0.5)
    seen = 0
    for value in sorted(merged):
        seen += merged[value]
        if seen >= rank:
            return value / 1000
    return max(merged) / 1000


def _start_wrk(
    wrk: str, url: str, script: Path, threads: int, connections: int, seconds: int, out: Path
) -> tuple[subprocess.Popen[bytes], Path, Path]:
    histogram = out.with_suffix(".histogram")
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    with out.open("wb") as stdout:
        process = subprocess.Popen(
            command,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            env={**os.environ, "QUELLEN_WRK_HISTOGRAM": str(histogram)},
        )
    return process, out, histogram


def _finish_wrk(name: str, process: subprocess.Popen[bytes], out: Path, histogram: Path) -> WrkRun:
    from bench.read_throughput import BenchError as ReadBenchError
    from bench.read_throughput import parse_wrk

    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    output = out.read_text(errors="replace")
    if process.returncode != 0:
        raise BenchError(f"{name}: wrk failed ({process.returncode}):\n{output}")
    try:
        run = parse_wrk(name, output)
    except ReadBenchError as exc:
        raise BenchError(str(exc)) from None
    counts: dict[int, int] = {}
    for line in histogram.read_text().splitlines():
        value, count = line.split()
        counts[int(float(value))] = counts.get(int(float(value)), 0) + int(float(count))
    return WrkRun(run.requests_per_second, run.requests, counts, usage.ru_utime + usage.ru_stime)


# --- configurations and runs ------------------------------------------------------------------


@dataclass
class Target:
    """One wrk process's share of a configuration: a server and the paths it turns over."""

    base_url: str
    script: Path


@dataclass
class Config:
    name: str
    targets: list[Target]
    parties: list[Party]  # whose CPU is counted as "server" for this configuration


@dataclass
class Round:
    requests_per_second: float
    requests: int
    p50_ms: float
    p99_ms: float
    cpu: dict[str, float]  # CPU seconds per party over the run, with "wrk" and "machine"
    seconds: float
    connections_opened: int = 0  # sessions the replica's PostgreSQL started during the run


@dataclass
class Result:
    endpoint: str
    config: str
    rounds: list[Round] = field(default_factory=list)

    @property
    def requests_per_second(self) -> float:
        return statistics.fmean(r.requests_per_second for r in self.rounds)

    @property
    def p50_ms(self) -> float:
        return statistics.fmean(r.p50_ms for r in self.rounds)

    @property
    def p99_ms(self) -> float:
        return statistics.fmean(r.p99_ms for r in self.rounds)

    @property
    def spread(self) -> float:
        values = [r.requests_per_second for r in self.rounds]
        return max(values) / min(values) if min(values) > 0 else float("inf")

    @property
    def connects_per_second(self) -> float:
        return statistics.fmean(r.connections_opened / r.seconds for r in self.rounds)

    def cores(self, party: str) -> float:
        """Mean CPU cores the party kept busy over the runs."""
        return statistics.fmean(r.cpu.get(party, 0.0) / r.seconds for r in self.rounds)


def run_config(
    wrk: str,
    config: Config,
    all_parties: list[Party],
    *,
    threads: int,
    connections: int,
    seconds: int,
    folder: Path,
    sessions: Callable[[], int] | None = None,
) -> Round:
    """Load every target of ``config`` at once; the figures of the run. ``sessions``: the
    replica's count of sessions so far (how many connections the servers opened)."""

    sessions_before = sessions() if sessions else 0

    share_threads = max(1, threads // len(config.targets))
    share_connections = max(1, connections // len(config.targets))
    before = {party.name: party.snapshot() for party in all_parties}
    busy_before, _ = machine_cpu()
    started = time.monotonic()
    processes = []
    for index, target in enumerate(config.targets):
        out = folder / f"wrk-{index}.out"
        processes.append(
            _start_wrk(
                wrk,
                target.base_url,
                target.script,
                share_threads,
                share_connections,
                seconds,
                out,
            )
        )
    runs = [_finish_wrk(config.name, *started_wrk) for started_wrk in processes]
    elapsed = time.monotonic() - started
    busy_after, _ = machine_cpu()
    opened = sessions() - sessions_before if sessions else 0
    cpu = {party.name: _cpu_between(before[party.name], party.snapshot()) for party in all_parties}
    cpu["wrk"] = sum(run.cpu_seconds for run in runs)
    cpu["machine"] = busy_after - busy_before
    histograms = [run.histogram for run in runs]
    return Round(
        requests_per_second=sum(run.requests_per_second for run in runs),
        requests=sum(run.requests for run in runs),
        p50_ms=merged_percentile(histograms, 50),
        p99_ms=merged_percentile(histograms, 99),
        cpu=cpu,
        seconds=elapsed,
        connections_opened=opened,
    )


# --- the database -----------------------------------------------------------------------------


def prepare_database(cluster: Any, documents: int) -> tuple[str, str, dict[str, Any]]:
    """The benchmark database on the primary, imported and replayed by the replica.

    Returns the primary's and the replica's SQLAlchemy URLs and what was loaded."""
    import psycopg

    from bench.harness import prepare
    from bench.scaled_corpus import build
    from tests.utils.pg_cluster import wait_for

    corpus = build(documents)
    with psycopg.connect(libpq_url(cluster.primary.url_for("postgres")), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    primary_url = cluster.primary.url_for(DATABASE)
    replica_url = cluster.replica.url_for(DATABASE)
    print(f"importing {documents:,} documents into the primary…", flush=True)
    with LagWatch(primary_url, replica_url) as watch:
        prepared = prepare(primary_url, corpus)
    with psycopg.connect(libpq_url(primary_url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
        counts = {
            table: _scalar(connection, f"SELECT count(*) FROM {table}")
            for table in ("document", "passage", "footnote", "mention")
        }
        size = _scalar(connection, "SELECT pg_database_size(current_database())")
    wait_for(cluster.caught_up, "the replica to replay the import", timeout=300)
    loaded = {
        "documents": prepared.documents,
        "import_seconds": prepared.import_seconds,
        "seed_seconds": prepared.seed_seconds,
        "import_summary": prepared.import_summary,
        "counts": counts,
        "database_mb": size / 1e6,
        "lag": watch.summary(),
    }
    return primary_url, replica_url, loaded


class LagWatch:
    """The replica as Quellen sees it while an import runs on the primary.

    Every ``interval`` seconds it runs the API's own check (``api.db.replicas.ReplicaSet``,
    with the default ``QUELLEN_REPLICA_MAX_LAG``) and notes the state and lag it finds, and
    how many bytes of WAL the replica has still to replay. A replica found ``lagging``
    leaves the rotation: the API's reads go to the primary until it catches up.
    """

    def __init__(self, primary_url: str, replica_url: str, interval: float = 0.5) -> None:
        from api.db.engine import make_engine
        from api.db.replicas import ReplicaSet
        from api.settings import Settings

        self.max_lag = Settings.model_fields["replica_max_lag"].default
        self.primary = make_engine(primary_url, pool_size=1)
        self.replicas = ReplicaSet.connect(
            self.primary,
            [replica_url],
            max_lag=self.max_lag,
            check_seconds=interval,
            pool_size=1,
        )
        self.interval = interval
        self.samples: list[tuple[float, str, float | None, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lag-watch", daemon=True)
        self._wal_start = 0
        self._wal_end = 0

    def _head(self) -> int:
        from api.db.replicas import parse_lsn, primary_position

        return parse_lsn(primary_position(self.primary))

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(self.interval):
            try:
                self.replicas.check()
                head = self._head()
            except Exception:  # a sample lost is not a result lost
                continue
            replica = self.replicas.replicas[0]
            behind = max(0, head - replica.replayed)
            self.samples.append(
                (time.monotonic() - started, replica.state, replica.lag_seconds, behind)
            )

    def __enter__(self) -> "LagWatch":
        self._wal_start = self._head()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        with contextlib.suppress(Exception):
            self._wal_end = self._head()
        self.replicas.dispose()
        self.primary.dispose()

    def summary(self) -> dict[str, Any]:
        lags = [lag for _, _, lag, _ in self.samples if lag is not None]
        lagging = [t for t, state, _, _ in self.samples if state != "ok"]
        return {
            "samples": len(self.samples),
            "max_lag_seconds": max(lags, default=0.0),
            "max_bytes_behind": max((b for *_, b in self.samples), default=0),
            "seconds_out_of_rotation": len(lagging) * self.interval,
            "first_out_of_rotation": lagging[0] if lagging else None,
            "wal_bytes": self._wal_end - self._wal_start,
            "max_lag_setting": self.max_lag,
        }


def _scalar(connection: Any, sql: str) -> int:
    row = connection.execute(sql).fetchone()
    return int(row[0]) if row else 0


def sample_documents(replica_url: str, count: int) -> list[str]:
    """``count`` live document ids spread over the whole corpus (every n-th by id)."""
    import psycopg

    with psycopg.connect(libpq_url(replica_url)) as connection:
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM document WHERE deleted_at IS NULL ORDER BY id"
            ).fetchall()
        ]
    if not ids:
        raise BenchError("the benchmark database holds no documents")
    step = max(1, len(ids) // count)
    return ids[::step][:count]


# --- HTTP helpers -----------------------------------------------------------------------------


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names; repeated ones joined with commas) and body."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, _headers(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, _headers(exc.headers.items()), exc.read()


def _headers(items: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        found[key] = f"{found[key]}, {value}" if key in found else value
    return found


def _check_same(baseline: bytes, quellen: bytes, document: str) -> None:
    ours, theirs = json.loads(baseline), json.loads(quellen)
    if ours != theirs:
        keys = sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k))
        differences = "\n".join(
            f"  {key}: baseline {ours.get(key)!r}, Quellen {theirs.get(key)!r}" for key in keys
        )
        raise BenchError(
            f"The baseline and Quellen answered {document} differently, so the comparison "
            f"would not be fair:\n{differences}"
        )


def replica_reads(base_url: str) -> dict[str, float]:
    """quellen_db_reads_total by database, from a server's /metrics."""
    _, _, body = _get(f"{base_url}/metrics")
    found: dict[str, float] = {}
    for line in body.decode().splitlines():
        if line.startswith("quellen_db_reads_total{"):
            label = line.split('database="', 1)[1].split('"', 1)[0]
            found[label] = found.get(label, 0.0) + float(line.rsplit(" ", 1)[1])
    return found


@contextlib.contextmanager
def serving_baseline(replica_url: str, log: Path) -> Iterator[tuple[str, int]]:
    """The baseline on a free port, reading ``replica_url``: its base URL and process id."""

    port = free_port()
    command = [
        *(sys.executable, "-m", "uvicorn", "bench.scale_replicas:baseline"),
        *("--host", "127.0.0.1", "--port", str(port)),
        *BASELINE_OPTIONS,
    ]
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "QUELLEN_BENCH_PG": libpq_url(replica_url)},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/v1/documents/-")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"the baseline did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the benchmark ----------------------------------------------------------------------------


def _search_paths() -> tuple[list[str], list[str]]:
    """The API's and the baseline's paths for the query set of bench/search_latency.py."""
    from api.search.query import parse, to_tsquery
    from bench.search_latency import QUERIES

    api, raw = [], []
    for _, query in QUERIES:
        api.append("/v1/search?" + urllib.parse.urlencode({"q": query, "limit": 20}))
        raw.append("/raw/search?" + urllib.parse.urlencode({"q": to_tsquery(parse(query))}))
    return api, raw


def measure(args: argparse.Namespace, wrk: str, folder: Path) -> dict[str, Any]:
    import psycopg

    from bench.harness import serving
    from tests.utils.pg_cluster import Cluster, available

    problem = available()
    if problem:
        raise BenchError(f"cannot make a PostgreSQL cluster here: {problem}")
    print("making a primary and a streaming replica…", flush=True)
    cluster = Cluster.create()
    try:
        primary_url, replica_url, loaded = prepare_database(cluster, args.documents)
        replica_name = f"127.0.0.1:{cluster.replica.port}/{DATABASE}"
        ids = sample_documents(replica_url, args.sample)
        api_env = {
            "QUELLEN_DATABASE_REPLICA_URLS": replica_url,
            "QUELLEN_PUBLIC_URL": PUBLIC_URL,
        }
        with contextlib.ExitStack() as stack:
            base, baseline_pid = stack.enter_context(
                serving_baseline(replica_url, folder / "baseline.log")
            )
            server_a = stack.enter_context(
                serving(primary_url, folder / "api-a.log", workers=1, env=api_env)
            )
            server_b = stack.enter_context(
                serving(primary_url, folder / "api-b.log", workers=1, env=api_env)
            )
            # A third replica with a pool as large as the load's connections (the default
            # pool, 10 + 10 overflow, is smaller: overflow connections are closed and opened)
            pool_env = {**api_env, "QUELLEN_DB_POOL_SIZE": str(args.pool_variant)}
            server_c = (
                stack.enter_context(
                    serving(primary_url, folder / "api-c.log", workers=1, env=pool_env)
                )
                if args.pool_variant
                else None
            )
            stats = stack.enter_context(psycopg.connect(libpq_url(replica_url), autocommit=True))

            def sessions() -> int:
                """Sessions the replica has started for the database (pg_stat_database)."""
                return _scalar(
                    stats,
                    f"SELECT sessions FROM pg_stat_database WHERE datname = '{DATABASE}'",
                )

            # the same answers everywhere, and the ETags the 304 runs present
            tags = []
            for document in ids:
                _, _, raw = _get(f"{base}/v1/documents/{document}")
                status_a, headers_a, body_a = _get(f"{server_a.base_url}/v1/documents/{document}")
                status_b, headers_b, _ = _get(f"{server_b.base_url}/v1/documents/{document}")
                if status_a != 200 or status_b != 200:
                    raise BenchError(f"{document}: the API answered {status_a} and {status_b}")
                _check_same(raw, body_a, document)
                if headers_a.get("etag") != headers_b.get("etag"):
                    raise BenchError(f"{document}: the two API replicas' ETags differ")
                tags.append(headers_a["etag"])
            status, _, _ = _get(
                f"{server_a.base_url}/v1/documents/{ids[0]}", {"If-None-Match": tags[0]}
            )
            if status != 304:
                raise BenchError(f"If-None-Match with the ETag answered {status}, not 304")
            _, shown, _ = _get(f"{server_a.base_url}/v1/documents/{ids[0]}")
            cache_headers = {
                name: shown[name.lower()]
                for name in ("Cache-Control", "ETag", "Vary")
                if name.lower() in shown
            }
            doc_paths = [f"/v1/documents/{urllib.parse.quote(i)}" for i in ids]
            search_api, search_raw = _search_paths()
            scripts = {
                "documents": folder / "documents.lua",
                "documents-304": folder / "documents-304.lua",
                "search": folder / "search.lua",
                "raw-search": folder / "raw-search.lua",
            }
            scripts["documents"].write_text(lua_script(doc_paths))
            scripts["documents-304"].write_text(lua_script(doc_paths, tags))
            scripts["search"].write_text(lua_script(search_api))
            scripts["raw-search"].write_text(lua_script(search_raw))
            parties = [
                Party("baseline", [baseline_pid]),
                Party("API A", [server_a.pid]),
                Party("API B", [server_b.pid]),
                Party("API C", [server_c.pid] if server_c else []),
                Party("replica", [_postmaster(cluster.replica.folder)]),
                Party("primary", [_postmaster(cluster.primary.folder)]),
            ]
            endpoints = {
                "documents": (
                    "GET /v1/documents/{id}",
                    [
                        Config("baseline", [Target(base, scripts["documents"])], parties[:1]),
                        Config(
                            "1 API replica",
                            [Target(server_a.base_url, scripts["documents"])],
                            parties[1:2],
                        ),
                        Config(
                            "2 API replicas",
                            [
                                Target(server_a.base_url, scripts["documents"]),
                                Target(server_b.base_url, scripts["documents"]),
                            ],
                            parties[1:3],
                        ),
                        Config(
                            "1 API replica, 304",
                            [Target(server_a.base_url, scripts["documents-304"])],
                            parties[1:2],
                        ),
                        *(
                            [
                                Config(
                                    f"1 API replica, pool {args.pool_variant}",
                                    [Target(server_c.base_url, scripts["documents"])],
                                    parties[3:4],
                                )
                            ]
                            if server_c
                            else []
                        ),
                    ],
                    args.connections,
                ),
                "search": (
                    "GET /v1/search?q=…",
                    [
                        Config("baseline", [Target(base, scripts["raw-search"])], parties[:1]),
                        Config(
                            "1 API replica",
                            [Target(server_a.base_url, scripts["search"])],
                            parties[1:2],
                        ),
                        Config(
                            "2 API replicas",
                            [
                                Target(server_a.base_url, scripts["search"]),
                                Target(server_b.base_url, scripts["search"]),
                            ],
                            parties[1:3],
                        ),
                    ],
                    args.search_connections,
                ),
            }
            results: list[Result] = []
            reads_before = {
                "A": replica_reads(server_a.base_url),
                "B": replica_reads(server_b.base_url),
            }
            for endpoint in args.endpoints:
                label, configs, connections = endpoints[endpoint]
                by_config = {c.name: Result(label, c.name) for c in configs}
                print(f"{label}: warm-up", flush=True)
                for config in configs:
                    run_config(
                        wrk,
                        config,
                        parties,
                        threads=args.threads,
                        connections=connections,
                        seconds=WARMUP_SECONDS,
                        folder=folder,
                        sessions=sessions,
                    )
                for round_ in range(1, args.rounds + 1):
                    for config in configs:
                        run = run_config(
                            wrk,
                            config,
                            parties,
                            threads=args.threads,
                            connections=connections,
                            seconds=args.duration,
                            folder=folder,
                            sessions=sessions,
                        )
                        by_config[config.name].rounds.append(run)
                        server_cores = sum(run.cpu[p.name] for p in config.parties) / run.seconds
                        print(
                            f"  round {round_}, {config.name}: {run.requests_per_second:,.0f} "
                            f"requests/s, p50 {run.p50_ms:.2f} ms, p99 {run.p99_ms:.2f} ms; "
                            f"cores: server {server_cores:.2f}, replica "
                            f"{run.cpu['replica'] / run.seconds:.2f}, wrk "
                            f"{run.cpu['wrk'] / run.seconds:.2f}, machine "
                            f"{run.cpu['machine'] / run.seconds:.2f}; replica connections "
                            f"opened {run.connections_opened}",
                            flush=True,
                        )
                results.extend(by_config.values())
            reads_after = {
                "A": replica_reads(server_a.base_url),
                "B": replica_reads(server_b.base_url),
            }
    finally:
        cluster.stop()
    reads = {
        server: {
            name: reads_after[server].get(name, 0.0) - reads_before[server].get(name, 0.0)
            for name in reads_after[server]
        }
        for server in reads_after
    }
    return {
        "results": results,
        "loaded": loaded,
        "reads": reads,
        "replica_name": replica_name,
        "sample": len(ids),
        "headers": cache_headers,
    }


# --- the report -------------------------------------------------------------------------------


def _memory_gb() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    return "RAM unknown"


def _ratio(result: Result | None, other: Result | None) -> str:
    if result is None or other is None or other.requests_per_second == 0:
        return "–"
    return f"{result.requests_per_second / other.requests_per_second:.2f}"


THROUGHPUT_HEADER = (
    "| endpoint | configuration | requests/s | p50 (ms) | p99 (ms) | / baseline "
    "| / 1 API replica | requests/s per round |\n|---|---|---:|---:|---:|---:|---:|---:|"
)
CPU_HEADER = (
    "| endpoint | configuration | API or baseline | replica PostgreSQL | primary PostgreSQL "
    "| wrk | machine | other | replica connections opened per s |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|"
)


def section(figures: dict[str, Any], args: argparse.Namespace, command: str, load: float) -> str:
    from bench.harness import machine_lines
    from bench.search_latency import QUERIES

    results: list[Result] = figures["results"]
    loaded = figures["loaded"]
    rows = []
    cpu_rows = []
    for endpoint in dict.fromkeys(r.endpoint for r in results):
        group = {r.config: r for r in results if r.endpoint == endpoint}
        baseline = group.get("baseline")
        one = group.get("1 API replica")
        for result in group.values():
            vs_one = "–"
            if result.config != "baseline" and result.config != "1 API replica":
                vs_one = _ratio(result, one)
            rows.append(
                f"| {endpoint} | {result.config} | {result.requests_per_second:,.0f} | "
                f"{result.p50_ms:.1f} | {result.p99_ms:.1f} | "
                f"{_ratio(result, baseline) if result.config != 'baseline' else '1'} | "
                f"{vs_one} | "
                + " / ".join(f"{r.requests_per_second:,.0f}" for r in result.rounds)
                + " |"
            )
            servers = ["baseline"] if result.config == "baseline" else ["API A", "API B", "API C"]
            server_cores = sum(result.cores(name) for name in servers)
            parts = ("replica", "primary", "wrk")
            accounted = server_cores + sum(result.cores(name) for name in parts)
            cpu_rows.append(
                f"| {endpoint} | {result.config} | {server_cores:.2f} | "
                f"{result.cores('replica'):.2f} | {result.cores('primary'):.2f} | "
                f"{result.cores('wrk'):.2f} | {result.cores('machine'):.2f} | "
                f"{max(0.0, result.cores('machine') - accounted):.2f} | "
                f"{result.connects_per_second:,.0f} |"
            )
    disturbed = [f"{r.endpoint}, {r.config}" for r in results if r.spread > SPREAD_LIMIT]
    reads = figures["reads"]
    replica = figures["replica_name"]
    read_note = "; ".join(
        f"API {server}: {int(counts.get(replica, 0)):,} from the replica, "
        f"{int(counts.get('primary', 0)):,} from the primary"
        for server, counts in reads.items()
    )
    counts = loaded["counts"]
    lag = loaded["lag"]
    shown = "; ".join(f"`{k}: {v}`" for k, v in figures["headers"].items())
    lag_note = (
        f"**The replica during the import** (the API's own check, `ReplicaSet.check`, every "
        f"0.5 s, {lag['samples']} samples, over `quellen seed` and `quellen import`): the "
        f"import wrote {lag['wal_bytes'] / 1e6:,.0f} MB of WAL; the replica was at most "
        f"{lag['max_bytes_behind'] / 1e6:,.1f} MB of WAL behind, and the API computed a lag "
        f"of up to {lag['max_lag_seconds']:,.1f} s; it was out of the rotation (lag over "
        f"`QUELLEN_REPLICA_MAX_LAG`, {lag['max_lag_setting']:g} s) for "
        f"{lag['seconds_out_of_rotation']:,.1f} s"
        + (
            f", from {lag['first_out_of_rotation']:.0f} s after `quellen seed` began"
            if lag["first_out_of_rotation"] is not None
            else ""
        )
        + ": meanwhile every read goes to the primary."
    )
    warning = ""
    if disturbed:
        warning = (
            f"\n**Disturbed:** rounds differ by more than {SPREAD_LIMIT:.0%} - 100% for "
            + ", ".join(disturbed)
            + " (other work on the machine); compare within a round.\n"
        )
    return f"""{HEADING}

Read throughput over a PostgreSQL primary with one streaming replica
([bench/scale_replicas.py](../bench/scale_replicas.py)), every server reading from the
replica: a bare Starlette + psycopg **baseline** (the statements of bench/baseline_app.py
on PostgreSQL, answering the same JSON; for search the plain engine query, `@@` ordered by
`ts_rank_cd`, `LIMIT 20`), **1 API replica** (`quellen serve`, `QUELLEN_WORKERS=1`,
`QUELLEN_DATABASE_REPLICA_URLS` set) and **2 API replicas** (two such processes, the load
split by two wrk processes at once, one per replica, `-t1 -c{args.connections // 2}` each
for documents; requests/s summed, latencies from their merged histograms). *304*: every
request carries the document's ETag in `If-None-Match`. *pool N*: one more API replica
with `QUELLEN_DB_POOL_SIZE=N` (the default is 10, with as many again as overflow, which
the pool closes when it is handed back). Reads turn over {figures["sample"]}
documents spread over the corpus, or the {len(QUERIES)} queries of the search latency benchmark.
[scaling.md](scaling.md) reads these figures for a larger deployment.

Database: `quellen seed` + `quellen import` of the scaled corpus, {loaded["documents"]:,}
documents, {counts["passage"]:,} passages, {counts["footnote"]:,} footnotes,
{counts["mention"]:,} mentions; {loaded["database_mb"]:,.0f} MB (the import took
{loaded["import_seconds"]:.0f} s). Reads served during the runs, from the servers'
`quellen_db_reads_total`: {read_note}.

{lag_note}

A document read from a replica answers with {shown}.

{THROUGHPUT_HEADER}
{chr(10).join(rows)}
{warning}
Where the CPU went (cores busy on average during the runs; the machine has {os.cpu_count()}):

{CPU_HEADER}
{chr(10).join(cpu_rows)}

Figures are means over {args.rounds} rounds of {args.duration} s per configuration, the
configurations taking turns, after a {WARMUP_SECONDS} s warm-up each; wrk `-t{args.threads}
-c{args.connections}` for documents and `-t{args.threads} -c{args.search_connections}` for
searches, in total over the wrk processes of a configuration.

{chr(10).join(machine_lines(load, command))}
- Machine memory: {_memory_gb()}; the cluster: `tests/utils/pg_cluster.py` (shared_buffers
  32 MB, fsync off), on the same machine as the servers and wrk
"""


def reflow(text: str, width: int = 92) -> str:
    """Paragraphs and list items joined and wrapped to ``width``; tables and headings kept."""
    out: list[str] = []
    for block in text.strip("\n").split("\n\n"):
        lines = block.split("\n")
        if lines[0].startswith(("|", "#")):
            out.append(block)
            continue
        items: list[str] = []
        for line in lines:
            if line.startswith("- ") or not items:
                items.append(line.strip())
            else:
                items[-1] += " " + line.strip()
        out.append(
            "\n".join(
                textwrap.fill(
                    item,
                    width,
                    subsequent_indent="  " if item.startswith("- ") else "",
                    break_on_hyphens=False,
                    break_long_words=False,
                )
                for item in items
            )
        )
    return "\n\n".join(out) + "\n"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale_replicas",
        description="Read throughput of 1 and 2 API replicas over a PostgreSQL streaming "
        "replica, beside a Starlette + psycopg baseline; written to docs/benchmarks.md.",
    )
    parser.add_argument("-d", "--duration", type=int, default=10, help="seconds per run (10)")
    parser.add_argument("-r", "--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("-t", "--threads", type=int, default=2, help="wrk threads in all (2)")
    parser.add_argument(
        "-c", "--connections", type=int, default=32, help="connections for documents (32)"
    )
    parser.add_argument(
        "--search-connections", type=int, default=8, help="connections for searches (8)"
    )
    parser.add_argument(
        "--documents",
        type=int,
        default=DEFAULT_DOCUMENTS,
        help=f"documents of the scaled corpus to import (default {DEFAULT_DOCUMENTS})",
    )
    parser.add_argument(
        "--sample", type=int, default=500, help="documents the reads turn over (500)"
    )
    parser.add_argument(
        "--endpoints",
        default="documents,search",
        type=lambda v: [e.strip() for e in v.split(",") if e.strip()],
        help="documents, search or both (default)",
    )
    parser.add_argument(
        "--pool-variant",
        type=int,
        default=32,
        help="also measure documents on 1 API replica with QUELLEN_DB_POOL_SIZE=N "
        "(default 32, the connections; 0: skip)",
    )
    parser.add_argument("--no-write", dest="write", action="store_false", help="print only")
    args = parser.parse_args(argv)
    for name in ("duration", "rounds", "threads", "connections", "documents", "sample"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.threads < 2 or args.connections < 2 or args.search_connections < 2:
        parser.error("two API replicas need at least 2 threads and 2 connections")
    unknown = set(args.endpoints) - {"documents", "search"}
    if unknown or not args.endpoints:
        parser.error(f"unknown endpoints: {', '.join(sorted(unknown)) or 'none given'}")
    return args


def main(argv: list[str] | None = None) -> int:
    from bench.harness import write_section

    args = _arguments(argv)
    command = shlex.join(["python", "-m", "bench.scale_replicas", *sys.argv[1:]])
    wrk = shutil.which("wrk")
    if wrk is None:
        print("error: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 1
    load = os.getloadavg()[0]
    try:
        with tempfile.TemporaryDirectory(prefix="quellen-scale-") as tmp:
            figures = measure(args, wrk, Path(tmp))
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = reflow(section(figures, args, command, load))
    print(text)
    if args.write:
        write_section(HEADING, text)
        print("wrote docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
