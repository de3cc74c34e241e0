"""Build records in code, so tests say exactly what they load."""

from pathlib import Path
from typing import Any

from api.formats.plaintext import read_annotated_text
from api.records.record import DocumentRecord, EntityRecord, EventRecord
from api.records.registry import Registry


def document(
    doc_id: str,
    text: str = "A paragraph.",
    *,
    collection_id: str = "frus-1944-v04",
    **metadata: object,
) -> DocumentRecord:
    meta: dict[str, object] = {
        "id": doc_id,
        "collection_id": collection_id,
        "title": metadata.pop("title", f"Document {doc_id}"),
        "source_type": metadata.pop("source_type", "primary"),
    }
    meta.update(metadata)
    return read_annotated_text(text, Path(f"{doc_id}.txt"), meta)


def registry(*entities: dict[str, Any], events: tuple[dict[str, Any], ...] = ()) -> Registry:
    return Registry(
        entities=[EntityRecord(**e) for e in entities],
        events=[EventRecord(**e) for e in events],
    )
