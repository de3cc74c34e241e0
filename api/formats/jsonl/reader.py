"""Reader for the JSON Lines bundle that ``quellen export --format jsonl`` writes.

Each line is parsed and validated on its own, so a broken line is reported with its line
number and the lines around it still load. The bundle's entities and events form one
registry, written before its documents; event reports are linked once the documents are in.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from api.errors import IngestError
from api.formats.validation import explain
from api.records.record import CollectionRecord, DocumentRecord, EntityRecord, EventRecord

SUFFIXES = (".jsonl", ".ndjson")
FORMAT = "quellen-bundle"
MODELS: dict[str, type[BaseModel]] = {
    "collection": CollectionRecord,
    "entity": EntityRecord,
    "event": EventRecord,
    "document": DocumentRecord,
}


@dataclass
class BundleLine:
    """One parsed line: its number, its size in bytes and its record (or the error)."""

    line: int
    size: int
    record: BaseModel | None = None
    error: IngestError | None = None


def read_lines(path: Path) -> Iterator[BundleLine]:
    """Parse the bundle line by line; errors are yielded, not raised, so the batch goes on."""
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as exc:
        raise IngestError(path, f"cannot read: {exc.strerror}") from exc
    with handle:
        lineno = 0
        while True:
            try:
                raw = handle.readline()
            except UnicodeDecodeError as exc:
                raise IngestError(
                    path, f"not UTF-8 text ({exc.reason} at byte {exc.start})", lineno + 1
                ) from exc
            if not raw:
                break
            lineno += 1
            size = len(raw.encode("utf-8"))
            if not raw.strip():
                continue
            yield parse_line(raw, path, lineno, size)


def parse_line(raw: str, path: Path, lineno: int, size: int) -> BundleLine:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return BundleLine(lineno, size, error=IngestError(path, f"invalid JSON: {exc.msg}", lineno))
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        error = IngestError(path, "each line must be a JSON object with a 'type'", lineno)
        return BundleLine(lineno, size, error=error)
    kind = data.pop("type")
    if kind == "bundle":
        if data.get("format") != FORMAT:
            error = IngestError(path, f"not a {FORMAT} (format {data.get('format')!r})", lineno)
            return BundleLine(lineno, size, error=error)
        return BundleLine(lineno, size)
    model = MODELS.get(kind)
    if model is None:
        known = ", ".join(MODELS)
        error = IngestError(path, f"unknown line type {kind!r} (expected {known})", lineno)
        return BundleLine(lineno, size, error=error)
    if kind == "entity" and "entity_type" in data:
        data["type"] = data.pop("entity_type")
    try:
        return BundleLine(lineno, size, record=model(**data))
    except ValidationError as exc:
        where = f"{kind} {data.get('id', '')}".strip()
        return BundleLine(lineno, size, error=IngestError(path, f"{where}: {explain(exc)}", lineno))
    except TypeError as exc:
        return BundleLine(lineno, size, error=IngestError(path, str(exc), lineno))
