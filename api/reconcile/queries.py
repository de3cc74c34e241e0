"""What clients send, read into typed values: a reconciliation query batch and a data
extension query, as the 0.2 JSON Schemas (``reconciliation-query-batch.json``,
``data-extension-query.json``) define them.

Anything else is a 400 whose detail says what is wrong and where (``query 'q3': …``); a
batch larger than the service takes is a 413, as the specification's ``batchSize`` says.
Property values a service cannot use are still well-formed input: they are kept, and the
scoring leaves alone the properties it does not know.
"""

import json
import math
from dataclasses import dataclass
from typing import Any

from api.errors import ProblemError
from api.reconcile.vocabulary import DEFAULT_LIMIT, MAX_IDS, MAX_LIMIT, MAX_QUERIES

QUERY_FIELDS = ("query", "type", "limit", "properties", "type_strict")
TYPE_STRICT = ("any", "should", "all")
MAX_PROPERTIES = 50


@dataclass(frozen=True, slots=True)
class PropertyValue:
    """A ``{pid, v}`` of a query; every value as text (an entity value as its id)."""

    pid: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Query:
    query: str | None
    types: tuple[str, ...]
    limit: int
    properties: tuple[PropertyValue, ...]

    def values_of(self, pid: str) -> list[str]:
        return [value for p in self.properties if p.pid == pid for value in p.values]


@dataclass(frozen=True, slots=True)
class ExtensionProperty:
    id: str
    limit: int  # values per row; 0: all of them


@dataclass(frozen=True, slots=True)
class Extension:
    ids: tuple[str, ...]
    properties: tuple[ExtensionProperty, ...]


def bad(detail: str) -> ProblemError:
    return ProblemError(400, detail)


def parse_json(text: str, field: str) -> Any:
    """The JSON in form field or parameter ``field``; a 400 saying where it breaks."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise bad(
            f"{field} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except RecursionError:
        raise bad(f"{field} nests arrays or objects too deeply.") from None
    except ValueError as error:  # a number longer than Python converts
        raise bad(f"{field} is not usable JSON: {error}.") from None
    _refuse_nul(value, field)
    return value


def _refuse_nul(value: Any, field: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise bad(f"{field} holds a NUL character (\\u0000), which no name or id may hold.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key, field)
            _refuse_nul(item, field)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(item, field)


def parse_batch(value: Any) -> dict[str, Query]:
    """A reconciliation query batch: queries by the ids the results are returned under."""
    if not isinstance(value, dict):
        raise bad(
            "queries must be a JSON object of queries by id, such as "
            f'{{"q0": {{"query": "Harriman"}}}}; this is {_kind(value)}.'
        )
    if len(value) > MAX_QUERIES:
        raise ProblemError(
            413,
            f"A batch holds at most {MAX_QUERIES} queries (the manifest's batchSize); this "
            f"one has {len(value)}: send it in smaller batches.",
        )
    return {key: _query(key, query) for key, query in value.items()}


def _query(key: str, value: Any) -> Query:
    where = f"query {key!r}"
    if not isinstance(value, dict):
        raise bad(
            f'{where} must be an object such as {{"query": "Harriman"}}; this is {_kind(value)}.'
        )
    unknown = [field for field in value if field not in QUERY_FIELDS]
    if unknown:
        raise bad(
            f"{where}: {', '.join(repr(f) for f in unknown)} is not a field of a "
            f"reconciliation query (they are {', '.join(QUERY_FIELDS)})."
        )
    text = value.get("query")
    if text is not None and not isinstance(text, str):
        raise bad(f"{where}: 'query' must be a string; this is {_kind(text)}.")
    properties = _properties(where, value.get("properties"))
    if text is None and not properties:
        raise bad(f"{where}: give a 'query' string, or 'properties' to match on, or both.")
    strict = value.get("type_strict")
    if strict is not None and strict not in TYPE_STRICT:
        raise bad(f"{where}: 'type_strict' is one of {', '.join(TYPE_STRICT)}.")
    return Query(
        query=text,
        types=_types(where, value.get("type")),
        limit=_limit(where, value.get("limit")),
        properties=properties,
    )


def _types(where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise bad(f"{where}: 'type' must be a type id or a list of them, such as \"person\".")


def _limit(where: str, value: Any) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad(f"{where}: 'limit' must be a number; this is {_kind(value)}.")
    if not math.isfinite(value) or value != int(value) or value < 1:
        raise bad(f"{where}: 'limit' must be a positive whole number; this is {value!r}.")
    if value > MAX_LIMIT:
        raise bad(f"{where}: 'limit' is at most {MAX_LIMIT} candidates; this asks for {value!r}.")
    return int(value)


def _properties(where: str, value: Any) -> tuple[PropertyValue, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise bad(f'{where}: \'properties\' must be a list of {{"pid": …, "v": …}} objects.')
    if len(value) > MAX_PROPERTIES:
        raise bad(f"{where}: at most {MAX_PROPERTIES} properties a query.")
    found = []
    for n, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
            raise bad(
                f"{where}: property {n} must be an object with a 'pid' (a string) and a 'v' "
                '(a value or a list of values), such as {"pid": "dates", "v": "1944"}.'
            )
        raw = item["v"]
        values = raw if isinstance(raw, list) else [raw]
        found.append(
            PropertyValue(item["pid"], tuple(_value(f"{where}: property {n}", v) for v in values))
        )
    return tuple(found)


def _value(where: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(int(value)) if math.isfinite(value) and value == int(value) else str(value)
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])  # an entity, reconciled before: matched by its id
    raise bad(
        f"{where}: a value is a string, a number, a boolean or an entity "
        f'{{"id": …, "name": …}}; this is {_kind(value)}.'
    )


def parse_extension(value: Any) -> Extension:
    """A data extension query: ``{"ids": [...], "properties": [{"id": …, "settings": …}]}``."""
    if not isinstance(value, dict):
        raise bad(
            'extend must be a JSON object such as {"ids": ["joseph-stalin"], '
            f'"properties": [{{"id": "aliases"}}]}}; this is {_kind(value)}.'
        )
    ids, properties = value.get("ids"), value.get("properties")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise bad("extend: 'ids' must be a list of entity ids.")
    if len(ids) > MAX_IDS:
        raise ProblemError(
            413,
            f"A data extension request asks about at most {MAX_IDS} entities; this one asks "
            f"about {len(ids)}: send it in smaller batches.",
        )
    if not isinstance(properties, list) or len(properties) > MAX_PROPERTIES:
        raise bad(f"extend: 'properties' must be a list of at most {MAX_PROPERTIES} properties.")
    wanted: list[ExtensionProperty] = []
    for n, item in enumerate(properties):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise bad(f'extend: property {n} must be an object with an "id" (a string).')
        settings = item.get("settings", {})
        if not isinstance(settings, dict):
            raise bad(f"extend: the settings of property {item['id']!r} must be an object.")
        if all(w.id != item["id"] for w in wanted):  # a property asked twice: the first
            wanted.append(ExtensionProperty(item["id"], _setting_limit(item["id"], settings)))
    return Extension(tuple(dict.fromkeys(ids)), tuple(wanted))


def _setting_limit(pid: str, settings: dict[str, Any]) -> int:
    raw = settings.get("limit", 0)
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())  # OpenRefine sends settings as text
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw != raw // 1 or raw < 0:
        raise bad(
            f"extend: the 'limit' setting of property {pid!r} must be a whole number, 0 or "
            f"more (0: every value); this is {raw!r}."
        )
    return int(raw)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    return "an object"
