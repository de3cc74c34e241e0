"""Two API replicas on real servers: what `scripts/scale-smoke` proves (CI runs it).

It builds the deployment the `scale` compose profile describes, from this machine's own
parts: a PostgreSQL primary and a streaming replica (``initdb``, ``pg_basebackup -R``, on
spare ports, tests/utils/pg_cluster.py), a Redis server of its own, and two ``quellen
serve`` processes over them. Then it checks what a department relies on when it runs more
than one of everything, in the order that leaves the most destructive step (killing an API
replica in the middle of an import) for last, and removes everything it started.

Selected with ``-m scale`` only: ``make test`` leaves it out (it needs a few minutes of
the machine's two cores); ``scripts/scale-smoke`` runs it.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from api.db.engine import make_engine, session_scope
from api.db.keys import create_key
from tests.utils.pg_cluster import Cluster, available, wait_for
from tests.utils.server import free_port, wait_until_ready

pytestmark = pytest.mark.scale

DOC = "/v1/documents/why-did-the-ussr-refuse-to-repatriate-allied-pows"
COPIES = 750  # the seed's documents, copied: a bundle an import needs some seconds for
STALE_SECONDS = 6  # QUELLEN_IMPORT_STALE_SECONDS for the two replicas


@dataclass
class Api:
    """One `quellen serve` replica."""

    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: "subprocess.Popen[str] | None" = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        quellen = Path(sys.executable).parent / "quellen"
        self.process = subprocess.Popen(
            [str(quellen), "serve"],
            cwd=self.log.parent,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            text=True,
        )

    def ready(self) -> None:
        assert self.process is not None
        wait_until_ready(self.process, self.base, seconds=120)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(f"{self.base}{path}", timeout=30, **kwargs)

    def reads(self) -> dict[str, float]:
        """quellen_db_reads_total by database, from this replica's /metrics."""
        found: dict[str, float] = {}
        for family in text_string_to_metric_families(self.get("/metrics").text):
            for sample in family.samples:
                if sample.name == "quellen_db_reads_total":
                    found[sample.labels["database"]] = sample.value
        return found

    def replica_state(self) -> dict[str, Any]:
        [replica] = self.get("/ready").json()["replicas"]
        return dict(replica)


@dataclass
class Deployment:
    cluster: Cluster
    a: Api
    b: Api
    curate: dict[str, str]
    limited: dict[str, str]
    folder: Path

    @property
    def replica_name(self) -> str:
        return f"127.0.0.1:{self.cluster.replica.port}/quellen"


def _redis(folder: Path) -> tuple["subprocess.Popen[bytes]", int]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is missing (scripts/scale-smoke installs it)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port, socket_connect_timeout=1)
    wait_for(lambda: _pings(client), f"Redis on port {port}")
    return process, port


def _pings(client: Any) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # not listening yet
        return False


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    problem = available()
    if problem:
        pytest.fail(problem)
    folder = Path(tempfile.mkdtemp(prefix="quellen-scale-"))
    cluster = Cluster.create()
    redis_process = None
    apis: list[Api] = []
    try:
        admin = create_engine(cluster.primary.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE quellen"))
        admin.dispose()
        redis_process, redis_port = _redis(folder)
        env = {
            **os.environ,
            "QUELLEN_DATABASE_URL": cluster.primary.url_for("quellen"),
            "QUELLEN_DATABASE_REPLICA_URLS": cluster.replica.url_for("quellen"),
            "QUELLEN_RATE_LIMIT_STORAGE": f"redis://127.0.0.1:{redis_port}/0",
            "QUELLEN_RATE_LIMIT_WRITES": "20/minute",
            "QUELLEN_LOAD_SEED": "1",
            "QUELLEN_WORKERS": "1",
            "QUELLEN_LOG_FORMAT": "json",
            "QUELLEN_ACCESS_LOG": "false",
            "QUELLEN_REPLICA_CHECK_SECONDS": "0.2",
            "QUELLEN_IMPORT_POLL_SECONDS": "1",
            "QUELLEN_IMPORT_HEARTBEAT_SECONDS": "1",
            "QUELLEN_IMPORT_STALE_SECONDS": str(STALE_SECONDS),
        }
        for name in ("a", "b"):
            api = Api(name, free_port(), {**env}, folder / f"api-{name}.log")
            api.env["QUELLEN_PORT"] = str(api.port)
            apis.append(api)
            api.start()
        for api in apis:
            api.ready()
        engine = make_engine(cluster.primary.url_for("quellen"))
        with session_scope(engine) as session:
            curate = create_key(session, name="smoke-curator", scope="curate")
            limited = create_key(session, name="smoke-limited", scope="curate")
        engine.dispose()
        wait_for(cluster.caught_up, "the replica to replay the seed corpus")
        yield Deployment(
            cluster,
            apis[0],
            apis[1],
            {"Authorization": f"Bearer {curate}"},
            {"Authorization": f"Bearer {limited}"},
            folder,
        )
    finally:
        for api in apis:
            api.stop(signal.SIGKILL)
        if redis_process is not None:
            redis_process.kill()
            redis_process.wait(timeout=10)
        cluster.stop()
        for api in apis:
            if api.log.exists():
                print(f"--- {api.log.name} (last lines)")
                print("\n".join(api.log.read_text().splitlines()[-15:]))
        shutil.rmtree(folder, ignore_errors=True)


def test_a_write_through_one_replica_is_read_back_through_the_other_at_once(
    deployment: Deployment,
) -> None:
    a, b = deployment.a, deployment.b
    current = a.get(DOC)
    written = httpx.patch(
        f"{a.base}{DOC}",
        headers={**deployment.curate, "If-Match": current.headers["etag"]},
        json={"title": "Written through A, read through B"},
        timeout=30,
    )
    assert written.status_code == 200, written.text
    token = written.headers["Quellen-Consistency"]
    # at once, no waiting: the token sends the read where the write is visible
    read = b.get(DOC, headers={"Quellen-Consistency": token})
    assert read.status_code == 200
    assert read.json()["title"] == "Written through A, read through B"


def test_reads_without_a_token_are_served_by_the_replica(deployment: Deployment) -> None:
    b = deployment.b
    assert b.replica_state()["state"] == "ok"
    before = b.reads()
    for _ in range(5):
        assert b.get(DOC).status_code == 200
    after = b.reads()
    name = deployment.replica_name
    assert after.get(name, 0) - before.get(name, 0) == 5, (before, after)
    assert after.get("primary", 0) == before.get("primary", 0), (before, after)


def test_the_rate_limit_counts_across_both_replicas(deployment: Deployment) -> None:
    """20 writes a minute per key, shared through Redis: the 21st is refused, whichever
    replica it reaches."""
    statuses = []
    for n in range(24):
        api = deployment.a if n % 2 == 0 else deployment.b
        response = httpx.patch(
            f"{api.base}{DOC}",
            headers={**deployment.limited, "If-Match": '"not-the-current-version"'},
            json={"title": "never written"},
            timeout=30,
        )
        statuses.append(response.status_code)
    assert statuses[:20] == [412] * 20, statuses
    assert statuses[20:] == [429] * 4, statuses


def test_a_stopped_replica_database_leaves_reads_on_the_primary(deployment: Deployment) -> None:
    a, b, cluster = deployment.a, deployment.b, deployment.cluster
    cluster.replica.stop("immediate")
    try:
        for api in (a, b, a, b):
            response = api.get(DOC)
            assert response.status_code == 200, response.text
        for api in (a, b):
            state = api.replica_state()
            assert state["state"] == "down", state
            assert api.get("/ready").status_code == 200
        before = a.reads()
        assert a.get(DOC).status_code == 200
        assert a.reads()["primary"] == before.get("primary", 0) + 1
    finally:
        cluster.replica.start()
    for api in (a, b):
        wait_for(lambda api=api: api.replica_state()["state"] == "ok", f"{api.name}'s replica")


def _bundle(folder: Path) -> tuple[Path, list[str]]:
    """The seed corpus exported as a bundle, its documents copied under new ids."""
    seed = folder / "seed.jsonl"
    quellen = Path(sys.executable).parent / "quellen"
    env = {**os.environ, "QUELLEN_DATABASE_URL": f"sqlite:///{folder / 'seed.sqlite'}"}
    for command in (["migrate"], ["seed"], ["export", "--format", "jsonl", str(seed)]):
        subprocess.run([str(quellen), *command], env=env, check=True, capture_output=True)
    lines = [json.loads(line) for line in seed.read_text().splitlines()]
    documents = [line for line in lines if line["type"] == "document"]
    ids = []
    path = folder / "copies.jsonl"
    with path.open("w") as out:
        for line in lines:
            if line["type"] != "document":
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        for copy in range(COPIES):
            for document in documents:
                made = {**document, "id": f"{document['id']}-copy-{copy}"}
                ids.append(made["id"])
                out.write(json.dumps(made, ensure_ascii=False) + "\n")
    return path, ids


def test_killing_the_replica_running_an_import_lets_the_other_finish_it_once(
    deployment: Deployment,
) -> None:
    a, b = deployment.a, deployment.b
    path, ids = _bundle(deployment.folder)
    with path.open("rb") as upload:
        accepted = httpx.post(
            f"{a.base}/v1/imports",
            headers=deployment.curate,
            files={"file": (path.name, upload, "application/x-ndjson")},
            timeout=120,
        )
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()["id"]
    assert accepted.headers["Quellen-Consistency"]
    assert a.process is not None

    def running_on_a() -> dict[str, Any] | None:
        body = dict(b.get(f"/v1/imports/{job}", headers=deployment.curate).json())
        assert body["status"] in ("queued", "running"), f"finished before the kill: {body}"
        worker = body.get("worker") or ""
        return body if body["status"] == "running" and f":{a.process.pid}:" in worker else None

    wait_for(running_on_a, "the job to run on replica A")
    a.stop(signal.SIGKILL)  # mid-import: its transaction dies with its connection

    def finished() -> dict[str, Any] | None:
        body = dict(b.get(f"/v1/imports/{job}", headers=deployment.curate).json())
        return body if body["status"] in ("done", "failed") else None

    body = wait_for(finished, "replica B to take the job over and end it", timeout=240)
    assert body["status"] == "done", body
    assert body["attempts"] == 2 and f":{a.process.pid}:" not in body["worker"], body
    assert body["report"]["new"] == len(ids), body["report"]

    # Once: every copy there, with as many passages and mentions as its original has
    # (a second import of the same document would have doubled neither: it would have been
    # "unchanged"; a half-written first attempt would show as a shortfall)
    engine = create_engine(deployment.cluster.primary.url_for("quellen"))
    counts = (
        "SELECT (SELECT count(*) FROM document WHERE id LIKE :pattern), "
        "(SELECT count(*) FROM passage WHERE document_id LIKE :pattern), "
        "(SELECT count(*) FROM mention WHERE document_id LIKE :pattern)"
    )
    try:
        with engine.connect() as connection:
            originals = [i.rsplit("-copy-", 1)[0] for i in ids[: len(ids) // COPIES]]
            per_original = [
                connection.execute(text(counts), {"pattern": original}).one()
                for original in originals
            ]
            copies = connection.execute(text(counts), {"pattern": "%-copy-%"}).one()
    finally:
        engine.dispose()
    expected = [sum(column) * COPIES for column in zip(*per_original, strict=True)]
    assert list(copies) == expected, (list(copies), expected)
    assert copies[0] == len(ids)
