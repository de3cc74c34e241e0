"""A document for reading, in one response: metadata, text and every part that points
into the text, each in the shape its own endpoint serves."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.crossrefs.schemas import CrossReferencePublic
from api.documents.schemas import TELEGRAM_ID, DocumentPublic
from api.mentions.schemas import MentionPublic
from api.records.offsets import OffsetUnit
from api.texts.schemas import FootnotePublic, PageMarkerPublic, PassagePublic

_DOC = f"/v1/documents/{TELEGRAM_ID}"


def _example(model: type[BaseModel]) -> Any:
    """The first example a schema gives: the bundle's example is made of its parts'."""
    extra = model.model_config.get("json_schema_extra")
    assert isinstance(extra, dict)
    examples = extra["examples"]
    assert isinstance(examples, list)
    return examples[0]


class ReadingCrossReferences(BaseModel):
    outgoing: list[CrossReferencePublic] = Field(
        description="references made in this document (`/cross-references?direction=out`)"
    )
    incoming: list[CrossReferencePublic] = Field(
        description="references other sources make to it (`/cross-references?direction=in`)"
    )


class ReadingBundle(BaseModel):
    """Everything a reader's view of a document needs, in one response: each part exactly
    as its own endpoint serves it (every page of it), its offsets in the unit asked for.

    ``document`` is the document's id, as in every other resource; the document resource
    itself is ``metadata``.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "document": TELEGRAM_ID,
                    "offsets": "codepoints",
                    "metadata": _example(DocumentPublic),
                    "text": "711.62114/9–2444: Telegram\n\nThe Ambassador in the Soviet Union "
                    "(Harriman) to the Secretary of State\n\n3652. ReDept’s 2212, …",
                    "length": 2052,
                    "passages": [_example(PassagePublic)],
                    "footnotes": [_example(FootnotePublic)],
                    "pages": [_example(PageMarkerPublic)],
                    "mentions": [{**_example(MentionPublic), "snippet": None}],
                    "cross_references": {
                        "outgoing": [_example(CrossReferencePublic)],
                        "incoming": [],
                    },
                    "links": {
                        "self": f"{_DOC}/reading",
                        "document": _DOC,
                        "text": f"{_DOC}/text?view=full",
                    },
                }
            ]
        }
    )

    document: str = Field(description="id of the document")
    offsets: OffsetUnit = Field(
        description="the unit every offset of this response counts in, as asked for"
    )
    metadata: DocumentPublic = Field(description="the document, as `/v1/documents/{id}` gives it")
    text: str = Field(
        description="the full text (`/text?view=full`), to which every `start`/`end` refers"
    )
    length: int = Field(description="length of `text`, in the unit of `offsets`")
    passages: list[PassagePublic] = Field(description="every passage, as `/passages` lists them")
    footnotes: list[FootnotePublic] = Field(description="every note, as `/footnotes` lists them")
    pages: list[PageMarkerPublic] = Field(description="every page break, as `/pages` lists them")
    mentions: list[MentionPublic] = Field(
        description="every mention not rejected, with its entity's id, name and type, as "
        "`/mentions` lists them"
    )
    cross_references: ReadingCrossReferences
    links: dict[str, str]
