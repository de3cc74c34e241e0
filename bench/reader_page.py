"""The reading page against its data: GET /documents/{id} (HTML) beside
GET /v1/documents/{id}/reading (the JSON bundle it is rendered from), on one server.

Run ``python -m bench.reader_page`` (or ``make bench-reader``). Issue 17 asks that the
page cost the server at most twice what the bundle does: the page calls the same service
(``reading_bundle``) and adds the collection, the citation box and the template, so the
ratio says what rendering HTML costs over serialising JSON.

One ``quellen serve`` (uvicorn, one worker, as deployed) against a freshly migrated and
seeded SQLite file; both URLs must answer 200 (the page with the document's title, the
bundle with its id) before, and after, the runs. The first request for the page is timed
apart ("cold": it formats the document's Chicago and MLA citations with citeproc, which
the page then keeps per CSL item). Then each URL is warmed up and loaded with
``wrk --latency`` in turn, alternating for ``--rounds`` rounds so that a slow spell of a
shared machine does not land on one only; any non-2xx answer fails the run. Without
``wrk``, each URL is fetched ``--requests`` times in a row over one keep-alive connection
(httpx) and the wall time per request is the figure.

The result goes to the "Reading page" section of docs/benchmarks.md (other sections kept);
the command exits 1 when the ratio is above ``--max-ratio`` (2.0).
"""

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import harness
from bench.read_throughput import BenchError as WrkError
from bench.read_throughput import parse_wrk

HEADING = "## Reading page: GET /documents/{id} against its JSON bundle"
DEFAULT_DOCUMENT = "harriman-to-secretary-of-state-1944-09-24"
WARMUP_SECONDS = 2
TARGET = 2.0


@dataclass
class Measured:
    """One URL's runs: requests per second and latency per run, averaged over the rounds."""

    name: str
    path: str
    rps: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    requests: int = 0
    size: int = 0

    @property
    def mean_rps(self) -> float:
        return statistics.fmean(self.rps)

    @property
    def ms_per_request(self) -> float:
        return 1000.0 / self.mean_rps


def _prepare(folder: Path) -> str:
    """A migrated SQLite file holding the seed corpus, as ``quellen migrate`` and ``seed``
    make it."""
    from api.db.engine import make_engine
    from api.db.migrations import upgrade
    from api.ingest.seed import load_seed_corpus

    url = f"sqlite:///{folder / 'reader.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        load_seed_corpus(engine, harness.ROOT / "data")
    finally:
        engine.dispose()
    return url


def _check(base_url: str, html: Measured, bundle: Measured, document: str) -> float:
    """Both answer 200 with the document; returns the first (cold) page request's time."""
    import httpx

    with httpx.Client(base_url=base_url, timeout=30) as client:
        started = time.perf_counter()
        page = client.get(html.path)
        cold_ms = (time.perf_counter() - started) * 1000
        data = client.get(bundle.path)
    if page.status_code != 200 or "text/html" not in page.headers.get("content-type", ""):
        raise harness.BenchError(f"{html.path} answered {page.status_code}: {page.text[:300]}")
    if data.status_code != 200 or data.json().get("document") != document:
        raise harness.BenchError(f"{bundle.path} answered {data.status_code}: {data.text[:300]}")
    title = data.json()["metadata"]["title"]
    if title.split("(")[0].strip() not in page.text:
        raise harness.BenchError(f"{html.path} does not show the document's title {title!r}")
    html.size, bundle.size = len(page.content), len(data.content)
    return cold_ms


def _wrk(wrk: str, url: str, args: argparse.Namespace, seconds: int, into: Measured | None) -> None:
    command = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency", url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise harness.BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    try:
        run = parse_wrk(url, done.stdout)
    except WrkError as exc:
        raise harness.BenchError(str(exc)) from exc
    if into is not None:
        into.rps.append(run.requests_per_second)
        into.p50_ms.append(run.p50_ms)
        into.p99_ms.append(run.p99_ms)
        into.requests += run.requests


def _sequential(base_url: str, measured: Measured, count: int) -> None:
    """Without wrk: ``count`` requests in a row on one connection, each timed."""
    import httpx

    times = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.get(measured.path)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise harness.BenchError(f"{measured.path} answered {response.status_code}")
    times.sort()
    measured.rps.append(1000.0 / statistics.fmean(times))
    measured.p50_ms.append(harness.percentile(times, 50))
    measured.p99_ms.append(harness.percentile(times, 99))
    measured.requests += count


def measure(args: argparse.Namespace) -> tuple[list[Measured], float, str]:
    """Serve, check, time the cold page, warm up, then load each URL in turn."""
    wrk = shutil.which("wrk")
    html = Measured("HTML page", f"/documents/{args.document}")
    bundle = Measured("JSON bundle", f"/v1/documents/{args.document}/reading")
    both = [html, bundle]
    with tempfile.TemporaryDirectory(prefix="quellen-bench-reader-") as tmp:
        url = _prepare(Path(tmp))
        with harness.serving(url, Path(tmp) / "server.log") as server:
            print(f"quellen serve on {server.base_url}", flush=True)
            cold_ms = _check(server.base_url, html, bundle, args.document)
            for round_ in range(1, args.rounds + 1):
                for measured in both:
                    full = server.base_url + measured.path
                    if wrk is None:
                        _sequential(server.base_url, measured, args.requests)
                    else:
                        if round_ == 1:
                            _wrk(wrk, full, args, WARMUP_SECONDS, None)
                        _wrk(wrk, full, args, args.duration, measured)
                    print(
                        f"  round {round_}, {measured.name}: {measured.rps[-1]:,.0f} requests/s,"
                        f" p50 {measured.p50_ms[-1]:.2f} ms, p99 {measured.p99_ms[-1]:.2f} ms",
                        flush=True,
                    )
            _check(server.base_url, html, bundle, args.document)
    load = f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency"
    tool = load if wrk else f"httpx, {args.requests} sequential requests per round"
    return both, cold_ms, tool


def report(results: list[Measured], cold_ms: float, tool: str, args: argparse.Namespace) -> str:
    html, bundle = results
    ratio = bundle.mean_rps / html.mean_rps
    rows = "\n".join(
        f"| {m.name} | `{m.path}` | {m.size / 1024:,.1f} KB | {m.mean_rps:,.0f} | "
        f"{m.ms_per_request:.2f} | {statistics.fmean(m.p50_ms):.2f} | "
        f"{statistics.fmean(m.p99_ms):.2f} |"
        for m in results
    )
    verdict = "within" if ratio <= TARGET else "**above**"
    command = "python -m bench.reader_page " + shlex.join(sys.argv[1:])
    lines = [
        HEADING,
        "",
        "The reading site's document page against the JSON it is rendered from, on one",
        "server: `GET /documents/{id}` calls `reading_bundle` (as `GET /v1/documents/{id}/reading`",
        "does), then the collection, the CSL item for the citation box and the Jinja2",
        "template ([bench/reader_page.py](../bench/reader_page.py)). The **ratio** is the",
        "server time of a page over that of the bundle (requests/s of the bundle over",
        f"requests/s of the page); issue 17 asks for at most {TARGET:.0f}.",
        "",
        "| answer | path | size | requests/s | ms per request | p50 (ms) | p99 (ms) |",
        "|---|---|---:|---:|---:|---:|---:|",
        rows,
        "",
        f"**Ratio (page / bundle): {ratio:.2f}** — {verdict} the target of {TARGET:.1f}.",
        "",
        f"The first request for the page took {cold_ms:.0f} ms: it loads the CSL styles and",
        "formats the document's Chicago and MLA citations with citeproc-py, which the page",
        "then keeps per CSL item, so later requests, and the figures above, do not pay it.",
        f"Figures are means over {args.rounds} round(s) per URL, the URLs taking turns,",
        f"after a {WARMUP_SECONDS} s warm-up each; document `{args.document}`;",
        f"load: `{tool}`; `quellen serve`, one worker, SQLite.",
        "",
        *harness.machine_lines(args.load_before, command.strip()),
        "",
    ]
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reader_page",
        description="Server time of GET /documents/{id} (HTML) against "
        "GET /v1/documents/{id}/reading (JSON), written to docs/benchmarks.md.",
    )
    parser.add_argument("-d", "--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("-c", "--connections", type=int, default=8, help="open connections")
    parser.add_argument("-t", "--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("-r", "--rounds", type=int, default=3, help="runs per URL, alternating")
    parser.add_argument(
        "-n", "--requests", type=int, default=300, help="requests per round without wrk"
    )
    parser.add_argument("--document", default=DEFAULT_DOCUMENT, help="id of the document read")
    parser.add_argument("--max-ratio", type=float, default=TARGET, help="fail above this ratio")
    parser.add_argument("--no-write", action="store_true", help="print, do not update the doc")
    args = parser.parse_args(argv)
    for name in ("duration", "connections", "threads", "rounds", "requests"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    args.load_before = os.getloadavg()[0]
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        results, cold_ms, tool = measure(args)
    except harness.BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = report(results, cold_ms, tool, args)
    print(text)
    if not args.no_write:
        harness.write_section(HEADING, text)
        print(f"wrote {harness.DOCS}")
    html, bundle = results
    ratio = bundle.mean_rps / html.mean_rps
    if ratio > args.max_ratio:
        print(f"error: the ratio {ratio:.2f} is above {args.max_ratio}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
