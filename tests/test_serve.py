"""End to end: `quellen serve` on a fresh SQLite file migrates, loads data/ and answers HTTP.

This is what `make serve` runs; the test uses a real socket and a real process.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api.settings import PROJECT_ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_loads_the_seed_corpus_into_a_fresh_database(tmp_path: Path) -> None:
    port = _free_port()
    database = tmp_path / "var" / "quellen.sqlite"
    env = {
        **os.environ,
        "QUELLEN_DATABASE_URL": f"sqlite:///{database}",
        "QUELLEN_PORT": str(port),
        "QUELLEN_LOG_LEVEL": "warning",
    }
    quellen = Path(sys.executable).parent / "quellen"
    process = subprocess.Popen(
        [str(quellen), "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not become ready in 60 s"
            time.sleep(0.2)
        documents = httpx.get(f"{base}/v1/documents").json()["items"]
        assert len(documents) == 4
        text = httpx.get(f"{base}/v1/documents/harriman-to-secretary-of-state-1944-09-24/text").text
        assert "Lord Moyne was informed" in text
        assert httpx.get(f"{base}/docs").status_code == 200
        assert database.exists()
        wal = database.with_name(database.name + "-wal")
        assert wal.exists(), "SQLite should run in WAL mode"
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert PROJECT_ROOT.exists()
