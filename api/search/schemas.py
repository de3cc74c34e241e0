"""Search results: passage- and footnote-level hits with snippets and match offsets."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"


class MatchSpan(BaseModel):
    """Where a query matched: in the full text, and in the passage's or note's text."""

    start: int | None = Field(
        description="offset in the document's full text; null in a footnote, whose text is "
        "not part of the full text"
    )
    end: int | None
    passage_start: int = Field(description="offset in the text of the passage or note")
    passage_end: int


class Highlight(BaseModel):
    """A match within a snippet's excerpt."""

    snippet_start: int = Field(description="offset in the snippet's `text`")
    snippet_end: int


class SearchSnippet(BaseModel):
    text: str = Field(description="an excerpt around the first match")
    html: str = Field(description="the excerpt, HTML-escaped, matches in <mark>")
    highlights: list[Highlight] = Field(description="the matches within the excerpt")


class SearchHit(BaseModel):
    """A passage or note that matches.

    ``document`` is the document's id, as it is everywhere in the API (mentions, passages'
    text, cross-references, reports), with the document's URL in ``links.document``. An id
    rather than an object: the hot reads (a document's passages, notes and mentions) then
    serve what their own rows hold, with no join to the document and no object repeated
    in every item. A hit carries beside it the few fields a result list shows (``title``,
    ``date``, ``source_type``, ``collection``), read with the page of hits."""

    document: str = Field(description="id of the document")
    title: str = Field(description="the document's title")
    date: str | None = Field(description="the document's EDTF date")
    source_type: str = Field(description="the document's source type")
    collection: str = Field(description="id of the document's collection")
    container: Literal["passage", "footnote"]
    passage: str | None = Field(description="ref of the passage that matches")
    footnote: str | None = Field(description="ref of the footnote that matches")
    kind: str = Field(description="passage kind (paragraph, heading, …) or footnote")
    score: float = Field(
        description="relevance: BM25 (SQLite) or ts_rank_cd (PostgreSQL); BM25 computed by "
        "the API with estimated word frequencies when `ranking` is approximate, and for "
        "hits inside one document on SQLite"
    )
    start: int | None = Field(
        description="in the document's full text: where the passage starts, or where a "
        "footnote's marker stands (null for a note printed without a marker)"
    )
    matches: list[MatchSpan] = Field(description="where the query matched")
    snippet: SearchSnippet
    links: dict[str, str]


class FacetValue(BaseModel):
    value: str
    label: str | None = None
    count: int


class SearchResults(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": '"Soviet nationals"',
                    "scope": "text",
                    "sort": "relevance",
                    "ranking": "exact",
                    "items": [
                        {
                            "document": _TELEGRAM,
                            "title": "The Ambassador in the Soviet Union (Harriman) to the "
                            "Secretary of State",
                            "date": "1944-09-24",
                            "source_type": "primary",
                            "collection": "frus-1944-v04",
                            "container": "passage",
                            "passage": "p3",
                            "footnote": None,
                            "kind": "paragraph",
                            "score": 1.93,
                            "start": 101,
                            "matches": [
                                {
                                    "start": 214,
                                    "end": 230,
                                    "passage_start": 113,
                                    "passage_end": 129,
                                }
                            ],
                            "snippet": {
                                "text": "… British Embassy in Moscow with respect to Soviet "
                                "nationals captured while serving …",
                                "html": "… British Embassy in Moscow with respect to <mark>"
                                "Soviet nationals</mark> captured while serving …",
                                "highlights": [{"snippet_start": 44, "snippet_end": 60}],
                            },
                            "links": {
                                "document": f"/v1/documents/{_TELEGRAM}",
                                "passage": f"/v1/documents/{_TELEGRAM}/passages/p3",
                            },
                        }
                    ],
                    "limit": 20,
                    "next": None,
                    "links": {"self": "/v1/search?q=%22Soviet+nationals%22&limit=20"},
                    "facets": None,
                }
            ]
        }
    )

    query: str
    scope: Literal["text", "footnotes", "all"]
    sort: Literal["relevance", "date", "position"]
    ranking: Literal["exact", "approximate"] = Field(
        default="exact",
        description="exact: hits are in the requested order, relevance as scored by the "
        "engine (BM25 on SQLite, ts_rank_cd on PostgreSQL). approximate (relevance only): the "
        "query has more matches than the server ranks at once (QUELLEN_SEARCH_RANK_LIMIT) "
        "or, on SQLite, a very common word (QUELLEN_SEARCH_COMMON_WORD), so the first "
        "matches in index order were ranked by BM25 with estimated word frequencies and any "
        "further matches follow in index order. Which passages and notes match — phrases, "
        "NOT, prefixes, filters — is exact either way.",
    )
    items: list[SearchHit]
    limit: int
    next: str | None
    links: dict[str, str] = Field(description="self: the URL of this page of results")
    facets: dict[str, list[FacetValue]] | None = Field(
        description="counts over all hits, when asked for with `facets=`"
    )
