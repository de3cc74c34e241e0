"""Writes from two server processes at once, over real sockets, on both engines.

The If-Match race the in-process test runs, here across ``quellen serve --workers 2``:
writers in different processes queue for the database's write lock (SQLite's, or the
PostgreSQL advisory lock) instead of failing, and every answer is 200 or 412 on a
connection that stays open.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from api.auth import create_key
from api.db import session_scope
from tests.conftest import DbHandle
from tests.test_serve import _free_port

DOC = "/v1/documents/why-did-the-ussr-refuse-to-repatriate-allied-pows"


def _serve(db: DbHandle, tmp_path: Path, port: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "QUELLEN_DATABASE_URL": db.url,
        "QUELLEN_PORT": str(port),
        "QUELLEN_LOG_LEVEL": "warning",
        "QUELLEN_LOAD_SEED": "false",
        "QUELLEN_RATE_LIMIT_WRITES": "",
        "QUELLEN_RATE_LIMIT_READS": "",
    }
    quellen = Path(sys.executable).parent / "quellen"
    return subprocess.Popen(
        [str(quellen), "serve", "--workers", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_workers_race_with_if_match_and_never_fail(fresh_db: DbHandle, tmp_path: Path) -> None:
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="racer", scope="curate")
    port = _free_port()
    process = _serve(fresh_db, tmp_path, port)
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
        statuses: list[int] = []
        problems: list[str] = []
        lock = threading.Lock()

        def race(n: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as client:
                for i in range(10):
                    try:
                        tag = client.get(DOC).headers["etag"]
                        response = client.patch(
                            DOC,
                            headers={"Authorization": f"Bearer {key}", "If-Match": tag},
                            json={"title": f"title {n}-{i}"},
                        )
                    except httpx.TransportError as exc:  # a dropped connection fails too
                        with lock:
                            problems.append(f"{type(exc).__name__}: {exc}")
                        continue
                    with lock:
                        statuses.append(response.status_code)
                        if response.status_code not in (200, 412):
                            problems.append(f"{response.status_code} {response.text}")

        threads = [threading.Thread(target=race, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not problems, problems[:3]
        assert len(statuses) == 200 and 200 in statuses
        revisions = httpx.get(f"{base}{DOC}").json()["revision"]
        assert revisions == 1 + statuses.count(200)
    finally:
        process.terminate()
        process.wait(timeout=30)
