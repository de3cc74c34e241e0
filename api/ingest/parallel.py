"""Reading the files of an import in forked processes while this process writes them.

Reading, validating and turning a file into rows costs more than writing them (0.3 s of
CPU against 0.25 s, for the DFAT volume), so with more than one CPU an import hands its
files, in chunks, to reading processes and writes what they send back, in order
(``read_all``). Everything about one source — which reader, which collection — is
decided by ``read_units`` (api/ingest/sources.py), here or in a process alike, so both
write the same rows.
"""

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from api.errors import IngestError
from api.ingest.sources import FolderCollections, Options, Source, Unit, read_units

# Files are handed to reading processes in chunks of this many files or bytes, whichever
# comes first: large enough that a chunk costs far more than sending it, small enough that
# the writer has work soon and the processes share a folder of large files evenly.
CHUNK_FILES = 16
CHUNK_BYTES = 1024 * 1024
_POOLED = ("markdown", "tei", "text")  # one file, one unit: worth a process of its own


def read_all(
    sources: Sequence[Source], options: Options, folders: FolderCollections
) -> Generator[Unit | IngestError, None, None]:
    """Every unit of ``sources``, in their order, read here or by ``options.readers`` processes.

    The files are read in forked processes while this one writes what they return, through
    a window of chunks (memory stays bounded however many files there are). The first
    chunk is read here, while the processes start. Whenever this process would wait for a
    chunk, it reads one itself instead (the last of the window that no process has begun),
    as long as the processes have enough left to do meanwhile; near the end it waits, so
    that it is not left writing what it read after the processes are done. Registries and
    bundles are read here, in their turn: a bundle streams its lines. A small import is
    read here too, where starting processes would cost more than it saves.
    """
    pooled = sum(1 for s in sources if s.format in _POOLED)
    if (
        options.readers < 1
        or pooled < 2 * CHUNK_FILES
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        for source in sources:
            yield from read_units(source, options, folders)
        return
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        max_workers=options.readers,
        mp_context=context,
        initializer=_start_reader,
        initargs=(os.getpid(),),
    )
    try:
        # a process holds one chunk and the pool queues one more: the rest can be taken back.
        # Room for four per process, so that a writer busy with a slow batch (the first one
        # compiles its statements) or with a chunk it took back does not leave them idle.
        room = 4 * (options.readers + 1)
        window: deque[Pending] = deque()
        for task in _tasks(sources):
            if isinstance(task, Source):
                window.append(Pending(source=task))
            elif not window:
                window.append(Pending(chunk=task))  # read here when its turn comes
            else:
                window.append(Pending(chunk=task, future=pool.submit(_read_chunk, task, options)))
            while len(window) > room:
                yield from next_units(window, options, folders)
        while window:
            yield from next_units(window, options, folders)
    except BrokenProcessPool as exc:
        raise RuntimeError(f"a reading process stopped unexpectedly: {exc}") from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Pending:
    """A source or chunk to read here, or a chunk given to the reading processes.

    A chunk given to the processes may be taken back and read here while none has begun it.
    """

    source: Source | None = None
    chunk: list[Source] | None = None
    future: Future[list[Unit | IngestError]] | None = None
    units: list[Unit | IngestError] | None = None  # read here instead

    @property
    def waiting(self) -> bool:
        """Given to the processes, and none has begun it (the pool can still cancel it)."""
        return (
            self.future is not None
            and self.units is None
            and not self.future.running()
            and not self.future.done()
        )

    def take_back(self) -> bool:
        """Cancel the processes' reading of this chunk; False if one has begun it."""
        return self.future is not None and self.future.cancel()


def next_units(
    window: deque[Pending], options: Options, folders: FolderCollections
) -> Iterable[Unit | IngestError]:
    """The units of the window's first entry, reading later chunks while they are not ready.

    A chunk is taken back only while at least one more waits for the processes: then they
    have work while this one reads, and near the end of the sources, when no more wait,
    this one waits for them rather than read what it would then write on its own.
    """
    head = window.popleft()
    if head.source is not None:
        return read_units(head.source, options, folders)
    if head.units is not None:
        return head.units
    if head.future is None:
        assert head.chunk is not None
        return _read_chunk(head.chunk, options, folders)
    while not head.future.done():
        waiting = [later for later in window if later.waiting]
        if len(waiting) < 2 or not waiting[-1].take_back():
            break  # wait
        taken = waiting[-1]
        assert taken.chunk is not None
        taken.units = _read_chunk(taken.chunk, options, folders)
    return head.future.result()


def _tasks(sources: Sequence[Source]) -> Iterator[Source | list[Source]]:
    """Consecutive files in chunks for the reading processes; any other source on its own."""
    chunk: list[Source] = []
    size = 0
    for source in sources:
        if source.format not in _POOLED:
            if chunk:
                yield chunk
                chunk, size = [], 0
            yield source
            continue
        chunk.append(source)
        size += source.size
        if len(chunk) >= CHUNK_FILES or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


# A reading process's folder collections: it is forked for one import and serves only it.
_process_folders: FolderCollections = {}


def _start_reader(importer: int) -> None:
    _process_folders.clear()
    _end_with(importer)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_with(importer: int) -> None:
    """Have the kernel end this reading process when the importer ends, even by kill -9:
    otherwise it would wait for chunks that never come, holding its memory."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != importer:  # it ended between the fork and the line above
        os._exit(1)


def _read_chunk(
    sources: list[Source], options: Options, folders: FolderCollections | None = None
) -> list[Unit | IngestError]:
    """Read one chunk: in a reading process, or here with the import's ``folders``."""
    known = _process_folders if folders is None else folders
    return [item for source in sources for item in read_units(source, options, known)]
