"""Import jobs as a queue in the database: enqueue, claim, heartbeat, end, reap.

Any worker process of any replica may run any job: the upload waits in ``import_upload``
with its job's row, a worker claims the oldest queued job (and with it a fresh ``lease``),
and every change a worker makes to a job it runs is conditional on that lease. A worker
that died leaves its job "running"; ``reap`` finds such jobs and queues them again, or
fails them once they have been started ``max_attempts`` times, so a file that crashes its
worker does not crash every worker in turn.

Who is alive is told differently by the two databases:

- PostgreSQL: the worker running a job writes ``heartbeat_at`` every few seconds on a
  short transaction of its own (``heartbeat``); a job whose heartbeat is older than
  ``stale_seconds`` (by the database's clock, so replicas' clocks need not agree) is stale.
- SQLite: an import holds the database's one write lock for its whole transaction, so no
  other connection could write a heartbeat while it runs; a heartbeat would go stale
  under every long import. But SQLite is one file on one machine, so a worker's name
  (``hostname:pid:random``) says which process runs a job, and the job is stale when that
  process is gone (``os.kill(pid, 0)`` raises ProcessLookupError) — or, for this process's
  own pid (a container restarted with the same pid), when no thread here holds its lease.

Claims: PostgreSQL locks the oldest queued row with ``FOR UPDATE SKIP LOCKED``, so
workers claiming at once each get another job; SQLite claims with one ``UPDATE ... WHERE
id = (SELECT ...)`` in a write transaction, atomic because SQLite has one writer.
"""

import datetime as dt
import os
import secrets
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Engine, delete, func, select, update
from sqlmodel import Session, col

from api.db.engine import write_session
from api.db.models import ImportJob, ImportUpload
from api.db.models.base import table_of, utcnow
from api.ingest.sources import Options
from api.settings import Settings

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True)
class Timing:
    """How the queue paces itself (``QUELLEN_IMPORT_*``; see api/settings.py)."""

    poll_seconds: float = 2.0
    heartbeat_seconds: float = 2.0
    stale_seconds: float = 30.0
    max_attempts: int = 3

    @classmethod
    def from_settings(cls, settings: Settings) -> "Timing":
        return cls(
            poll_seconds=settings.import_poll_seconds,
            heartbeat_seconds=settings.import_heartbeat_seconds,
            stale_seconds=settings.import_stale_seconds,
            max_attempts=settings.import_max_attempts,
        )


@dataclass(frozen=True)
class Claim:
    """A job a worker holds: every change it makes to the job names this lease."""

    job_id: str
    worker: str
    lease: str
    attempts: int


def worker_name() -> str:
    """``hostname:pid:random``: the machine and process (see ``_process_gone``), and which
    of its workers."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


# Leases that threads of this process hold: a job named with this process's pid whose
# lease is not here was claimed by an earlier process that had the same pid.
_HELD: set[str] = set()
_HELD_LOCK = threading.Lock()


def release(claim: Claim) -> None:
    """This process no longer runs the claimed job (it ended, or another worker has it)."""
    _forget(claim.lease)


@contextmanager
def _holding(lease: str) -> Iterator[None]:
    """Count ``lease`` as held here before the claim commits, so that a reaper of this
    process never sees the claimed job without it; forgotten again if the claim fails."""
    with _HELD_LOCK:
        _HELD.add(lease)
    try:
        yield
    except BaseException:
        _forget(lease)
        raise


def _forget(lease: str) -> None:
    with _HELD_LOCK:
        _HELD.discard(lease)


def options_of(options: Options) -> dict[str, Any]:
    """What a job stores of its options (the rest are the running process's own)."""
    values = asdict(options)
    return {
        name: values[name] for name in ("format", "collection", "strict", "dry_run", "max_bytes")
    }


def options_from(stored: dict[str, Any] | None) -> Options:
    return Options(**(stored or {}))


def _now(session: Session) -> Any:
    """Now, by the database's clock on PostgreSQL (every replica compares with it)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.now()
    return utcnow()


def _changed(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def _claimed(claim: Claim) -> ColumnElement[bool]:
    """The job's row, while ``claim`` still holds it."""
    return (
        (col(ImportJob.id) == claim.job_id)
        & (col(ImportJob.lease) == claim.lease)
        & (col(ImportJob.status) == RUNNING)
    )


def enqueue(
    engine: Engine,
    job: ImportJob,
    name: str,
    content: bytes,
    *,
    worker: str | None = None,
) -> Claim | None:
    """Store ``job`` (with ``job.options`` set) and its upload in one transaction.

    With ``worker`` the job is stored already claimed by it, and its claim returned: the
    accepting process runs a small upload itself while the client waits, and no other
    worker can take the job between the two steps.
    """
    claim = None
    lease = uuid.uuid4().hex
    held = _holding(lease) if worker else nullcontext()
    with held, write_session(engine, exclusive=False) as session:
        if worker is not None:
            now = utcnow()
            job.status, job.worker, job.lease, job.attempts = RUNNING, worker, lease, 1
            job.heartbeat_at = job.started_at = now
            claim = Claim(job.id, worker, lease, 1)
        else:
            job.status = QUEUED
        session.add(job)
        session.flush()  # the job before its upload: the upload's key refers to it
        session.add(ImportUpload(job_id=job.id, name=name, content=content))
        session.commit()
        session.refresh(job)
    return claim


def claim(engine: Engine, worker: str, *, job_id: str | None = None) -> Claim | None:
    """Take the oldest queued job (or the job ``job_id``, if it is still queued) for
    ``worker``: running, a new lease, one more attempt. None when there is none to take."""
    if engine.dialect.name == "sqlite" and not _any_queued(engine, job_id):
        return None  # a read needs no write lock: polling an idle queue costs no writer
    lease = uuid.uuid4().hex
    with _holding(lease), write_session(engine, exclusive=False) as session:
        if engine.dialect.name == "postgresql":
            found = _lock_queued(session, job_id)
            if found is None:
                session.rollback()
                _forget(lease)
                return None
            target: Any = found
        else:
            queued = table_of(ImportJob).alias("queued")
            pick = select(queued.c.id).where(queued.c.status == QUEUED)
            if job_id is not None:
                pick = pick.where(queued.c.id == job_id)
            target = pick.order_by(queued.c.created_at, queued.c.id).limit(1).scalar_subquery()
        now = _now(session)
        result = session.execute(
            update(ImportJob)
            .where(col(ImportJob.id) == target, col(ImportJob.status) == QUEUED)
            .values(
                status=RUNNING,
                worker=worker,
                lease=lease,
                attempts=col(ImportJob.attempts) + 1,
                heartbeat_at=now,
                started_at=now,
            )
        )
        if _changed(result) != 1:
            session.rollback()
            _forget(lease)
            return None
        row = session.execute(
            select(col(ImportJob.id), col(ImportJob.attempts)).where(col(ImportJob.lease) == lease)
        ).one()
        session.commit()
    return Claim(row[0], worker, lease, row[1])


def _any_queued(engine: Engine, job_id: str | None) -> bool:
    query = select(col(ImportJob.id)).where(col(ImportJob.status) == QUEUED)
    if job_id is not None:
        query = query.where(col(ImportJob.id) == job_id)
    with Session(engine) as session:
        return session.execute(query.limit(1)).first() is not None


def _lock_queued(session: Session, job_id: str | None) -> str | None:
    """PostgreSQL: lock the oldest queued job no other claim has locked."""
    query = select(col(ImportJob.id)).where(col(ImportJob.status) == QUEUED)
    if job_id is not None:
        query = query.where(col(ImportJob.id) == job_id)
    query = query.order_by(col(ImportJob.created_at), col(ImportJob.id)).limit(1)
    found: str | None = session.execute(query.with_for_update(skip_locked=True)).scalar()
    return found


def heartbeat(engine: Engine, claim: Claim) -> bool:
    """Say the job's worker is alive (PostgreSQL); False when the job is no longer ours."""
    with write_session(engine, exclusive=False) as session:
        result = session.execute(
            update(ImportJob).where(_claimed(claim)).values(heartbeat_at=_now(session))
        )
        session.commit()
    return _changed(result) == 1


def progress(engine: Engine, claim: Claim, documents: int, size: int) -> None:
    """Write how far the job has come, on a short transaction of its own (PostgreSQL)."""
    with Session(engine) as session:
        session.execute(
            update(ImportJob)
            .where(_claimed(claim))
            .values(documents_done=documents, bytes_done=size)
        )
        session.commit()


def finish(
    session: Session,
    claim: Claim,
    *,
    status: str,
    report: dict[str, Any],
    documents: int = 0,
    size: int = 0,
) -> bool:
    """End the job in ``session``'s transaction, if ``claim`` still holds it, and drop its
    upload; False (and nothing changed) when another worker has taken the job over."""
    values: dict[str, Any] = {"status": status, "report": report, "finished_at": utcnow()}
    if status == DONE:
        values |= {"documents_done": documents, "bytes_done": size}
    result = session.execute(update(ImportJob).where(_claimed(claim)).values(**values))
    if _changed(result) != 1:
        return False
    session.execute(delete(ImportUpload).where(col(ImportUpload.job_id) == claim.job_id))
    return True


def end(
    engine: Engine,
    claim: Claim,
    *,
    status: str,
    report: dict[str, Any],
    documents: int = 0,
    size: int = 0,
) -> bool:
    """``finish`` on a transaction of its own: a failure, a dry run, a strict stop."""
    with write_session(engine, exclusive=False) as session:
        ended = finish(session, claim, status=status, report=report, documents=documents, size=size)
        session.commit()
    return ended


def upload(engine: Engine, job_id: str) -> ImportUpload | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.get(ImportUpload, job_id)


def failure_report(message: str) -> dict[str, Any]:
    """The report of a job that ended without importing: one failure that says why."""
    return {
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
        "failures": [{"path": None, "line": None, "message": message}],
        "warnings": [],
        "seconds": 0.0,
        "dry_run": False,
    }


@dataclass
class Reaped:
    requeued: list[str]
    failed: list[str]


def reap(engine: Engine, timing: Timing) -> Reaped:
    """Queue again the running jobs whose worker stopped, or fail those started
    ``max_attempts`` times already. Reads first, without a lock, and writes only when a
    job is stale: on SQLite a write waits for any import that runs."""
    reaped = Reaped([], [])
    postgres = engine.dialect.name == "postgresql"
    with Session(engine) as session:
        now: dt.datetime = (
            session.execute(select(func.now())).scalar_one() if postgres else utcnow()
        )
        running = session.execute(
            select(ImportJob).where(col(ImportJob.status) == RUNNING)
        ).scalars()
        cutoff = now - dt.timedelta(seconds=timing.stale_seconds)
        stale = [job for job in running if _stale(job, cutoff, postgres)]
    for job in stale:
        if _reap_one(engine, job, cutoff, timing):
            (reaped.failed if job.attempts >= timing.max_attempts else reaped.requeued).append(
                job.id
            )
    return reaped


def _last_sign_of_life(job: ImportJob) -> dt.datetime:
    moment = job.heartbeat_at or job.started_at or job.created_at
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops it


def _stale(job: ImportJob, cutoff: dt.datetime, postgres: bool) -> bool:
    """Whether ``job``'s worker stopped (see the module's docstring for why it differs).

    A running job without a worker was started before jobs were queued, by a process
    whose upload no one else has: stale once it has been quiet for ``stale_seconds``.
    """
    if postgres or job.worker is None or job.lease is None:
        return _last_sign_of_life(job) < cutoff
    return _process_gone(job.worker, job.lease)


def _process_gone(worker: str, lease: str) -> bool:
    """SQLite: whether the process named in ``worker`` is gone (this machine only)."""
    host, _, rest = worker.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another machine's process: not ours to judge
    pid = int(pid_text)
    if pid == os.getpid():
        with _HELD_LOCK:
            return lease not in _HELD
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _reap_one(engine: Engine, job: ImportJob, cutoff: dt.datetime, timing: Timing) -> bool:
    """Requeue or fail ``job`` if it is still as the reaper saw it (same lease, and on
    PostgreSQL no heartbeat since), so a worker that came back keeps its job."""
    with write_session(engine, exclusive=False) as session:
        same = (
            (col(ImportJob.id) == job.id)
            & (col(ImportJob.status) == RUNNING)
            & col(ImportJob.lease).is_not_distinct_from(job.lease)
        )
        if engine.dialect.name == "postgresql":
            last = func.coalesce(
                col(ImportJob.heartbeat_at), col(ImportJob.started_at), col(ImportJob.created_at)
            )
            same = same & (last < cutoff)
        if job.attempts >= timing.max_attempts:
            message = f"the worker running this import stopped {job.attempts} times"
            values: dict[str, Any] = {
                "status": FAILED,
                "report": failure_report(message),
                "finished_at": utcnow(),
            }
        else:
            values = {"status": QUEUED, "worker": None, "lease": None, "heartbeat_at": None}
        changed = _changed(session.execute(update(ImportJob).where(same).values(**values)))
        if changed and values["status"] == FAILED:
            session.execute(delete(ImportUpload).where(col(ImportUpload.job_id) == job.id))
        session.commit()
    return changed == 1
