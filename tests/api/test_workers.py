"""Writes from two server processes at once, over real sockets, on both engines.

The If-Match race the in-process test runs, here across ``quellen serve --workers 2``, on
the four seed documents at once (writes to different documents once deadlocked on
PostgreSQL): writers in different processes queue for the database's write lock (SQLite's,
or the PostgreSQL advisory lock) instead of failing, and every answer is 200 or 412 on a
connection that stays open.
"""

import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from api.db.engine import session_scope
from api.db.keys import create_key
from tests.conftest import DbHandle
from tests.utils.server import free_port, wait_until_ready

DOCS = [
    "/v1/documents/why-did-the-ussr-refuse-to-repatriate-allied-pows",
    "/v1/documents/harriman-to-secretary-of-state-1944-09-24",
    "/v1/documents/russian-liberation-movement-the-allies",
    "/v1/documents/bodega-why-did-the-usa-ussr-alliance-break-down",
]


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
    port = free_port()
    process = _serve(fresh_db, tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(process, base)
        statuses: list[tuple[str, int]] = []
        problems: list[str] = []
        lock = threading.Lock()

        def race(n: int) -> None:
            doc = DOCS[n % len(DOCS)]
            with httpx.Client(base_url=base, timeout=60) as client:
                for i in range(10):
                    try:
                        tag = client.get(doc).headers["etag"]
                        response = client.patch(
                            doc,
                            headers={"Authorization": f"Bearer {key}", "If-Match": tag},
                            json={"title": f"title {n}-{i}"},
                        )
                    except httpx.TransportError as exc:  # a dropped connection fails too
                        with lock:
                            problems.append(f"{type(exc).__name__}: {exc}")
                        continue
                    with lock:
                        statuses.append((doc, response.status_code))
                        if response.status_code not in (200, 412):
                            problems.append(f"{response.status_code} {response.text}")

        threads = [threading.Thread(target=race, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not problems, problems[:3]
        assert len(statuses) == 200
        for doc in DOCS:
            made = statuses.count((doc, 200))
            assert made and httpx.get(f"{base}{doc}").json()["revision"] == 1 + made
    finally:
        process.terminate()
        process.wait(timeout=30)
