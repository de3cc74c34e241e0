"""Reading sources: how the writer shares the reading with the reading processes."""

import threading
from collections import deque
from concurrent.futures import Future
from pathlib import Path

import pytest

from api.errors import IngestError
from api.ingest.parallel import Pending, next_units
from api.ingest.sources import Options, Source, discover, read_text
from tests.ingest.test_importer import many_files


def _ids(sources: list[Source]) -> list[str]:
    return [s.path.stem.join(["dfat-v8-", ""]) for s in sources]


def _begun() -> Future:
    future: Future = Future()
    future.set_running_or_notify_cancel()  # a reading process has begun it
    return future


def test_the_writer_reads_a_chunk_itself_rather_than_wait(tmp_path: Path) -> None:
    """While the first chunk is read elsewhere, the last one not begun is read here."""
    sources, _ = discover([many_files(tmp_path) / "dfat"])
    head = _begun()
    kept: Future = Future()  # queued, not begun
    last: Future = Future()
    window = deque(
        [
            Pending(chunk=sources[:2], future=head),
            Pending(chunk=sources[2:4], future=kept),
            Pending(chunk=sources[4:6], future=last),
        ]
    )
    threading.Timer(0.2, head.set_result, args=(["from the process"],)).start()
    assert next_units(window, Options(), {}) == ["from the process"]
    assert last.cancelled() and not kept.cancelled()
    assert window[0].units is None
    assert [u.documents[0].id for u in window[1].units or []] == _ids(sources[4:6])


def test_the_writer_waits_when_the_processes_would_have_nothing_left(tmp_path: Path) -> None:
    """Near the end it does not take the processes' last chunk: it would write it alone."""
    sources, _ = discover([many_files(tmp_path) / "dfat"])
    head = _begun()
    last: Future = Future()
    window = deque(
        [Pending(chunk=sources[:2], future=head), Pending(chunk=sources[2:4], future=last)]
    )
    threading.Timer(0.2, head.set_result, args=(["from the process"],)).start()
    assert next_units(window, Options(), {}) == ["from the process"]
    assert not last.cancelled() and window[0].units is None


def test_a_chunk_given_to_no_process_is_read_here(tmp_path: Path) -> None:
    """The first chunk: read by the writer while the processes start."""
    sources, _ = discover([many_files(tmp_path) / "dfat"])
    window = deque([Pending(chunk=sources[:2])])
    assert [u.documents[0].id for u in next_units(window, Options(), {})] == _ids(sources[:2])


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_files_are_read_with_universal_newlines(tmp_path: Path, newline: str) -> None:
    """As text mode reads them: CRLF and CR become LF; nothing else changes."""
    path = tmp_path / "a.md"
    path.write_bytes(newline.join(["---", "title: Ä", "---", "", "Text\u2013here."]).encode())
    assert read_text(path) == path.read_text(encoding="utf-8")
    assert read_text(path) == "---\ntitle: Ä\n---\n\nText\u2013here."


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"---\ntitle: x\n---\n\nAu\xdfenpolitik\n")
    with pytest.raises(IngestError) as caught:
        read_text(path)
    assert caught.value.line == 5 and "not UTF-8" in caught.value.message
