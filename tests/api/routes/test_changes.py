"""The change feed (GET /v1/changes, IIIF Change Discovery API 1.0), each resource as bundle
lines, and `quellen mirror`, which follows the one and imports the other — on both engines.

The feed's shape is checked against JSON Schemas written from the specification's MUSTs and
SHOULDs (sections 3.1–3.4), its paging over 10,000+ changes with the memory each page takes,
and the mirror by comparing `quellen export` of the source and the mirror, byte for byte,
after each round of changes made through the API over real HTTP.
"""

import datetime as dt
import io
import json
import math
import re
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs  # schemathesis's JSON Schema validator
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select
from sqlmodel import Session, col
from typer.testing import CliRunner

from api.app import create_app
from api.changes import service
from api.changes.bundles import HEADER
from api.changes.schemas import DISCOVERY_CONTEXT, MEDIA_TYPE
from api.cli.commands import app as cli
from api.cli.mirror import mirror
from api.db.engine import session_scope
from api.db.keys import create_key
from api.db.models import Change, Document
from api.formats.jsonl.writer import write_bundle
from api.settings import get_settings
from tests.conftest import DatabaseFactory, DbHandle
from tests.utils.server import free_port

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
ESSAY = "bodega-why-did-the-usa-ussr-alliance-break-down"
LIBERATION = "russian-liberation-movement-the-allies"
POWS = "why-did-the-ussr-refuse-to-repatriate-allied-pows"
END_TIME = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"

# --- The shapes the specification asks for (IIIF Change Discovery API 1.0, section 3) ---

_CONTEXT = {
    "oneOf": [
        {"const": DISCOVERY_CONTEXT},
        {  # a list of contexts has the Discovery context last (3.4.1)
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "contains": {"const": DISCOVERY_CONTEXT},
        },
    ]
}
_LINK = {
    "type": "object",
    "required": ["id", "type"],
    "properties": {
        "id": {"type": "string", "pattern": "^https?://"},
        "type": {"const": "OrderedCollectionPage"},
    },
}
ACTIVITY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "object"],
    "properties": {
        "id": {"type": "string", "pattern": "^https?://"},
        "type": {"enum": ["Create", "Update", "Delete"]},  # SHOULD be one of these (3.3)
        "summary": {"type": "string"},
        "object": {
            "type": "object",
            "required": ["id", "type"],
            "properties": {
                "id": {"type": "string", "pattern": "^https?://"},
                "type": {"type": "string"},
                "seeAlso": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["id", "type"],
                        "properties": {
                            "id": {"type": "string", "pattern": "^https?://"},
                            "type": {"const": "Dataset"},
                            "format": {"type": "string"},
                            "label": {
                                "type": "object",
                                "additionalProperties": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
        "endTime": {"type": "string", "pattern": END_TIME},  # xsd:dateTime, UTC
    },
}
COLLECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["@context", "id", "type", "last"],  # MUST (3.1); first and totalItems MAY
    "properties": {
        "@context": _CONTEXT,
        "id": {"type": "string", "pattern": "^https?://"},
        "type": {"const": "OrderedCollection"},
        "totalItems": {"type": "integer", "minimum": 0},
        "first": _LINK,
        "last": _LINK,
    },
}
PAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["@context", "id", "type", "orderedItems"],  # MUST (3.2)
    "properties": {
        "@context": _CONTEXT,
        "id": {"type": "string", "pattern": "^https?://"},
        "type": {"const": "OrderedCollectionPage"},
        "partOf": {
            "type": "object",
            "required": ["id", "type"],
            "properties": {"type": {"const": "OrderedCollection"}},
        },
        "startIndex": {"type": "integer", "minimum": 0},
        "prev": _LINK,
        "next": _LINK,
        "orderedItems": {"type": "array", "minItems": 1, "items": ACTIVITY_SCHEMA},
    },
}


def check_collection(body: dict[str, Any]) -> None:
    jsonschema_rs.validate(COLLECTION_SCHEMA, body)
    assert next(iter(body)) == "@context"  # SHOULD be the first key (3.4.1)


def check_page(body: dict[str, Any]) -> None:
    jsonschema_rs.validate(PAGE_SCHEMA, body)
    assert next(iter(body)) == "@context"
    times = [item["endTime"] for item in body["orderedItems"]]
    assert times == sorted(times)  # earliest to most recent (3.2, orderedItems)


def walk_back(client: TestClient | httpx.Client) -> Iterator[dict[str, Any]]:
    """The pages from the newest to the oldest, as the specification's clients walk them."""
    url: str | None = client.get("/v1/changes").json()["last"]["id"]
    while url is not None:
        page = client.get(url).json()
        yield page
        url = page.get("prev", {}).get("id")


def log_size(db: DbHandle) -> int:
    with Session(db.engine) as session:
        return int(session.execute(select(func.max(col(Change.seq)))).scalar() or 0)


def admin(db: DbHandle, name: str = "changes-admin") -> dict[str, str]:
    with session_scope(db.engine) as session:
        key = create_key(session, name=name, scope="admin")
    return {"Authorization": f"Bearer {key}"}


def export(db: DbHandle) -> str:
    out = io.StringIO()
    with Session(db.engine) as session:
        write_bundle(session, out)
    return out.getvalue()


# --- The feed ---


def test_the_feed_has_the_change_discovery_shape(client: TestClient, seeded_db: DbHandle) -> None:
    response = client.get("/v1/changes")
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPE  # no Accept: the profiled JSON-LD
    collection = response.json()
    check_collection(collection)
    total = log_size(seeded_db)
    assert collection["totalItems"] == total > 0
    assert collection["id"] == "http://testserver/v1/changes"
    assert collection["first"]["id"] == "http://testserver/v1/changes/pages/1"
    pages = list(walk_back(client))
    assert len(pages) == math.ceil(total / service.PAGE_SIZE)
    assert pages[0]["id"] == collection["last"]["id"] and "next" not in pages[0]
    assert pages[-1]["id"] == collection["first"]["id"] and "prev" not in pages[-1]
    seqs: list[int] = []
    for page in reversed(pages):
        check_page(page)
        assert page["partOf"] == {"id": collection["id"], "type": "OrderedCollection"}
        assert page["startIndex"] == len(seqs)
        for position, item in enumerate(page["orderedItems"]):
            seq = page["startIndex"] + position + 1
            assert item["id"] == f"http://testserver/v1/changes/activities/{seq}"
            seqs.append(seq)
    assert seqs == list(range(1, total + 1))
    # every object is the resource's URL, and its seeAlso the resource's bundle lines
    items = [item for page in pages for item in page["orderedItems"]]
    kinds = {item["object"]["type"] for item in items}
    assert kinds == {"Document", "Object", "Event"}
    document = next(i for i in items if i["object"]["id"].endswith(f"/documents/{TELEGRAM}"))
    assert document["type"] == "Create" and document["object"]["type"] == "Document"
    (dataset,) = document["object"]["seeAlso"]
    assert dataset["format"] == "application/x-ndjson"
    assert client.get(dataset["id"]).text.startswith(HEADER)
    assert client.get(document["object"]["id"]).json()["id"] == TELEGRAM
    # an activity on its own, at its id
    one = client.get(items[0]["id"])
    assert one.status_code == 200 and one.json() == {"@context": collection["@context"], **items[0]}


def _shape(value: Any) -> Any:
    """The keys of ``value`` all the way down (the first item of each list), not the values."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def test_the_documented_examples_have_the_shape_of_real_answers(client: TestClient) -> None:
    """The feed's OpenAPI examples are written by hand (the recorder reads JSON routes only):
    each has the keys a real answer has, and passes the specification's schema."""
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    page = client.get("/v1/changes/pages/1").json()
    first = page["orderedItems"][0]
    real = {
        "ChangeCollection": client.get("/v1/changes").json(),
        "ChangePage": {**page, "prev": {"id": "x", "type": "OrderedCollectionPage"}},
        "ActivityDocument": client.get(first["id"]).json(),
        "Activity": first,
    }
    for name, answer in real.items():
        (example,) = schemas[name]["examples"]
        assert _shape(example) == _shape(answer), name
    check_collection(schemas["ChangeCollection"]["examples"][0])
    check_page(schemas["ChangePage"]["examples"][0])


def test_the_feed_negotiates_json_and_refuses_the_rest(client: TestClient) -> None:
    plain = client.get("/v1/changes", headers={"Accept": "application/json"})
    assert plain.headers["content-type"] == "application/json"
    ld = client.get("/v1/changes/pages/1", headers={"Accept": "application/ld+json"})
    assert ld.headers["content-type"] == MEDIA_TYPE and "Accept" in ld.headers["vary"]
    assert plain.json()["id"] == client.get("/v1/changes").json()["id"]
    download = client.get("/v1/changes?format=jsonld")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    refused = client.get("/v1/changes", headers={"Accept": "text/csv"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    for url, status in [
        ("/v1/changes/pages/0", 422),
        ("/v1/changes/pages/99999", 404),
        ("/v1/changes/pages/x", 422),
        ("/v1/changes/activities/0", 422),
        ("/v1/changes/activities/99999999", 404),
        ("/v1/changes?after=-1", 422),
        ("/v1/changes?afer=1", 400),
    ]:
        answer = client.get(url)
        assert answer.status_code == status, url
        assert answer.headers["content-type"] == "application/problem+json", url
        assert answer.json()["detail"], url


def test_after_redirects_to_the_page_of_the_next_change(client: TestClient) -> None:
    total = client.get("/v1/changes").json()["totalItems"]
    last = math.ceil(total / service.PAGE_SIZE)
    for after, page in [(0, 1), (total - 1, last), (total, last), (total + 500, last)]:
        response = client.get(f"/v1/changes?after={after}", follow_redirects=False)
        assert response.status_code == 303, after
        assert response.headers["location"] == f"http://testserver/v1/changes/pages/{page}"
    followed = client.get(f"/v1/changes?after={total - 1}")
    assert followed.status_code == 200 and followed.json()["type"] == "OrderedCollectionPage"


def test_each_write_is_an_activity(fresh_db: DbHandle) -> None:
    """Create, Update, Delete; a restore is a Create that says so; an entity is an Object,
    an event an Event; a deleted document's bundle lines are 410, an unknown one's 404."""
    headers = admin(fresh_db)
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as api:
        start = log_size(fresh_db)

        def etag(url: str) -> str:
            return api.get(url).headers["etag"]

        made = api.post(
            "/v1/documents",
            headers=headers,
            json={
                "id": "feed-telegram",
                "collection": "frus-1944-v04",
                "title": "A telegram for the feed",
                "source_type": "primary",
                "text": "# Telegram\n\nThe Ambassador arrived.",
            },
        )
        assert made.status_code == 201, made.text
        url = "/v1/documents/feed-telegram"
        edited = api.patch(url, headers={**headers, "If-Match": etag(url)}, json={"title": "T"})
        assert edited.status_code == 200
        assert api.delete(url, headers={**headers, "If-Match": etag(url)}).status_code == 204
        gone = api.get(url, headers={"Accept": "application/x-ndjson"})
        assert gone.status_code == 410
        assert gone.headers["content-type"] == "application/problem+json"
        assert api.post(f"{url}/restore", headers=headers).status_code == 200
        hard = api.delete(f"{url}?hard=true", headers={**headers, "If-Match": etag(url)})
        assert hard.status_code == 204
        assert api.get(url, headers={"Accept": "application/x-ndjson"}).status_code == 404
        entity = api.post(
            "/v1/entities",
            headers=headers,
            json={"id": "feed-person", "type": "person", "name": "A Person"},
        )
        assert entity.status_code == 201, entity.text
        event = api.post(
            "/v1/events",
            headers=headers,
            json={"id": "feed-meeting", "name": "A Meeting", "type": "meeting"},
        )
        assert event.status_code == 201, event.text
        items = [
            item
            for page in walk_back(api)
            for item in page["orderedItems"]
            if int(item["id"].rsplit("/", 1)[1]) > start
        ]
        items.sort(key=lambda item: int(item["id"].rsplit("/", 1)[1]))
        base = "http://testserver/v1"
        assert [(i["type"], i["object"]["id"], i["object"]["type"]) for i in items] == [
            ("Create", f"{base}/documents/feed-telegram", "Document"),
            ("Update", f"{base}/documents/feed-telegram", "Document"),
            ("Delete", f"{base}/documents/feed-telegram", "Document"),
            ("Create", f"{base}/documents/feed-telegram", "Document"),
            ("Delete", f"{base}/documents/feed-telegram", "Document"),
            ("Create", f"{base}/entities/feed-person", "Object"),
            ("Create", f"{base}/events/feed-meeting", "Event"),
        ]
        assert [i.get("summary") for i in items] == [None, None, None, service.RESTORED] + [
            None
        ] * 3
        see_also = [True, True, False, True, False, True, True]
        assert ["seeAlso" in i["object"] for i in items] == see_also
        for item in items:
            assert re.match(END_TIME, item["endTime"])
            when = dt.datetime.fromisoformat(item["endTime"].replace("Z", "+00:00"))
            assert abs(dt.datetime.now(dt.UTC) - when) < dt.timedelta(minutes=5)


# --- Each resource as bundle lines ---


def test_each_resource_answers_its_lines_of_the_export(
    client: TestClient, seeded_db: DbHandle
) -> None:
    """`Accept: application/x-ndjson` on a document, entity or event answers exactly the
    lines `quellen export` writes for it; the other representations are as they were."""
    lines = [text + "\n" for text in export(seeded_db).split("\n")[:-1]]
    assert lines[0] == HEADER
    collections = {
        json.loads(text)["id"]: text for text in lines if text.startswith('{"type":"collection"')
    }
    ndjson = {"Accept": "application/x-ndjson"}
    checked = set()
    for text in lines[1:]:
        data = json.loads(text)
        kind, key = data["type"], data["id"]
        if kind == "collection":
            continue
        if kind == "document":
            expected = HEADER + collections[data["collection_id"]] + text
            urls = [f"/v1/documents/{key}"]
        elif kind == "entity":
            expected, urls = HEADER + text, [f"/v1/entities/{key}"]
        else:  # an event answers its event line as an event and as an entity
            expected, urls = HEADER + text, [f"/v1/events/{key}", f"/v1/entities/{key}"]
        for url in urls:
            response = client.get(url, headers=ndjson)
            assert response.status_code == 200, url
            assert response.headers["content-type"] == "application/x-ndjson"
            assert response.text == expected, url
            checked.add(kind)
    assert checked == {"document", "entity", "event"}
    download = client.get(f"/v1/documents/{TELEGRAM}?format=ndjson")
    assert download.headers["content-disposition"] == f'attachment; filename="{TELEGRAM}.jsonl"'
    tagged = client.get("/v1/entities/joseph-stalin", headers=ndjson)
    again = client.get(
        "/v1/entities/joseph-stalin", headers={**ndjson, "If-None-Match": tagged.headers["etag"]}
    )
    assert again.status_code == 304
    # the representations that were there stay as they were
    assert client.get(f"/v1/documents/{TELEGRAM}").json()["id"] == TELEGRAM
    tei = client.get(f"/v1/documents/{TELEGRAM}", headers={"Accept": "application/tei+xml"})
    assert tei.headers["content-type"].startswith("application/tei+xml")
    ld = client.get("/v1/events/yalta-conference", headers={"Accept": "application/ld+json"})
    assert ld.json()["@type"] == "Event"
    assert client.get("/v1/events/joseph-stalin", headers=ndjson).status_code == 404
    assert client.get("/v1/entities/no-such-one", headers=ndjson).status_code == 404
    refused = client.get(f"/v1/documents/{TELEGRAM}?format=csv")
    assert refused.status_code == 400 and "ndjson" in refused.json()["detail"]


# --- Paging a long log ---


def _bulk_changes(db: DbHandle, count: int) -> int:
    """``count`` more changes, written straight into the log (as a large import would)."""
    start = log_size(db)
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "seq": start + n,
            "kind": ("documents", "entities", "events")[n % 3],
            "resource_id": f"bulk-{n}",
            "operation": ("create", "update", "delete", "restore")[n % 4],
            "at": now,
        }
        for n in range(1, count + 1)
    ]
    with db.engine.begin() as connection:
        for first in range(0, count, 2000):
            connection.execute(insert(Change), rows[first : first + 2000])
    return start + count


def test_paging_over_ten_thousand_changes_with_bounded_memory(fresh_db: DbHandle) -> None:
    total = _bulk_changes(fresh_db, 10_037)
    app = create_app(fresh_db.app_settings(), engine=fresh_db.engine)
    with TestClient(app) as api:
        collection = api.get("/v1/changes").json()
        check_collection(collection)
        assert collection["totalItems"] == total
        pages = math.ceil(total / service.PAGE_SIZE)
        assert collection["last"]["id"].endswith(f"/pages/{pages}")
        tracemalloc.start()
        peaks: list[int] = []
        seen = 0
        expected_next = total
        url: str | None = collection["last"]["id"]
        started = time.perf_counter()
        while url is not None:
            tracemalloc.reset_peak()
            page = api.get(url).json()
            peaks.append(tracemalloc.get_traced_memory()[1])
            check_page(page)
            items = page["orderedItems"]
            assert page["startIndex"] + len(items) == expected_next  # no gap, no overlap
            expected_next = page["startIndex"]
            seen += len(items)
            url = page.get("prev", {}).get("id")
        seconds = time.perf_counter() - started
        tracemalloc.stop()
        assert seen == total and expected_next == 0 and len(peaks) == pages
        # each page is one bounded range read: the newest page takes what the oldest does
        assert max(peaks) < 3_000_000, max(peaks)
        assert peaks[0] < 2 * peaks[-1] + 500_000, (peaks[0], peaks[-1])
        print(f"{pages} pages of {total} changes in {seconds:.1f} s, peak {max(peaks)} bytes")


def test_full_pages_are_immutable_and_the_newest_revalidates(fresh_db: DbHandle) -> None:
    _bulk_changes(fresh_db, 250)
    app = create_app(fresh_db.app_settings(), engine=fresh_db.engine)
    with TestClient(app) as api:
        last = api.get("/v1/changes").json()["last"]["id"]
        full = api.get("/v1/changes/pages/1")
        assert "immutable" in full.headers["cache-control"]
        assert full.headers["cache-control"].startswith("public, max-age=")
        newest = api.get(last)
        assert "immutable" not in newest.headers["cache-control"]
        assert "must-revalidate" in newest.headers["cache-control"]
        cached = api.get("/v1/changes/pages/1", headers={"If-None-Match": full.headers["etag"]})
        assert cached.status_code == 304 and cached.content == b""
        _bulk_changes(fresh_db, 1)  # the newest page grows; the full ones stay as they were
        assert api.get("/v1/changes/pages/1").headers["etag"] == full.headers["etag"]
        assert api.get(last).headers["etag"] != newest.headers["etag"]
        revalidated = api.get(last, headers={"If-None-Match": newest.headers["etag"]})
        assert revalidated.status_code == 200
    private = create_app(fresh_db.app_settings(require_read_key=True), engine=fresh_db.engine)
    with TestClient(private) as api:
        assert api.get("/v1/changes").status_code == 401
        keyed = api.get("/v1/changes/pages/1", headers=admin(fresh_db, "reader"))
        assert keyed.headers["cache-control"].startswith("private, ")


# --- The mirror ---


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` on a real socket, in a thread of this process; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


class Curator:
    """Writes through the source's API over HTTP, as a curator's client would."""

    def __init__(self, http: httpx.Client, headers: dict[str, str]):
        self.http = http
        self.headers = headers

    def _check(self, response: httpx.Response, status: int) -> httpx.Response:
        assert response.status_code == status, (response.request.url, response.text)
        return response

    def post(self, url: str, body: dict[str, Any] | None = None, status: int = 201) -> Any:
        return self._check(self.http.post(url, headers=self.headers, json=body), status)

    def patch(self, url: str, body: dict[str, Any]) -> Any:
        tag = self.http.get(url).headers["etag"]
        response = self.http.patch(url, headers={**self.headers, "If-Match": tag}, json=body)
        return self._check(response, 200)

    def delete(self, url: str) -> None:
        tag = self.http.get(url.split("?")[0]).headers.get("etag", '"x"')
        response = self.http.delete(url, headers={**self.headers, "If-Match": tag})
        self._check(response, 204)


def _first_round(curator: Curator) -> None:
    """Creates, edits, a mention and a reference, deletes of every kind, a restore."""
    curator.post(
        "/v1/documents",
        {
            "id": "mirror-telegram",
            "collection": "frus-1944-v04",
            "title": "A telegram to mirror",
            "source_type": "primary",
            "date": "1944-10-02",
            "text": "# Telegram\n\nStettinius met the Ambassador in Cairo.[^1]",
            "footnotes": [{"marker": "1", "text": "Minister Resident."}],
        },
    )
    curator.post(
        "/v1/entities",
        {
            "id": "edward-stettinius",
            "type": "person",
            "name": "Edward R. Stettinius Jr.",
            "aliases": [{"text": "Stettinius"}],
        },
    )
    curator.patch("/v1/documents/mirror-telegram", {"title": "A telegram, mirrored"})
    curator.post(
        "/v1/documents/mirror-telegram/mentions",
        {
            "passage": "p2",
            "passage_start": 15,
            "passage_end": 29,
            "surface": "the Ambassador",
            "entity": "w-averell-harriman",
        },
    )
    curator.post(
        "/v1/cross-references",
        {
            "source": {"document": "mirror-telegram", "passage": "p2"},
            "relation": "see_also",
            "target": {"document": ESSAY},
        },
    )
    curator.post(
        "/v1/events",
        {
            "id": "moscow-conference-1944",
            "name": "Fourth Moscow Conference",
            "type": "conference",
            "date": "1944-10-09/1944-10-19",
            "participants": [{"entity": "edward-stettinius", "role": "observer"}],
            "reported_in": [{"document": "mirror-telegram"}],
        },
    )
    curator.patch("/v1/entities/joseph-stalin", {"description": "Soviet leader."})
    curator.delete(f"/v1/documents/{TELEGRAM}")  # a tombstone the mirror has never seen
    curator.delete("/v1/entities/cordell-hull")  # curated in the tombstone: its mention goes
    curator.delete(f"/v1/documents/{LIBERATION}")
    curator.post(f"/v1/documents/{LIBERATION}/restore", status=200)
    curator.delete(f"/v1/documents/{POWS}?hard=true")  # reported by an event: the report goes


def _second_round(curator: Curator) -> None:
    curator.post(f"/v1/documents/{TELEGRAM}/restore", status=200)
    curator.patch("/v1/documents/mirror-telegram", {"genre": "telegram"})
    curator.delete("/v1/documents/mirror-telegram")  # the mirror has it: now a tombstone
    curator.delete("/v1/entities/edward-stettinius")  # in the tombstone's mentions
    curator.delete("/v1/events/moscow-conference-1944")
    curator.delete(f"/v1/documents/{LIBERATION}?hard=true")
    mention = curator.http.get(f"/v1/documents/{ESSAY}/mentions").json()["items"][0]
    curator.patch(f"/v1/mentions/{mention['id']}", {"status": "rejected"})
    curator.patch(f"/v1/documents/{ESSAY}", {"genre": "web essay"})


def test_a_mirror_follows_the_feed_into_another_database(
    fresh_db: DbHandle,
    databases: DatabaseFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Round 1 copies everything into an empty database; round 2 only what changed after;
    after each, `quellen export` of the source and the mirror are the same bytes."""
    copy = databases.migrated(fresh_db.backend)
    assert CliRunner().invoke(cli, ["mirror", "--help"]).exit_code == 0
    source = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    headers = admin(fresh_db)
    with serving(source) as base, httpx.Client(base_url=base, timeout=60) as http:
        curator = Curator(http, headers)
        _first_round(curator)
        first = mirror(copy.engine, f"{base}/", since=0, client=http)
        assert first.until == log_size(fresh_db)
        assert export(copy) == export(fresh_db)
        assert first.tombstoned == 1 and first.imported is not None
        with Session(copy.engine) as session:  # kept as the source keeps it: a tombstone
            tombstone = session.get(Document, TELEGRAM)
            assert tombstone is not None and tombstone.deleted_at is not None
        with Session(copy.engine) as session:  # the mirror keeps its own log of what it did
            assert session.execute(select(func.count()).select_from(Change)).scalar()

        _second_round(curator)
        state = tmp_path / "mirror-state.json"
        state.write_text(json.dumps({"source": base, "seq": first.until}))
        monkeypatch.setenv("QUELLEN_DATABASE_URL", copy.url)
        monkeypatch.setenv("QUELLEN_LOAD_SEED", "false")
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(
                cli, ["mirror", base, "--state", str(state), "--no-migrate"]
            )
            assert result.exit_code == 0, result.output
            until = log_size(fresh_db)
            assert f"last change mirrored: {until}" in result.output
            assert json.loads(state.read_text())["seq"] == until
            assert export(copy) == export(fresh_db)
            again = CliRunner().invoke(cli, ["mirror", base, "--state", str(state), "--no-migrate"])
            assert again.exit_code == 0 and "nothing changed" in again.output
            wrong = CliRunner().invoke(
                cli, ["mirror", "http://127.0.0.1:9/", "--state", str(state), "--no-migrate"]
            )
            assert wrong.exit_code == 1 and "state file" in wrong.output
        finally:
            get_settings.cache_clear()
        second = mirror(copy.engine, base, since=first.until, client=http)
        assert second.resources == 6  # what the second round touched, and nothing else
        assert export(copy) == export(fresh_db)
