"""The loader: new, unchanged and updated documents, each a revision."""

from sqlmodel import Session, select

from api.db.engine import session_scope
from api.db.models import Document, Passage
from api.records.write import Outcome, write_document
from tests.conftest import DatabaseFactory
from tests.utils.builders import document


def test_same_record_changes_nothing_and_a_changed_one_is_a_new_revision(
    databases: DatabaseFactory, backend: str
) -> None:
    db = databases.seeded(backend)
    record = document("loader-check", "First text.\n\nSecond.")
    with session_scope(db.engine) as session:
        assert write_document(session, record) is Outcome.NEW
    with session_scope(db.engine) as session:
        assert write_document(session, record) is Outcome.UNCHANGED
    changed = document("loader-check", "First text, corrected.\n\nSecond.")
    with session_scope(db.engine) as session:
        assert write_document(session, changed) is Outcome.UPDATED
    with Session(db.engine) as session:
        stored = session.get(Document, "loader-check")
        assert stored is not None and stored.revision == 2
        assert stored.text == "First text, corrected.\n\nSecond."
        texts = session.exec(
            select(Passage.text).where(Passage.document_id == "loader-check")
        ).all()
        assert sorted(texts) == ["First text, corrected.", "Second."]
