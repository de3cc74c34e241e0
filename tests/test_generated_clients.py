"""Clients generated from the live OpenAPI document work as their users write them.

A real `quellen serve` process on a fresh SQLite database (seeded as `make serve` does)
serves ``/openapi.json``; from it the suite generates

- a Python client with openapi-python-client, and calls documents, footnotes, an entity,
  an event, search and a write with a key through it, checking every answer parses to its
  model (a dropped or duplicated schema parses to ``None``);
- TypeScript types with openapi-typescript, type-checks a reading-view call site
  (``clients/typescript/src/reader.ts``, openapi-fetch) with ``tsc --strict`` and runs the
  compiled call site against the same server with Node.

Node and npm come from the machine (``.ci/run`` installs them when missing); the npm
packages are pinned in ``clients/typescript/package-lock.json``.
"""

import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.settings import PROJECT_ROOT
from tests.utils.server import free_port, wait_until_ready

TYPESCRIPT = PROJECT_ROOT / "clients" / "typescript"
BIN = Path(sys.executable).parent
TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"


@dataclass(frozen=True)
class LiveServer:
    base: str
    key: str
    openapi: Path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("clients")
    port = free_port()
    env = {
        **os.environ,
        "QUELLEN_DATABASE_URL": f"sqlite:///{folder / 'quellen.sqlite'}",
        "QUELLEN_PORT": str(port),
        "QUELLEN_LOG_LEVEL": "warning",
    }
    subprocess.run([str(BIN / "quellen"), "migrate"], env=env, check=True, capture_output=True)
    key = subprocess.run(
        [str(BIN / "quellen"), "keys", "create", "--name", "client-check", "--scope", "curate"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    process = subprocess.Popen(
        [str(BIN / "quellen"), "serve"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(process, base)
        openapi = folder / "openapi.json"
        openapi.write_text(httpx.get(f"{base}/openapi.json").text, encoding="utf-8")
        yield LiveServer(base=base, key=key, openapi=openapi)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_python_client(live: LiveServer, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    # a collection dump is a JSON Lines stream: the client hands it over as bytes
    config.write_text(json.dumps({"content_type_overrides": {"application/x-ndjson": "*/*"}}))
    generated = subprocess.run(
        [
            *(str(BIN / "openapi-python-client"), "generate", "--path", str(live.openapi)),
            *("--output-path", str(tmp_path / "quellen_client"), "--meta", "none"),
            *("--config", str(config)),
        ],
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout, generated.stdout  # nothing dropped or skipped
    sys.path.insert(0, str(tmp_path))
    try:
        _call_with_python_client(live)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("quellen_client")]:
            del sys.modules[name]


def _call_with_python_client(live: LiveServer) -> None:
    client_module = importlib.import_module("quellen_client")
    models = importlib.import_module("quellen_client.models")
    client = client_module.Client(base_url=live.base, raise_on_unexpected_status=True)

    document = _operation("documents", "get_document").sync(client=client, document_id=TELEGRAM)
    assert isinstance(document, models.DocumentPublic), document
    assert document.title.startswith("The Ambassador in the Soviet Union")
    page = _operation("documents", "list_documents").sync(client=client, limit=2)
    assert isinstance(page, models.DocumentList) and len(page.items) == 2
    assert page.next_.startswith(live.base)  # absolute: a client follows it as it is

    notes = _operation("texts", "list_footnotes").sync(client=client, document_id=TELEGRAM)
    assert isinstance(notes, models.FootnoteList)
    assert any("Moyne" in note.text for note in notes.items)

    entity = _operation("entities", "get_entity").sync(
        client=client, entity_id="w-averell-harriman"
    )
    assert isinstance(entity, models.EntityPublic), entity
    assert entity.name == "W. Averell Harriman"
    assert all(isinstance(alias, models.Alias) for alias in entity.aliases)

    listed = _operation("events", "list_events").sync(client=client, limit=1)
    assert isinstance(listed, models.EventList) and listed.items
    event = _operation("events", "get_event").sync(client=client, event_id=listed.items[0].id)
    assert isinstance(event, models.EventPublic), event

    hits = _operation("search", "search").sync(client=client, q="Moyne")
    assert isinstance(hits, models.SearchResults) and hits.items

    writer = client_module.AuthenticatedClient(
        base_url=live.base, token=live.key, raise_on_unexpected_status=True
    )
    create_entity = _operation("entities", "create_entity")
    body = models.EntityCreate(
        id="python-client-check",
        type_=models.EntityCreateType.TERM,
        name="Python client check",
        aliases=[models.AliasWrite(text="generated client")],
    )
    created = create_entity.sync_detailed(client=writer, body=body)
    assert created.status_code == 201, created.content
    assert isinstance(created.parsed, models.EntityPublic)
    assert created.headers["location"].endswith("/v1/entities/python-client-check")
    update_entity = _operation("entities", "update_entity")
    updated = update_entity.sync_detailed(
        client=writer,
        entity_id="python-client-check",
        body=models.EntityPatch(description="Made through the generated client."),
        if_match=created.headers["etag"],
    )
    assert updated.status_code == 200, updated.content
    assert isinstance(updated.parsed, models.EntityPublic)
    assert updated.parsed.description == "Made through the generated client."


def _operation(tag: str, name: str) -> Any:
    """The generated module of one operation: ``quellen_client.api.<tag>.<name>``."""
    return importlib.import_module(f"quellen_client.api.{tag.replace('-', '_')}.{name}")


def test_typescript_types_and_call_site(live: LiveServer, tmp_path: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed (.ci/run installs Node on CI)")
    work = tmp_path / "typescript"
    shutil.copytree(TYPESCRIPT, work, ignore=shutil.ignore_patterns("node_modules", "dist"))
    _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], work)
    shutil.copy(live.openapi, work / "openapi.json")
    _run([npm, "run", "--silent", "generate"], work)
    _run([npm, "run", "--silent", "check"], work)  # tsc --strict over the call site
    ran = _run(
        ["node", "dist/reader.js"], work, {"QUELLEN_BASE": live.base, "QUELLEN_KEY": live.key}
    )
    result = json.loads(ran.stdout)
    assert result["title"].startswith("The Ambassador in the Soviet Union")
    assert result["hits"] > 0 and result["footnotes"]
    assert result["createdStatus"] == 201 and result["created"] == "typescript-client-check"
    assert result["next"].startswith(live.base)


def _run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done
