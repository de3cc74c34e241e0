"""The JSON Lines bundle reader: line by line, with line numbers for what it refuses."""

import json
from pathlib import Path

from api.formats.jsonl.reader import read_lines
from api.formats.jsonl.writer import line
from api.records.record import CollectionRecord, DocumentRecord, EntityRecord
from tests.utils.builders import document


def test_lines_read_back_as_the_records_written(tmp_path: Path) -> None:
    record = document("bundle-doc", "A paragraph.[^1]", footnotes=[{"marker": "1", "text": "N."}])
    entity = EntityRecord(id="someone", type="person", name="Some One", aliases=["Some One"])
    path = tmp_path / "b.jsonl"
    path.write_text(
        line("bundle", {"format": "quellen-bundle", "version": 1})
        + line("collection", CollectionRecord(id="c", title="C"))
        + line("entity", entity)
        + line("document", record),
        encoding="utf-8",
    )
    items = list(read_lines(path))
    assert [i.error for i in items] == [None, None, None, None]
    assert items[2].record == entity
    assert items[3].record == record
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[2])["entity_type"] == "person"


def test_broken_lines_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    good = line("document", document("good-doc"))
    path = tmp_path / "b.jsonl"
    path.write_text(
        '{"type": "document", "id": "x"\n'  # not JSON
        + '{"type": "chapter"}\n'  # unknown type
        + '{"type": "document", "id": "Bad Id", "title": "t"}\n'  # invalid record
        + good,
        encoding="utf-8",
    )
    items = list(read_lines(path))
    assert [i.line for i in items] == [1, 2, 3, 4]
    assert "invalid JSON" in items[0].error.message  # type: ignore[union-attr]
    assert "unknown line type" in items[1].error.message  # type: ignore[union-attr]
    assert "document Bad Id" in items[2].error.message  # type: ignore[union-attr]
    assert isinstance(items[3].record, DocumentRecord)
