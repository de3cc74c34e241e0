"""Search results: passage- and footnote-level hits with snippets and match offsets."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"


class Span(BaseModel):
    start: int
    end: int


class SearchSnippet(BaseModel):
    text: str = Field(description="an excerpt around the first match")
    html: str = Field(description="the excerpt, HTML-escaped, matches in <mark>")
    highlights: list[Span] = Field(description="match offsets within the excerpt")


class HitDocument(BaseModel):
    id: str
    title: str
    date: str | None
    source_type: str
    collection: str


class SearchHit(BaseModel):
    document: HitDocument
    container: Literal["passage", "footnote"]
    ref: str = Field(description="passage ref or footnote ref")
    kind: str = Field(description="passage kind (paragraph, heading, …) or footnote")
    score: float = Field(
        description="relevance: BM25 (SQLite) or ts_rank_cd (PostgreSQL); BM25 computed by "
        "the API with estimated word frequencies when `ranking` is approximate, and for "
        "hits inside one document on SQLite"
    )
    matches: list[Span] = Field(description="match offsets in the passage or note text")
    text_start: int | None = Field(
        description="offset of the passage in the document's full text (null for notes); add "
        "it to `matches` for full-text offsets"
    )
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
                            "document": {
                                "id": _TELEGRAM,
                                "title": "The Ambassador in the Soviet Union (Harriman) to the "
                                "Secretary of State",
                                "date": "1944-09-24",
                                "source_type": "primary",
                                "collection": "frus-1944-v04",
                            },
                            "container": "passage",
                            "ref": "p3",
                            "kind": "paragraph",
                            "score": 1.93,
                            "matches": [{"start": 107, "end": 122}],
                            "text_start": 106,
                            "snippet": {
                                "text": "… British Embassy in Moscow with respect to Soviet "
                                "nationals captured while serving …",
                                "html": "… British Embassy in Moscow with respect to <mark>"
                                "Soviet nationals</mark> captured while serving …",
                                "highlights": [{"start": 45, "end": 60}],
                            },
                            "links": {
                                "document": f"/v1/documents/{_TELEGRAM}",
                                "passage": f"/v1/documents/{_TELEGRAM}/passages/p3",
                            },
                        }
                    ],
                    "limit": 20,
                    "next": None,
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
    facets: dict[str, list[FacetValue]] | None = Field(
        description="counts over all hits, when asked for with `facets=`"
    )
