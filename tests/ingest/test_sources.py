"""Reading sources: a chunk a reading process has not begun is read by the writer instead."""

import threading
from collections import deque
from concurrent.futures import Future
from pathlib import Path

from api.ingest.sources import Options, _next, _Pending, discover
from tests.ingest.test_importer import _many


def test_the_writer_reads_a_chunk_itself_rather_than_wait(tmp_path: Path) -> None:
    """While the first chunk is being read elsewhere, a later one not yet begun is read here."""
    sources, _ = discover([_many(tmp_path) / "dfat"])
    head: Future = Future()
    head.set_running_or_notify_cancel()  # a reading process has begun it
    later: Future = Future()  # queued, not begun: it can be taken back
    window = deque(
        [
            _Pending(chunk=sources[:2], future=head),
            _Pending(chunk=sources[2:4], future=later),
        ]
    )
    threading.Timer(0.2, head.set_result, args=(["from the process"],)).start()
    assert _next(window, Options(), {}) == ["from the process"]
    assert later.cancelled()
    (taken,) = window
    assert [u.documents[0].id for u in taken.units or []] == [
        s.path.stem.join(["dfat-v8-", ""]) for s in sources[2:4]
    ]
