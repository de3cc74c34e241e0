"""Entities as the API shows them: people, places, organizations, groups, terms and events
as registry entries, with their aliases and the documents that name them.
"""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import Page, list_example

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
    type: str = Field(description="what kind of event: conference, meeting, battle, …")
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
    model_config = list_example(EntityDocument, self_url=f"{_STALIN}/documents")


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
    model_config = list_example(DocumentEntity, self_url=f"/v1/documents/{_TELEGRAM}/entities")
