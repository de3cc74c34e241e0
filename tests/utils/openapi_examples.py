"""Record the OpenAPI document's response examples from the seed corpus.

Every public JSON read gets, as its example, what the API answers for the seed corpus
(lists cut to two items, long texts to a few hundred characters), keyed by operationId in
``api/http/openapi_examples.json``; api/http/openapi_clients.py puts each under its
operation. tests/test_openapi_examples.py records them again and compares, so an example
cannot go stale: after changing what a route answers, run ``make openapi-examples``.
"""

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.db.engine import make_engine
from api.db.migrations import upgrade
from api.http.openapi_clients import EXAMPLES_FILE
from api.ingest.seed import load_seed_corpus
from api.settings import PROJECT_ROOT, Settings

BASE_URL = "https://quellen.example.org"
QUERY = {"q": "Moyne", "center": "entity:w-averell-harriman"}
DOCUMENT = "harriman-to-secretary-of-state-1944-09-24"
MAX_ITEMS = 2
MAX_TEXT = 400
LOADED_AT = "2026-01-15T09:30:00Z"  # when the seed corpus was loaded differs every run


def record(engine: Engine, database_url: str) -> dict[str, Any]:
    """Each public JSON GET's answer for the seed corpus in ``engine``, by operationId."""
    app = create_app(Settings(database_url=database_url, load_seed=False), engine=engine)
    client = TestClient(app, base_url=BASE_URL)
    spec = client.get("/openapi.json").json()
    values = _path_values(client)
    examples: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        operation = item.get("get")
        if operation is None or operation.get("security") or "operations" in operation["tags"]:
            continue  # health changes by the second; keyed reads answer only to their key
        if path.startswith("/dts"):
            continue  # DTS documents its protocol's own examples
        content = next(iter(operation["responses"].values())).get("content", {})
        if "application/json" not in content:
            continue
        url = path.format(**values)
        query = {
            p["name"]: QUERY[p["name"]]
            for p in operation.get("parameters", [])
            if p["in"] == "query" and p.get("required")
        }
        response = client.get(url, params=query, headers={"Accept": "application/json"})
        assert response.status_code == 200, f"{url}: {response.status_code} {response.text}"
        examples[operation["operationId"]] = _trim(response.json())
    return examples


def _path_values(client: TestClient) -> dict[str, str]:
    """A value for each path parameter, read from the seed corpus itself."""
    notes = client.get(f"/v1/documents/{DOCUMENT}/footnotes").json()["items"]
    mentions = client.get(f"/v1/documents/{DOCUMENT}/mentions").json()["items"]
    pages = client.get(f"/v1/documents/{DOCUMENT}/pages").json()["items"]
    return {
        "document_id": DOCUMENT,
        "collection_id": client.get("/v1/collections").json()["items"][0]["id"],
        "ref": notes[0]["passage"],
        "marker": notes[0]["marker"],
        "seq": str(pages[0]["seq"]),
        "entity_id": mentions[0]["entity"],
        "mention_id": str(mentions[0]["id"]),
        "event_id": client.get("/v1/events").json()["items"][0]["id"],
        "xref_id": str(client.get("/v1/cross-references").json()["items"][0]["id"]),
        "kind": "documents",
        "resource_id": DOCUMENT,
    }


def _trim(value: Any) -> Any:
    if isinstance(value, list):
        return [_trim(item) for item in value[:MAX_ITEMS]]
    if isinstance(value, dict):
        return {
            key: LOADED_AT if key.endswith("_at") and item else _trim(item)
            for key, item in value.items()
        }
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + "…"
    return value


def render(examples: dict[str, Any]) -> str:
    return json.dumps(examples, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def record_fresh() -> dict[str, Any]:
    """Record from a new SQLite database holding the seed corpus (``data/``)."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'examples.sqlite'}"
        upgrade(url)
        engine = make_engine(url)
        try:
            load_seed_corpus(engine, PROJECT_ROOT / "data")
            return record(engine, url)
        finally:
            engine.dispose()


if __name__ == "__main__":
    EXAMPLES_FILE.write_text(render(record_fresh()), encoding="utf-8")
    sys.stdout.write(f"wrote {EXAMPLES_FILE.relative_to(PROJECT_ROOT)}\n")
