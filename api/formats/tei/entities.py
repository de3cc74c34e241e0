"""The people, places, organizations, terms and events a TEI file names, and mentions of them.

A file names an entity in a list (``listPerson``, ``listPlace``, ``listOrg``, ``listNym``,
``listEvent``) or by an element carrying an ``xml:id`` (``<persName xml:id=…>``). Its
entities get ids prefixed with ``tei-`` and the file name, so they never clash with the
curated registry; one that carries ``<idno type="quellen">`` is that Quellen entity (as
the exporter writes it). A name element pointing at one (``@ref``, ``@corresp``) is a
curated mention; a mention of an entity the file does not name is skipped, never invented.
"""

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from api.errors import IngestError
from api.formats.markdown.reader import slugify
from api.formats.tei.tree import QUELLEN, XML_ID, Element, child, children, local, plain
from api.formats.validation import explain
from api.records.record import EntityRecord, EventRecord, MentionRecord

MENTION_TYPES = {
    "persName": "person",
    "placeName": "place",
    "orgName": "organization",
    "term": "term",
    "name": None,  # typed by @type, or by the entity it points at
}
ENTITY_LISTS = {
    "person": ("person", "persName"),
    "place": ("place", "placeName"),
    "org": ("organization", "orgName"),
    "nym": ("term", "form"),
    "event": ("event", "label"),
}


@dataclass
class FileEntities:
    """What a file names: its own entities and events, the Quellen ones, and their xml:ids."""

    entities: list[EntityRecord] = field(default_factory=list)  # the file's own (upserted)
    events: list[EventRecord] = field(default_factory=list)
    known: list[EntityRecord | EventRecord] = field(default_factory=list)  # Quellen ids
    ids: dict[str, tuple[str, str]] = field(default_factory=dict)  # xml:id -> (id, type)


def read_entities(root: Element, stem: str, path: Path) -> FileEntities:
    """Entities the file names: list entries, and name elements carrying an xml:id."""
    found = FileEntities()
    prefix = f"tei-{slugify(stem)}"
    seen: set[str] = set()
    for element in root.iter():
        name = local(element)
        xml_id = element.get(XML_ID) if name else None
        if not xml_id:
            continue
        if name in ENTITY_LISTS:
            type_, name_tag = ENTITY_LISTS[name]
            if name == "org" and element.get("type") == "group":
                type_ = "group"
            label = child(element, name_tag)
            display = plain(label) if label is not None else ""
            quellen = next((i for i in children(element, "idno") if i.get("type") == QUELLEN), None)
        elif name is not None and (mention_type := MENTION_TYPES.get(name)) is not None:
            type_, display, quellen = mention_type, plain(element), None
        else:
            continue
        if not display:
            continue
        entity_id = plain(quellen) if quellen is not None else f"{prefix}-{slugify(xml_id)}"
        if entity_id in seen:
            continue
        seen.add(entity_id)
        found.ids[xml_id] = (entity_id, type_)
        description = next(
            (plain(n) for n in children(element, "note") if n.get("type") == "description"),
            None,
        )
        try:
            record: EntityRecord | EventRecord
            if type_ == "event":
                record = EventRecord(
                    id=entity_id,
                    name=display[:500],
                    event_type=element.get("type") or "event",
                    description=description,
                )
            else:
                record = EntityRecord(
                    id=entity_id, type=type_, name=display[:500], description=description
                )
        except ValidationError as exc:
            raise IngestError(path, f"entity {xml_id!r}: {explain(exc)}") from exc
        if quellen is not None:
            found.known.append(record)
        elif isinstance(record, EventRecord):
            found.events.append(record)
        else:
            found.entities.append(record)
    return found


def mention(
    element: Element,
    container: str,
    ref: str,
    text: str,
    start: int,
    end: int,
    ids: dict[str, tuple[str, str]],
) -> MentionRecord | None:
    """The curated mention a name element makes over ``text[start:end]``, if it names one
    of the file's entities (``ids``: xml:id → entity id and type)."""
    target = (element.get("ref") or element.get("corresp") or "").split()[0]
    if not target.startswith("#"):
        return None
    entity = ids.get(target[1:])
    if entity is None:
        return None  # an entity the file does not name: skipped, not invented
    return MentionRecord(
        container=container,
        ref=ref,
        start=start,
        end=end,
        surface=text[start:end],
        entity_id=entity[0],
        status="rejected" if element.get("cert") == "rejected" else "curated",
    )
