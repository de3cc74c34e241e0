"""Opt-in: the sample corpora in ../shared/corpus, imported whole (run when present).

SQLite takes the full corpora; PostgreSQL a slice of the DFAT volume and the TEI documents.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from api.app import create_app
from api.db.models import CrossReference, Document, Footnote, Passage
from api.formats.markdown.reader import split_front_matter
from api.ingest.importer import import_sources
from api.ingest.sources import Options, discover
from api.settings import PROJECT_ROOT
from tests.conftest import DatabaseFactory, DbHandle

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
DFAT = CORPUS / "dfat-volume-8-1945"
TEI = CORPUS / "tei"
DFAT_ID = "dfat-volume-8-1945"
MONOGRAPH = "frus-history-monograph"
CHAPTERS = ["introduction", *(f"chapter-{n}" for n in range(1, 13)), "conclusion"]

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no sample corpus at {CORPUS}"),
]


def load(db: DbHandle, *paths: Path) -> None:
    sources, problems = discover(list(paths))
    report = import_sources(db.engine, sources, Options())
    assert problems == [] and report.failures == [], report.failures[:5]


@pytest.fixture(scope="module")
def corpus_db(databases: DatabaseFactory) -> Iterator[DbHandle]:
    db = databases.migrated("sqlite")
    load(db, DFAT, TEI)
    yield db


def test_dfat_volume_imports_every_document_with_its_notes(corpus_db: DbHandle) -> None:
    with Session(corpus_db.engine) as session:
        count = session.execute(
            select(func.count()).select_from(Document).where(Document.collection_id == DFAT_ID)
        ).scalar_one()
        assert count == 481
        notes: dict[tuple[str, str], int | None] = {
            (row.document_id, row.marker): row.offset
            for row in session.execute(
                select(Footnote.document_id, Footnote.marker, Footnote.offset)
            ).all()
        }
        texts = dict(
            session.execute(
                select(Document.id, Document.text).where(Document.collection_id == DFAT_ID)
            ).all()
        )
    unmatched = []
    for path in sorted(DFAT.glob("*.md")):
        doc_id = f"dfat-v8-{path.stem}"
        _, body, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
        for marker in sorted(set(re.findall(r"\[(\d{1,3})\]", body))):
            if (doc_id, marker) in notes and notes[(doc_id, marker)] is None:
                unmatched.append((doc_id, marker))
        assert not re.search(r"\[\d{1,3}\]", texts[doc_id]), doc_id
        assert "\\." not in texts[doc_id] and "_[AA" not in texts[doc_id], doc_id
    assert unmatched == []


def test_document_22(corpus_db: DbHandle) -> None:
    with Session(corpus_db.engine) as session:
        doc = session.get(Document, "dfat-v8-22-cranborne-to-commonwealth-government")
        assert doc is not None
        assert (doc.title, doc.genre, doc.date) == (
            "Cranborne to Commonwealth Government",
            "cablegram",
            "1945-02-01",
        )
        assert doc.provenance["place"] == "London"
        app = create_app(corpus_db.app_settings(), engine=corpus_db.engine)
    with TestClient(app) as client:
        body = client.get(f"/v1/documents/{doc.id}").json()
        assert {"scheme": "archival_reference", "value": "A1066, IC45/6/2/1"} in body["identifiers"]
        text = client.get(f"/v1/documents/{doc.id}/text").text
        assert text.startswith("Cablegram D193 LONDON, 1 February 1945, 7.30 p.m.")
        assert "[1]" not in text and "\\." not in text and "_[AA" not in text
        listed, url = 0, f"/v1/documents?collection={DFAT_ID}&limit=200"
        while url:
            page = client.get(url).json()
            listed += len(page["items"])
            url = page.get("next")
        assert listed == 481


def test_monograph_chapters_and_footnotes(corpus_db: DbHandle) -> None:
    with Session(corpus_db.engine) as session:
        notes = session.execute(
            select(func.count()).select_from(Footnote).where(Footnote.document_id == MONOGRAPH)
        ).scalar_one()
        assert notes == 1081
        headings = set(
            session.execute(
                select(Passage.ref).where(
                    Passage.document_id == MONOGRAPH, Passage.kind == "heading"
                )
            ).scalars()
        )
        assert set(CHAPTERS) <= headings


def test_every_reference_to_a_monograph_footnote_resolves(corpus_db: DbHandle) -> None:
    expected = []
    for path in sorted((TEI / "frus-history-documents").glob("*.xml")):
        for chapter, note in re.findall(
            r'target="\.\./(chapter-\d+)#(fn\d+)"', path.read_text(encoding="utf-8")
        ):
            expected.append((path.stem, f"{chapter}{note}"))
    assert len(expected) == 69
    with Session(corpus_db.engine) as session:
        monograph_notes = set(
            session.execute(select(Footnote.ref).where(Footnote.document_id == MONOGRAPH)).scalars()
        )
        found = sorted(
            (row.source_document_id, row.target_footnote_ref)
            for row in session.execute(
                select(CrossReference.source_document_id, CrossReference.target_footnote_ref).where(
                    CrossReference.target_document_id == MONOGRAPH,
                    CrossReference.source_document_id != MONOGRAPH,
                    CrossReference.target_footnote_ref.is_not(None),  # type: ignore[union-attr]
                )
            ).all()
        )
    assert found == sorted(expected)
    assert {note for _, note in found} <= monograph_notes
    assert ("1958-11-03-noble-to-osborne", "chapter-7fn67") in found


def test_postgresql_takes_a_slice(databases: DatabaseFactory) -> None:
    db = databases.migrated("postgresql")
    files = sorted(DFAT.glob("*.md"))[:40]
    load(db, *files, *sorted((TEI / "frus-history-documents").glob("*.xml"))[:10])
    with Session(db.engine) as session:
        count = session.execute(select(func.count()).select_from(Document)).scalar_one()
    assert count == 50
