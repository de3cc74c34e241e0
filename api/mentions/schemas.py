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
                    "id": 89,
                    "entity": "walter-edward-guinness",
                    "entity_name": "Walter Edward Guinness, 1st Baron Moyne",
                    "entity_type": "person",
                    "document": _TELEGRAM,
                    "container": "passage",
                    "passage": "p4",
                    "footnote": None,
                    "start": 806,
                    "end": 816,
                    "passage_start": 151,
                    "passage_end": 161,
                    "surface": "Lord Moyne",
                    "status": "auto",
                    "snippet": {
                        "before": "… British Resident Minister in Cairo in which ",
                        "match": "Lord Moyne",
                        "after": " was informed that so far as the Middle East …",
                    },
                    "links": {
                        "self": "/v1/mentions/89",
                        "entity": "/v1/entities/walter-edward-guinness",
                        "document": f"/v1/documents/{_TELEGRAM}",
                        "passage": f"/v1/documents/{_TELEGRAM}/passages/p4",
                    },
                }
            ]
        }
    )

    id: int
    entity: str = Field(description="id of the entity named")
    entity_name: str
    entity_type: str = Field(
        description="the entity's type: person, place, organization, group, term or event"
    )
    document: str = Field(description="id of the document")
    container: Literal["passage", "footnote"] = Field(
        description="whether the mention stands in a passage or in a footnote's text"
    )
    passage: str | None = Field(description="ref of the passage holding the mention")
    footnote: str | None = Field(description="ref of the footnote holding the mention")
    start: int | None = Field(
        description="offset in the document's full text; null for a mention in a footnote, "
        "whose text is not part of the full text"
    )
    end: int | None
    passage_start: int = Field(
        description="offset in the text of the passage holding the mention, or of the "
        "footnote for a mention in a footnote"
    )
    passage_end: int
    surface: str = Field(description="the words as printed")
    status: Literal["auto", "curated", "rejected"]
    snippet: Snippet | None = Field(description="keyword in context")
    links: dict[str, str]


class MentionList(Page[MentionPublic]):
    model_config = list_example(MentionPublic, self_url=f"/v1/documents/{_TELEGRAM}/mentions")
