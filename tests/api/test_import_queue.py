"""Import jobs as a queue in the database: taken over when their worker dies, never twice.

Every test runs on SQLite and PostgreSQL. A worker that "died" is a running job row whose
worker is gone: on PostgreSQL its heartbeat is old, on SQLite its process has ended (a
``python -c pass`` that was waited for). Waits are bounded polls that fail saying what
they saw.
"""

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlmodel import Session, col

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from api.db.models import Document, ImportJob, ImportUpload, Passage
from api.imports import queue, runner
from api.imports import service as uploads
from api.imports.queue import Claim, Timing
from api.imports.worker import JobWorker
from api.ingest.sources import Options
from tests.conftest import DatabaseFactory, DbHandle

FAST = Timing(poll_seconds=0.05, heartbeat_seconds=0.1, stale_seconds=1.0, max_attempts=3)
HOUR_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)


def _markdown(n: int) -> tuple[str, bytes]:
    """A file of one document of its own, with two passages; its id is ``letter-<n>``."""
    text = f"---\ntitle: Letter {n}\n---\n\nThe letter number {n} says little.\n\nIt ends.\n"
    return f"letter-{n}.md", text.encode()


@pytest.fixture
def db(databases: DatabaseFactory, backend: str) -> DbHandle:
    return databases.migrated(backend)


def _enqueue(db: DbHandle, n: int, *, dry_run: bool = False) -> str:
    """Queue the upload of ``letter-<n>.md`` as POST /v1/imports does, and its job's id."""
    name, content = _markdown(n)
    job = ImportJob(
        id=uuid.uuid4().hex,
        key_name="tester",
        filename=name,
        format="markdown",
        status=queue.QUEUED,
        bytes_total=len(content),
        options=queue.options_of(Options(format="markdown", dry_run=dry_run)),
    )
    queue.enqueue(db.engine, job, name, content)
    return job.id


def _dead_worker(db: DbHandle) -> str:
    """The name of a worker that is gone: on SQLite a process of this machine that has
    ended; on PostgreSQL any name (its old heartbeat is what says it is gone)."""
    if db.backend == "sqlite":
        return f"{socket.gethostname()}:{_ended_pid()}:deadbeef"
    return "elsewhere:4242:deadbeef"


def _ended_pid() -> int:
    """The pid of a process that has ended and been waited for."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    try:
        os.kill(child.pid, 0)
    except ProcessLookupError:
        return child.pid
    pytest.fail(f"pid {child.pid} still answers after its process ended")


def _force_running(db: DbHandle, job_id: str, worker: str, *, attempts: int) -> str:
    """Make the job look claimed by ``worker`` ``attempts`` times, last heard of an hour
    ago; returns the lease it holds."""
    lease = uuid.uuid4().hex
    with session_scope(db.engine) as session:
        session.execute(
            update(ImportJob)
            .where(col(ImportJob.id) == job_id)
            .values(
                status=queue.RUNNING,
                worker=worker,
                lease=lease,
                attempts=attempts,
                heartbeat_at=HOUR_AGO,
                started_at=HOUR_AGO,
            )
        )
    return lease


def _job(db: DbHandle, job_id: str) -> ImportJob:
    with Session(db.engine) as session:
        job = session.get(ImportJob, job_id)
        assert job is not None
        return job


def _upload_kept(db: DbHandle, job_id: str) -> bool:
    with Session(db.engine) as session:
        return session.get(ImportUpload, job_id) is not None


def _rows(db: DbHandle, document_id: str) -> tuple[int, int]:
    """Documents with ``document_id`` (0 or 1), and their passages."""
    with Session(db.engine) as session:
        documents = session.execute(
            select(func.count()).where(col(Document.id) == document_id)
        ).scalar_one()
        passages = session.execute(
            select(func.count()).where(col(Passage.document_id) == document_id)
        ).scalar_one()
    return documents, passages


def _wait_for(what: str, check: Callable[[], object], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    seen = check()
    while not seen:
        assert time.monotonic() < deadline, f"waited {seconds:g} s for {what}; saw {seen!r}"
        time.sleep(0.02)
        seen = check()


def _statuses(db: DbHandle, ids: list[str]) -> dict[str, str]:
    with Session(db.engine) as session:
        rows = session.execute(
            select(col(ImportJob.id), col(ImportJob.status)).where(col(ImportJob.id).in_(ids))
        ).all()
    return {row[0]: row[1] for row in rows}


@pytest.fixture
def workers(db: DbHandle) -> Iterator[list[JobWorker]]:
    started: list[JobWorker] = []
    yield started
    for worker in started:
        worker.stop()


def test_a_job_whose_worker_died_is_taken_over_and_imported_once(
    db: DbHandle, workers: list[JobWorker]
) -> None:
    job_id = _enqueue(db, 1)
    dead = _dead_worker(db)
    _force_running(db, job_id, dead, attempts=1)

    worker = JobWorker(db.engine, FAST)
    workers.append(worker.start())
    _wait_for("the job to be done", lambda: _job(db, job_id).status == queue.DONE or None)

    job = _job(db, job_id)
    assert job.worker == worker.name and job.attempts == 2, (job.worker, job.attempts)
    assert job.report is not None and job.report["new"] == 1, job.report
    assert job.finished_at is not None and job.started_at is not None
    assert not _upload_kept(db, job_id), "the upload outlived its job"
    documents, passages = _rows(db, "letter-1")
    assert documents == 1 and passages == 2, (documents, passages)


def test_a_job_whose_worker_died_too_often_fails_with_why(db: DbHandle) -> None:
    job_id = _enqueue(db, 2)
    _force_running(db, job_id, _dead_worker(db), attempts=FAST.max_attempts)

    reaped = queue.reap(db.engine, FAST)

    assert reaped.failed == [job_id] and reaped.requeued == [], reaped
    job = _job(db, job_id)
    assert job.status == queue.FAILED, job.status
    assert job.report is not None
    message = job.report["failures"][0]["message"]
    assert message == "the worker running this import stopped 3 times", message
    assert not _upload_kept(db, job_id)
    assert queue.claim(db.engine, queue.worker_name()) is None  # nothing left to run


def test_the_jobs_of_live_workers_are_left_alone(db: DbHandle) -> None:
    """PostgreSQL: a fresh heartbeat; SQLite: a live process (ours, holding the lease, or
    our parent). A job of this very pid whose lease nobody here holds was an earlier
    process's (a restarted container keeps its pids): that one is stale."""
    ours = queue.claim(db.engine, queue.worker_name(), job_id=_enqueue(db, 3))
    assert ours is not None
    others = _enqueue(db, 4)
    if db.backend == "sqlite":
        _force_running(db, others, f"{socket.gethostname()}:{os.getppid()}:a1b2c3d4", attempts=1)
        earlier = _enqueue(db, 5)
        _force_running(db, earlier, f"{socket.gethostname()}:{os.getpid()}:e5f6", attempts=1)
        expected = [earlier]
    else:
        live = queue.claim(db.engine, "elsewhere:1:cafe", job_id=others)
        assert live is not None and queue.heartbeat(db.engine, live)
        expected = []
    try:
        reaped = queue.reap(db.engine, FAST)
        assert reaped.requeued == expected and reaped.failed == [], reaped
        assert _job(db, ours.job_id).status == queue.RUNNING
        assert _job(db, others).status == queue.RUNNING
    finally:
        queue.release(ours)


def test_a_lost_lease_rolls_the_import_back(db: DbHandle) -> None:
    job_id = _enqueue(db, 6)
    first = queue.claim(db.engine, queue.worker_name(), job_id=job_id)
    assert first is not None
    # the first worker was taken for dead: its job queued again and claimed by another
    with session_scope(db.engine) as session:
        session.execute(
            update(ImportJob)
            .where(col(ImportJob.id) == job_id)
            .values(status=queue.QUEUED, lease=None, worker=None)
        )
    second = queue.claim(db.engine, queue.worker_name(), job_id=job_id)
    assert second is not None and second.attempts == 2

    runner.run(db.engine, first, FAST)  # the first worker comes back and finishes

    assert _rows(db, "letter-6") == (0, 0), "the import of a lost lease was kept"
    job = _job(db, job_id)
    assert (job.status, job.lease) == (queue.RUNNING, second.lease), (job.status, job.lease)
    assert _upload_kept(db, job_id), "the lost lease dropped the upload"
    assert not queue.heartbeat(db.engine, first)

    runner.run(db.engine, second, FAST)  # the job's owner imports it, once
    job = _job(db, job_id)
    assert job.status == queue.DONE and job.report is not None and job.report["new"] == 1
    assert _rows(db, "letter-6") == (1, 2)


def test_the_heartbeat_says_alive_until_the_job_is_no_longer_ours(db: DbHandle) -> None:
    claim = queue.claim(db.engine, queue.worker_name(), job_id=_enqueue(db, 8))
    assert claim is not None
    _force_running(db, claim.job_id, claim.worker, attempts=1)  # heard of an hour ago
    with session_scope(db.engine) as session:  # keep the claim's own lease
        session.execute(
            update(ImportJob).where(col(ImportJob.id) == claim.job_id).values(lease=claim.lease)
        )
    beat = runner.Heartbeat(db.engine, claim, every=0.05).start()
    try:

        def fresh() -> dt.datetime | None:
            moment = _job(db, claim.job_id).heartbeat_at
            assert moment is not None
            moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
            return moment if moment > HOUR_AGO + dt.timedelta(minutes=30) else None

        _wait_for("a fresh heartbeat", fresh)
        assert queue.reap(db.engine, FAST).requeued == []  # alive (SQLite: by its pid)
        with session_scope(db.engine) as session:  # taken for dead and queued again
            session.execute(
                update(ImportJob)
                .where(col(ImportJob.id) == claim.job_id)
                .values(status=queue.QUEUED, lease=None)
            )
        _wait_for("the heartbeat to see the job is gone", lambda: beat.lost or None)
    finally:
        beat.stop()
        queue.release(claim)


def test_a_dry_run_writes_nothing_and_ends_the_job(db: DbHandle) -> None:
    job_id = _enqueue(db, 7, dry_run=True)
    claim = queue.claim(db.engine, queue.worker_name())
    assert claim is not None and claim.job_id == job_id
    runner.run(db.engine, claim, FAST)
    job = _job(db, job_id)
    assert job.status == queue.DONE and job.report is not None, job.status
    assert job.report["dry_run"] and job.report["new"] == 1, job.report
    with Session(db.engine) as session:
        assert session.execute(select(func.count()).select_from(Document)).scalar_one() == 0
    assert not _upload_kept(db, job_id)


def test_claims_at_once_take_each_job_once(db: DbHandle) -> None:
    ids = {_enqueue(db, n) for n in range(10, 16)}
    gate = threading.Barrier(12)
    claims: list[Claim | None] = []
    errors: list[BaseException] = []

    def take() -> None:
        gate.wait()
        try:
            claims.append(queue.claim(db.engine, queue.worker_name()))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and len(claims) == 12, (errors, len(claims))
    taken = [c.job_id for c in claims if c is not None]
    assert sorted(taken) == sorted(ids), taken
    for claim in claims:
        if claim is not None:
            queue.release(claim)


def test_two_workers_run_every_job_once(db: DbHandle, workers: list[JobWorker]) -> None:
    numbers = list(range(20, 26))
    ids = [_enqueue(db, n) for n in numbers]
    pair = [JobWorker(db.engine, FAST), JobWorker(db.engine, FAST)]
    for worker in pair:
        workers.append(worker.start())

    def all_done() -> dict[str, str] | None:
        seen = _statuses(db, ids)
        return None if set(seen.values()) != {queue.DONE} else seen

    _wait_for("six jobs done by two workers", all_done, seconds=25)
    names = {worker.name for worker in pair}
    for job_id in ids:
        job = _job(db, job_id)
        assert job.attempts == 1 and job.worker in names, (job.attempts, job.worker, names)
        assert job.report is not None and job.report["new"] == 1, job.report
    for n in numbers:
        assert _rows(db, f"letter-{n}") == (1, 2), n


def test_a_large_upload_runs_without_a_lifespan_worker(
    fresh_db: DbHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app whose lifespan never ran (no worker): the accepting process runs the job in
    a thread of its own, claimed by id."""
    monkeypatch.setattr(uploads, "INLINE_MAX_BYTES", 10)
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="importer", scope="curate")
    client = TestClient(create_app(fresh_db.app_settings(), engine=fresh_db.engine))
    name, content = _markdown(30)
    response = client.post(
        "/v1/imports",
        headers={"Authorization": f"Bearer {key}"},
        files={"file": (name, content, "text/markdown")},
    )
    assert response.status_code == 202, response.text
    url = response.headers["location"]

    def finished() -> dict[str, object] | None:
        job: dict[str, object] = client.get(url, headers={"Authorization": f"Bearer {key}"}).json()
        return job if job["status"] in ("done", "failed") else None

    _wait_for("the job to end", finished)
    job = finished()
    assert job is not None and job["status"] == "done", job
    assert job["attempts"] == 1 and str(job["worker"]).startswith(socket.gethostname()), job
