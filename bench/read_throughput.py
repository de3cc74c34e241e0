"""Read-path throughput: Quellen's GET /v1/documents/{id} against a bare Starlette baseline.

Run ``python -m bench.read_throughput`` (or ``make bench-read``). It needs ``wrk``
(``apt-get install wrk`` on Debian and Ubuntu).

Both servers run in the same run, under the same uvicorn options and worker count, against
the same freshly migrated and seeded SQLite file, so the ratio between them says what
Quellen's framework, ORM and serialization cost on this machine, whatever the machine is.
Absolute figures move with the hardware; the ratio is the number to watch. The script starts
both servers on free local ports, checks that both answer 200 with the same document, warms
them up, then loads them in turn with ``wrk --latency``, alternating for ``--rounds`` rounds
so that a slow spell of a shared machine does not land on one server only. Any non-2xx answer
during a run fails the benchmark: a fast 404 or 500 is not a result.

The figures, their ratio and the machine they were taken on are written to the "Read
throughput" section of docs/benchmarks.md; other sections of that file are kept.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
HEADING = "## Read throughput: GET /v1/documents/{id}"
DEFAULT_DOCUMENT = "harriman-to-secretary-of-state-1944-09-24"
WARMUP_SECONDS = 2
# The same for both servers; only the application differs.
UVICORN_OPTIONS = [
    "--workers",
    "1",
    "--loop",
    "uvloop",
    "--http",
    "httptools",
    "--no-access-log",
    "--log-level",
    "warning",
]


class BenchError(Exception):
    """The benchmark could not produce a trustworthy figure; the message says why."""


@dataclass(frozen=True)
class Server:
    name: str
    app: str
    env: dict[str, str]
    log: Path
    port: int

    def url(self, document: str) -> str:
        return f"http://127.0.0.1:{self.port}/v1/documents/{document}"


@dataclass(frozen=True)
class Run:
    """One wrk run against one server."""

    requests_per_second: float
    requests: int
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Result:
    """A server's runs, averaged over the rounds."""

    name: str
    runs: list[Run]

    @property
    def requests_per_second(self) -> float:
        return statistics.fmean(r.requests_per_second for r in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.fmean(r.p50_ms for r in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.fmean(r.p99_ms for r in self.runs)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.runs)


def _require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise BenchError(
            "wrk is not installed. Install it with `sudo apt-get install wrk` (Debian, "
            "Ubuntu) or `brew install wrk` (macOS), then run this again."
        )
    return path


def _free_ports(count: int) -> list[int]:
    """Distinct free local ports: all sockets stay bound until every port is chosen."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def _prepare_database(folder: Path) -> Path:
    """A migrated database holding the seed corpus, as ``quellen migrate`` and ``seed`` make."""
    from api.db.engine import make_engine
    from api.db.migrations import upgrade
    from api.ingest.seed import load_seed_corpus

    path = folder / "bench.sqlite"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        load_seed_corpus(engine, ROOT / "data")
    finally:
        engine.dispose()
    return path


def _get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextlib.contextmanager
def _serving(server: Server) -> Iterator[None]:
    command = [
        *(sys.executable, "-m", "uvicorn", server.app),
        *("--host", "127.0.0.1", "--port", str(server.port)),
        *UVICORN_OPTIONS,
    ]
    with server.log.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **server.env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(server: Server, url: str, timeout: float = 30.0) -> bytes:
    """Poll until the document answers 200; raise with the server's log if it never does."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            status, body = _get(url)
        except OSError as exc:
            last = str(exc)
        else:
            if status == 200:
                return body
            last = f"HTTP {status}: {body[:300]!r}"
        time.sleep(0.1)
    raise BenchError(
        f"{server.name}: {url} did not answer 200 within {timeout:.0f}s ({last}).\n"
        f"{server.log.read_text()}"
    )


def _check_same_document(baseline: bytes, quellen: bytes) -> None:
    """The baseline must do the same work: it has to answer with the same JSON value."""
    ours, theirs = json.loads(baseline), json.loads(quellen)
    if ours != theirs:
        keys = sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k))
        differences = "\n".join(
            f"  {key}: baseline {ours.get(key)!r}, Quellen {theirs.get(key)!r}" for key in keys
        )
        raise BenchError(
            "The baseline and Quellen answered with different documents, so the comparison "
            f"would not be fair:\n{differences}"
        )


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _latency_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise BenchError(f"cannot read the latency {text!r} in wrk's output")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(name: str, output: str) -> Run:
    """Figures from ``wrk --latency`` output; refuse a run with errors in it."""
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise BenchError(f"{name}: {match.group(1)} responses were not 2xx or 3xx.\n{output}")
    if match := re.search(r"Socket errors: (.*)", output):
        counts = dict(re.findall(r"(\w+) (\d+)", match.group(1)))
        if any(int(counts.get(kind, 0)) for kind in ("connect", "read", "write")):
            raise BenchError(f"{name}: socket errors during the run ({match.group(1)}).\n{output}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rps and total and p50 and p99):
        raise BenchError(f"{name}: cannot read wrk's output:\n{output}")
    if int(total.group(1)) == 0:
        raise BenchError(f"{name}: wrk completed no request.\n{output}")
    return Run(
        requests_per_second=float(rps.group(1)),
        requests=int(total.group(1)),
        p50_ms=_latency_ms(p50.group(1)),
        p99_ms=_latency_ms(p99.group(1)),
    )


def _wrk(wrk: str, server: Server, url: str, args: argparse.Namespace, seconds: int) -> Run:
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--latency",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return parse_wrk(server.name, done.stdout)


def measure(servers: list[Server], args: argparse.Namespace, wrk: str) -> list[Result]:
    """Start every server, check it, warm it up, then load them in turn, round after round."""
    runs: dict[str, list[Run]] = {server.name: [] for server in servers}
    with contextlib.ExitStack() as stack:
        for server in servers:
            print(f"{server.name}: uvicorn {server.app} on port {server.port}", flush=True)
            stack.enter_context(_serving(server))
        urls = [server.url(args.document) for server in servers]
        bodies = [_wait_until_ready(server, url) for server, url in zip(servers, urls, strict=True)]
        # each names its own address in its (absolute) links: compare without it
        own = [f"http://127.0.0.1:{server.port}".encode() for server in servers]
        plain = [body.replace(base, b"") for body, base in zip(bodies, own, strict=True)]
        for body in plain[1:]:
            _check_same_document(plain[0], body)
        if args.warmup:
            for server, url in zip(servers, urls, strict=True):
                _wrk(wrk, server, url, args, WARMUP_SECONDS)
        for round_ in range(1, args.rounds + 1):
            for server, url in zip(servers, urls, strict=True):
                run = _wrk(wrk, server, url, args, args.duration)
                runs[server.name].append(run)
                print(
                    f"  round {round_}, {server.name}: {run.requests_per_second:,.0f} "
                    f"requests/s, p50 {run.p50_ms:.2f} ms, p99 {run.p99_ms:.2f} ms",
                    flush=True,
                )
        for server, url in zip(servers, urls, strict=True):
            status, body = _get(url)
            if status != 200:
                raise BenchError(
                    f"{server.name} answered {status} after the runs: {body[:300]!r}\n"
                    f"{server.log.read_text()}"
                )
    return [Result(name, server_runs) for name, server_runs in runs.items()]


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # what `nproc` prints
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"wrk (\S+)", done.stdout + done.stderr)
    return match.group(1) if match else "unknown"


def _load_average() -> str:
    with contextlib.suppress(OSError, AttributeError):
        return f"{os.getloadavg()[0]:.1f}"
    return "unknown"


def section(
    results: list[Result], args: argparse.Namespace, wrk: str, command: str, load_before: str
) -> str:
    """The Markdown section for docs/benchmarks.md, starting with HEADING."""
    baseline, quellen = results
    ratio = quellen.requests_per_second / baseline.requests_per_second
    wrk_command = (
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency "
        f"http://127.0.0.1:PORT/v1/documents/{args.document}"
    )
    versions = ", ".join(
        f"{package} {version(package)}"
        for package in ("fastapi", "starlette", "sqlmodel", "sqlalchemy", "pydantic", "uvicorn")
    )
    rows = "\n".join(
        f"| {r.name} | {r.requests_per_second:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
        + " / ".join(f"{run.requests_per_second:,.0f}" for run in r.runs)
        + " |"
        for r in results
    )
    return f"""{HEADING}

Quellen's `GET /v1/documents/{{id}}` against a bare Starlette endpoint
([bench/baseline_app.py](../bench/baseline_app.py)) that does the same lookup with the stdlib
`sqlite3` module and `json.dumps`: the document row with the length of its text and the
counts of its passages, footnotes and pages, then its identifiers. Both run under the same
uvicorn options, in the same run, against the same seeded SQLite file, and must answer with
the same JSON value; any non-2xx answer fails the run. The baseline has no ETag, validation
or ORM: it is the floor to compare with, and the **ratio** is the figure to track, since
absolute numbers move with the machine. The goal is 0.5; below 0.35 the benchmark fails.

Quellen runs as deployed, with its whole middleware stack and default settings (its own
access log off, like uvicorn's). Its read path: an `async` route; on SQLite the lookup runs
on the event loop, on a connection the application keeps (`api.db.engine.Reader`), and on other
databases in the thread pool; one statement for the document, its counts and identifiers,
built once from the SQLModel tables and compiled once per dialect, run on the driver's
cursor; one validation and one serialization of the response model.

| server | requests/s | p50 latency (ms) | p99 latency (ms) | requests/s per round |
|---|---:|---:|---:|---:|
{rows}

**Ratio (Quellen / baseline): {ratio:.2f}**

Figures are means over {args.rounds} rounds of {args.duration} s per server, the servers
taking turns, after a {WARMUP_SECONDS} s warm-up each.

- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC
- Machine: {_cpus()} CPUs (`nproc`), {_cpu_model()}; {platform.system()} {platform.release()};
  load average (1 min) {load_before} before the run, {_load_average()} after (other work on
  the machine lowers both servers' figures: compare ratios)
- Python {platform.python_version()}; {versions}; wrk {_wrk_version(wrk)}
- uvicorn options, both servers: `{" ".join(UVICORN_OPTIONS)}`
- Load: `{wrk_command}`
- Command: `{command}` (`make bench-read` runs it with the defaults)
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


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.read_throughput",
        description="Throughput of GET /v1/documents/{id}: Quellen against a bare "
        "Starlette + sqlite3 baseline, written to docs/benchmarks.md.",
    )
    parser.add_argument(
        "-d", "--duration", type=int, default=10, help="seconds per wrk run (default 10)"
    )
    parser.add_argument(
        "-c", "--connections", type=int, default=32, help="open connections (default 32)"
    )
    parser.add_argument("-t", "--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "-r", "--rounds", type=int, default=2, help="runs per server, alternating (default 2)"
    )
    parser.add_argument("--document", default=DEFAULT_DOCUMENT, help="id of the document read")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false", help="skip warm-up")
    parser.add_argument(
        "--output", type=Path, default=DOCS, help="Markdown file to update (docs/benchmarks.md)"
    )
    parser.add_argument(
        "--no-write", dest="write", action="store_false", help="print the figures only"
    )
    parser.add_argument(
        "--min-ratio",
        type=float,
        default=0.35,
        help="exit with an error when Quellen / baseline is below this (default 0.35)",
    )
    args = parser.parse_args(argv)
    for name in ("duration", "connections", "threads", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    command = shlex.join(["python", "-m", "bench.read_throughput", *sys.argv[1:]])
    load_before = _load_average()
    try:
        wrk = _require_wrk()
        with tempfile.TemporaryDirectory(prefix="quellen-bench-") as tmp:
            folder = Path(tmp)
            database = _prepare_database(folder)
            baseline_port, quellen_port = _free_ports(2)
            servers = [
                Server(
                    name="Starlette + sqlite3 (baseline)",
                    app="bench.baseline_app:app",
                    env={"QUELLEN_BENCH_SQLITE": str(database)},
                    log=folder / "baseline.log",
                    port=baseline_port,
                ),
                Server(
                    name="Quellen",
                    app="api.asgi:app",
                    env={
                        "QUELLEN_DATABASE_URL": f"sqlite:///{database}",
                        "QUELLEN_LOAD_SEED": "0",
                        # The application's own access log, off like uvicorn's for both.
                        "QUELLEN_ACCESS_LOG": "0",
                    },
                    log=folder / "quellen.log",
                    port=quellen_port,
                ),
            ]
            results = measure(servers, args, wrk)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    baseline, quellen = results
    ratio = quellen.requests_per_second / baseline.requests_per_second
    for result in results:
        print(
            f"{result.name}: {result.requests_per_second:,.0f} requests/s "
            f"(p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms)"
        )
    print(f"ratio (Quellen / baseline): {ratio:.2f}")
    if args.write:
        write_section(args.output, section(results, args, wrk, command, load_before))
        print(f"wrote {args.output}")
    if ratio < args.min_ratio:
        print(f"error: the ratio {ratio:.2f} is below {args.min_ratio}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
