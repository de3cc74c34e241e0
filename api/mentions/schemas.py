"""Mentions: where a document names an entity, with offsets and a keyword in context."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import Page, list_example

_TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"


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
