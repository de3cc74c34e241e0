"""Soak: minutes of mixed reads, searches and curation writes from concurrent clients
against ``quellen serve`` with several workers, counting every error and watching memory.

Run ``python -m bench.soak`` (or ``make bench-soak``); ``--seconds`` sets the soak's length
(default 300). It

1. makes the scaled corpus (``--documents``, default 5,000; bench/scaled_corpus.py), creates
   a fresh PostgreSQL database (``--engine sqlite`` for the other engine), runs
   ``quellen seed`` (migrations, seed corpus, entity registry) and ``quellen import``;
2. serves it with ``quellen serve --workers 2`` (default settings but the write rate limit,
   which is off: the soak is of the write path, not of the limiter), creates an admin key
   with ``quellen keys create`` and, through ``POST /v1/keys``, one ``curate`` key per client;
3. runs a **baseline** phase (``--baseline-seconds``, default 60): the same clients with
   reads and searches only, so the read figures of the soak have a same-run reference;
4. runs the **soak**: ``--clients`` (16) clients, each with its own keep-alive connection,
   each picking its next request at random — reads (``--mix``, default 60%), searches
   (25%) and writes (15%) — as fast as the server answers.

Reads are the routes a reading interface calls: a document, its text, passages, footnotes,
cross-references, a collection's document list, an entity and its mentions. Searches are
the query set of bench/search_latency.py, some with facets or a collection filter. Writes
are curation as curators do it: 60% edit a document (``GET`` for its ETag — counted as a
read — then ``PATCH`` of its genre with ``If-Match``, half of them on a shared set of 50
documents, so two curators do sometimes edit the same one: a **412** from the lost race is
the correct answer and is counted apart, not as an error), 20% add a curated
cross-reference between two documents (``POST /v1/cross-references``) and 20% delete one
the same client added earlier (``DELETE`` with the ETag it got).

Counted apart: server errors (5xx, by status), transport errors (connection refused or
dropped, timeouts; by kind), keep-alive connections the server closed (connections a client
had to open beyond its first), 412, 429 and other 4xx. Latencies are of every answered
request, by kind (read, search, write), p50/p99/max. The resident memory (VmRSS) of each
worker is sampled every 5 s: at server start, at the soak's start, after its first minute
(or its first third, in a run shorter than 3 minutes) and at the end. Tracebacks in the
server's log are counted too. The issue's targets: 0 server errors, 0 dropped
connections, write p99 < 1 s, read p99 < 300 ms, RSS growth after the first minute
< 50 MB per worker.

The results go to the "Soak" section of docs/benchmarks.md (other sections are kept) and,
in full with per-route figures, to bench/results/soak.json.
"""

import argparse
import asyncio
import json
import os
import random
import re
import resource
import shlex
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from bench import harness
from bench.harness import BenchError, ms, percentile
from bench.scaled_corpus import build
from bench.search_latency import QUERIES

HEADING = "## Soak: mixed reads, searches and writes"
KINDS = ("read", "search", "write")
HOT_DOCUMENTS = 50
GENRE = "bench-soak"
TIMEOUT = 60.0  # a request that takes longer is a transport error (timeout)
TARGETS = {"read_p99": 300.0, "write_p99": 1000.0, "rss_growth": 50.0}


# --- what the clients record ------------------------------------------------------------------


@dataclass
class Sample:
    phase: str
    kind: str
    route: str
    status: int | None  # None: a transport error
    ms: float
    error: str | None = None


@dataclass
class Client:
    index: int
    key: str
    rng: random.Random
    connects: dict[str, int] = field(default_factory=dict)  # connections opened, by phase
    phase: str = ""
    closed_by_server: int = 0  # responses carrying Connection: close
    xrefs: list[tuple[int, str]] = field(default_factory=list)  # (id, ETag) it may delete


@dataclass
class World:
    """What the clients pick from, read from the database before the load starts."""

    documents: list[str]
    hot: list[str]
    collections: list[str]
    entities: list[str]


def _world(url: str) -> World:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:

            def ids(sql: str) -> list[str]:
                return [str(r[0]) for r in connection.execute(text(sql))]

            documents = ids("SELECT id FROM document WHERE deleted_at IS NULL ORDER BY id")
            collections = ids("SELECT id FROM collection ORDER BY id")
            entities = ids("SELECT id FROM entity ORDER BY id")
    finally:
        engine.dispose()
    if not documents or not entities:
        raise BenchError("the database holds no documents or no entities")
    hot = random.Random(7).sample(documents, min(HOT_DOCUMENTS, len(documents)))
    return World(documents, hot, collections, entities)


# --- requests ---------------------------------------------------------------------------------


def _trace(client: Client) -> Any:
    async def trace(event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.complete":
            client.connects[client.phase] = client.connects.get(client.phase, 0) + 1

    return trace


async def _send(
    http: httpx.AsyncClient,
    client: Client,
    samples: list[Sample],
    phase: str,
    kind: str,
    route: str,
    method: str,
    url: str,
    **kwargs: Any,
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await http.request(
            method, url, extensions={"trace": _trace(client)}, timeout=TIMEOUT, **kwargs
        )
    except httpx.TransportError as exc:
        error = {
            httpx.ConnectError: "connect",
            httpx.RemoteProtocolError: "disconnected",
            httpx.ReadError: "read",
            httpx.WriteError: "write",
        }.get(type(exc))
        if isinstance(exc, httpx.TimeoutException):
            error = "timeout"
        samples.append(
            Sample(phase, kind, route, None, (time.perf_counter() - started) * 1000,
                   error or type(exc).__name__)
        )  # fmt: skip
        return None
    elapsed = (time.perf_counter() - started) * 1000
    if phase == "soak" and response.headers.get("connection", "").lower() == "close":
        client.closed_by_server += 1
    error = None
    if response.status_code >= 400 and response.status_code not in (412, 429):
        error = f"{method} {url}: {response.text[:300]}"
    samples.append(Sample(phase, kind, route, response.status_code, elapsed, error))
    return response


async def _read(http: httpx.AsyncClient, c: Client, w: World, out: list[Sample], phase: str):
    rng = c.rng
    document = rng.choice(w.documents)
    choice = rng.random()
    if choice < 0.25:
        route, url, params = "document", f"/v1/documents/{document}", {}
    elif choice < 0.40:
        route, url, params = "text", f"/v1/documents/{document}/text", {}
    elif choice < 0.52:
        route, url, params = "passages", f"/v1/documents/{document}/passages", {"limit": 50}
    elif choice < 0.62:
        route, url, params = "footnotes", f"/v1/documents/{document}/footnotes", {}
    elif choice < 0.72:
        route = "cross-references"
        url, params = f"/v1/documents/{document}/cross-references", {"direction": "both"}
    elif choice < 0.82:
        route, url = "documents", "/v1/documents"
        params = {"collection": rng.choice(w.collections), "limit": 50}
    elif choice < 0.91:
        route, url, params = "entity", f"/v1/entities/{rng.choice(w.entities)}", {}
    else:
        route = "entity mentions"
        url, params = f"/v1/entities/{rng.choice(w.entities)}/mentions", {"limit": 20}
    await _send(http, c, out, phase, "read", route, "GET", url, params=params)


async def _search(http: httpx.AsyncClient, c: Client, w: World, out: list[Sample], phase: str):
    rng = c.rng
    params: dict[str, Any] = {"q": rng.choice(QUERIES)[1], "limit": 20}
    choice = rng.random()
    if choice < 0.2:
        params["facets"] = "source_type,genre,collection,year"
    elif choice < 0.35:
        params["collection"] = rng.choice(w.collections)
    elif choice < 0.45:
        params["scope"] = "all"
    await _send(http, c, out, phase, "search", "search", "GET", "/v1/search", params=params)


async def _write(http: httpx.AsyncClient, c: Client, w: World, out: list[Sample], phase: str):
    rng = c.rng
    auth = {"Authorization": f"Bearer {c.key}"}
    choice = rng.random()
    if choice >= 0.8 and c.xrefs:
        xref, etag = c.xrefs.pop(rng.randrange(len(c.xrefs)))
        response = await _send(
            http, c, out, phase, "write", "DELETE cross-reference", "DELETE",
            f"/v1/cross-references/{xref}", headers={**auth, "If-Match": etag},
        )  # fmt: skip
        if response is not None and response.status_code == 404:
            # this client made it and nobody else deletes it: say what its history holds
            history = await http.get(f"/v1/cross-references/{xref}/revisions", timeout=TIMEOUT)
            steps = [
                f"{r.get('operation')} by {r.get('key_name', r.get('key'))}"
                for r in (history.json().get("items", []) if history.status_code == 200 else [])
            ]
            for sample in reversed(out):
                if sample.error and f"/v1/cross-references/{xref}:" in sample.error:
                    sample.error += f" (made by client {c.index}; revisions: {steps})"
                    break
        return
    if choice >= 0.6:
        source, target = rng.sample(w.documents, 2)
        body = {"source": {"document": source}, "relation": "see_also"}
        body["target"] = {"document": target}
        response = await _send(
            http, c, out, phase, "write", "POST cross-reference", "POST",
            "/v1/cross-references", json=body, headers=auth,
        )  # fmt: skip
        if response is not None and response.status_code == 201:
            c.xrefs.append((int(response.json()["id"]), response.headers["ETag"]))
        return
    document = rng.choice(w.hot if rng.random() < 0.5 else w.documents)
    read = await _send(
        http, c, out, phase, "read", "document (before a PATCH)", "GET",
        f"/v1/documents/{document}",
    )  # fmt: skip
    if read is None or read.status_code != 200:
        return
    genre = read.json().get("genre")
    await _send(
        http, c, out, phase, "write", "PATCH document", "PATCH", f"/v1/documents/{document}",
        json={"genre": GENRE if genre != GENRE else "memorandum"},
        headers={**auth, "If-Match": read.headers["ETag"],
                 "Content-Type": "application/merge-patch+json"},
    )  # fmt: skip


OPERATIONS = {"read": _read, "search": _search, "write": _write}


async def _client_loop(
    base_url: str,
    client: Client,
    world: World,
    mix: dict[str, float],
    phase: str,
    until: float,
    out: list[Sample],
) -> None:
    kinds = [k for k in KINDS if mix.get(k, 0) > 0]
    weights = [mix[k] for k in kinds]
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    client.phase = phase
    # the clients connect one after another, not in one burst that one worker might accept
    # whole: each keeps its connection, and so its worker, for the phase
    await asyncio.sleep(client.index * 0.05)
    async with httpx.AsyncClient(base_url=base_url, limits=limits) as http:
        while time.monotonic() < until:
            kind = client.rng.choices(kinds, weights)[0]
            await OPERATIONS[kind](http, client, world, out, phase)


async def _phase(
    base_url: str,
    clients: list[Client],
    world: World,
    mix: dict[str, float],
    phase: str,
    seconds: float,
    out: list[Sample],
) -> float:
    started = time.monotonic()
    await asyncio.gather(
        *(_client_loop(base_url, c, world, mix, phase, started + seconds, out) for c in clients)
    )
    return time.monotonic() - started


# --- memory -----------------------------------------------------------------------------------


class MemoryWatch:
    """Samples the VmRSS of the server and its workers every ``every`` seconds."""

    def __init__(self, server: harness.Server, database: str | None, every: float = 5.0):
        self.server = server
        self.database = database  # PostgreSQL: the database whose backends are watched
        self.machine: dict[str, tuple[float, float]] = {}  # machine CPU (busy, total) at marks
        self.backends: dict[str, dict[int, float | None]] = {}  # backends' CPU s at marks
        self.every = every
        self.samples: list[tuple[float, dict[int, float]]] = []
        self.marks: dict[str, float] = {}
        self.cpu: dict[str, dict[int, float | None]] = {}  # each worker's CPU s at each mark
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.monotonic()

    def sample(self) -> dict[int, float]:
        found = {}
        for pid in self.server.workers():
            rss = harness.rss_mb(pid)
            if rss is not None:
                found[pid] = rss
        self.samples.append((time.monotonic() - self.started, found))
        return found

    def mark(self, name: str) -> None:
        self.marks[name] = time.monotonic() - self.started
        self.cpu[name] = {pid: harness.cpu_seconds(pid) for pid in self.server.workers()}
        self.machine[name] = harness.machine_cpu()
        if self.database:
            backends = harness.postgres_backends(self.database)
            self.backends[name] = {pid: harness.cpu_seconds(pid) for pid in backends}
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def __enter__(self) -> "MemoryWatch":
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def at(self, seconds: float) -> dict[int, float]:
        """The sample nearest to ``seconds`` after the watch started."""
        return min(self.samples, key=lambda s: abs(s[0] - seconds))[1]


# --- the run ----------------------------------------------------------------------------------


def parse_mix(text: str) -> dict[str, float]:
    parts = [float(p) for p in text.split(",")]
    if len(parts) != 3 or min(parts) < 0 or sum(parts) <= 0:
        raise argparse.ArgumentTypeError("--mix takes three weights: read,search,write")
    return dict(zip(KINDS, parts, strict=True))


def _make_keys(base_url: str, admin: str, count: int) -> list[str]:
    keys = []
    with httpx.Client(base_url=base_url, timeout=60) as http:
        for index in range(count):
            response = http.post(
                "/v1/keys",
                json={"name": f"soak-curator-{index + 1:02d}", "scope": "curate"},
                headers={"Authorization": f"Bearer {admin}"},
            )
            if response.status_code != 201:
                raise BenchError(f"POST /v1/keys: {response.status_code} {response.text[:300]}")
            keys.append(response.json()["key"])
    return keys


def run(args: argparse.Namespace) -> dict[str, Any]:
    corpus = build(args.documents)
    with harness.fresh_database(args.engine, "soak") as url:
        print(f"[soak] importing {corpus} into {args.engine}", file=sys.stderr, flush=True)
        prepared = harness.prepare(url, corpus)
        admin = harness.create_key(url, "soak-admin")
        world = _world(url)
        log = harness.RESULTS / "soak-server.log"
        with harness.serving(url, log, workers=args.workers) as server:
            workers_at_start = server.workers()
            keys = _make_keys(server.base_url, admin, args.clients)
            clients = [
                Client(i, keys[i], random.Random(args.seed + i)) for i in range(args.clients)
            ]
            samples: list[Sample] = []
            durations = {}
            cpu = resource.getrusage(resource.RUSAGE_SELF)
            database = make_url(url).database if args.engine == "postgresql" else None
            with MemoryWatch(server, database) as memory:
                memory.mark("server start")
                if args.baseline_seconds > 0:
                    print("[soak] baseline: reads and searches", file=sys.stderr, flush=True)
                    durations["baseline"] = asyncio.run(
                        _phase(
                            server.base_url, clients, world, {**args.mix, "write": 0},
                            "baseline", args.baseline_seconds, samples,
                        )
                    )  # fmt: skip
                memory.mark("soak start")
                print(f"[soak] soak: {args.seconds:.0f} s", file=sys.stderr, flush=True)
                durations["soak"] = asyncio.run(
                    _phase(server.base_url, clients, world, args.mix, "soak", args.seconds, samples)
                )
                memory.mark("end")
            used = resource.getrusage(resource.RUSAGE_SELF)
            client_cpu = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
            workers_at_end = server.workers()
        log_text = log.read_text(errors="replace")
    busy = memory.machine["end"][0] - memory.machine["soak start"][0]
    total = memory.machine["end"][1] - memory.machine["soak start"][1]
    backends = None
    if memory.backends:
        start, end = memory.backends["soak start"], memory.backends["end"]
        backends = sum((end[p] or 0.0) - (start.get(p) or 0.0) for p in end)
    cpu_share = {
        "machine busy": busy,
        "machine total": total,
        "workers": sum(
            _difference(memory.cpu["end"].get(p), memory.cpu["soak start"].get(p)) or 0.0
            for p in workers_at_start
        ),
        "postgres backends": backends,
    }
    checkpoint = min(60.0, args.seconds / 3)
    first_minute = memory.at(memory.marks["soak start"] + checkpoint)
    rss = {
        pid: {
            "server start": memory.at(memory.marks["server start"]).get(pid),
            "soak start": memory.at(memory.marks["soak start"]).get(pid),
            "first minute": first_minute.get(pid),
            "end": memory.at(memory.marks["end"]).get(pid),
            "soak cpu": _difference(memory.cpu["end"].get(pid), memory.cpu["soak start"].get(pid)),
        }
        for pid in workers_at_start
    }
    return {
        "prepared": prepared,
        "samples": samples,
        "durations": durations,
        "clients": clients,
        "rss": rss,
        "checkpoint": checkpoint,
        "workers_restarted": sorted(set(workers_at_start) ^ set(workers_at_end)),
        "tracebacks": log_text.count("Traceback (most recent call last)"),
        "log_errors": [
            line for line in log_text.splitlines() if re.search(r"\bERROR\b|Error:", line)
        ][:20],
        "client_cpu": client_cpu,
        "cpu_share": cpu_share,
        "log": log,
    }


def _difference(end: float | None, start: float | None) -> float | None:
    return None if end is None or start is None else end - start


# --- the report -------------------------------------------------------------------------------


def summarize(samples: list[Sample], seconds: float) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        groups[s.kind].append(s)
        groups["all"].append(s)
    summary = {}
    for kind, found in groups.items():
        answered = [s.ms for s in found if s.status is not None]
        statuses = Counter(s.status for s in found if s.status is not None)
        summary[kind] = {
            "requests": len(found),
            "per_second": len(found) / seconds if seconds else 0.0,
            "p50": percentile(answered, 50),
            "p99": percentile(answered, 99),
            "max": max(answered) if answered else float("nan"),
            "server_errors": sum(n for st, n in statuses.items() if st >= 500),
            "transport_errors": sum(1 for s in found if s.status is None),
            "lost_races": statuses.get(412, 0),
            "rate_limited": statuses.get(429, 0),
            "other_4xx": sum(
                n for st, n in statuses.items() if 400 <= st < 500 and st not in (412, 429)
            ),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "transport": dict(Counter(s.error for s in found if s.status is None)),
        }
    return summary


def by_route(samples: list[Sample]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        groups[f"{s.kind}: {s.route}"].append(s)
    return {
        route: {
            "requests": len(found),
            "p50": percentile([s.ms for s in found if s.status is not None], 50),
            "p99": percentile([s.ms for s in found if s.status is not None], 99),
            "statuses": dict(Counter(str(s.status) for s in found)),
        }
        for route, found in sorted(groups.items())
    }


ABOUT = """\
{clients} clients, each with its own keep-alive connection, send reads, searches and writes
as fast as they are answered (mix {mix}) to `quellen serve --workers {workers}` on
{engine}, over the scaled corpus (bench/scaled_corpus.py) of {documents:,} documents with
the entity registry loaded (`quellen seed`, then `quellen import`). Default settings but
`QUELLEN_RATE_LIMIT_WRITES`, which is off. Reads: a document, its text, passages,
footnotes, cross-references, a collection's document list, an entity and its mentions.
Searches: the query set of the search latency benchmark, some with facets or a collection
filter. Writes, each client with its own `curate` key: 60% a document edit — `GET` for the
ETag (counted as a read), then `PATCH` of its genre with `If-Match`, half of them on a
shared set of 50 documents, so that curators sometimes race: the loser's **412** is the
correct answer and is counted apart, not as an error —, 20% a new curated
cross-reference between two documents, 20% the deletion (with `If-Match`) of one the
same client added. The **baseline** phase runs first: the same clients, reads and
searches only, for the same-run reference of the read and search figures.

*5xx*: server errors; *transport*: connections refused or dropped and timeouts
({timeout:.0f} s); *reconnects*: connections clients had to open beyond their first (a
keep-alive connection the server closed). Latencies in ms, of every answered request.
Memory: VmRSS of each worker, sampled every 5 s; a worker's CPU seconds in the soak show
how the clients' connections fell to the workers (each client keeps its connection, and so
its worker, for a phase; the clients connect 50 ms apart).
"""


def _cpu_line(share: dict[str, Any], client: float) -> str:
    """Where the machine's CPU time went during the soak (baseline and soak together for
    the load generator, whose figure is its own process's)."""
    busy, total = share["machine busy"], share["machine total"]
    parts = [f"the API's workers {share['workers']:.0f} s"]
    if share["postgres backends"] is not None:
        parts.append(f"PostgreSQL's backends for this database {share['postgres backends']:.0f} s")
    parts.append(f"the load generator (this process, both phases) {client:.0f} s")
    return (
        f"CPU during the soak: the machine's CPUs were {busy / total:.0%} busy "
        f"({busy:.0f} of {total:.0f} CPU-seconds): {', '.join(parts)}; the rest is other "
        "work on the machine."
    )


def report(result: dict[str, Any], args: argparse.Namespace, command: str) -> str:
    prepared = result["prepared"]
    durations = result["durations"]
    lines = [
        HEADING,
        "",
        ABOUT.format(
            clients=args.clients,
            mix="/".join(f"{args.mix[k]:g}% {k}" for k in KINDS),
            workers=args.workers,
            engine="PostgreSQL" if args.engine == "postgresql" else "SQLite",
            documents=prepared.documents,
            timeout=TIMEOUT,
        ),
        "| phase | kind | requests | per s | p50 | p99 | max | 5xx | transport | 412 (lost "
        "race) | 429 | other 4xx |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    summaries = {}
    for phase in ("baseline", "soak"):
        if phase not in durations:
            continue
        found = [s for s in result["samples"] if s.phase == phase]
        summary = summaries[phase] = summarize(found, durations[phase])
        for kind in (*KINDS, "all"):
            if kind not in summary:
                continue
            k = summary[kind]
            label = f"**{kind}**" if kind == "all" else kind
            lines.append(
                f"| {phase} ({durations[phase]:.0f} s) | {label} | {k['requests']:,} | "
                f"{k['per_second']:.1f} | {ms(k['p50'])} | {ms(k['p99'])} | {ms(k['max'])} | "
                f"{k['server_errors']} | {k['transport_errors']} | {k['lost_races']} | "
                f"{k['rate_limited']} | {k['other_4xx']} |"
            )
    clients = result["clients"]
    reconnects = sum(max(0, c.connects.get("soak", 0) - 1) for c in clients)
    closed = sum(c.closed_by_server for c in clients)
    soak = summaries["soak"]
    lines += [
        "",
        f"Reconnects: {reconnects} (responses with `Connection: close`: {closed}). "
        f"Tracebacks in the server's log: {result['tracebacks']}. Workers replaced during "
        f"the run: {len(result['workers_restarted']) // 2}.",
        "",
        _cpu_line(result["cpu_share"], result["client_cpu"]),
        "",
    ]
    if "baseline" in summaries:
        base = summaries["baseline"]
        ratios = []
        for kind in ("read", "search"):
            if kind in base and kind in soak:
                ratios.append(
                    f"{kind} p99 {soak[kind]['p99'] / base[kind]['p99']:.2f}x, "
                    f"p50 {soak[kind]['p50'] / base[kind]['p50']:.2f}x"
                )
        lines += [f"**Soak / baseline (same run): {'; '.join(ratios)}.**", ""]
    checkpoint = result["checkpoint"]
    first = "first minute" if checkpoint >= 60 else f"first {checkpoint:.0f} s"
    lines += [
        f"| worker | RSS at server start (MB) | at soak start | after the {first} | at the "
        f"end | growth after the {first} | CPU s in the soak |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    growths = []
    for number, (_pid, rss) in enumerate(sorted(result["rss"].items()), start=1):
        growth = (
            rss["end"] - rss["first minute"]
            if rss["end"] is not None and rss["first minute"] is not None
            else None
        )
        if growth is not None:
            growths.append(growth)
        lines.append(
            f"| {number} | {ms(rss['server start'])} | {ms(rss['soak start'])} | "
            f"{ms(rss['first minute'])} | {ms(rss['end'])} | {ms(growth)} | "
            f"{ms(rss['soak cpu'])} |"
        )
    all_ = soak["all"]
    checks = [
        ("server errors", all_["server_errors"] == 0, f"{all_['server_errors']} (target 0)"),
        (
            "dropped connections",
            all_["transport_errors"] == 0 and reconnects == 0,
            f"{all_['transport_errors']} transport errors, {reconnects} reconnects (target 0)",
        ),
        (
            "write p99",
            soak.get("write", {}).get("p99", float("inf")) < TARGETS["write_p99"],
            f"{ms(soak.get('write', {}).get('p99'))} ms (target < 1,000)",
        ),
        (
            "read p99",
            soak["read"]["p99"] < TARGETS["read_p99"],
            f"{ms(soak['read']['p99'])} ms (target < 300)",
        ),
        (
            f"RSS growth after the {first}",
            bool(growths) and max(growths) < TARGETS["rss_growth"],
            f"at most {ms(max(growths) if growths else None)} MB per worker (target < 50)",
        ),
    ]
    lines += ["", "Targets:", ""]
    lines += [f"- {name}: {value} — {'met' if ok else 'NOT met'}" for name, ok, value in checks]
    if args.seconds < 300:
        lines.append(f"- (a run of {args.seconds:.0f} s: the issue's soak is 300 s)")
    lines += [
        "",
        f"Import of the corpus: {prepared.import_seconds:.0f} s "
        f"({prepared.import_summary.splitlines()[0] if prepared.import_summary else ''}).",
        "",
        *harness.machine_lines(args.load_before, command),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300, help="length of the soak")
    parser.add_argument(
        "--baseline-seconds", type=float, default=60, help="reads and searches only, first"
    )
    parser.add_argument("--documents", type=int, default=5_000, help="corpus size")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--engine", choices=harness.ENGINES, default="postgresql")
    parser.add_argument(
        "--mix", type=parse_mix, default="60,25,15", help="read,search,write weights (%%)"
    )
    parser.add_argument("--seed", type=int, default=20261201, help="the clients' random seed")
    parser.add_argument("--no-write", action="store_true", help="print, do not update the doc")
    args = parser.parse_args()
    if isinstance(args.mix, str):
        args.mix = parse_mix(args.mix)
    args.load_before = os.getloadavg()[0]
    if args.engine == "postgresql" and (problem := harness.postgres_problem()) is not None:
        raise SystemExit(f"PostgreSQL is not reachable at {harness.PG_ADMIN}: {problem}")
    result = run(args)
    command = ("python -m bench.soak " + shlex.join(sys.argv[1:])).strip()
    text = report(result, args, command)
    print(text)
    harness.RESULTS.mkdir(parents=True, exist_ok=True)
    errors = [
        {"kind": s.kind, "route": s.route, "status": s.status, "ms": s.ms, "error": s.error}
        for s in result["samples"]
        if s.error is not None
    ]
    Path(harness.RESULTS / "soak.json").write_text(
        json.dumps(
            {
                "summary": {
                    phase: summarize(
                        [s for s in result["samples"] if s.phase == phase],
                        result["durations"][phase],
                    )
                    for phase in result["durations"]
                },
                "routes": by_route([s for s in result["samples"] if s.phase == "soak"]),
                "errors": errors[:500],
                "rss": {str(k): v for k, v in result["rss"].items()},
                "log_errors": result["log_errors"],
            },
            indent=1,
        )
    )
    if errors:
        print(f"{len(errors)} errors; the first:", file=sys.stderr)
        for e in errors[:10]:
            print(f"  {e}", file=sys.stderr)
    print(f"server log: {result['log']}", file=sys.stderr)
    if not args.no_write:
        harness.write_section(HEADING, text)


if __name__ == "__main__":
    main()
