"""The seed corpus in data/: valid, complete, and refused whole when a file is broken."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from api.db.models import Document, Passage
from api.errors import IngestError
from api.ingest.seed import load_seed_corpus, read_seed_corpus
from tests.conftest import DATA_DIR, DatabaseFactory


def test_seed_corpus_is_valid_and_complete() -> None:
    corpus = read_seed_corpus(DATA_DIR)
    assert {c.id for c in corpus.collections} == {"frus-1944-v04", "web-sources"}
    by_id = {d.id: d for d in corpus.documents}
    assert len(by_id) == 4
    telegram = by_id["harriman-to-secretary-of-state-1944-09-24"]
    assert [f.marker for f in telegram.footnotes] == ["66", "67", "68"]
    assert [p.n for p in telegram.pages] == ["1254"]
    essay = by_id["why-did-the-ussr-refuse-to-repatriate-allied-pows"]
    headings = [p.text for p in essay.passages if p.kind == "heading" and not p.boilerplate]
    assert headings[1:] == [
        "Political Concerns",
        "Ideological Differences",
        "Desire for Control",
        "Post-War Resettlement",
        "The Yalta Agreement",
    ]
    assert any(n.kind == "reliability" for n in essay.notes)


def test_every_line_of_the_original_seeds_survives() -> None:
    """Nothing is lost: each printed line is a passage or a note, minus markers only."""
    originals = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    if not (originals / "seeds").is_dir():
        pytest.skip("../shared/corpus/seeds is not present")
    for record in read_seed_corpus(DATA_DIR).documents:
        source = (originals / str(record.provenance.source_file)).read_text(encoding="utf-8")
        texts = {p.text for p in record.passages} | {f.text for f in record.footnotes}
        for raw in source.splitlines():
            line = raw.strip().removeprefix("• ")
            if not line:
                continue
            for glued, clean in (
                ("Moyne66", "Moyne"),
                ("time.67", "time."),
                ("reprisals.68", "reprisals."),
            ):
                line = line.replace(glued, clean)
            line = line.replace("[Page 1254] ", "")
            if line[:3] in ("1. ", "2. ", "3. ") and line[3:] in texts:
                continue
            assert line in texts, f"{record.id}: lost {line[:60]!r}"


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_broken_file_is_refused_with_its_name_and_nothing_is_written(
    tmp_path: Path, databases: DatabaseFactory
) -> None:
    data = _copy_data(tmp_path)
    broken = data / "web-sources" / "russian-liberation-movement-the-allies.yaml"
    broken.write_text(broken.read_text() + "\nsource_type: quaternary\n", encoding="utf-8")
    db = databases.migrated("sqlite")
    with pytest.raises(IngestError) as caught:
        load_seed_corpus(db.engine, data)
    assert "russian-liberation-movement-the-allies.yaml" in str(caught.value)
    with Session(db.engine) as session:
        assert session.execute(select(func.count()).select_from(Document)).scalar_one() == 0


def test_failure_while_writing_rolls_back_everything(
    tmp_path: Path, databases: DatabaseFactory, backend: str
) -> None:
    data = _copy_data(tmp_path)
    # Valid files, but a document names a collection that does not exist: the loader
    # fails after earlier documents were written, and the transaction must undo them.
    sidecar = data / "web-sources" / "why-did-the-ussr-refuse-to-repatriate-allied-pows.yaml"
    sidecar.write_text(
        sidecar.read_text() + "collection_id: missing-collection\n", encoding="utf-8"
    )
    db = databases.migrated(backend)
    with pytest.raises(IngestError, match="missing-collection"):
        load_seed_corpus(db.engine, data)
    with Session(db.engine) as session:
        assert session.execute(select(func.count()).select_from(Document)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(Passage)).scalar_one() == 0


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: (d / "web-sources" / "collection.yaml").write_text("id: other\ntitle: x\n"),
            "folder name",
        ),
        (lambda d: (d / "web-sources" / "stray.yaml").write_text("title: x\n"), "without a text"),
        (
            lambda d: (
                d / "web-sources" / "bodega-why-did-the-usa-ussr-alliance-break-down.txt"
            ).write_text("::: caption\nunclosed\n"),
            "never closed",
        ),
    ],
)
def test_layout_problems_are_refused(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data = _copy_data(tmp_path)
    mutate(data)
    with pytest.raises(IngestError, match=message):
        read_seed_corpus(data)
