"""The write API: keys and scopes, writes, revisions, no lost updates — on both engines."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from api.app import create_app
from api.db.engine import begin_write, make_engine, session_scope
from api.db.keys import create_key
from api.http.limits import is_write
from tests.conftest import DbHandle

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
DOC = f"/v1/documents/{TELEGRAM}"


@dataclass
class Keys:
    read: dict[str, str]
    curate: dict[str, str]
    admin: dict[str, str]


@pytest.fixture
def keys(fresh_db: DbHandle) -> Keys:
    with session_scope(fresh_db.engine) as session:
        made = {
            s: create_key(session, name=f"{s}-key", scope=s) for s in ("read", "curate", "admin")
        }
    return Keys(**{scope: {"Authorization": f"Bearer {key}"} for scope, key in made.items()})


@pytest.fixture
def api(fresh_db: DbHandle) -> Iterator[TestClient]:
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as client:
        yield client


def etag(client: TestClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.headers["etag"]


def test_auth_matrix_over_every_write_route(api: TestClient, keys: Keys) -> None:
    """Every write needs a key of the right scope (the POSTs that only read, such as a
    reconciliation batch or an OAI-PMH request, are reads)."""
    spec = api.get("/openapi.json").json()
    writes = [
        (method.upper(), path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("post", "patch", "delete") and is_write(method.upper(), path)
    ]
    assert len(writes) >= 18
    for method, path, op in writes:
        url = (
            path.replace("{document_id}", TELEGRAM)
            .replace("{ref}", "p4")
            .replace("{marker}", "66")
            .replace("{mention_id}", "1")
            .replace("{entity_id}", "joseph-stalin")
            .replace("{event_id}", "yalta-conference")
            .replace("{xref_id}", "1")
            .replace("{kind}", "documents")
            .replace("{resource_id}", TELEGRAM)
            .replace("{number}", "1")
            .replace("{name}", "read-key")
        )
        anonymous = api.request(method, url, json={})
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        assert anonymous.headers["content-type"] == "application/problem+json"
        wrong = api.request(method, url, json={}, headers={"Authorization": "Bearer qk_nope.x"})
        assert wrong.status_code == 401 and "invalid_token" in wrong.headers["www-authenticate"]
        reader = api.request(method, url, json={}, headers=keys.read)
        assert reader.status_code == 403, (method, path)
        admin_only = (
            "admin" in op["description"].lower() and "admin only" in op["description"].lower()
        )
        curator = api.request(method, url, json={}, headers=keys.curate)
        if admin_only:
            assert curator.status_code == 403, (method, path)
        else:
            assert curator.status_code not in (401, 403), (method, path, curator.text)


def test_curate_key_can_write_each_kind(api: TestClient, keys: Keys) -> None:
    h = keys.curate
    created = api.post(
        "/v1/documents",
        headers=h,
        json={
            "id": "new-telegram",
            "collection": "frus-1944-v04",
            "title": "A new telegram",
            "source_type": "primary",
            "date": "1944-09-30",
            "text": "# Telegram\n\nLord Moyne[^1] was in Cairo.",
            "footnotes": [{"marker": "1", "text": "Minister Resident."}],
        },
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "http://testserver/v1/documents/new-telegram"
    assert created.headers["etag"] == etag(api, "/v1/documents/new-telegram")
    patched = api.patch(
        "/v1/documents/new-telegram",
        headers={**h, "If-Match": created.headers["etag"]},
        json={"title": "A corrected telegram", "provenance": {"pages": "12"}},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["title"] == "A corrected telegram"
    assert patched.json()["provenance"]["pages"] == "12"
    entity = api.post(
        "/v1/entities",
        headers=h,
        json={
            "id": "edward-stettinius",
            "type": "person",
            "name": "Edward R. Stettinius Jr.",
            "aliases": [{"text": "Stettinius"}],
        },
    )
    assert entity.status_code == 201, entity.text
    xref = api.post(
        "/v1/cross-references",
        headers=h,
        json={
            "source": {"document": "new-telegram", "passage": "p2"},
            "relation": "see_also",
            "target": {"document": TELEGRAM},
        },
    )
    assert xref.status_code == 201, xref.text
    assert xref.json()["resolved"] is True and xref.json()["origin"] == "curated"
    note = api.patch(
        f"{DOC}/footnotes/66",
        headers={**h, "If-Match": etag(api, f"{DOC}/footnotes/66")},
        json={"text": "Walter Edward Guinness, Lord Moyne."},
    )
    assert note.status_code == 200 and note.json()["marker"] == "66"


def test_if_match_is_required_and_checked(api: TestClient, keys: Keys) -> None:
    missing = api.patch(DOC, headers=keys.curate, json={"title": "x"})
    assert missing.status_code == 428
    stale = api.patch(DOC, headers={**keys.curate, "If-Match": '"stale"'}, json={"title": "x"})
    assert stale.status_code == 412
    current = etag(api, DOC)
    first = api.patch(DOC, headers={**keys.curate, "If-Match": current}, json={"title": "One"})
    second = api.patch(DOC, headers={**keys.curate, "If-Match": current}, json={"title": "Two"})
    assert (first.status_code, second.status_code) == (200, 412)
    assert api.get(DOC).json()["title"] == "One"


def test_concurrent_conflicting_updates_lose_nothing(fresh_db: DbHandle, keys: Keys) -> None:
    """20 threads x 50 updates with If-Match: every success is a revision, the last one wins."""
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    url = "/v1/documents/why-did-the-ussr-refuse-to-repatriate-allied-pows"
    successes: list[tuple[int, str]] = []
    lock = threading.Lock()
    errors: list[str] = []

    def worker(n: int) -> None:
        try:
            attempt(n)
        except Exception as exc:  # a crashed thread must fail the test, not vanish
            errors.append(f"thread {n}: {type(exc).__name__}: {exc}")

    def attempt(n: int) -> None:
        client = TestClient(app)
        for i in range(50):
            got = client.get(url)
            title = f"title {n}-{i}"
            response = client.patch(
                url, headers={**keys.curate, "If-Match": got.headers["etag"]}, json={"title": title}
            )
            if response.status_code == 200:
                with lock:
                    successes.append((response.json()["revision"], title))
            elif response.status_code != 412:
                errors.append(f"{response.status_code} {response.text}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    assert successes
    client = TestClient(app)
    revisions: list[dict] = []  # type: ignore[type-arg]
    next_url: str | None = f"/v1/documents/{url.rsplit('/', 1)[1]}/revisions?limit=200"
    while next_url:
        body = client.get(next_url).json()
        revisions += body["items"]
        next_url = body["next"]
    assert len(revisions) == len(successes)
    assert [r["number"] for r in revisions] == list(range(1, len(successes) + 1))
    last_revision, last_title = max(successes)
    final = client.get(url).json()
    assert final["title"] == last_title and final["revision"] == last_revision
    assert revisions[-1]["after"]["title"] == last_title


def test_delete_and_restore_bring_everything_back(api: TestClient, keys: Keys) -> None:
    parts = (
        "/text?view=full",
        "/passages",
        "/footnotes",
        "/pages",
        "/mentions?limit=200",
        "/cross-references?direction=out",
    )
    before = {part: api.get(DOC + part).content for part in parts}
    gone = api.delete(DOC, headers={**keys.curate, "If-Match": etag(api, DOC)})
    assert gone.status_code == 204
    for part in ("", *parts):
        assert api.get(DOC + part).status_code == 410, part
    assert TELEGRAM not in {d["id"] for d in api.get("/v1/documents").json()["items"]}
    assert api.get("/v1/search", params={"q": "Moyne"}).json()["items"] == []
    moyne = api.get("/v1/entities/walter-edward-guinness/documents").json()["items"]
    assert TELEGRAM not in {d["id"] for d in moyne}
    assert api.post(f"{DOC}/restore", headers=keys.curate).status_code == 403
    restored = api.post(f"{DOC}/restore", headers=keys.admin)
    assert restored.status_code == 200, restored.text
    after = {part: api.get(DOC + part).content for part in parts}
    assert after == before
    history = api.get(f"{DOC}/revisions").json()["items"]
    assert [r["operation"] for r in history] == ["delete", "restore"]
    assert all(r["key_name"] in ("curate-key", "admin-key") for r in history)


def test_hard_delete_needs_admin(api: TestClient, keys: Keys) -> None:
    tag = etag(api, DOC)
    assert (
        api.delete(f"{DOC}?hard=true", headers={**keys.curate, "If-Match": tag}).status_code == 403
    )
    assert (
        api.delete(f"{DOC}?hard=true", headers={**keys.admin, "If-Match": tag}).status_code == 204
    )
    assert api.get(DOC).status_code == 404


def test_editing_a_passage_keeps_offsets_consistent(api: TestClient, keys: Keys) -> None:
    old_notes = api.get(f"{DOC}/footnotes").json()["items"]
    old_pages = api.get(f"{DOC}/pages").json()["items"]
    passage = api.get(f"{DOC}/passages/p4").json()
    new_text = passage["text"].replace("in which Lord Moyne", "in which, it seems, Lord Moyne")
    response = api.patch(
        f"{DOC}/passages/p4",
        headers={**keys.curate, "If-Match": etag(api, f"{DOC}/passages/p4")},
        json={"text": new_text},
    )
    assert response.status_code == 200, response.text
    text = api.get(f"{DOC}/text?view=full").text
    notes = api.get(f"{DOC}/footnotes").json()["items"]
    shift = len(", it seems,")
    assert text[: notes[0]["start"]].endswith("Lord Moyne")
    assert notes[1]["start"] == old_notes[1]["start"] + shift
    assert text[: notes[1]["start"]].endswith("this time.")
    assert text[: notes[2]["start"]].endswith("reprisals.")
    pages = api.get(f"{DOC}/pages").json()["items"]
    assert pages[0]["start"] == old_pages[0]["start"] + shift
    assert text[pages[0]["start"] :].startswith("to obtain information")
    for item in api.get(f"{DOC}/passages").json()["items"]:
        assert text[item["start"] : item["end"]] == item["text"]
    for mention in api.get(f"{DOC}/mentions?limit=200").json()["items"]:
        if mention["container"] == "passage":
            assert text[mention["start"] : mention["end"]] == mention["surface"]
    found = api.get("/v1/search", params={"q": '"it seems"'}).json()["items"]
    assert [(h["document"], (h["passage"] or h["footnote"])) for h in found] == [(TELEGRAM, "p4")]


def test_rejected_mention_stays_rejected_when_aliases_change(api: TestClient, keys: Keys) -> None:
    mentions = api.get(f"{DOC}/mentions?limit=200").json()["items"]
    target = next(m for m in mentions if m["status"] == "auto")
    rejected = api.patch(
        f"/v1/mentions/{target['id']}",
        headers={**keys.curate, "If-Match": etag(api, f"/v1/mentions/{target['id']}")},
        json={"status": "rejected"},
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    entity = target["entity"]
    aliases = api.get(f"/v1/entities/{entity}").json()["aliases"]
    relinked = api.patch(
        f"/v1/entities/{entity}",
        headers={**keys.curate, "If-Match": etag(api, f"/v1/entities/{entity}")},
        json={"aliases": [*aliases, {"text": "zzz unused alias"}]},
    )
    assert relinked.status_code == 200, relinked.text
    again = api.get(f"{DOC}/mentions?limit=200&include_rejected=true").json()["items"]
    where = ("passage", "footnote", "passage_start", "passage_end")
    same = [m for m in again if all(m[k] == target[k] for k in where)]
    assert [m["status"] for m in same] == ["rejected"]


def test_bad_writes_are_refused_with_problems(api: TestClient, keys: Keys) -> None:
    h = keys.curate
    cases = [
        ("patch", DOC, {"title": 42}, 422),
        ("patch", DOC, {"colour": "red"}, 422),
        ("patch", DOC, {"date": "someday"}, 422),
        (
            "post",
            f"{DOC}/mentions",
            {
                "passage": "p4",
                "passage_start": 0,
                "passage_end": 4,
                "surface": "Lord",
                "entity": "w-averell-harriman",
            },
            422,
        ),
        (
            "post",
            f"{DOC}/mentions",
            {
                "passage": "p4",
                "passage_start": 9000,
                "passage_end": 9004,
                "surface": "x",
                "entity": "w-averell-harriman",
            },
            422,
        ),
        (
            "post",
            "/v1/cross-references",
            {
                "source": {"document": TELEGRAM},
                "relation": "cites",
                "target": {"document": TELEGRAM},
            },
            422,
        ),
        (
            "post",
            "/v1/entities",
            {
                "id": "another-stalin",
                "type": "person",
                "name": "J. S.",
                "aliases": [{"text": "Stalin"}],
            },
            409,
        ),
        ("post", "/v1/entities", {"id": "joseph-stalin", "type": "person", "name": "J. S."}, 409),
    ]
    for method, url, body, status in cases:
        headers = {**h, "If-Match": etag(api, url)} if method == "patch" else h
        response = api.request(method.upper(), url, headers=headers, json=body)
        assert response.status_code == status, (url, body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"]
    # nothing half-written
    assert api.get(DOC).json()["title"].startswith("The Ambassador")
    assert api.get("/v1/entities/another-stalin").status_code == 404


def test_revisions_and_revert(api: TestClient, keys: Keys) -> None:
    original = api.get(DOC).json()["title"]
    api.patch(DOC, headers={**keys.curate, "If-Match": etag(api, DOC)}, json={"title": "Changed"})
    history = api.get(f"{DOC}/revisions").json()["items"]
    assert history[0]["before"]["title"] == original and history[0]["after"]["title"] == "Changed"
    assert api.post(f"{DOC}/revisions/1/revert", headers=keys.curate).status_code == 403
    # revision 1 left it "Changed"; revert to the state before it by creating revision 2 first
    api.patch(DOC, headers={**keys.curate, "If-Match": etag(api, DOC)}, json={"title": "Again"})
    reverted = api.post(f"{DOC}/revisions/1/revert", headers=keys.admin)
    assert reverted.status_code == 200 and reverted.json()["title"] == "Changed"
    assert api.get(f"{DOC}/revisions").json()["items"][-1]["operation"] == "revert to 1"


def test_keys_endpoints(api: TestClient, keys: Keys) -> None:
    assert api.get("/v1/keys", headers=keys.curate).status_code == 403
    made = api.post("/v1/keys", headers=keys.admin, json={"name": "guest", "scope": "read"})
    assert made.status_code == 201
    secret = made.json()["key"]
    listed = api.get("/v1/keys", headers=keys.admin).json()["items"]
    assert {"guest", "read-key", "curate-key", "admin-key"} <= {k["name"] for k in listed}
    assert all("key" not in k for k in listed)
    assert api.delete("/v1/keys/guest", headers=keys.admin).status_code == 204
    revoked = api.post("/v1/entities", headers={"Authorization": f"Bearer {secret}"}, json={})
    assert revoked.status_code == 401


def test_limits_cors_and_security_headers(fresh_db: DbHandle, keys: Keys) -> None:
    settings = fresh_db.app_settings(
        rate_limit_writes="3/minute", max_body_bytes=2048, cors_origins=["https://edition.example"]
    )
    client = TestClient(create_app(settings, engine=fresh_db.engine))
    statuses = [
        client.patch(DOC, headers=keys.curate, json={"title": "x"}).status_code for _ in range(4)
    ]
    assert statuses[:3] == [428, 428, 428] and statuses[3] == 429
    limited = client.patch(DOC, headers=keys.curate, json={"title": "x"})
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["content-type"] == "application/problem+json"
    big = client.post(
        "/v1/entities",
        headers=keys.admin,
        content=b"{" + b" " * 5000 + b"}",
    )
    assert big.status_code == 413
    preflight = client.options(
        "/v1/documents",
        headers={"Origin": "https://edition.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["access-control-allow-origin"] == "https://edition.example"
    other = client.get("/v1/documents", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    plain = client.get("/v1/documents")
    assert plain.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in plain.headers["content-security-policy"]
    anyone = TestClient(
        create_app(fresh_db.app_settings(cors_origins=["*"]), engine=fresh_db.engine)
    ).get("/v1/documents", headers={"Origin": "https://x.example"})
    assert anyone.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in anyone.headers


def test_reads_can_require_a_key(fresh_db: DbHandle, keys: Keys) -> None:
    client = TestClient(
        create_app(fresh_db.app_settings(require_read_key=True), engine=fresh_db.engine)
    )
    assert client.get("/v1/documents").status_code == 401
    assert client.get("/v1/documents", headers=keys.read).status_code == 200
    assert client.get("/health").status_code == 200


def test_inferred_links_keep_their_ids_across_unrelated_writes(api: TestClient, keys: Keys) -> None:
    """A PATCH re-links only its document: every inferred link elsewhere stays, id and all."""

    def links() -> dict[int, tuple[str, str]]:
        found, url = {}, "/v1/cross-references?origin=inferred&limit=200"
        while url:
            body = api.get(url).json()
            found |= {
                x["id"]: (x["source"]["document"], x["target"]["document"]) for x in body["items"]
            }
            url = body["next"]
        return found

    for n in (1, 2):
        created = api.post(
            "/v1/documents",
            headers=keys.curate,
            json={
                "id": f"yalta-note-{n}",
                "collection": "frus-1944-v04",
                "title": f"Yalta note {n}",
                "source_type": "primary",
                "text": "Stalin, Churchill and Roosevelt met at Yalta.",
            },
        )
        assert created.status_code == 201, created.text
    before = links()
    pairs = {("yalta-note-1", "yalta-note-2"), ("yalta-note-2", "yalta-note-1")}
    assert pairs <= set(before.values())
    url = DOC  # names none of the three
    patched = api.patch(
        url, headers={**keys.curate, "If-Match": etag(api, url)}, json={"genre": "memorandum"}
    )
    assert patched.status_code == 200, patched.text
    assert links() == before
    first = min(before)
    assert api.get(f"/v1/cross-references/{first}").status_code == 200


def test_a_write_that_waits_too_long_is_a_503_with_retry_after(
    fresh_db: DbHandle, keys: Keys
) -> None:
    """Writes queue for the write lane; one that waits past its bound is told to come back."""
    engine = make_engine(fresh_db.url, write_wait=0.5)
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=engine)
    with TestClient(app) as client:
        tag = etag(client, DOC)
        with Session(engine) as holder:
            begin_write(holder)  # another writer (an import, a long edit) holds the lane
            response = client.patch(
                DOC, headers={**keys.curate, "If-Match": tag}, json={"provenance": {"pages": "9"}}
            )
            # on PostgreSQL an edit of the document's own row alone needs no turn
            beside = client.patch(
                DOC, headers={**keys.curate, "If-Match": tag}, json={"title": "Beside"}
            )
            holder.rollback()
        assert beside.status_code == (200 if fresh_db.backend == "postgresql" else 503)
        tag = etag(client, DOC)
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "2"
        assert "busy" in response.json()["detail"]
        again = client.patch(DOC, headers={**keys.curate, "If-Match": tag}, json={"title": "Now"})
        assert again.status_code == 200, again.text
    engine.dispose()


def test_searches_during_writes_see_whole_snapshots(fresh_db: DbHandle, keys: Keys) -> None:
    """A write re-inserts a document's passages; a search meanwhile reads hits, then their
    texts, from one snapshot (it once failed when the passages it found were gone)."""
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    if fresh_db.backend == "postgresql":
        with Session(app.state.snapshot_engine) as session:
            level = session.execute(text("SHOW transaction_isolation")).scalar()
        assert level == "repeatable read"
    failures: list[str] = []
    done = threading.Event()

    def write() -> None:
        client = TestClient(app)
        try:
            for i in range(25):
                tag = etag(client, DOC)
                response = client.patch(
                    DOC, headers={**keys.curate, "If-Match": tag}, json={"title": f"Edit {i}"}
                )
                if response.status_code != 200:
                    failures.append(f"write {response.status_code}: {response.text}")
        finally:
            done.set()

    writer = threading.Thread(target=write)
    writer.start()
    client = TestClient(app)
    searches = 0
    while not done.is_set() or searches < 25:
        response = client.get("/v1/search?q=Soviet&limit=50")
        searches += 1
        if response.status_code != 200:
            failures.append(f"search {response.status_code}: {response.text}")
    writer.join()
    assert not failures, failures[:3]


def test_a_metadata_edit_keeps_curated_references_and_mentions(api: TestClient, keys: Keys) -> None:
    """Curated links written on their own stay the same rows through the document's next
    edit (it once re-created them under new ids, with no revision)."""
    other = "/v1/documents/why-did-the-ussr-refuse-to-repatriate-allied-pows"
    xref = api.post(
        "/v1/cross-references",
        headers=keys.curate,
        json={
            "source": {"document": TELEGRAM},
            "relation": "see_also",
            "target": {"document": other.rsplit("/", 1)[1]},
        },
    )
    assert xref.status_code == 201, xref.text
    mentions = api.get(f"{DOC}/mentions?limit=200").json()["items"]
    patched = api.patch(
        DOC, headers={**keys.curate, "If-Match": etag(api, DOC)}, json={"genre": "cable"}
    )
    assert patched.status_code == 200, patched.text
    assert api.get(f"/v1/cross-references/{xref.json()['id']}").status_code == 200
    assert api.get(f"{DOC}/mentions?limit=200").json()["items"] == mentions


def test_an_entity_write_relinks_only_when_its_aliases_change(api: TestClient, keys: Keys) -> None:
    url = "/v1/entities/joseph-stalin"
    mentions = api.get(f"{url}/mentions?limit=200").json()["items"]
    described = api.patch(
        url, headers={**keys.curate, "If-Match": etag(api, url)}, json={"description": "x"}
    )
    assert described.status_code == 200, described.text
    assert api.get(f"{url}/mentions?limit=200").json()["items"] == mentions
    moyne = "/v1/entities/walter-edward-guinness"
    before = api.get(f"{moyne}/mentions?limit=200").json()["items"]
    aliases = api.get(moyne).json()["aliases"]
    added = api.patch(
        moyne,
        headers={**keys.curate, "If-Match": etag(api, moyne)},
        json={"aliases": [*aliases, {"text": "British Resident Minister"}]},
    )
    assert added.status_code == 200, added.text
    after = api.get(f"{moyne}/mentions?limit=200").json()["items"]
    assert len(after) > len(before)
    assert any(m["surface"] == "British Resident Minister" for m in after)


def test_an_edit_that_must_relink_after_all_takes_its_turn(
    fresh_db: DbHandle, api: TestClient, keys: Keys
) -> None:
    """A genre edit runs beside other writes; on a document stored before its parts were
    hashed it rewrites them and re-links, so it is run again in the write lane."""
    mentions = api.get(f"{DOC}/mentions?limit=200").json()["items"]
    with session_scope(fresh_db.engine) as session:
        session.execute(
            text("UPDATE document SET parts_fingerprint = NULL WHERE id = :id"), {"id": TELEGRAM}
        )
    patched = api.patch(
        DOC, headers={**keys.curate, "If-Match": etag(api, DOC)}, json={"genre": "cable"}
    )
    assert patched.status_code == 200, patched.text
    after = api.get(f"{DOC}/mentions?limit=200").json()["items"]
    assert [(m["entity"], m["start"]) for m in after] == [
        (m["entity"], m["start"]) for m in mentions
    ]
    with session_scope(fresh_db.engine) as session:
        stored = session.execute(
            text("SELECT parts_fingerprint FROM document WHERE id = :id"), {"id": TELEGRAM}
        ).scalar()
    assert stored


def test_mixed_writes_on_one_document_never_fail(fresh_db: DbHandle, keys: Keys) -> None:
    """Text edits (which rewrite the document's parts and re-link it, in the write lane),
    metadata edits and curated references (which run beside it on PostgreSQL) on the same
    document at once: every answer is a success or a lost race, never a 5xx."""
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    target = "why-did-the-ussr-refuse-to-repatriate-allied-pows"
    problems: list[str] = []

    def check(response: Any, *also: int) -> None:
        if response.status_code not in (200, 201, 204, 412, *also):
            problems.append(f"{response.request.method} {response.status_code} {response.text}")

    def edit_text() -> None:
        client = TestClient(app)
        url = f"{DOC}/passages/p4"
        for i in range(10):
            text = client.get(url).json()["text"]
            body = {"text": text.replace("Lord Moyne", "Lord  Moyne" if i % 2 else "Lord Moyne")}
            tag = etag(client, url)
            check(client.patch(url, headers={**keys.curate, "If-Match": tag}, json=body))

    def edit_title() -> None:
        client = TestClient(app)
        for i in range(10):
            tag = etag(client, DOC)
            title = {"title": f"T{i}"}
            check(client.patch(DOC, headers={**keys.curate, "If-Match": tag}, json=title))

    def link() -> None:
        client = TestClient(app)
        for _ in range(10):
            made = client.post(
                "/v1/cross-references",
                headers=keys.curate,
                json={
                    "source": {"document": TELEGRAM, "passage": "p4"},
                    "relation": "see_also",
                    "target": {"document": target},
                },
            )
            check(made)
            if made.status_code == 201:
                url = f"/v1/cross-references/{made.json()['id']}"
                found = client.get(url)
                if found.status_code == 404:
                    # a text edit rewrote the document's parts meanwhile, and with them its
                    # curated references, under new ids (known; see issue 14's note)
                    continue
                tag = found.headers["etag"]
                check(client.delete(url, headers={**keys.curate, "If-Match": tag}), 404)

    threads = [threading.Thread(target=work) for work in (edit_text, edit_title, link, link)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not problems, problems[:3]


def test_a_patch_that_changes_nothing_is_a_no_op(api: TestClient, keys: Keys) -> None:
    """Same representation, same ETag, no revision: the next curator gets no false 412."""
    h = keys.curate
    xref = api.post(
        "/v1/cross-references",
        headers=h,
        json={
            "source": {"document": TELEGRAM, "passage": "p4"},
            "relation": "see_also",
            "target": {"scheme": "file_number", "value": "740.0011 EW/9-2444"},
        },
    )
    assert xref.status_code == 201, xref.text
    mention = api.get(f"{DOC}/mentions").json()["items"][0]
    accepted = api.patch(
        f"/v1/mentions/{mention['id']}",
        headers={**h, "If-Match": etag(api, f"/v1/mentions/{mention['id']}")},
        json={"status": "curated"},
    )
    assert accepted.status_code == 200, accepted.text
    cases = [
        (DOC, "documents", TELEGRAM, lambda r: {"language": r["language"]}),
        (f"{DOC}/passages/p4", "documents", TELEGRAM, lambda r: {"kind": r["kind"]}),
        (f"{DOC}/footnotes/66", "documents", TELEGRAM, lambda r: {"text": r["text"]}),
        ("/v1/entities/joseph-stalin", "entities", "joseph-stalin", lambda r: {"name": r["name"]}),
        (
            "/v1/events/yalta-conference",
            "events",
            "yalta-conference",
            lambda r: {"name": r["name"]},
        ),
        (
            f"/v1/mentions/{mention['id']}",
            "mentions",
            str(mention["id"]),
            lambda r: {"status": "curated"},
        ),
        (
            f"/v1/cross-references/{xref.json()['id']}",
            "cross-references",
            str(xref.json()["id"]),
            lambda r: {"relation": r["relation"]},
        ),
    ]
    for url, kind, resource_id, same in cases:
        read = api.get(url)
        history = f"/v1/{kind}/{resource_id}/revisions"
        revisions = len(api.get(history, params={"limit": 200}).json()["items"])
        patched = api.patch(
            url, headers={**h, "If-Match": read.headers["etag"]}, json=same(read.json())
        )
        assert patched.status_code == 200, (url, patched.text)
        assert patched.headers["etag"] == read.headers["etag"], url
        assert api.get(url).headers["etag"] == read.headers["etag"], url
        assert len(api.get(history, params={"limit": 200}).json()["items"]) == revisions, url
    before = etag(api, DOC)
    changed = api.patch(DOC, headers={**h, "If-Match": before}, json={"language": "fr"})
    assert changed.status_code == 200 and changed.headers["etag"] != before


def test_old_field_names_are_refused_not_ignored(api: TestClient, keys: Keys) -> None:
    """The names 0.x renamed (see CHANGELOG.md) are a 422 naming the field, never dropped."""
    h = keys.curate
    moyne = {"passage": "p4", "surface": "Lord Moyne", "entity": "w-averell-harriman"}
    old_mention = api.post(f"{DOC}/mentions", headers=h, json={**moyne, "start": 151, "end": 161})
    assert old_mention.status_code == 422 and "start" in old_mention.text
    made = api.post(
        f"{DOC}/mentions", headers=h, json={**moyne, "passage_start": 151, "passage_end": 161}
    )
    assert made.status_code == 201, made.text
    mention = made.json()
    assert (mention["passage_start"], mention["passage_end"]) == (151, 161)
    text = api.get(f"{DOC}/text?view=full").text
    assert text[mention["start"] : mention["end"]] == "Lord Moyne"
    event = {"id": "moscow-conference-1944", "name": "Fourth Moscow Conference"}
    old_event = api.post("/v1/events", headers=h, json={**event, "event_type": "conference"})
    assert old_event.status_code == 422 and "event_type" in old_event.text
    created = api.post("/v1/events", headers=h, json={**event, "type": "conference"})
    assert created.status_code == 201, created.text
    assert created.json()["type"] == "conference" and "event_type" not in created.json()
    url = "/v1/events/moscow-conference-1944"
    patched = api.patch(url, headers={**h, "If-Match": etag(api, url)}, json={"type": "meeting"})
    assert patched.status_code == 200 and patched.json()["type"] == "meeting"
    assert api.get("/v1/entities/moscow-conference-1944").json()["event"]["type"] == "meeting"
    source = {"document": TELEGRAM, "passage": "p3"}
    target = {"scheme": "telegram_number", "value": "2212"}
    old_xref = api.post(
        "/v1/cross-references",
        headers=h,
        json={"source": {**source, "start": 8, "end": 12}, "relation": "cites", "target": target},
    )
    assert old_xref.status_code == 422 and "passage_start" in old_xref.json()["detail"]
    xref = api.post(
        "/v1/cross-references",
        headers=h,
        json={
            "source": {**source, "passage_start": 8, "passage_end": 12},
            "relation": "cites",
            "target": target,
        },
    )
    assert xref.status_code == 201, xref.text
    anchor = xref.json()["source"]
    assert anchor["text"] == "Dept" and text[anchor["start"] : anchor["end"]] == "Dept"


def test_times_are_utc_with_z(api: TestClient, keys: Keys) -> None:
    mention = api.get(f"{DOC}/mentions").json()["items"][0]
    url = f"/v1/mentions/{mention['id']}"
    api.patch(url, headers={**keys.curate, "If-Match": etag(api, url)}, json={"status": "curated"})
    (revision,) = api.get(f"/v1/mentions/{mention['id']}/revisions").json()["items"]
    assert revision["at"].endswith("Z")
    assert revision["before"]["created_at"].endswith("Z")
    assert revision["after"]["created_at"] == revision["before"]["created_at"]
    document = api.get(DOC).json()
    assert document["created_at"].endswith("Z") and document["updated_at"].endswith("Z")
    listed = api.get("/v1/keys", headers=keys.admin).json()
    assert all(k["created_at"].endswith("Z") for k in listed["items"])
    assert listed["links"]["self"].endswith("/v1/keys")
