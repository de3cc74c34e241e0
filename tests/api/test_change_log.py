"""The change log (api/records/changes.py): every write of a document, entity or event is
noted once, in commit order, with nothing from writes that did not happen — on both engines."""

import itertools
import threading
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlmodel import Session, col

from api.app import create_app
from api.db.engine import session_scope, write_session
from api.db.keys import create_key
from api.db.models import Change
from api.ingest.importer import import_sources
from api.ingest.sources import Options, discover
from api.records import changes
from tests.conftest import DbHandle

DOC = "harriman-to-secretary-of-state-1944-09-24"
OTHER = "why-did-the-ussr-refuse-to-repatriate-allied-pows"


def log(db: DbHandle) -> list[tuple[int, str, str, str]]:
    with Session(db.engine) as session:
        rows = session.execute(
            select(Change.seq, Change.kind, Change.resource_id, Change.operation).order_by(
                col(Change.seq)
            )
        )
        return [(row.seq, row.kind, row.resource_id, row.operation) for row in rows]


def after(db: DbHandle, seq: int) -> list[tuple[str, str, str]]:
    return [(kind, rid, op) for s, kind, rid, op in log(db) if s > seq]


def last_seq(db: DbHandle) -> int:
    entries = log(db)
    return entries[-1][0] if entries else 0


def curator(db: DbHandle) -> dict[str, str]:
    with session_scope(db.engine) as session:
        key = create_key(session, name="log-curator", scope="admin")
    return {"Authorization": f"Bearer {key}"}


def test_the_seed_corpus_is_in_the_log_numbered_without_gaps(fresh_db: DbHandle) -> None:
    entries = log(fresh_db)
    assert [seq for seq, *_ in entries] == list(range(1, len(entries) + 1))
    documents = {rid for _, kind, rid, op in entries if kind == "documents" and op == "create"}
    assert DOC in documents and len(documents) == 4
    assert any(kind == "entities" for _, kind, _, _ in entries)
    assert any(kind == "events" for _, kind, _, _ in entries)
    with Session(fresh_db.engine) as session:
        assert session.execute(select(Change).where(col(Change.at).is_(None))).first() is None


def test_curated_writes_are_noted_once_each(fresh_db: DbHandle) -> None:
    headers = curator(fresh_db)
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    url = f"/v1/documents/{DOC}"
    with TestClient(app) as client:
        start = last_seq(fresh_db)

        def etag(path: str) -> str:
            return client.get(path).headers["etag"]

        edited = client.patch(
            url, headers={**headers, "If-Match": etag(url)}, json={"title": "Edited"}
        )
        assert edited.status_code == 200
        stale = client.patch(url, headers={**headers, "If-Match": '"old"'}, json={"title": "x"})
        assert stale.status_code == 412  # refused: nothing to note
        assert client.delete(url, headers={**headers, "If-Match": etag(url)}).status_code == 204
        assert client.post(f"{url}/restore", headers=headers).status_code == 200
        entity = "/v1/entities/cordell-hull"
        patched = client.patch(
            entity,
            headers={**headers, "If-Match": etag(entity)},
            json={"description": "Secretary of State, 1933–1944"},
        )
        assert patched.status_code == 200, patched.text
        assert after(fresh_db, start) == [
            ("documents", DOC, "update"),
            ("documents", DOC, "delete"),
            ("documents", DOC, "restore"),
            ("entities", "cordell-hull", "update"),
        ]
        hard = client.delete(f"{url}?hard=true", headers={**headers, "If-Match": etag(url)})
        assert hard.status_code == 204
        assert after(fresh_db, start)[-1] == ("documents", DOC, "delete")


def test_an_import_notes_what_it_wrote_and_nothing_of_a_broken_file(
    fresh_db: DbHandle, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("A letter that arrived.\n")
    (tmp_path / "good.yaml").write_text("id: log-good\ntitle: A good one\ndate: 1945-01-02\n")
    broken = tmp_path / "broken.txt"
    broken.write_text("A letter with a broken sidecar.\n")
    (tmp_path / "broken.yaml").write_text("id: log-broken\ntitle: [unclosed\n")
    start = last_seq(fresh_db)
    sources, _problems = discover([tmp_path])
    report = import_sources(fresh_db.engine, sources, Options(collection="imported"))
    assert report.documents >= 1
    noted = after(fresh_db, start)
    assert ("documents", "log-good", "create") in noted
    assert all(rid != "log-broken" for _, rid, _ in noted)
    again = import_sources(fresh_db.engine, discover([good])[0], Options(collection="imported"))
    assert again.documents == 1 and after(fresh_db, start) == noted  # unchanged: no note


def test_a_rolled_back_write_leaves_no_note(fresh_db: DbHandle) -> None:
    start = last_seq(fresh_db)
    with write_session(fresh_db.engine) as session:
        changes.note(session, "documents", [DOC], "update")
        session.rollback()
    with write_session(fresh_db.engine) as session:
        changes.note(session, "documents", [OTHER], "update")
        session.commit()
    assert after(fresh_db, start) == [("documents", OTHER, "update")]


def test_overlapping_writes_commit_their_notes_in_number_order(fresh_db: DbHandle) -> None:
    """The first writer notes first but commits last: it is numbered after the second, so a
    reader that saw the second's number never finds an earlier one appearing later."""
    start = last_seq(fresh_db)
    noted = threading.Event()
    seen_between: list[Any] = []

    def first() -> None:
        with Session(fresh_db.engine) as session:
            if fresh_db.backend == "postgresql":
                changes.note(session, "documents", ["first-writer"], "update")
                noted.set()
                second_done.wait(timeout=30)
                session.commit()

    second_done = threading.Event()
    if fresh_db.backend == "postgresql":  # SQLite has one writer: no overlap to order
        thread = threading.Thread(target=first)
        thread.start()
        assert noted.wait(timeout=30), "the first writer did not note"
        with Session(fresh_db.engine) as session:
            changes.note(session, "documents", ["second-writer"], "update")
            session.commit()
        seen_between.extend(after(fresh_db, start))
        second_done.set()
        thread.join(timeout=30)
        assert seen_between == [("documents", "second-writer", "update")]
        assert after(fresh_db, start) == [
            ("documents", "second-writer", "update"),
            ("documents", "first-writer", "update"),
        ]
    entries = log(fresh_db)
    assert [seq for seq, *_ in entries] == list(range(1, len(entries) + 1))


def test_concurrent_curators_leave_a_gapless_ordered_log(fresh_db: DbHandle) -> None:
    headers = curator(fresh_db)
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    start = last_seq(fresh_db)
    errors: list[str] = []

    def edit(document: str, n: int) -> None:
        client = TestClient(app)
        url = f"/v1/documents/{document}"
        for i in range(10):
            got = client.get(url)
            response = client.patch(
                url,
                headers={**headers, "If-Match": got.headers["etag"]},
                json={"title": f"{n}-{i}"},
            )
            if response.status_code not in (200, 412):
                errors.append(f"{response.status_code} {response.text}")

    threads = [threading.Thread(target=edit, args=(d, n)) for n, d in enumerate([DOC, OTHER] * 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    with fresh_db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT seq, at FROM change WHERE seq > :start ORDER BY seq"), {"start": start}
        ).all()
    assert [row.seq for row in rows] == list(range(start + 1, start + len(rows) + 1))
    assert all(a.at <= b.at for a, b in itertools.pairwise(rows))
