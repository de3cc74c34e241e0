"""Uploads: a file posted to /v1/imports runs through the same importer as ``quellen import``.

Small files are imported while the client waits. Larger ones become a job that a
background thread runs; the job's row in the database carries status and progress, so any
worker process can answer ``GET /v1/imports/{id}``.
"""

import datetime as dt
import logging
import re
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Engine, literal, select, tuple_, update
from sqlmodel import Session, col

from api.db.keys import Principal
from api.db.models import ImportJob
from api.db.models.base import utcnow
from api.errors import IngestError, NotFound, ProblemError
from api.imports.schemas import ImportFailure, ImportJobPublic, ImportReport
from api.ingest import importer
from api.ingest.sources import Options, Source, discover

log = logging.getLogger("quellen.imports")
INLINE_MAX_BYTES = 256 * 1024  # below this the client waits for the report
PROGRESS_EVERY_SECONDS = 0.5
# Progress of jobs running in this process. SQLite has one writer at a time and the import
# holds it, so there progress lives here; on PostgreSQL it is also written to the job row,
# where any worker can read it.
_LIVE: dict[str, tuple[int, int]] = {}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def public(job: ImportJob, base: str) -> ImportJobPublic:
    documents, size = _LIVE.get(job.id, (job.documents_done, job.bytes_done))
    return ImportJobPublic(
        id=job.id,
        status=job.status,
        filename=job.filename,
        format=job.format,
        key_name=job.key_name,
        progress={"documents": documents, "bytes": size, "bytes_total": job.bytes_total},
        report=ImportReport(**job.report) if job.report else None,
        created_at=job.created_at,
        finished_at=job.finished_at,
        links={"self": f"{base}/v1/imports/{job.id}"},
    )


def _report(result: importer.Report, dry_run: bool) -> dict[str, Any]:
    counts = {outcome.value: number for outcome, number in result.counts.items()}
    return ImportReport(
        new=counts.get("new", 0),
        updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0),
        failed=result.failed,
        failures=[
            ImportFailure(
                path=Path(f.path).name if f.path else None, line=f.line, message=f.message
            )
            for f in result.failures
        ],
        warnings=[
            ImportFailure(
                path=Path(f.path).name if f.path else None, line=f.line, message=f.message
            )
            for f in result.warnings
        ],
        seconds=round(result.seconds, 3),
        dry_run=dry_run,
    ).model_dump()


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
) -> tuple[ImportJob, bool]:
    """Store the upload and import it; returns the job and whether it already finished."""
    folder = Path(tempfile.mkdtemp(prefix="quellen-upload-"))
    name = _SAFE_NAME.sub("_", Path(filename or "upload").name).strip("._") or "upload"
    path = folder / name
    with path.open("wb") as target:
        shutil.copyfileobj(stream, target)
    size = path.stat().st_size
    if size == 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise ProblemError(422, "The uploaded file is empty.")
    sources, problems = discover([path], fmt)
    if problems or not sources:
        shutil.rmtree(folder, ignore_errors=True)
        message = problems[0].message if problems else "no importable content"
        raise ProblemError(422, f"{name}: {message}")
    job = ImportJob(
        id=uuid.uuid4().hex,
        key_name=principal.name,
        filename=name,
        format=sources[0].format,
        status="queued",
        bytes_total=size,
    )
    with Session(engine) as session:
        session.add(job)
        session.commit()
        session.refresh(job)
    options = Options(
        format=fmt, collection=collection, strict=strict, dry_run=dry_run, max_bytes=max_bytes
    )
    if size <= INLINE_MAX_BYTES:
        _run(engine, job.id, sources, options, folder)
        with Session(engine) as session:
            finished = session.get(ImportJob, job.id)
            assert finished is not None
            return finished, True
    worker = threading.Thread(
        target=_run,
        args=(engine, job.id, sources, options, folder),
        daemon=True,
        name=f"import-{job.id[:8]}",
    )
    worker.start()
    return job, False


def _run(
    engine: Engine,
    job_id: str,
    sources: list[Source],
    options: Options,
    folder: Path,
) -> None:
    done = {"documents": 0, "bytes": 0}
    last = [0.0]

    shared_progress = engine.dialect.name != "sqlite"

    def progress(documents: int, size: int) -> None:
        done["documents"] += documents
        done["bytes"] += size
        _LIVE[job_id] = (done["documents"], done["bytes"])
        now = time.monotonic()
        if shared_progress and now - last[0] >= PROGRESS_EVERY_SECONDS:
            last[0] = now
            _update(engine, job_id, documents_done=done["documents"], bytes_done=done["bytes"])

    _update(engine, job_id, status="running")
    try:
        result = importer.import_sources(engine, sources, options, progress)
        _update(
            engine,
            job_id,
            status="done",
            documents_done=result.documents,
            bytes_done=result.bytes,
            report=_report(result, options.dry_run),
            finished_at=utcnow(),
        )
    except (IngestError, OSError, ValueError) as exc:
        _fail(engine, job_id, str(exc))
    except Exception as exc:  # the job must end in a state a client can see
        log.exception("import job %s failed", job_id)
        _fail(engine, job_id, f"the import stopped: {type(exc).__name__}")
    finally:
        _LIVE.pop(job_id, None)
        shutil.rmtree(folder, ignore_errors=True)


def _fail(engine: Engine, job_id: str, message: str) -> None:
    report = {
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
        "failures": [{"path": None, "line": None, "message": message}],
        "seconds": 0.0,
        "dry_run": False,
    }
    _update(engine, job_id, status="failed", report=report, finished_at=utcnow())


def _update(engine: Engine, job_id: str, **values: Any) -> None:
    with Session(engine) as session:
        session.execute(update(ImportJob).where(col(ImportJob.id) == job_id).values(**values))
        session.commit()


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
