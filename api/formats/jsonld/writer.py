"""Documents, entities and events as schema.org JSON-LD, for linked-data and search tools.

Every node has an ``@id`` that is the absolute URL of its Quellen resource (request base URL
plus root path), so the same thing has the same IRI in every response and across exports.
The ``@context`` is written inline — schema.org as the vocabulary, with the link-valued
properties typed ``@id`` — so a JSON-LD processor expands a response without fetching
anything: no network, no remote context that could change under the data.

Types: documents are ``CreativeWork`` subtypes chosen from the genre (a telegram or letter
is a ``Message``; anything with archival ids or of primary source type is also an
``ArchiveComponent``); entities are ``Person``, ``Place``, ``Organization`` (organizations
and groups), ``DefinedTerm`` or ``Event``. External authority ids become ``sameAs`` URIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the JSON-LD is built from the JSON representation, read by shape
    from api.documents.schemas import DocumentPublic
    from api.entities.schemas import EntityPublic, Participant
    from api.events.schemas import EventPublic


SCHEMA = "https://schema.org/"
CONTEXT: dict[str, Any] = {
    "@vocab": SCHEMA,
    "schema": SCHEMA,
    "sameAs": {"@type": "@id"},
    "url": {"@type": "@id"},
    "isBasedOn": {"@type": "@id"},
    "contentUrl": {"@type": "@id"},
}
MEDIA_TYPE = "application/ld+json"

ENTITY_TYPES = {
    "person": "Person",
    "place": "Place",
    "organization": "Organization",
    "group": "Organization",
    "term": "DefinedTerm",
    "event": "Event",
}
_MESSAGE_GENRES = ("telegram", "cablegram", "letter", "despatch", "dispatch", "message", "cable")
_GENRE_TYPES = {
    "essay": "Article",
    "encyclopedia entry": "Article",
    "article": "Article",
    "monograph": "Book",
    "book": "Book",
    "monograph chapter": "Chapter",
    "chapter": "Chapter",
    "memorandum": "Report",
    "report": "Report",
    "minute": "Report",
}


def entity_iri(base: str, entity_id: str, entity_type: str | None = None) -> str:
    """The IRI of an entity: its event URL for events, its entity URL otherwise."""
    kind = "events" if entity_type == "event" else "entities"
    return f"{base}/v1/{kind}/{entity_id}"


def document_iri(base: str, document_id: str) -> str:
    return f"{base}/v1/documents/{document_id}"


@dataclass(frozen=True, slots=True)
class EntityRef:
    """An entity a document names, or a person an author name resolved to."""

    id: str
    type: str
    name: str


@dataclass(frozen=True, slots=True)
class Citation:
    """A cross-reference out of a document: to a document in the corpus, or an identifier."""

    relation: str
    document: str | None
    label: str | None


@dataclass(slots=True)
class DocumentContext:
    """What a document's JSON-LD says beyond its own record."""

    base: str
    mentions: list[EntityRef] = field(default_factory=list)
    people: dict[str, EntityRef] = field(default_factory=dict)  # author name -> entity
    citations: list[Citation] = field(default_factory=list)


def _date_value(edtf: str | None) -> str | None:
    """An EDTF date as an ISO 8601 value schema.org accepts, or None when it has none.

    ``1944-09-24``, ``1945-02`` and ``1945`` are valid ISO 8601 as written; qualified or
    interval EDTF (``1945~``, ``1945-02-04/1945-02-11``) is not, and is left out rather
    than sent as a date that parsers would reject.
    """
    if not edtf:
        return None
    stripped = edtf.strip()
    if all(c.isdigit() or c == "-" for c in stripped) and not stripped.startswith("-"):
        return stripped
    return None


def _span(edtf: str | None) -> tuple[str | None, str | None]:
    """Start and end of an EDTF interval as ISO dates (each None when open or unknown)."""
    if not edtf:
        return None, None
    if "/" in edtf:
        start, _, end = edtf.partition("/")
        return _date_value(start), _date_value(end)
    value = _date_value(edtf)
    return value, value


def _person(name: str, people: dict[str, EntityRef], base: str) -> dict[str, Any]:
    match = people.get(name)
    if match is None:
        return {"@type": "Person", "name": name}
    return {
        "@id": entity_iri(base, match.id, match.type),
        "@type": ENTITY_TYPES.get(match.type, "Thing"),
        "name": name,
    }


def _document_types(document: DocumentPublic) -> list[str]:
    genre = (document.genre or "").lower()
    types: list[str] = []
    if any(word in genre for word in _MESSAGE_GENRES):
        types.append("Message")
    elif genre in _GENRE_TYPES:
        types.append(_GENRE_TYPES[genre])
    if document.source_type == "primary" or document.provenance.get("archival_ids"):
        types.append("ArchiveComponent")
    return types or ["CreativeWork"]


def document_node(document: DocumentPublic, context: DocumentContext) -> dict[str, Any]:
    """A document as a schema.org CreativeWork (or subtype) with its provenance."""
    base = context.base
    iri = document_iri(base, document.id)
    types = _document_types(document)
    node: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": iri,
        "@type": types if len(types) > 1 else types[0],
        "url": iri,
        "name": document.title,
        "identifier": [
            {"@type": "PropertyValue", "propertyID": "quellen", "value": document.id},
            *(
                {"@type": "PropertyValue", "propertyID": i["scheme"], "value": i["value"]}
                for i in document.identifiers
            ),
        ],
        "inLanguage": document.language,
        "isPartOf": {
            "@id": f"{base}/v1/collections/{document.collection}",
            "@type": "Collection",
        },
        "version": str(document.revision),
        "dateModified": document.updated_at.isoformat(),
        "encoding": [
            {
                "@type": "MediaObject",
                "contentUrl": f"{iri}/text?view=full",
                "encodingFormat": "text/plain",
            },
            {"@type": "MediaObject", "contentUrl": iri, "encodingFormat": "application/tei+xml"},
        ],
    }
    if document.genre:
        node["genre"] = document.genre
    if document.authors:
        node["author"] = [_person(n, context.people, base) for n in document.authors]
    when = _date_value(document.date)
    if when:
        node["dateCreated"] = when
    elif document.date:
        # Keep the curated EDTF (e.g. "1945~") as text: no ISO value can say "about 1945".
        node["temporal"] = document.date
    if "Message" in types:
        if document.recipients:
            node["recipient"] = [_person(n, context.people, base) for n in document.recipients]
        if when:
            node["dateSent"] = when
    if document.number:
        node["identifier"].append(
            {"@type": "PropertyValue", "propertyID": "number", "value": document.number}
        )
    provenance = document.provenance
    container = provenance.get("container_title")
    if container:
        printed: dict[str, Any] = {"@type": "PublicationVolume", "name": container}
        if provenance.get("volume"):
            printed["volumeNumber"] = provenance["volume"]
        if provenance.get("publisher"):
            printed["publisher"] = {"@type": "Organization", "name": provenance["publisher"]}
        node["isPartOf"] = [node["isPartOf"], printed]
    elif provenance.get("publisher"):
        node["publisher"] = {"@type": "Organization", "name": provenance["publisher"]}
    if provenance.get("pages"):
        node["pagination"] = provenance["pages"]
    if provenance.get("url"):
        node["isBasedOn"] = provenance["url"]
    if provenance.get("rights"):
        node["copyrightNotice"] = provenance["rights"]
    archives = [a for a in provenance.get("archival_ids", []) if a.get("repository")]
    if archives:
        node["holdingArchive"] = [
            {"@type": "ArchiveOrganization", "name": a["repository"]} for a in archives
        ]
    if document.notes:
        node["comment"] = [
            {"@type": "Comment", "name": note.get("kind"), "text": note.get("text")}
            for note in document.notes
        ]
    if context.mentions:
        node["mentions"] = [
            {
                "@id": entity_iri(base, ref.id, ref.type),
                "@type": ENTITY_TYPES.get(ref.type, "Thing"),
                "name": ref.name,
            }
            for ref in context.mentions
        ]
    cited = [
        {"@id": document_iri(base, c.document)}
        if c.document
        else {"@type": "CreativeWork", "name": c.label}
        for c in context.citations
        if c.document or c.label
    ]
    if cited:
        node["citation"] = cited
    return node


def _life_span(entity: EntityPublic) -> dict[str, str]:
    start, end = _span(entity.date)
    names = {
        "person": ("birthDate", "deathDate"),
        "organization": ("foundingDate", "dissolutionDate"),
        "group": ("foundingDate", "dissolutionDate"),
    }.get(entity.type)
    if names is None:
        return {}
    dates = {}
    if start:
        dates[names[0]] = start
    if end and "/" in (entity.date or ""):
        dates[names[1]] = end
    return dates


def _identifiers(entity_id: str, external: dict[str, str]) -> dict[str, Any]:
    identifiers = [
        {"@type": "PropertyValue", "propertyID": "quellen", "value": entity_id},
        *(
            {"@type": "PropertyValue", "propertyID": scheme, "value": value}
            for scheme, value in sorted(external.items())
        ),
    ]
    return {"identifier": identifiers}


def entity_node(entity: EntityPublic, base: str) -> dict[str, Any]:
    """A person, place, organization, group or term, with its authority links."""
    iri = entity_iri(base, entity.id, entity.type)
    node: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": iri,
        "@type": ENTITY_TYPES.get(entity.type, "Thing"),
        "url": f"{base}/v1/entities/{entity.id}",
        "name": entity.name,
        **_identifiers(entity.id, entity.external_ids),
    }
    aliases = [a.text for a in entity.aliases if a.text != entity.name]
    if aliases:
        node["alternateName"] = aliases
    if entity.description:
        node["description"] = entity.description
    if entity.same_as:
        node["sameAs"] = list(entity.same_as)
    node.update(_life_span(entity))
    if entity.type == "term":
        node["inDefinedTermSet"] = f"{base}/v1/entities?type=term"
    if entity.members:
        node["member"] = [{"@id": entity_iri(base, m)} for m in entity.members]
    if entity.event is not None:
        place = entity.event.place
        location = (
            {"@id": entity_iri(base, place.id), "@type": "Place", "name": place.name}
            if place is not None
            else None
        )
        node.update(
            _event_details(entity.date, location, _attendees(base, entity.event.participants))
        )
        node["subjectOf"] = [
            {"@id": document_iri(base, r.document)} for r in entity.event.reported_in
        ]
    return node


@dataclass(frozen=True, slots=True)
class _Attendee:
    iri: str
    schema_type: str
    name: str
    role: str


def _attendees(base: str, participants: list[Participant]) -> list[_Attendee]:
    return [
        _Attendee(
            iri=entity_iri(base, p.id, p.type),
            schema_type=ENTITY_TYPES.get(p.type, "Thing"),
            name=p.name,
            role=p.role,
        )
        for p in participants
    ]


def _event_details(
    date: str | None, place: dict[str, Any] | None, participants: list[_Attendee]
) -> dict[str, Any]:
    """Dates, location and attendees (with their roles, schema.org's Role pattern)."""
    details: dict[str, Any] = {}
    start, end = _span(date)
    if start:
        details["startDate"] = start
    if end:
        details["endDate"] = end
    if place is not None:
        details["location"] = place
    if participants:
        details["attendee"] = [
            {
                "@type": "Role",
                "roleName": p.role,
                "attendee": {"@id": p.iri, "@type": p.schema_type, "name": p.name},
            }
            for p in participants
        ]
    return details


def event_node(event: EventPublic, base: str, *, same_as: list[str]) -> dict[str, Any]:
    """An event with its dates, place, participants and the documents that report it."""
    iri = entity_iri(base, event.id, "event")
    place = (
        {"@id": entity_iri(base, event.place), "@type": "Place", "name": event.place_name}
        if event.place
        else None
    )
    node: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": iri,
        "@type": "Event",
        "url": iri,
        "name": event.name,
        "keywords": event.type,
        "identifier": [{"@type": "PropertyValue", "propertyID": "quellen", "value": event.id}],
    }
    if event.description:
        node["description"] = event.description
    aliases = [a.text for a in event.aliases if a.text != event.name]
    if aliases:
        node["alternateName"] = aliases
    if same_as:
        node["sameAs"] = same_as
    node.update(_event_details(event.date, place, _attendees(base, event.participants)))
    if event.documents:
        node["subjectOf"] = [
            {"@id": document_iri(base, d.id), "@type": "CreativeWork", "name": d.title}
            for d in event.documents
        ]
    return node
