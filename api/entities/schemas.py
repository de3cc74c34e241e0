"""Entities, events, mentions, cross-references and the graph, as the API shows them."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.http.schemas import Page, list_example

_STALIN = "/v1/entities/joseph-stalin"
_TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"


class Alias(BaseModel):
    text: str
    case_sensitive: bool


class EntityCounts(BaseModel):
    mentions: int = Field(description="mentions not rejected by a curator")
    documents: int


class EntitySummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "joseph-stalin",
                    "type": "person",
                    "name": "Joseph Stalin",
                    "date": "1878-12-18/1953-03-05",
                    "links": {"self": _STALIN},
                }
            ]
        }
    )

    id: str
    type: Literal["person", "place", "organization", "group", "term", "event"]
    name: str
    date: str | None = Field(description="EDTF: life span, existence, or when an event happened")
    links: dict[str, str]


class EntityList(Page[EntitySummary]):
    model_config = list_example(EntitySummary)


class Participant(BaseModel):
    id: str
    name: str
    type: str
    role: str


class EventReportPublic(BaseModel):
    document: str
    title: str
    passage: str | None
    links: dict[str, str]


class EventDetails(BaseModel):
    event_type: str
    place: EntitySummary | None
    participants: list[Participant]
    reported_in: list[EventReportPublic]


class EntityPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "joseph-stalin",
                    "type": "person",
                    "name": "Joseph Stalin",
                    "aliases": [{"text": "Stalin", "case_sensitive": False}],
                    "description": "Soviet leader.",
                    "date": "1878-12-18/1953-03-05",
                    "date_start": "1878-12-18",
                    "date_end": "1953-03-05",
                    "external_ids": {"wikidata": "Q855"},
                    "same_as": ["http://www.wikidata.org/entity/Q855"],
                    "members": [],
                    "counts": {"mentions": 21, "documents": 2},
                    "event": None,
                    "links": {
                        "self": _STALIN,
                        "mentions": f"{_STALIN}/mentions",
                        "documents": f"{_STALIN}/documents",
                    },
                }
            ]
        }
    )

    id: str
    type: str
    name: str
    aliases: list[Alias]
    description: str | None
    date: str | None
    date_start: dt.date | None
    date_end: dt.date | None
    external_ids: dict[str, str] = Field(description="authority ids, e.g. wikidata, viaf")
    same_as: list[str] = Field(description="authority URIs built from the external ids")
    members: list[str] = Field(description="for groups: ids of the member entities")
    counts: EntityCounts
    event: EventDetails | None = Field(description="for events: type, place, participants")
    links: dict[str, str]


class Snippet(BaseModel):
    before: str
    match: str
    after: str


class MentionPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 17,
                    "entity": "walter-edward-guinness",
                    "entity_name": "Walter Edward Guinness, 1st Baron Moyne",
                    "document": _TELEGRAM,
                    "container": "passage",
                    "ref": "p4",
                    "start": 156,
                    "end": 166,
                    "text_start": 811,
                    "text_end": 821,
                    "surface": "Lord Moyne",
                    "status": "auto",
                    "snippet": {
                        "before": "… British Resident Minister in Cairo in which ",
                        "match": "Lord Moyne",
                        "after": " was informed that so far as the Middle East …",
                    },
                    "links": {"passage": f"/v1/documents/{_TELEGRAM}/passages/p4"},
                }
            ]
        }
    )

    id: int
    entity: str
    entity_name: str
    document: str
    container: Literal["passage", "footnote"]
    ref: str = Field(description="ref of the passage or footnote holding the mention")
    start: int = Field(description="offset in the passage or footnote text")
    end: int
    text_start: int | None = Field(
        description="offset in the document's full text (null for mentions in footnotes)"
    )
    text_end: int | None
    surface: str = Field(description="the words as printed")
    status: Literal["auto", "curated", "rejected"]
    snippet: Snippet | None = Field(description="keyword in context")
    links: dict[str, str]


class MentionList(Page[MentionPublic]):
    model_config = list_example(MentionPublic)


class EntityDocument(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _TELEGRAM,
                    "title": "The Ambassador in the Soviet Union (Harriman) to the Secretary "
                    "of State",
                    "date": "1944-09-24",
                    "mentions": 3,
                    "links": {"self": f"/v1/documents/{_TELEGRAM}"},
                }
            ]
        }
    )

    id: str
    title: str
    date: str | None
    mentions: int
    links: dict[str, str]


class EntityDocumentList(Page[EntityDocument]):
    model_config = list_example(EntityDocument)


class DocumentEntity(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "combined-chiefs-of-staff",
                    "type": "organization",
                    "name": "Combined Chiefs of Staff",
                    "mentions": 2,
                    "links": {"self": "/v1/entities/combined-chiefs-of-staff"},
                }
            ]
        }
    )

    id: str
    type: str
    name: str
    mentions: int
    links: dict[str, str]


class DocumentEntityList(Page[DocumentEntity]):
    model_config = list_example(DocumentEntity)


class EventSummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "yalta-conference",
                    "name": "Yalta Conference",
                    "event_type": "conference",
                    "date": "1945-02-04/1945-02-11",
                    "date_start": "1945-02-04",
                    "date_end": "1945-02-11",
                    "place": "yalta",
                    "links": {"self": "/v1/events/yalta-conference"},
                }
            ]
        }
    )

    id: str
    name: str
    event_type: str
    date: str | None
    date_start: dt.date | None
    date_end: dt.date | None
    place: str | None = Field(description="id of the place entity")
    links: dict[str, str]


class EventList(Page[EventSummary]):
    model_config = list_example(EventSummary)


class EventPublic(EventSummary):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "yalta-conference",
                    "name": "Yalta Conference",
                    "event_type": "conference",
                    "date": "1945-02-04/1945-02-11",
                    "date_start": "1945-02-04",
                    "date_end": "1945-02-11",
                    "place": "yalta",
                    "place_name": "Yalta",
                    "description": "Conference of the Big Three in the Crimea.",
                    "aliases": [{"text": "Yalta Conference", "case_sensitive": False}],
                    "participants": [
                        {
                            "id": "joseph-stalin",
                            "name": "Joseph Stalin",
                            "type": "person",
                            "role": "head of the Soviet delegation",
                        }
                    ],
                    "documents": [
                        {
                            "id": "bodega-why-did-the-usa-ussr-alliance-break-down",
                            "title": "Why did the USA-USSR alliance breakdown in 1945?",
                            "date": None,
                            "reported_in": ["sec1"],
                            "mentions": 2,
                            "links": {
                                "self": "/v1/documents/bodega-why-did-the-usa-ussr-alliance-"
                                "break-down"
                            },
                        }
                    ],
                    "links": {"self": "/v1/events/yalta-conference"},
                }
            ]
        }
    )

    place_name: str | None
    description: str | None
    aliases: list[Alias]
    participants: list[Participant]
    documents: list["EventDocument"]


class EventDocument(BaseModel):
    id: str
    title: str
    date: str | None
    reported_in: list[str] = Field(description="refs of the passages that report the event")
    mentions: int = Field(description="how often the document names the event")
    links: dict[str, str]


class Anchor(BaseModel):
    document: str | None
    passage: str | None = None
    footnote: str | None = None
    start: int | None = Field(default=None, description="offset in the passage or footnote")
    end: int | None = None
    text: str | None = Field(default=None, description="the words the reference is made with")


class Target(BaseModel):
    document: str | None = Field(description="the target document, once resolved")
    title: str | None = None
    passage: str | None = None
    footnote: str | None = None
    scheme: str | None = Field(description="identifier scheme: file_number, url, document, …")
    value: str | None = Field(description="the identifier as cited")
    label: str | None = None


class CrossReferencePublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "relation": "cites",
                    "origin": "detected",
                    "resolved": False,
                    "score": None,
                    "reason": None,
                    "source": {
                        "document": _TELEGRAM,
                        "passage": None,
                        "footnote": "fn2",
                        "start": 702,
                        "end": 718,
                        "text": "740.62114/9–2744",
                    },
                    "target": {
                        "document": None,
                        "scheme": "file_number",
                        "value": "740.62114/9–2744",
                        "label": None,
                    },
                    "links": {"self": "/v1/cross-references/2"},
                }
            ]
        }
    )

    id: int
    relation: Literal["cites", "replies_to", "quotes", "same_event", "see_also"]
    origin: Literal["curated", "detected", "inferred"] = Field(
        description="curated by an editor, detected in the text, or inferred (never curated)"
    )
    resolved: bool = Field(description="whether the target is a document in the corpus")
    score: float | None = Field(description="for inferred links: strength, 0–1")
    reason: str | None = Field(description="for inferred links: why they are related")
    source: Anchor
    target: Target
    links: dict[str, str]


class CrossReferenceList(Page[CrossReferencePublic]):
    model_config = list_example(CrossReferencePublic)


class GraphNode(BaseModel):
    id: str = Field(description="document:<id> or entity:<id>")
    kind: Literal["document", "entity"]
    type: str = Field(description="source type for documents, entity type for entities")
    label: str
    depth: int = Field(description="hops from the centre")


class GraphEdge(BaseModel):
    source: str
    target: str
    kind: str = Field(description="mentions, or a cross-reference relation")
    weight: float = Field(description="mention count, or score for inferred links")
    origin: str | None = Field(default=None, description="for cross-references")


class Graph(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "center": "entity:joseph-stalin",
                    "depth": 1,
                    "nodes": [
                        {
                            "id": "entity:joseph-stalin",
                            "kind": "entity",
                            "type": "person",
                            "label": "Joseph Stalin",
                            "depth": 0,
                        }
                    ],
                    "edges": [],
                    "truncated": False,
                    "limit": 200,
                }
            ]
        }
    )

    center: str
    depth: int
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool = Field(description="true when the node limit cut the graph short")
    limit: int


EventPublic.model_rebuild()
