"""Passages, footnotes and page markers as the API shows them."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import Page, list_example

_DOC = "/v1/documents/harriman-to-secretary-of-state-1944-09-24"


class Mark(BaseModel):
    """Emphasis as printed: ``start``–``end`` in the full text, as every ``start``/``end``;
    ``passage_start``–``passage_end`` in the passage's ``text``."""

    type: Literal["italic", "bold"]
    start: int = Field(description="offset in the document's full text")
    end: int
    passage_start: int = Field(description="offset in the passage's text")
    passage_end: int


class Table(BaseModel):
    """A table's cells row by row; the passage's ``text`` holds them tab-separated."""

    rows: list[list[str]]
    header_rows: int = Field(description="how many of the first rows are the table's head")


class PassagePublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ref": "p4",
                    "seq": 4,
                    "kind": "paragraph",
                    "boilerplate": False,
                    "section": None,
                    "text": "The British Ambassador has received a copy of a telegram …",
                    "start": 655,
                    "end": 1039,
                    "page": "1253",
                    "marks": [],
                    "links": {"self": f"{_DOC}/passages/p4", "document": _DOC},
                }
            ]
        }
    )

    ref: str = Field(description="citable id, unique in the document, stable across imports")
    seq: int = Field(description="position in the document, from 1")
    kind: str = Field(
        description="heading, paragraph, list_item, quotation, attribution, caption, signature, "
        "dateline, table, or editorial (the editor's words, not the document's)"
    )
    boilerplate: bool = Field(description="site or print furniture, left out of reading views")
    section: str | None = Field(description="ref of the section the passage belongs to")
    text: str
    start: int = Field(description="offset of the passage in the document's full text")
    end: int
    page: str | None = Field(description="printed page the passage starts on")
    level: int | None = Field(default=None, description="a heading's level, 1-6, when known")
    depth: int | None = Field(default=None, description="a list item's nesting, from 1")
    label: str | None = Field(
        default=None, description="a list item's number or bullet as printed, e.g. 2. or •"
    )
    marks: list[Mark] = Field(
        default_factory=list,
        description="italic and bold spans, in the full text and in the passage's ``text``",
    )
    table: Table | None = Field(default=None, description="a table passage's cells")
    links: dict[str, str]


class PassageList(Page[PassagePublic]):
    model_config = list_example(PassagePublic)


class FootnotePublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ref": "fn1",
                    "marker": "66",
                    "number": 1,
                    "text": "Walter Edward Guinness, First Baron Moyne, British Deputy Minister "
                    "of State in Cairo.",
                    "passage": "p4",
                    "start": 816,
                    "passage_start": 161,
                    "links": {
                        "self": f"{_DOC}/footnotes/fn1",
                        "document": _DOC,
                        "passage": f"{_DOC}/passages/p4",
                    },
                }
            ]
        }
    )

    ref: str = Field(description="citable id of the note, e.g. fn1")
    marker: str = Field(description="the marker as printed in the running text, e.g. 66")
    number: int = Field(description="position in the document's note list, from 1")
    text: str
    passage: str | None = Field(description="ref of the passage carrying the marker")
    start: int | None = Field(
        description="where the marker stands, in the document's full text (null: a note "
        "printed without a marker)"
    )
    passage_start: int | None = Field(
        description="where the marker stands, in the text of the passage carrying it"
    )
    links: dict[str, str]


class FootnoteList(Page[FootnotePublic]):
    model_config = list_example(FootnotePublic)


class PageMarkerPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "n": "1254",
                    "seq": 1,
                    "start": 1174,
                    "passage": "p5",
                    "links": {
                        "self": f"{_DOC}/pages/1",
                        "document": _DOC,
                        "passage": f"{_DOC}/passages/p5",
                    },
                }
            ]
        }
    )

    n: str = Field(description="the page number as printed")
    seq: int = Field(description="position in the document's page breaks, from 1")
    start: int = Field(description="where the page begins, in the document's full text")
    passage: str | None = Field(description="ref of the passage in which the page begins")
    links: dict[str, str]


class PageMarkerList(Page[PageMarkerPublic]):
    model_config = list_example(PageMarkerPublic)
