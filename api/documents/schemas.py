"""Documents as the API shows them: a summary for lists, the full record for one."""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import Page, UtcDatetime, list_example

TELEGRAM_ID = "harriman-to-secretary-of-state-1944-09-24"


class DocumentLinks(BaseModel):
    self: str
    collection: str
    text: str
    passages: str
    footnotes: str
    pages: str


class DocumentSummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": TELEGRAM_ID,
                    "collection": "frus-1944-v04",
                    "title": "The Ambassador in the Soviet Union (Harriman) to the Secretary "
                    "of State",
                    "authors": ["W. Averell Harriman"],
                    "date": "1944-09-24",
                    "date_start": "1944-09-24",
                    "date_end": "1944-09-24",
                    "source_type": "primary",
                    "genre": "telegram",
                    "language": "en",
                    "links": {"self": f"/v1/documents/{TELEGRAM_ID}"},
                }
            ]
        }
    )

    id: str = Field(description="stable, URL-safe slug")
    collection: str = Field(description="id of the collection the document belongs to")
    title: str
    authors: list[str]
    date: str | None = Field(description="EDTF date as curated, e.g. 1944-09-24, 1945-02, 1945~")
    date_start: dt.date | None = Field(description="earliest day the EDTF date can mean")
    date_end: dt.date | None = Field(description="latest day the EDTF date can mean")
    source_type: Literal["primary", "secondary", "tertiary"]
    genre: str | None
    language: str = Field(description="BCP 47 language tag")
    links: dict[str, str]


class DocumentList(Page[DocumentSummary]):
    model_config = list_example(DocumentSummary)


class DocumentCounts(BaseModel):
    passages: int
    footnotes: int
    pages: int
    characters: int = Field(description="length of the full text in code points")


class DocumentPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": TELEGRAM_ID,
                    "collection": "frus-1944-v04",
                    "title": "The Ambassador in the Soviet Union (Harriman) to the Secretary "
                    "of State",
                    "authors": ["W. Averell Harriman"],
                    "recipients": ["Secretary of State"],
                    "date": "1944-09-24",
                    "date_start": "1944-09-24",
                    "date_end": "1944-09-24",
                    "source_type": "primary",
                    "genre": "telegram",
                    "language": "en",
                    "number": "3652",
                    "identifiers": [
                        {"scheme": "file_number", "value": "711.62114/9–2444"},
                        {"scheme": "telegram_number", "value": "3652"},
                    ],
                    "provenance": {
                        "container_title": "Foreign Relations of the United States, Diplomatic "
                        "Papers, 1944, Volume IV, Europe",
                        "volume": "IV",
                        "pages": "1253–1254",
                        "archival_ids": [{"scheme": "file_number", "value": "711.62114/9–2444"}],
                    },
                    "notes": [{"kind": "context", "text": "Replies to the Department's 2212."}],
                    "checksum": "sha256:…",
                    "revision": 1,
                    "created_at": "2026-11-23T11:00:00Z",
                    "updated_at": "2026-11-23T11:00:00Z",
                    "counts": {"passages": 7, "footnotes": 3, "pages": 1, "characters": 2052},
                    "links": {
                        "self": f"/v1/documents/{TELEGRAM_ID}",
                        "collection": "/v1/collections/frus-1944-v04",
                        "text": f"/v1/documents/{TELEGRAM_ID}/text",
                        "passages": f"/v1/documents/{TELEGRAM_ID}/passages",
                        "footnotes": f"/v1/documents/{TELEGRAM_ID}/footnotes",
                        "pages": f"/v1/documents/{TELEGRAM_ID}/pages",
                    },
                }
            ]
        }
    )

    id: str
    collection: str
    title: str
    authors: list[str]
    recipients: list[str]
    date: str | None
    date_start: dt.date | None
    date_end: dt.date | None
    source_type: Literal["primary", "secondary", "tertiary"]
    genre: str | None
    language: str
    number: str | None = Field(description="the source's own number, e.g. a telegram number")
    identifiers: list[dict[str, str]] = Field(
        description="identifiers the source is cited by (file numbers, telegram numbers, URLs)"
    )
    provenance: dict[str, Any] = Field(
        description="publisher, printed series and volume, pages, archival ids, URL, rights"
    )
    notes: list[dict[str, str]] = Field(
        description="curatorial notes (kind: reliability, editorial, context, transcription)"
    )
    checksum: str = Field(description="sha256 of the full text")
    revision: int
    created_at: UtcDatetime
    updated_at: UtcDatetime
    counts: DocumentCounts
    links: DocumentLinks


class TextSegment(BaseModel):
    passage: str = Field(description="ref of the passage")
    kind: str
    boilerplate: bool
    start: int = Field(description="offset of the passage in the document's full text")
    end: int
    view_start: int = Field(description="offset of the passage in the `text` of this response")
    view_end: int


class DocumentText(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "document": TELEGRAM_ID,
                    "view": "main",
                    "text": "711.62114/9–2444: Telegram\n\nThe Ambassador in the Soviet Union …",
                    "length": 2052,
                    "checksum": "sha256:…",
                    "passages": [
                        {
                            "passage": "p1",
                            "kind": "heading",
                            "boilerplate": False,
                            "start": 0,
                            "end": 26,
                            "view_start": 0,
                            "view_end": 26,
                        }
                    ],
                    "links": {
                        "self": f"/v1/documents/{TELEGRAM_ID}/text?view=main",
                        "document": f"/v1/documents/{TELEGRAM_ID}",
                    },
                }
            ]
        }
    )

    document: str = Field(description="id of the document")
    view: Literal["main", "full"] = Field(
        description="main leaves out passages marked boilerplate; full is every passage"
    )
    text: str
    length: int = Field(
        description="length of `text` in code points (in UTF-16 code units with `offsets=utf16`)"
    )
    checksum: str = Field(description="sha256 of the document's full text")
    passages: list[TextSegment]
    links: dict[str, str]
