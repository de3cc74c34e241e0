"""GET /search: the search language of the API as a form, its hits as a list to read.

A GET form, so that it works without JavaScript and a search is a link one can keep. The
page runs the same parser, search and facet counts as ``GET /v1/search`` and pages with
the same cursor, so its JSON alternate is that route with the same parameters. Its
parameters are read from the query string by hand rather than declared: a value FastAPI
refused would be answered with a JSON 422, where a person needs the form again with what
is wrong in it (a 400 page).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from api.collections import service as collections
from api.deps import SessionDep, absolute_base
from api.entities import service as entities
from api.errors import ProblemError
from api.http.bulkhead import search_turn
from api.http.pagination import decode_cursor, encode_cursor
from api.reader.histogram import histogram_svg, year_bars
from api.reader.templating import Alternate, html_errors, page
from api.records.dates import parse_edtf
from api.search import service
from api.search.backends import backend_for
from api.search.query import MAX_QUERY_LENGTH, Node, QueryError, parse
from api.search.schemas import FacetValue, SearchHit
from api.texts import service as texts

router = APIRouter(include_in_schema=False)

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000  # as GET /v1/search: deeper pages are for narrower queries
FACET_TOP = 100  # values counted per facet; enough for every year of a corpus
FACET_SHOWN = 12  # values listed per facet (the active one is always listed)
SCOPES = ("all", "text", "footnotes")
SORTS = ("relevance", "date")
SOURCE_TYPES = ("primary", "secondary", "tertiary")
FACET_TITLES = {
    "source_type": "Source type",
    "genre": "Genre",
    "collection": "Collection",
    "entity": "Names in the documents",
}
HELP = [
    ("soviet nationals", "both words, anywhere in a passage (AND is implied)"),
    ('"soviet nationals"', "the exact phrase"),
    ("repatriat*", "words that begin so: repatriation, repatriated, …"),
    ("Yalta OR Potsdam", "either word"),
    ("Potsdam -Yalta", "the first without the second (also: Potsdam NOT Yalta)"),
    ("(Yalta OR Potsdam) prisoners", "parentheses group"),
]


@dataclass(frozen=True)
class SearchForm:
    """What the form asks, as the query string gave it (defaults left out of links)."""

    q: str = ""
    scope: service.Scope = "all"
    sort: Literal["relevance", "date"] = "relevance"
    source_type: str | None = None
    genre: str | None = None
    collection: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    entity: str | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None

    def params(self, **changes: str | int | None) -> dict[str, str]:
        """The query parameters of this search with ``changes``, without defaults."""
        values = {
            "q": self.q,
            "scope": None if self.scope == "all" else self.scope,
            "sort": None if self.sort == "relevance" else self.sort,
            "source_type": self.source_type,
            "genre": self.genre,
            "collection": self.collection,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "entity": self.entity,
            "limit": None if self.limit == DEFAULT_LIMIT else self.limit,
            "cursor": self.cursor,
            **changes,
        }
        return {name: str(value) for name, value in values.items() if value not in (None, "")}

    def href(self, root: str, **changes: str | int | None) -> str:
        """This search with ``changes`` (a filter set or cleared) as a link; a change to
        what is searched starts again at the first page."""
        changes.setdefault("cursor", None)
        return f"{root}/search?{urlencode(self.params(**changes))}"


@dataclass
class FacetLink:
    value: str
    label: str
    count: int
    href: str
    active: bool = False


@dataclass
class FacetGroup:
    name: str
    title: str
    values: list[FacetLink] = field(default_factory=list)
    clear: str | None = None  # the link that removes this facet's filter
    unit: tuple[str, str] = ("hit", "hits")  # what a count counts, singular and plural


def _text(query: Mapping[str, str], name: str, limit: int = 200) -> str | None:
    value = (query.get(name) or "").strip()
    return value[:limit] or None


def read_form(query: Mapping[str, str]) -> tuple[SearchForm, list[str]]:
    """The form as the query string fills it, and what is wrong with it."""
    problems: list[str] = []
    scope = _text(query, "scope") or "all"
    if scope not in SCOPES:
        problems.append(f"Search in {scope!r}? Choose one of: {', '.join(SCOPES)}.")
        scope = "all"
    sort = _text(query, "sort") or "relevance"
    if sort not in SORTS:
        problems.append(f"Sort by {sort!r}? Choose one of: {', '.join(SORTS)}.")
        sort = "relevance"
    source_type = _text(query, "source_type")
    if source_type is not None and source_type not in SOURCE_TYPES:
        problems.append(f"Source type {source_type!r}? Choose one of: {', '.join(SOURCE_TYPES)}.")
        source_type = None
    limit = DEFAULT_LIMIT
    if (raw := _text(query, "limit")) is not None:
        if raw.isdigit() and 1 <= int(raw) <= MAX_LIMIT:
            limit = int(raw)
        else:
            problems.append(f"Results per page: a number from 1 to {MAX_LIMIT}, not {raw!r}.")
    form = SearchForm(
        q=(query.get("q") or "").strip()[: MAX_QUERY_LENGTH + 1],
        scope=cast(service.Scope, scope),
        sort=cast(Literal["relevance", "date"], sort),
        source_type=source_type,
        genre=_text(query, "genre", 100),
        collection=_text(query, "collection", 120),
        date_from=_text(query, "date_from", 100),
        date_to=_text(query, "date_to", 100),
        entity=_text(query, "entity"),
        limit=limit,
        cursor=_text(query, "cursor", 1000),
    )
    return form, problems


def _filters(form: SearchForm, problems: list[str]) -> service.SearchFilters:
    """The service's filters; a date that is not EDTF is a problem, not a 422."""
    bounds = []
    for name, label, value in (
        ("date_from", "From", form.date_from),
        ("date_to", "To", form.date_to),
    ):
        try:
            span = parse_edtf(value) if value is not None else None
        except ValueError as exc:
            problems.append(f"{label} (year or date): {exc}")
            span = None
        bounds.append(None if span is None else span.end if name == "date_to" else span.start)
    start, end = bounds
    if start is not None and end is not None and start > end:
        problems.append(
            f"The dates are the wrong way round: {form.date_from} is after {form.date_to}."
        )
    return service.SearchFilters(
        collection=form.collection,
        source_type=form.source_type,
        genre=form.genre,
        date_from=start,
        date_to=end,
        entity=form.entity,
    )


def _offset(form: SearchForm, problems: list[str]) -> int:
    if form.cursor is None:
        return 0
    try:
        offset = int(decode_cursor(form.cursor, f"search:{form.sort}", (int,))[0])
    except ProblemError as error:
        problems.append(error.detail)
        return 0
    if not 0 <= offset <= MAX_OFFSET:
        problems.append(
            f"Results past the first {MAX_OFFSET} cannot be paged through; narrow the search."
        )
        return 0
    return offset


def _json_url(request: Request, form: SearchForm) -> str:
    params = form.params(limit=form.limit, facets=",".join(service.FACETS))
    if "scope" not in params:
        params["scope"] = form.scope  # the API's default is text; the page's is all
    return f"{absolute_base(request)}/v1/search?{urlencode(params)}"


def _facet_groups(
    form: SearchForm,
    root: str,
    counts: dict[str, list[FacetValue]],
    labels: dict[str, dict[str, str]],
) -> list[FacetGroup]:
    groups = []
    for name, title in FACET_TITLES.items():
        active = cast(str | None, getattr(form, name))
        group = FacetGroup(name, title, clear=form.href(root, **{name: None}) if active else None)
        if name == "entity":  # counted by document: a name is in a document, not a passage
            group.unit = ("document", "documents")
        for value in counts.get(name, [])[:FACET_SHOWN]:
            label = value.label or labels.get(name, {}).get(value.value, value.value)
            group.values.append(
                FacetLink(
                    value.value,
                    label,
                    value.count,
                    form.href(root, **{name: value.value}),
                    active=value.value == active,
                )
            )
        if active and not any(link.active for link in group.values):
            label = labels.get(name, {}).get(active, active)
            group.values.insert(0, FacetLink(active, label, 0, form.href(root), active=True))
        if group.values:
            groups.append(group)
    return groups


@dataclass
class Hit:
    """A hit as the page lists it: where to read it, and what to show of it."""

    item: SearchHit
    href: str
    where: str
    collection: str


def place(
    session: Session, root: str, document_id: str, container: str, ref: str | None
) -> tuple[str, str]:
    """The link to a passage or note of a document page (its element's id is the ref, as
    on the document page), and how to name it: "passage p4", "note 66" by its marker."""
    href = f"{root}/documents/{quote(document_id, safe='')}"
    if not ref:
        return href, ""
    href += "#" + quote(ref, safe=".-_")
    if container == "passage":
        return href, f"passage {ref}"
    try:
        marker = texts.get_footnote(session, document_id=document_id, key=ref, base="").marker
    except ProblemError:
        marker = None
    return href, f"note {marker or ref}"


def _hit(session: Session, item: SearchHit, root: str, collection_titles: dict[str, str]) -> Hit:
    ref = item.passage if item.container == "passage" else item.footnote
    href, where = place(session, root, item.document, item.container, ref)
    return Hit(item, href, where, collection_titles.get(item.collection, item.collection))


def _entity_label(session: Session, entity_id: str) -> str:
    try:
        return entities.get_entity(session, entity_id=entity_id, base="").name
    except ProblemError:
        return entity_id  # a filter on an unknown entity simply finds nothing


@router.get("/search", dependencies=[Depends(search_turn)])
@html_errors
def search_page(request: Request, session: SessionDep) -> HTMLResponse:
    """The form, and when it holds a query, one page of hits with facets to narrow them."""
    root: str = request.scope.get("root_path", "")
    form, problems = read_form(request.query_params)
    filters = _filters(form, problems)
    offset = _offset(form, problems)
    collection_list, _ = collections.list_collections(session, after=None, limit=200, base="")
    collection_titles = {c.id: c.title for c in collection_list}
    labels: dict[str, dict[str, str]] = {"collection": collection_titles}
    if form.entity:
        labels["entity"] = {form.entity: _entity_label(session, form.entity)}
    context: dict[str, Any] = {
        "form": form,
        "query": form.q,
        "problems": problems,
        "collections": collection_list,
        "source_types": SOURCE_TYPES,
        "entity_label": labels.get("entity", {}).get(form.entity or "", ""),
        "help": [(example, meaning, form.href(root, q=example)) for example, meaning in HELP],
        "hits": [],
        "groups": [],
        "histogram": "",
        "year_clear": None,
        "total": None,
        "ranking": "exact",
        "offset": offset,
        "next_href": None,
        "previous_href": None,
        "first_href": None,
    }
    if not form.q:
        status = 400 if problems else 200
        return page(
            request,
            "search.html",
            title="Search",
            description="Search the sources' passages and notes: words, phrases, prefixes, "
            "OR and NOT, narrowed by source type, genre, collection, year and name.",
            status_code=status,
            **context,
        )
    alternates = [Alternate("JSON", _json_url(request, form), "application/json")]
    title = f"Search: {form.q}"
    canonical = f"{absolute_base(request)}/search?{urlencode(form.params())}"
    query: Node | None = None
    try:
        query = parse(form.q)
    except QueryError as exc:
        problems.insert(0, str(exc))
    if problems or query is None:
        return page(
            request,
            "search.html",
            title=title,
            description="This search could not be run: " + " ".join(problems),
            status_code=400,
            alternates=alternates,
            canonical=canonical,
            **context,
        )
    backend = backend_for(session.get_bind())
    settings = request.app.state.settings
    try:
        found = service.search(
            session,
            backend,
            query=query,
            scope=form.scope,
            sort=form.sort,
            filters=filters,
            offset=offset,
            limit=form.limit,
            base=absolute_base(request),
            rank_limit=settings.search_rank_limit,
            common_word=settings.search_common_word,
        )
        counts = service.facets(
            session,
            backend,
            query=query,
            scope=form.scope,
            filters=filters,
            wanted=list(service.FACETS),
            top=FACET_TOP,
        )
    except DBAPIError:  # the compiler quotes every token; this is a safety net
        problems.append("The search engine could not run this query.")
        return page(
            request,
            "search.html",
            title=title,
            description=problems[0],
            status_code=400,
            alternates=alternates,
            canonical=canonical,
            **context,
        )
    kind = f"search:{form.sort}"
    years = {int(v.value): v.count for v in counts.get("year", []) if v.value.isdigit()}
    bars = year_bars(
        years,
        href=lambda first, last: form.href(root, date_from=str(first), date_to=str(last)),
    )
    total = sum(value.count for value in counts.get("source_type", []))
    context.update(
        hits=[_hit(session, item, root, collection_titles) for item in found.items],
        groups=_facet_groups(form, root, counts, labels),
        histogram=histogram_svg(bars, label="Hits by year"),
        year_clear=form.href(root, date_from=None, date_to=None)
        if form.date_from or form.date_to
        else None,
        total=total,
        ranking=found.ranking,
        next_href=form.href(root, cursor=encode_cursor(kind, [offset + form.limit]))
        if found.more
        else None,
        previous_href=_previous(form, root, kind, offset),
        first_href=form.href(root) if offset else None,
    )
    return page(
        request,
        "search.html",
        title=title,
        description=f"{total} hit{'' if total == 1 else 's'} for {form.q} in the passages "
        "and notes of the sources.",
        alternates=alternates,
        canonical=canonical,
        **context,
    )


def _previous(form: SearchForm, root: str, kind: str, offset: int) -> str | None:
    if offset <= 0:
        return None
    before = max(0, offset - form.limit)
    return form.href(root, cursor=encode_cursor(kind, [before]) if before else None)
