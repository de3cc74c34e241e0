"""Opt-in: the Markdown volumes in ../shared/corpus read faithfully (run when present).

Every volume folder is read as ``quellen check --report`` reads it; the figures are counted
from the source files by rules of their own (api/ingest/fidelity.py). One volume is then
imported, on SQLite whole and on PostgreSQL a slice, to check what the API serves and that
references between its documents resolve.
"""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from api.app import create_app
from api.db.models import CrossReference, Document, DocumentIdentifier, Passage
from api.ingest.fidelity import Fidelity
from api.ingest.importer import check_sources, import_sources
from api.ingest.sources import Options, discover
from api.settings import PROJECT_ROOT
from tests.conftest import DatabaseFactory

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
VOLUMES = sorted(
    [
        *(p for p in (CORPUS / "dfat-more").glob("volume-*") if p.is_dir()),
        CORPUS / "dfat-volume-8-1945",
    ]
)

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not (CORPUS / "dfat-more").is_dir(), reason=f"no corpus at {CORPUS}"),
]


@pytest.mark.parametrize("volume", VOLUMES, ids=lambda p: p.name[:10])
def test_every_volume_reads_faithfully(volume: Path) -> None:
    sources, problems = discover([volume])
    fidelity = Fidelity()
    report = check_sources(sources, Options(), observe=fidelity.add)
    assert problems == [] and report.failures == [] and fidelity.refused == []
    assert fidelity.files == len(list(volume.glob("*.md")))
    assert fidelity.anchored_share >= 0.99, fidelity.lines()
    assert fidelity.own_text == fidelity.notes, fidelity.lines()  # no note holds another's
    assert sum(fidelity.remnants.values()) == 0, fidelity.remnant_examples
    assert fidelity.headings_read >= fidelity.headings_source
    assert fidelity.tables_read == fidelity.tables_source
    assert fidelity.longest_note[0] < 5000  # no enclosure swallowed into a note


def _volume(name: str) -> Path:
    return next(p for p in VOLUMES if p.name.startswith(name))


def test_a_volume_imports_whole_with_its_references_resolved(databases: DatabaseFactory) -> None:
    volume = _volume("volume-1-")
    db = databases.migrated("sqlite")
    sources, _ = discover([volume])
    report = import_sources(db.engine, sources, Options())
    assert report.failures == [] and report.documents == len(sources)
    with Session(db.engine) as session:
        numbers = dict(
            session.execute(
                select(DocumentIdentifier.value, DocumentIdentifier.document_id).where(
                    DocumentIdentifier.scheme == "document_number"
                )
            ).all()
        )
        references = session.execute(
            select(
                CrossReference.source_document_id,
                CrossReference.target_value,
                CrossReference.target_document_id,
            ).where(CrossReference.target_scheme == "document_number")
        ).all()
        collection = session.execute(select(Document.collection_id)).scalars().first()
    assert len(references) > 100
    resolved = 0
    for source, value, target in references:
        number = value.split()[-1]
        expected = numbers.get(f"{collection}/{number}")
        if expected != source:
            assert target == expected, (source, value)  # resolved when the volume has it
            resolved += target is not None
    assert resolved > 100


def test_what_the_api_serves_of_a_volume_with_tables_and_link_markers(
    databases: DatabaseFactory,
) -> None:
    """On PostgreSQL: structure columns, tables, marks and footnotes over HTTP."""
    volume = _volume("volume-24")
    files = sorted(volume.glob("*.md"), key=lambda p: p.name)
    with_tables = [p for p in files if re.search(r"^-{3,}\|", p.read_text(), re.MULTILINE)][:5]
    db = databases.migrated("postgresql")
    sources, _ = discover([*files[:15], *with_tables])
    report = import_sources(db.engine, sources, Options())
    assert report.failures == []
    with Session(db.engine) as session:
        doc_id = session.execute(
            select(Passage.document_id).where(Passage.kind == "table").limit(1)
        ).scalar_one()
    app = create_app(db.app_settings(), engine=db.engine)
    with TestClient(app) as client:
        passages = client.get(f"/v1/documents/{doc_id}/passages?kind=table").json()["items"]
        assert passages and all(p["table"]["rows"] for p in passages)
        for passage in passages:
            assert passage["text"] == "\n".join("\t".join(r) for r in passage["table"]["rows"])
        tei = client.get(f"/v1/documents/{doc_id}", headers={"Accept": "application/tei+xml"})
        assert tei.status_code == 200 and "<table" in tei.text and "<cell" in tei.text
        notes = client.get(f"/v1/documents/{doc_id}/footnotes").json()["items"]
        assert all("(#f" not in n["text"] for n in notes)
