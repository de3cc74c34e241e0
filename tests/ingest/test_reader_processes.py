"""Reading processes end with their importer, even when it is killed with SIGKILL (issue 14)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_reading_processes_end_when_the_importer_is_killed(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    paragraph = "The Minister [1] spoke to the Ambassador at length. " * 40
    for n in range(4000):
        (folder / f"{n}-paper.md").write_text(
            f"---\ntitle: Paper {n}\n---\n\n{paragraph}\n\n _\n\n1 A note.\n", encoding="utf-8"
        )
    env = {**os.environ, "QUELLEN_DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}"}
    subprocess.run(
        [sys.executable, "-c", "from api.cli.commands import app; app()", "migrate"],
        env=env,
        check=True,
    )
    importer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from api.cli.commands import app; app()",
            "import",
            "--readers",
            "1",
            str(folder),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    readers: list[int] = []
    deadline = time.monotonic() + 60
    while not readers and time.monotonic() < deadline and importer.poll() is None:
        readers = _children(importer.pid)
        time.sleep(0.05)
    assert readers, "the import ended before its reading process started"
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in readers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in readers)
