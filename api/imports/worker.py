"""A worker process's import worker: reaps stopped jobs, claims queued ones, runs them.

Every worker process of every replica runs one (``api.app``'s lifespan starts and stops
it). It looks every ``poll_seconds`` — at once when this process has just queued an upload
(``wake``) — first for running jobs whose worker stopped (``queue.reap``), then claims and
runs queued jobs one at a time until none is left. Jobs run one at a time per process since
imports write one at a time anyway (``api.db.engine.begin_write``).
"""

import logging
import threading

from sqlalchemy import Engine

from api.imports import queue, runner
from api.imports.queue import Timing
from api.settings import Settings

log = logging.getLogger("quellen.imports")


class JobWorker:
    def __init__(self, engine: Engine, timing: Timing, *, name: str | None = None) -> None:
        self.engine = engine
        self.timing = timing
        self.name = name or queue.worker_name()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings) -> "JobWorker":
        return cls(engine, Timing.from_settings(settings))

    @property
    def running(self) -> bool:
        """Whether the worker's thread is there to run what ``wake`` announces."""
        thread = self._thread
        return thread is not None and thread.is_alive() and not self._stop.is_set()

    def start(self) -> "JobWorker":
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, daemon=True, name=f"import-worker-{self.name}"
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop looking for jobs. A job still running gets ``timeout`` seconds to end; one
        that outlives the process is taken over by another worker (see ``queue.reap``)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Look for work now: this process has just queued a job."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before looking: a wake while it looks means look again
            self.work()
            self._wake.wait(self.timing.poll_seconds)

    def work(self) -> int:
        """One round: reap, then claim and run queued jobs until none is left or the
        worker stops; returns how many ran. Database errors wait for the next round."""
        try:
            reaped = queue.reap(self.engine, self.timing)
        except Exception:
            log.warning(
                "import worker %s: could not look for stopped jobs", self.name, exc_info=True
            )
        else:
            for job_id in reaped.requeued:
                log.warning("import job %s: its worker stopped; queued again", job_id)
            for job_id in reaped.failed:
                log.error("import job %s: its worker stopped too often; failed", job_id)
        ran = 0
        while not self._stop.is_set():
            try:
                claim = queue.claim(self.engine, self.name)
            except Exception:
                log.warning("import worker %s: could not claim a job", self.name, exc_info=True)
                break
            if claim is None:
                break
            runner.run(self.engine, claim, self.timing)
            ran += 1
        return ran
