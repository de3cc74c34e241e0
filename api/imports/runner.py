"""Running one claimed import job, from its stored upload to its end (done or failed).

The import and the job's "done" commit as one transaction: the runner hands
``import_sources`` a finish hook that marks the job done only while this claim's lease
still holds it (``queue.finish``). A worker that was taken for dead and whose job another
worker took over therefore writes nothing, and no job is imported twice. A dry run and a
strict stop roll the import back; the job is then marked done on a transaction of its own,
on the same condition.
"""

import logging
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from api.db.models import ImportJob
from api.errors import IngestError
from api.imports import queue
from api.imports.queue import DONE, FAILED, Claim, Timing
from api.imports.schemas import ImportFailure, ImportReport
from api.ingest import importer
from api.ingest.sources import discover

log = logging.getLogger("quellen.imports")
PROGRESS_EVERY_SECONDS = 0.5
# Progress of jobs running in this process. SQLite has one writer at a time and the import
# holds it, so there progress lives here; on PostgreSQL it is also written to the job row,
# where any worker can read it.
LIVE: dict[str, tuple[int, int]] = {}


class LeaseLost(Exception):
    """Another worker took the job over: this run stops and writes nothing."""


def report_of(result: importer.Report, dry_run: bool) -> dict[str, Any]:
    """The importer's report as the API shows it (file names without their folder)."""
    counts = {outcome.value: number for outcome, number in result.counts.items()}

    def failures(errors: list[IngestError]) -> list[ImportFailure]:
        return [
            ImportFailure(
                path=Path(f.path).name if f.path else None, line=f.line, message=f.message
            )
            for f in errors
        ]

    return ImportReport(
        new=counts.get("new", 0),
        updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0),
        failed=result.failed,
        failures=failures(result.failures),
        warnings=failures(result.warnings),
        seconds=round(result.seconds, 3),
        dry_run=dry_run,
    ).model_dump()


class Heartbeat:
    """PostgreSQL: says every ``every`` seconds, on a short transaction of its own, that the
    worker running ``claim`` is alive; stops for good once the job is no longer ours."""

    def __init__(self, engine: Engine, claim: Claim, every: float) -> None:
        self.engine, self.claim, self.every = engine, claim, every
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, daemon=True, name=f"import-heartbeat-{claim.job_id[:8]}"
        )

    def start(self) -> "Heartbeat":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.every + 5)

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                if not queue.heartbeat(self.engine, self.claim):
                    self.lost = True
                    log.warning("import job %s: another worker took it over", self.claim.job_id)
                    return
            except Exception:  # the database is away: try again; long enough, the job goes
                log.warning("import job %s: heartbeat failed", self.claim.job_id, exc_info=True)


def run(engine: Engine, claim: Claim, timing: Timing) -> None:
    """Import the claimed job's upload and end the job; never raises (it runs in threads
    whose only reader is the job row). The upload's row goes when the job ends."""
    folder = Path(tempfile.mkdtemp(prefix="quellen-job-"))
    postgres = engine.dialect.name == "postgresql"
    beat = Heartbeat(engine, claim, timing.heartbeat_seconds) if postgres else None
    try:
        if beat is not None:
            beat.start()
        _import(engine, claim, folder, beat)
    except LeaseLost:
        log.warning("import job %s: another worker took it over; rolled back", claim.job_id)
    except (IngestError, OSError, ValueError) as exc:
        _fail(engine, claim, str(exc))
    except Exception as exc:  # the job must end in a state a client can see
        log.exception("import job %s failed", claim.job_id)
        _fail(engine, claim, f"the import stopped: {type(exc).__name__}")
    finally:
        if beat is not None:
            beat.stop()
        LIVE.pop(claim.job_id, None)
        shutil.rmtree(folder, ignore_errors=True)
        queue.release(claim)


def _import(engine: Engine, claim: Claim, folder: Path, beat: Heartbeat | None) -> None:
    with Session(engine) as session:
        job = session.get(ImportJob, claim.job_id)
        stored = job.options if job is not None else None
    options = queue.options_from(stored)
    upload = queue.upload(engine, claim.job_id)
    if upload is None:
        raise ValueError("the uploaded file is no longer stored")
    path = folder / upload.name
    path.write_bytes(upload.content)
    del upload
    sources, problems = discover([path], options.format)
    if problems or not sources:
        raise ValueError(problems[0].message if problems else "no importable content")

    done = {"documents": 0, "bytes": 0}
    last = [0.0]

    def progress(documents: int, size: int) -> None:
        if beat is not None and beat.lost:
            raise LeaseLost(claim.job_id)  # stop early: the commit would be refused anyway
        done["documents"] += documents
        done["bytes"] += size
        LIVE[claim.job_id] = (done["documents"], done["bytes"])
        now = time.monotonic()
        if beat is not None and now - last[0] >= PROGRESS_EVERY_SECONDS:
            last[0] = now
            queue.progress(engine, claim, done["documents"], done["bytes"])

    def finish(session: Session, result: importer.Report) -> bool:
        return queue.finish(
            session,
            claim,
            status=DONE,
            report=report_of(result, dry_run=False),
            documents=result.documents,
            size=result.bytes,
        )

    result = importer.import_sources(engine, sources, options, progress, finish=finish)
    if result.refused:
        raise LeaseLost(claim.job_id)
    if result.stopped or options.dry_run:  # rolled back: the job ends on its own
        ended = queue.end(
            engine,
            claim,
            status=DONE,
            report=report_of(result, options.dry_run),
            documents=result.documents,
            size=result.bytes,
        )
        if not ended:
            raise LeaseLost(claim.job_id)


def _fail(engine: Engine, claim: Claim, message: str) -> None:
    try:
        if not queue.end(engine, claim, status=FAILED, report=queue.failure_report(message)):
            log.warning("import job %s: another worker took it over", claim.job_id)
    except Exception:  # the database is away: the job goes stale and is taken over
        log.exception("import job %s: could not record its failure", claim.job_id)
