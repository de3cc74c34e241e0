"""Cross-references between sources: where a passage or note points, and whether the
target is in the corpus.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import Page, list_example

_TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"


class Anchor(BaseModel):
    """Where a reference is made: a document, and in it a passage or a footnote, and in that
    the words it is made with."""

    document: str | None = Field(description="id of the document")
    passage: str | None = Field(default=None, description="ref of the passage")
    footnote: str | None = Field(default=None, description="ref of the footnote")
    start: int | None = Field(
        default=None,
        description="offset of the words in the document's full text; null when the "
        "reference has no words (a link between documents) or stands in a footnote, whose "
        "text is not part of the full text",
    )
    end: int | None = None
    passage_start: int | None = Field(
        default=None, description="offset of the words in the passage's or footnote's text"
    )
    passage_end: int | None = None
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
                    "id": 1,
                    "relation": "cites",
                    "origin": "detected",
                    "resolved": False,
                    "score": None,
                    "reason": None,
                    "source": {
                        "document": _TELEGRAM,
                        "passage": None,
                        "footnote": "fn2",
                        "start": None,
                        "end": None,
                        "passage_start": 820,
                        "passage_end": 836,
                        "text": "740.62114/9–2744",
                    },
                    "target": {
                        "document": None,
                        "scheme": "file_number",
                        "value": "740.62114/9–2744",
                        "label": None,
                    },
                    "links": {
                        "self": "/v1/cross-references/1",
                        "source": f"/v1/documents/{_TELEGRAM}",
                    },
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
