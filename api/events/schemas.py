"""Events as the API shows them: when, where, who took part and which documents report them."""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.entities.schemas import Alias, Participant
from api.schemas import Page, list_example


class EventSummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "yalta-conference",
                    "name": "Yalta Conference",
                    "type": "conference",
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
    type: str = Field(description="what kind of event: conference, meeting, battle, …")
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
                    "type": "conference",
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
