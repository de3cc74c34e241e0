"""Baseline for the import benchmark: the least a loader of the DFAT volume has to do.

A bare ``sqlite3`` script with no ORM, no validation, no linker: read each Markdown file,
parse its YAML front matter (PyYAML with libyaml, as Quellen's reader), strip the ``[n]``
markers, split the body into paragraphs, and insert one document row and its passage rows
with an FTS5 index over the passages, in one transaction. ``bench/import_throughput.py``
runs it beside Quellen's importer, in the same run, and reports the ratio.

    python -m bench.import_baseline DIR [DB]    # prints one JSON line
"""

import json
import re
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
MARKER = re.compile(r"\s?\[\d{1,3}\]")

SCHEMA = """
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE document (id TEXT PRIMARY KEY, title TEXT, date TEXT, text TEXT NOT NULL);
CREATE TABLE passage (
    id INTEGER PRIMARY KEY, document_id TEXT NOT NULL REFERENCES document(id),
    seq INTEGER NOT NULL, text TEXT NOT NULL, start_offset INTEGER, end_offset INTEGER
);
CREATE VIRTUAL TABLE passage_fts USING fts5(text, content='passage', content_rowid='id');
"""


def peak_rss_mb() -> float:
    """Peak resident memory of this process since it started (VmHWM).

    Not ``ru_maxrss``: on Linux that keeps the peak of the process it was forked from,
    so a child of a large parent reports the parent's size.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(folder: Path, database: Path) -> dict[str, float]:
    files = sorted(folder.glob("*.md"))
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    connection.executescript(SCHEMA)
    size = 0
    with connection:
        for path in files:
            raw = path.read_text(encoding="utf-8")
            size += len(raw.encode("utf-8"))
            match = FRONT.match(raw)
            meta = yaml.load(match.group(1), Loader=LOADER) if match else {}
            body = raw[match.end() :] if match else raw
            paragraphs = [MARKER.sub("", p).strip() for p in body.split("\n\n")]
            paragraphs = [p for p in paragraphs if p]
            text = "\n\n".join(paragraphs)
            connection.execute(
                "INSERT INTO document VALUES (?, ?, ?, ?)",
                (path.stem, str(meta.get("title")), str(meta.get("doc_date")), text),
            )
            rows = []
            offset = 0
            for seq, paragraph in enumerate(paragraphs, start=1):
                rows.append((path.stem, seq, paragraph, offset, offset + len(paragraph)))
                offset += len(paragraph) + 2
            cursor = connection.executemany(
                "INSERT INTO passage (document_id, seq, text, start_offset, end_offset) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            del cursor
        connection.execute("INSERT INTO passage_fts(passage_fts) VALUES ('rebuild')")
    connection.close()
    seconds = time.perf_counter() - started
    return {
        "documents": len(files),
        "bytes": size,
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    folder = Path(sys.argv[1])
    if len(sys.argv) > 2:
        result = load(folder, Path(sys.argv[2]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = load(folder, Path(tmp) / "baseline.sqlite")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
