"""The curated registry of entities and events (``data/registry/*.yaml``).

Each file is a YAML list; the file name says what it holds (people, places, organizations,
groups, terms, events). The registry is validated whole: ids are unique, an alias belongs to
one entity only, and every entity an event or group refers to exists.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from api.errors import IngestError
from api.records.record import EntityRecord, EventRecord

FILE_TYPES = {
    "people": "person",
    "places": "place",
    "organizations": "organization",
    "groups": "group",
    "terms": "term",
}


@dataclass
class Registry:
    entities: list[EntityRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)

    def ids(self) -> set[str]:
        return {e.id for e in self.entities} | {e.id for e in self.events}


def _load_list(path: Path) -> list[tuple[int | None, dict[str, Any]]]:
    """The file's records with the line each starts on, for error messages."""
    try:
        text = path.read_text(encoding="utf-8")
        nodes = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise IngestError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise IngestError(
            path, f"invalid YAML: {getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None
        ) from exc
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise IngestError(path, "expected a YAML list of records")
    lines = [node.start_mark.line + 1 for node in nodes.value] if nodes is not None else []
    return list(zip(lines, data, strict=True))


def _parse(model: type[BaseModel], item: dict[str, Any], path: Path, line: int | None) -> Any:
    try:
        return model(**item)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'record'}: {e['msg']}" for e in exc.errors()
        )
        raise IngestError(path, f"{item.get('id', 'record')}: {problems}", line) from exc
    except TypeError as exc:
        raise IngestError(path, str(exc), line) from exc


def read_registry(folder: Path) -> Registry:
    registry = Registry()
    if not folder.is_dir():
        return registry
    seen: dict[str, Path] = {}
    alias_owner: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        stem = path.stem
        if stem != "events" and stem not in FILE_TYPES:
            known = ", ".join([*FILE_TYPES, "events"])
            raise IngestError(path, f"unknown registry file (expected one of: {known})")
        for line, item in _load_list(path):
            if stem == "events":
                record = _parse(EventRecord, item, path, line)
                registry.events.append(record)
            else:
                item.setdefault("type", FILE_TYPES[stem])
                record = _parse(EntityRecord, item, path, line)
                if record.type != FILE_TYPES[stem]:
                    raise IngestError(
                        path,
                        f"{record.id}: type {record.type!r} does not belong in {path.name}",
                        line,
                    )
                registry.entities.append(record)
            if record.id in seen:
                raise IngestError(path, f"id {record.id!r} is also used in {seen[record.id]}", line)
            seen[record.id] = path
            for alias in record.aliases:
                owner = alias_owner.setdefault(alias.key, record.id)
                if owner != record.id:
                    raise IngestError(
                        path,
                        f"{record.id}: alias {alias.text!r} already belongs to {owner!r}",
                        line,
                    )
    ids = registry.ids()
    for entity in registry.entities:
        for member in entity.members:
            if member not in ids:
                raise IngestError(folder, f"{entity.id}: unknown member {member!r}")
    for event in registry.events:
        if event.place is not None and event.place not in ids:
            raise IngestError(folder / "events.yaml", f"{event.id}: unknown place {event.place!r}")
        for participant in event.participants:
            if participant.entity not in ids:
                raise IngestError(
                    folder / "events.yaml",
                    f"{event.id}: unknown participant {participant.entity!r}",
                )
    return registry
