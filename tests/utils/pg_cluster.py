"""A PostgreSQL primary and a streaming replica of it, made for a test on spare ports.

Real servers, made with the machine's own tools the way an operator makes them: ``initdb``
for the primary, ``pg_basebackup -R`` for the replica (``-R`` writes the standby settings),
both in one temporary folder that ``stop`` removes. PostgreSQL refuses to run as root, so
as root every tool runs as the ``postgres`` user (``runuser``) in a folder that user owns.

Durability is switched off (``fsync``, ``synchronous_commit``): these clusters live for one
test run, and the replication under test is unaffected by it.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import psycopg

from tests.utils.server import free_port

T = TypeVar("T")

BIN = Path(os.environ.get("QUELLEN_PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> str | None:
    """None when clusters can be made here, else why not (for a skip or a failure)."""
    for tool in ("initdb", "pg_ctl", "pg_basebackup"):
        if not (BIN / tool).exists():
            return f"{BIN / tool} is missing (PostgreSQL's server binaries)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "runuser is missing (PostgreSQL's tools refuse to run as root)"
    return None


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(_as_postgres(command), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr or done.stdout}")


@dataclass
class Server:
    folder: Path
    port: int
    running: bool = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        log = self.folder.parent / f"{self.folder.name}.log"
        _run([str(BIN / "pg_ctl"), "-D", str(self.folder), "-l", str(log), "-w", "start"], "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            _run([str(BIN / "pg_ctl"), "-D", str(self.folder), "-m", mode, "-w", "stop"], "stop")
            self.running = False

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


@dataclass
class Cluster:
    """A primary and one streaming replica of it; ``stop`` ends both and removes them."""

    root: Path
    primary: Server
    replica: Server
    _stopped: bool = field(default=False)

    @classmethod
    def create(cls) -> "Cluster":
        root = Path(tempfile.mkdtemp(prefix="quellen-cluster-"))
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        primary = Server(root / "primary", free_port())
        replica = Server(root / "replica", free_port())
        cluster = cls(root, primary, replica)
        try:
            cluster._make()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _make(self) -> None:
        primary, replica = self.primary, self.replica
        _run(
            [
                str(BIN / "initdb"),
                "-D",
                str(primary.folder),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
            "initdb",
        )
        settings = {
            "port": primary.port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'",
            "wal_level": "replica",
            "max_wal_senders": 5,
            "hot_standby": "on",
            "hot_standby_feedback": "on",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "'32MB'",
            "max_connections": 100,
        }
        with (primary.folder / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        primary.start()
        _run(
            [
                str(BIN / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(primary.port),
                "-U",
                "postgres",
                "-D",
                str(replica.folder),
                "-R",
                "-X",
                "stream",
                "--no-sync",
            ],
            "pg_basebackup",
        )
        with (replica.folder / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {replica.port}\n")
        replica.start()

    def caught_up(self) -> bool:
        """Whether the replica has replayed everything the primary has written so far."""
        with psycopg.connect(self.primary.url_for("postgres").replace("+psycopg", "")) as conn:
            head = conn.execute("SELECT pg_current_wal_lsn()").fetchone()
        with psycopg.connect(self.replica.url_for("postgres").replace("+psycopg", "")) as conn:
            assert head is not None
            row = conn.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (str(head[0]),)
            ).fetchone()
        return bool(row and row[0])

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        for server in (self.replica, self.primary):
            # one that is gone already needs only its folder removed
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                server.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def wait_for(condition: Callable[[], T], what: str, timeout: float = 30.0) -> T:
    """Poll ``condition`` until it returns something true; fail saying ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"waited {timeout:g} s for {what}; last seen: {last!r}")
