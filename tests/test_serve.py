"""End to end: `quellen serve` on a fresh SQLite file migrates, loads data/ and answers HTTP.

This is what `make serve` runs; the test uses a real socket and a real process.
"""

import os
import subprocess
import sys
from pathlib import Path

import httpx

from api.settings import PROJECT_ROOT
from tests.utils.server import free_port, wait_until_ready


def test_serve_loads_the_seed_corpus_into_a_fresh_database(tmp_path: Path) -> None:
    port = free_port()
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
        wait_until_ready(process, base)
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
