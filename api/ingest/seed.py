"""The curated seed corpus in ``data/``: one folder per collection.

Layout (documented in data/README.md)::

    data/<collection-id>/collection.yaml
    data/<collection-id>/<document-id>.txt    annotated plain text
    data/<collection-id>/<document-id>.yaml   metadata sidecar
    data/registry/{people,places,organizations,groups,terms,events}.yaml

Every file is read and validated before anything is written, so a broken file leaves the
database as it was and the error names the file and the problem.
"""

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from api.db.engine import session_scope
from api.db.models import Document
from api.errors import IngestError
from api.formats.plaintext import load_yaml, read_document
from api.formats.validation import explain
from api.linking.batch import link_batch
from api.records.record import CollectionRecord, DocumentRecord
from api.records.registry import Registry, read_registry
from api.records.write import (
    Outcome,
    write_collection,
    write_document,
    write_event_reports,
    write_registry,
)

REGISTRY_FOLDER = "registry"


@dataclass
class SeedCorpus:
    collections: list[CollectionRecord] = field(default_factory=list)
    documents: list[DocumentRecord] = field(default_factory=list)
    registry: Registry = field(default_factory=Registry)


def read_seed_corpus(data_dir: Path) -> SeedCorpus:
    """Read and validate the whole corpus; raise IngestError on the first broken file."""
    if not data_dir.is_dir():
        raise IngestError(data_dir, "seed corpus folder does not exist")
    corpus = SeedCorpus(registry=read_registry(data_dir / REGISTRY_FOLDER))
    ids: dict[str, Path] = {}
    for folder in sorted(p for p in data_dir.iterdir() if p.is_dir()):
        if folder.name == REGISTRY_FOLDER:
            continue
        meta_path = folder / "collection.yaml"
        if not meta_path.exists():
            continue
        try:
            collection = CollectionRecord(**load_yaml(meta_path))
        except ValidationError as exc:
            raise IngestError(meta_path, explain(exc)) from exc
        if collection.id != folder.name:
            raise IngestError(
                meta_path, f"collection id {collection.id!r} must match its folder name"
            )
        corpus.collections.append(collection)
        for text_path in sorted(folder.glob("*.txt")):
            record = read_document(text_path, collection_id=collection.id)
            if record.id != text_path.stem:
                raise IngestError(
                    text_path.with_suffix(".yaml"),
                    f"document id {record.id!r} must match the file name {text_path.stem!r}",
                )
            if record.id in ids:
                raise IngestError(text_path, f"document id {record.id!r} also in {ids[record.id]}")
            ids[record.id] = text_path
            corpus.documents.append(record)
        for orphan in sorted(folder.glob("*.yaml")):
            if orphan.name != "collection.yaml" and not orphan.with_suffix(".txt").exists():
                raise IngestError(orphan, "metadata without a text file beside it")
    return corpus


def write_seed_corpus(session: Session, corpus: SeedCorpus) -> dict[Outcome, int]:
    counts = dict.fromkeys(Outcome, 0)
    write_registry(session, corpus.registry)
    for collection in corpus.collections:
        write_collection(session, collection)
    for record in corpus.documents:
        counts[write_document(session, record)] += 1
    write_event_reports(session, corpus.registry)
    link_batch(session)
    return counts


def database_is_empty(engine: Engine) -> bool:
    with Session(engine) as session:
        documents: int = session.execute(select(func.count()).select_from(Document)).scalar_one()
    return documents == 0


def load_seed_corpus(engine: Engine, data_dir: Path) -> dict[Outcome, int]:
    """Validate every file, then write them all in one transaction."""
    corpus = read_seed_corpus(data_dir)
    with session_scope(engine) as session:
        return write_seed_corpus(session, corpus)
