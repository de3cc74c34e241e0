"""References by number in an edition: "See Document 117", "our telegram 489", "Your 2926".

"Document N" names the document numbered N in the same collection and resolves as soon as
both are in; telegram numbers stay unresolved until a document of the collection carries
that number, and then resolve by themselves (on both engines).
"""

from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from api.db.models import CrossReference
from api.ingest.importer import import_sources
from api.ingest.sources import Options, discover
from api.records.filenumbers import citations
from tests.conftest import DatabaseFactory


def _document(folder: Path, number: int, body: str, heading: str = "Letter CANBERRA") -> None:
    (folder / f"{number}-paper.md").write_text(
        f"---\ndoc_num: {number}\ntitle: Paper {number}\nvol_id: 40\n"
        f"vol_title: 'Volume 40: 1950'\n---\n\n{heading}, 1 March 1950\n\n{body}\n",
        encoding="utf-8",
    )


def _references(db_engine) -> dict[tuple[str, str], str | None]:  # type: ignore[no-untyped-def]
    with Session(db_engine) as session:
        rows = session.execute(
            select(
                CrossReference.source_document_id,
                CrossReference.target_value,
                CrossReference.target_document_id,
            ).where(CrossReference.origin == "detected")
        ).all()
    return {(source, value): target for source, value, target in rows}


def test_citations_by_number() -> None:
    found = {
        (c.scheme, c.value)
        for text in (
            "See Document 117 and Documents 141 and 149.",
            "See Document I 7.",
            "Volume 10, Document 79, paragraph 6; Document 90, Volume XIV.",
            "Reference our telegram 489 of 3 May. Your 2926. his 12 men.",
        )
        for c in citations(text, "volume-40")
    }
    assert found == {
        ("document_number", "Document 117"),
        ("document_number", "Document 141"),
        ("document_number", "Document 149"),
        ("document_number", "Document 17"),
        ("telegram_number", "489"),
        ("telegram_number", "2926"),
    }
    assert citations("See Document 117.") == []  # by number only within a collection


def test_documents_and_telegrams_resolve_within_their_collection(
    tmp_path: Path, databases: DatabaseFactory, backend: str
) -> None:
    folder = tmp_path / "volume-40"
    folder.mkdir()
    _document(folder, 1, "See Document 2. Reference our telegram 489. [1]\n\n _\n\n1 Document 3.")
    _document(folder, 2, "Your 2926 received.")
    db = databases.migrated(backend)
    import_sources(db.engine, discover([folder])[0], Options())
    refs = _references(db.engine)
    first = "dfat-v40-1-paper"
    assert refs[(first, "Document 2")] == "dfat-v40-2-paper"
    assert refs[(first, "Document 3")] is None  # not in the corpus yet
    assert refs[(first, "489")] is None
    assert refs[("dfat-v40-2-paper", "2926")] is None

    later = tmp_path / "later"
    later.mkdir()
    _document(later, 3, "A third.", heading="Cablegram 489 CANBERRA")
    import_sources(db.engine, discover([later])[0], Options())
    refs = _references(db.engine)
    assert refs[(first, "Document 3")] == "dfat-v40-3-paper"
    assert refs[(first, "489")] == "dfat-v40-3-paper"  # telegram 489 is document 3
    assert refs[("dfat-v40-2-paper", "2926")] is None
