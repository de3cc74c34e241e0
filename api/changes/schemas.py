"""The change feed as IIIF Change Discovery API 1.0 shows it: Activity Streams 2.0 JSON-LD.

An ``OrderedCollection`` links to its first and last ``OrderedCollectionPage``; each page
holds the activities (``Create``, ``Update``, ``Delete``) in commit order, oldest first,
and links to the pages before and after it. The keys are the specification's (camelCase,
``@context``), so these models take them as field names or aliases; they are dumped with
``by_alias`` and without the properties a resource does not have (``prev`` on page 1).
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

DISCOVERY_CONTEXT = "http://iiif.io/api/discovery/1/context.json"
ACTIVITY_STREAMS = "https://www.w3.org/ns/activitystreams"
# The Discovery context last, as the specification asks of a list of contexts (3.4.1)
CONTEXT: list[str] = [ACTIVITY_STREAMS, DISCOVERY_CONTEXT]
# What the specification names as the media type of every response (4.1)
MEDIA_TYPE = f'application/ld+json;profile="{DISCOVERY_CONTEXT}"'

ActivityType = Literal["Create", "Update", "Delete"]
# Activity Streams classes, one per kind of resource: see api/changes/service.py:OBJECT_TYPES
ObjectType = Literal["Document", "Object", "Event"]

_BASE = "http://127.0.0.1:8000"
_FEED = f"{_BASE}/v1/changes"
_TELEGRAM = f"{_BASE}/v1/documents/harriman-to-secretary-of-state-1944-09-24"
_CREATE_EXAMPLE: JsonDict = {
    "id": f"{_FEED}/activities/201",
    "type": "Create",
    "object": {
        "id": _TELEGRAM,
        "type": "Document",
        "seeAlso": [
            {
                "id": f"{_TELEGRAM}?format=ndjson",
                "type": "Dataset",
                "format": "application/x-ndjson",
                "label": {"en": ["Quellen bundle lines (quellen import reads them)"]},
            }
        ],
    },
    "endTime": "2026-12-02T10:15:00Z",
}
_DELETE_EXAMPLE: JsonDict = {
    "id": f"{_FEED}/activities/202",
    "type": "Delete",
    "object": {"id": f"{_BASE}/v1/entities/cordell-hull", "type": "Object"},
    "endTime": "2026-12-02T10:16:30Z",
}


class _Ld(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class PageLink(_Ld):
    id: str = Field(description="URL of the page")
    type: Literal["OrderedCollectionPage"] = "OrderedCollectionPage"


class CollectionLink(_Ld):
    id: str = Field(description="URL of the feed (/v1/changes)")
    type: Literal["OrderedCollection"] = "OrderedCollection"


class Dataset(_Ld):
    """Where a machine fetches the resource losslessly: its lines of the Quellen bundle."""

    id: str = Field(description="URL of the resource's bundle lines (`?format=ndjson`)")
    type: Literal["Dataset"] = "Dataset"
    format: str = Field(description="application/x-ndjson")
    label: dict[str, list[str]] = Field(description="a language map naming the dataset")


class ChangedObject(_Ld):
    id: str = Field(description="the resource's absolute URL")
    type: ObjectType = Field(
        description="Document (a document), Event (an event), Object (an entity: person, "
        "place, organization, group or term)"
    )
    seeAlso: list[Dataset] | None = Field(
        default=None,
        description="on Create and Update: the resource as bundle lines, for mirrors",
    )


class Activity(_Ld):
    model_config = ConfigDict(
        populate_by_name=True, json_schema_extra={"examples": [_CREATE_EXAMPLE]}
    )

    id: str = Field(description="the activity's URL: /v1/changes/activities/{seq}")
    type: ActivityType = Field(
        description="Create, Update or Delete; a restored document is a Create again"
    )
    summary: str | None = Field(
        default=None, description="said of a Create that restored a deleted document"
    )
    object: ChangedObject
    endTime: str = Field(description="when the change committed, UTC (xsd:dateTime, Z)")


class ActivityDocument(_Ld):
    """One activity served on its own, so it carries the context."""

    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={"examples": [{"@context": list(CONTEXT), **_CREATE_EXAMPLE}]},
    )

    context: list[str] = Field(alias="@context", description="Activity Streams, then Discovery")
    id: str = Field(description="the activity's URL: /v1/changes/activities/{seq}")
    type: ActivityType
    summary: str | None = None
    object: ChangedObject
    endTime: str = Field(description="when the change committed, UTC (xsd:dateTime, Z)")


class ChangeCollection(_Ld):
    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "@context": list(CONTEXT),
                    "id": _FEED,
                    "type": "OrderedCollection",
                    "totalItems": 202,
                    "first": {"id": f"{_FEED}/pages/1", "type": "OrderedCollectionPage"},
                    "last": {"id": f"{_FEED}/pages/3", "type": "OrderedCollectionPage"},
                }
            ]
        },
    )

    context: list[str] = Field(alias="@context", description="Activity Streams, then Discovery")
    id: str = Field(description="URL of the feed")
    type: Literal["OrderedCollection"] = "OrderedCollection"
    totalItems: int = Field(description="how many changes the feed holds (its last seq)")
    first: PageLink = Field(description="the oldest page")
    last: PageLink = Field(description="the newest page: where a client starts, going back")


class ChangePage(_Ld):
    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "@context": list(CONTEXT),
                    "id": f"{_FEED}/pages/3",
                    "type": "OrderedCollectionPage",
                    "partOf": {"id": _FEED, "type": "OrderedCollection"},
                    "startIndex": 200,
                    "prev": {"id": f"{_FEED}/pages/2", "type": "OrderedCollectionPage"},
                    "orderedItems": [_CREATE_EXAMPLE, _DELETE_EXAMPLE],
                }
            ]
        },
    )

    context: list[str] = Field(alias="@context", description="Activity Streams, then Discovery")
    id: str = Field(description="URL of this page")
    type: Literal["OrderedCollectionPage"] = "OrderedCollectionPage"
    partOf: CollectionLink
    startIndex: int = Field(description="position of the first activity in the feed, from 0")
    prev: PageLink | None = Field(default=None, description="the page before (older changes)")
    next: PageLink | None = Field(default=None, description="the page after (newer changes)")
    orderedItems: list[Activity] = Field(description="the changes, oldest first")
