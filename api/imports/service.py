"""Uploads: a file posted to /v1/imports runs through the same importer as ``quellen import``.

The upload is queued in the database with its job (``api.imports.queue``), so any worker
process of any replica can run it, and a job whose worker died is taken over. Small files
are imported while the client waits, by the accepting process itself; larger ones answer
at once, and the job's row carries status and progress, readable from any worker.
"""

import datetime as dt
import logging
import re
import shutil
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Engine, literal, select, tuple_
from sqlmodel import Session, col

from api.db.keys import Principal
from api.db.models import ImportJob
from api.errors import NotFound, ProblemError
from api.imports import queue, runner
from api.imports.queue import Timing
from api.imports.schemas import ImportJobPublic, ImportReport
from api.imports.worker import JobWorker
from api.ingest.sources import Options, discover

log = logging.getLogger("quellen.imports")
INLINE_MAX_BYTES = 256 * 1024  # below this the client waits for the report
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def public(job: ImportJob, base: str) -> ImportJobPublic:
    documents, size = runner.LIVE.get(job.id, (job.documents_done, job.bytes_done))
    return ImportJobPublic(
        id=job.id,
        status=job.status,
        filename=job.filename,
        format=job.format,
        key_name=job.key_name,
        progress={"documents": documents, "bytes": size, "bytes_total": job.bytes_total},
        report=ImportReport(**job.report) if job.report else None,
        worker=job.worker,
        attempts=job.attempts,
        created_at=job.created_at,
        finished_at=job.finished_at,
        links={"self": f"{base}/v1/imports/{job.id}"},
    )


def start(
    engine: Engine,
    principal: Principal,
    *,
    filename: str,
    stream: BinaryIO,
    fmt: str | None,
    collection: str | None,
    strict: bool,
    dry_run: bool,
    max_bytes: int,
    timing: Timing,
    worker: JobWorker | None = None,
) -> tuple[ImportJob, bool]:
    """Queue the upload and start it; returns the job and whether it already finished.

    A small upload is stored already claimed by this process (``worker``'s name, or a name
    of its own) and imported here while the client waits. A larger one is queued, and this
    process's running ``worker`` woken to take it at once. Without a running worker (an
    application built without its lifespan, as tests do) a thread of its own claims that
    very job by id and runs it, as uploads ran before they were queued; should another
    worker have claimed it first, the thread has nothing to do.
    """
    name, content, detected = _accept(filename, stream, fmt)
    options = Options(
        format=fmt, collection=collection, strict=strict, dry_run=dry_run, max_bytes=max_bytes
    )
    job = ImportJob(
        id=uuid.uuid4().hex,
        key_name=principal.name,
        filename=name,
        format=detected,
        status=queue.QUEUED,
        bytes_total=len(content),
        options=queue.options_of(options),
    )
    if len(content) <= INLINE_MAX_BYTES:
        own = worker.name if worker is not None else queue.worker_name()
        claim = queue.enqueue(engine, job, name, content, worker=own)
        assert claim is not None
        del content
        runner.run(engine, claim, timing)
        with Session(engine) as session:
            finished = session.get(ImportJob, job.id)
            assert finished is not None
            return finished, finished.status in (queue.DONE, queue.FAILED)
    queue.enqueue(engine, job, name, content)
    if worker is not None and worker.running:
        worker.wake()
    else:
        threading.Thread(
            target=_claim_and_run,
            args=(engine, job.id, timing),
            daemon=True,
            name=f"import-{job.id[:8]}",
        ).start()
    return job, False


def _accept(filename: str, stream: BinaryIO, fmt: str | None) -> tuple[str, bytes, str]:
    """The upload's safe name, its bytes and its format; 422 when it cannot be imported."""
    folder = Path(tempfile.mkdtemp(prefix="quellen-upload-"))
    try:
        name = _SAFE_NAME.sub("_", Path(filename or "upload").name).strip("._") or "upload"
        path = folder / name
        with path.open("wb") as target:
            shutil.copyfileobj(stream, target)
        if path.stat().st_size == 0:
            raise ProblemError(422, "The uploaded file is empty.")
        sources, problems = discover([path], fmt)
        if problems or not sources:
            message = problems[0].message if problems else "no importable content"
            raise ProblemError(422, f"{name}: {message}")
        return name, path.read_bytes(), sources[0].format
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _claim_and_run(engine: Engine, job_id: str, timing: Timing) -> None:
    try:
        claim = queue.claim(engine, queue.worker_name(), job_id=job_id)
    except Exception:  # the job stays queued: a worker's next round takes it
        log.warning("import job %s: could not claim it", job_id, exc_info=True)
        return
    if claim is not None:
        runner.run(engine, claim, timing)


def get(session: Session, job_id: str) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound("import", job_id)
    return job


def recent(session: Session, *, after: list[Any] | None, limit: int) -> list[ImportJob]:
    """Newest first; ``after`` is the (created_at, id) of the last job already served."""
    query = select(ImportJob)
    if after is not None:
        try:
            moment = dt.datetime.fromisoformat(after[0])
        except ValueError:
            raise ProblemError(400, "The cursor is not valid for this list.") from None
        query = query.where(
            tuple_(col(ImportJob.created_at), col(ImportJob.id))
            < tuple_(literal(moment), literal(after[1]))
        )
    order = (col(ImportJob.created_at).desc(), col(ImportJob.id).desc())
    return list(session.execute(query.order_by(*order).limit(limit + 1)).scalars())
