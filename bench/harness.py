"""What the write benchmarks share: fresh databases with the scaled corpus, API keys, a
served API, process memory, percentiles, the machine, and their sections of
docs/benchmarks.md.

Everything that changes the database goes through the ``quellen`` command in a process of
its own (``quellen seed`` migrates and loads ``data/`` with its entity registry,
``quellen import`` the corpus, ``quellen keys create`` a key), as an administrator would
run it, so the benchmark process stays small and measures only what it serves.
"""

import contextlib
import datetime as dt
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
PG_ADMIN = os.environ.get(
    "QUELLEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ENGINES = ("sqlite", "postgresql")
# the `quellen` command of this interpreter's environment
QUELLEN = [sys.executable, "-c", "from api.cli.commands import main; main()"]


class BenchError(Exception):
    """The benchmark could not produce a trustworthy figure; the message says why."""


# --- databases --------------------------------------------------------------------------------


def postgres_problem(url: str = PG_ADMIN) -> str | None:
    """None when PostgreSQL answers at ``url``, else why not."""
    try:
        import psycopg

        psycopg.connect(libpq_url(url), connect_timeout=3).close()
    except Exception as exc:  # any failure means: no usable server
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psycopg takes it."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def fresh_database(engine: str, label: str = "bench") -> Iterator[str]:
    """An empty database (a SQLite file in a temporary folder, or a PostgreSQL database
    created through ``PG_ADMIN``); removed afterwards. Yields its SQLAlchemy URL."""
    name = f"quellen_{label}_{uuid.uuid4().hex[:8]}"
    if engine == "sqlite":
        RESULTS.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=RESULTS, prefix="db-") as folder:
            yield f"sqlite:///{Path(folder) / (name + '.sqlite')}"
        return
    if engine != "postgresql":
        raise ValueError(f"unknown engine {engine!r}")
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(libpq_url(PG_ADMIN), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq_url(PG_ADMIN), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def quellen(url: str, *args: str, timeout: float | None = None) -> str:
    """Run ``quellen ARGS`` against the database at ``url``; its standard output."""
    env = {**os.environ, "QUELLEN_DATABASE_URL": url, "QUELLEN_LOG_FORMAT": "text"}
    command = [*QUELLEN, *args]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise BenchError(
            f"quellen {' '.join(args)} failed ({done.returncode}):\n"
            f"{done.stdout[-1500:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout


@dataclass
class Prepared:
    url: str
    documents: int  # live documents in the database after the import
    seed_seconds: float  # migrate + the seed corpus with its registry
    import_seconds: float  # quellen import of the scaled corpus
    import_summary: str  # the import's closing lines


def prepare(url: str, corpus: Path, *, registry: bool = True) -> Prepared:
    """Migrate, load the registry (the seed corpus ``data/``: 4 documents and the entity
    registry) unless ``registry`` is false, and import ``corpus`` with ``quellen import``."""
    started = time.perf_counter()
    if registry:
        quellen(url, "seed")
    else:
        quellen(url, "migrate")
    seeded = time.perf_counter()
    out = quellen(url, "import", "--no-progress", str(corpus))
    imported = time.perf_counter()
    summary = "\n".join(
        line for line in out.splitlines() if line.startswith(("imported:", "linked:"))
    )
    return Prepared(
        url=url,
        documents=count_documents(url),
        seed_seconds=seeded - started,
        import_seconds=imported - seeded,
        import_summary=summary,
    )


def count_documents(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT count(*) FROM document WHERE deleted_at IS NULL")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def create_key(url: str, name: str, scope: str = "admin") -> str:
    return quellen(url, "keys", "create", "--name", name, "--scope", scope).strip().splitlines()[-1]


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Settings of the served API besides the database: no seed loading, no access log (uvicorn's
# is off too), and no write rate limit — the benchmarks measure the write path, and one
# key's 120 writes a minute per worker would turn their load into 429s.
SERVER_ENV = {
    "QUELLEN_LOAD_SEED": "false",
    "QUELLEN_ACCESS_LOG": "false",
    "QUELLEN_RATE_LIMIT_WRITES": "",
    "QUELLEN_LOG_FORMAT": "text",
    "QUELLEN_LOG_LEVEL": "warning",
}


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    command: list[str]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def workers(self) -> list[int]:
        """The worker processes (uvicorn's children, without multiprocessing's helpers);
        the server process itself when it runs one worker in-process."""
        found = []
        for pid in children(self.pid):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"resource_tracker" in cmdline or b"semaphore_tracker" in cmdline:
                continue
            found.append(pid)
        return sorted(found) or [self.pid]


@contextlib.contextmanager
def serving(
    url: str, log: Path, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """``quellen serve`` (uvicorn, as deployed) on a free local port against ``url``,
    without migrating; stopped with SIGTERM (graceful) when the block ends."""
    port = free_port()
    full_env = {
        **os.environ,
        **SERVER_ENV,
        **(env or {}),
        "QUELLEN_DATABASE_URL": url,
        "QUELLEN_HOST": "127.0.0.1",
        "QUELLEN_PORT": str(port),
        "QUELLEN_WORKERS": str(workers),
    }
    command = [*QUELLEN, "serve", "--no-migrate"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=full_env, stdout=log_file, stderr=subprocess.STDOUT
        )
    server = Server(f"http://127.0.0.1:{port}", process, command, log)
    try:
        import httpx

        deadline = time.monotonic() + 120
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            while True:
                try:
                    if client.get("/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"the server did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.25)
        # with several workers, /ready answered by one says nothing of the others
        while workers > 1 and len(server.workers()) < workers:
            if time.monotonic() > deadline:
                raise BenchError(f"only {len(server.workers())} of {workers} workers started")
            time.sleep(0.25)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- processes --------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found.extend(int(p) for p in text)
    except OSError:
        pass
    return found


def _status(pid: int, field: str) -> float | None:
    """A memory figure of /proc/<pid>/status (VmRSS, VmHWM), in MB; None when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a process so far (/proc/<pid>/stat); None when gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    total = sum(fields[:8])  # guest time is counted in user already
    return (total - idle) / os.sysconf("SC_CLK_TCK"), total / os.sysconf("SC_CLK_TCK")


def postgres_backends(database: str) -> list[int]:
    """The PostgreSQL server processes serving connections to ``database``."""
    found = []
    needle = f" {database} ".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdecimal():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if cmdline.startswith(b"postgres: ") and needle in cmdline:
            found.append(int(entry.name))
    return found


def rss_mb(pid: int) -> float | None:
    return _status(pid, "VmRSS")


def peak_rss_mb(pid: int) -> float | None:
    return _status(pid, "VmHWM")


# --- figures and reports ----------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: a latency some request actually had (as bench.search_latency)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def ms(value: float | None) -> str:
    """Milliseconds as the tables write them: 3 significant figures, at most one decimal."""
    if value is None or value != value:
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _postgres_version() -> str:
    try:
        import psycopg

        with psycopg.connect(libpq_url(PG_ADMIN), connect_timeout=3) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            return f", PostgreSQL {str(row[0]).split()[0]}" if row else ""
    except Exception:
        return ""


def machine_lines(load_before: float, command: str) -> list[str]:
    import sqlite3

    return [
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {os.cpu_count()} CPUs (`nproc`), {_cpu()}; {platform.system()} "
        f"{platform.release()}; load average (1 min) {load_before:.1f} before the run, "
        f"{os.getloadavg()[0]:.1f} after",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
        f"{_postgres_version()}",
        f"- Command: `{command}`",
    ]


def write_section(heading: str, text: str, path: Path = DOCS) -> None:
    """Replace the section under ``heading`` (a ``## `` line) of ``path``, or add it;
    other sections are left as they are."""
    document = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    body = text.rstrip("\n") + "\n"
    if pattern.search(document):
        document = pattern.sub(lambda _: body + "\n", document, count=1).rstrip("\n") + "\n"
    else:
        document = document.rstrip("\n") + "\n\n" + body
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
