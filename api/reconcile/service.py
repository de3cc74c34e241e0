"""The reconciliation service's answers, read from the registry (no HTTP here).

The registry's entities and their written forms are read once and kept, with the indexes
``matching.Registry`` builds, until the registry changes: each call compares a fingerprint
(how many entities and aliases, the newest entity edit, the newest alias row; a registry
write replaces an entity's alias rows) read by two aggregates, so a write through the API
or an import is seen by the next query.
How many documents name a candidate is read per query, as imports change it.
"""

import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from api import __version__
from api.db.models import Entity, EntityAlias
from api.db.models.document import live_document_ids
from api.db.models.mention import DocumentEntity
from api.errors import ProblemError
from api.reconcile import matching
from api.reconcile.matching import Entry, Form, Registry, Scored
from api.reconcile.queries import Query
from api.reconcile.schemas import (
    Authentication,
    Candidate,
    EntitySuggestions,
    ExtendSettings,
    Feature,
    Manifest,
    PreviewSettings,
    PropertyProposal,
    PropertySetting,
    PropertySuggestions,
    QueryResult,
    ResultBatch,
    ServicePath,
    SuggestedEntity,
    SuggestedProperty,
    SuggestedType,
    SuggestServices,
    Template,
    TypeRef,
    TypeSuggestions,
)
from api.reconcile.vocabulary import (
    MAX_QUERIES,
    PREVIEW_HEIGHT,
    PREVIEW_WIDTH,
    PROPERTIES,
    SUGGEST_LIMIT,
    TYPE_DESCRIPTIONS,
    TYPE_NAMES,
)
from api.records.dates import EdtfRange, parse_edtf

SERVICE_NAME = "Quellen entity registry"
DESCRIPTION_LENGTH = 200


def type_ref(type_: str) -> TypeRef:
    return TypeRef(id=type_, name=TYPE_NAMES.get(type_, type_.capitalize()))


# --- the manifest -----------------------------------------------------------------------


def manifest(base: str, *, reader: bool, key_required: bool) -> Manifest:
    """The service manifest, its URLs under ``base`` (the public base URL)."""
    view = f"{base}/entities/{{{{id}}}}" if reader else f"{base}/v1/entities/{{{{id}}}}"
    return Manifest(
        versions=["0.2"],
        name=SERVICE_NAME,
        identifierSpace=f"{base}/v1/entities/",
        schemaSpace=f"{base}/reconcile/properties",
        documentation=f"{base}/docs#/reconciliation",
        serviceVersion=__version__,
        defaultTypes=[type_ref(t) for t in TYPE_NAMES],
        view=Template(url=view),
        preview=PreviewSettings(
            url=f"{base}/reconcile/preview?id={{{{id}}}}",
            width=PREVIEW_WIDTH,
            height=PREVIEW_HEIGHT,
        ),
        suggest=SuggestServices(
            entity=ServicePath(service_url=base, service_path="/reconcile/suggest/entity"),
            type=ServicePath(service_url=base, service_path="/reconcile/suggest/type"),
            property=ServicePath(service_url=base, service_path="/reconcile/suggest/property"),
        ),
        extend=ExtendSettings(
            propose_properties=ServicePath(service_url=base, service_path="/reconcile/properties"),
            property_settings=[
                PropertySetting(
                    name="limit",
                    label="Limit",
                    type="number",
                    default=0,
                    help_text="the most values of a property to fetch per row (0: every value)",
                )
            ],
        ),
        batchSize=MAX_QUERIES,
        authentication=Authentication(
            description="an API key with the read scope, sent as 'Bearer <key>' (the "
            "manifest itself needs none)"
        )
        if key_required
        else None,
    )


# --- the registry, kept until it changes ------------------------------------------------

_CACHE_SIZE = 8
_cache: dict[tuple[Any, ...], Registry] = {}
_cache_lock = threading.Lock()


def registry(session: Session) -> Registry:
    """The registry as it is now in the database ``session`` reads."""
    entities = session.execute(
        select(func.count(), func.max(col(Entity.updated_at))).select_from(Entity)
    ).one()
    aliases = session.execute(
        select(func.count(), func.max(col(EntityAlias.id))).select_from(EntityAlias)
    ).one()
    key = (str(session.get_bind().engine.url), *entities, *aliases)
    found = _cache.get(key)
    if found is None:
        found = Registry(_entries(session))
        with _cache_lock:
            if len(_cache) >= _CACHE_SIZE:
                _cache.clear()
            _cache[key] = found
    return found


def _entries(session: Session) -> list[Entry]:
    forms: dict[str, list[Form]] = {}
    for row in session.execute(
        select(
            col(EntityAlias.entity_id), col(EntityAlias.text), col(EntityAlias.case_sensitive)
        ).order_by(col(EntityAlias.entity_id), col(EntityAlias.id))
    ).all():
        forms.setdefault(row.entity_id, []).append(Form.of(row.text, row.case_sensitive))
    return [
        Entry(
            id=row.id,
            type=row.type,
            name=row.name,
            description=row.description,
            date=row.date,
            date_start=row.date_start,
            date_end=row.date_end,
            forms=(Form.of(row.name), *forms.get(row.id, ())),
        )
        for row in session.execute(
            select(
                col(Entity.id),
                col(Entity.type),
                col(Entity.name),
                col(Entity.description),
                col(Entity.date),
                col(Entity.date_start),
                col(Entity.date_end),
            ).order_by(col(Entity.id))
        ).all()
    ]


def documents_naming(session: Session, ids: Iterable[str]) -> dict[str, int]:
    """How many documents (not deleted) name each of ``ids``."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(col(DocumentEntity.entity_id), func.count())
        .where(
            col(DocumentEntity.entity_id).in_(wanted),
            col(DocumentEntity.document_id).in_(live_document_ids()),
        )
        .group_by(col(DocumentEntity.entity_id))
    ).all()
    return {entity_id: count for entity_id, count in rows}


# --- reconciliation ---------------------------------------------------------------------


def reconcile(session: Session, queries: dict[str, Query]) -> ResultBatch:
    """Candidates for each query of a batch, each query scored on its own."""
    found = registry(session)
    return ResultBatch(
        {key: QueryResult(result=_candidates(session, found, q)) for key, q in queries.items()}
    )


def _candidates(session: Session, found: Registry, query: Query) -> list[Candidate]:
    types = _types(query)
    dates = _dates(query.values_of("dates"))
    alternatives = [a for a in query.values_of("aliases") if a.strip()]
    text = query.query if query.query and query.query.strip() else None
    names = [text] if text is not None else alternatives  # other names stand in for a query
    hits: dict[int, matching.Hit] = {}
    for name in names:
        for n, hit in found.search(name).items():
            known = hits.get(n)
            if known is None or (hit.exact, hit.similarity) > (known.exact, known.similarity):
                hits[n] = hit
    if not names and (dates or types is not None):  # properties alone: whatever they allow
        hits = {
            n: matching.Hit(False, 0.0)
            for n, entry in enumerate(found.entries)
            if not dates or entry.overlaps(dates)
        }
    entries = {n: found.entries[n] for n in hits if types is None or found.entries[n].type in types}
    documents = documents_naming(session, (e.id for e in entries.values()))
    ranked = matching.rank(
        matching.score(
            entry,
            hits[n],
            documents=documents.get(entry.id, 0),
            dates=entry.overlaps(dates),
            aliases=(
                any(matching.name_hit(a, entry).exact for a in alternatives)
                if text is not None and alternatives
                else None
            ),
        )
        for n, entry in entries.items()
    )
    chosen = matching.the_match(ranked) if names else None
    return [_candidate(s, s is chosen) for s in ranked[: query.limit]]


def _types(query: Query) -> set[str] | None:
    """The types a query allows (its ``type`` and a ``type`` property), None for any."""
    allowed: set[str] | None = set(query.types) if query.types else None
    property_types = query.values_of("type")
    if property_types:
        allowed = set(property_types) if allowed is None else allowed & set(property_types)
    return allowed


def _dates(values: list[str]) -> list[EdtfRange]:
    """The EDTF values of a ``dates`` property; a cell that is no date is left out."""
    parsed = []
    for value in values:
        try:
            parsed.append(parse_edtf(value))
        except ValueError:
            continue
    return parsed


def _candidate(scored: Scored, match: bool) -> Candidate:
    entry = scored.entry
    features = [
        Feature(id="name_exact", value=scored.exact),
        Feature(id="name_similarity", value=scored.similarity),
        Feature(id="documents", value=scored.documents),
    ]
    if scored.dates is not None:
        features.append(Feature(id="dates_overlap", value=scored.dates))
    if scored.aliases is not None:
        features.append(Feature(id="aliases_match", value=scored.aliases))
    return Candidate(
        id=entry.id,
        name=entry.name,
        description=_describe(entry),
        type=[type_ref(entry.type)],
        score=scored.score,
        match=match,
        features=features,
    )


def _describe(entry: Entry) -> str | None:
    """The dates and the start of the description: enough to tell namesakes apart."""
    text = entry.description or ""
    if len(text) > DESCRIPTION_LENGTH:
        text = text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    parts = [p for p in (entry.date, text) if p]
    return " · ".join(parts) or None


# --- suggest ----------------------------------------------------------------------------


def suggest_entities(
    session: Session, *, prefix: str, types: set[str] | None, cursor: int
) -> EntitySuggestions:
    entries = registry(session).suggest(prefix, types)[cursor : cursor + SUGGEST_LIMIT]
    return EntitySuggestions(
        result=[
            SuggestedEntity(
                id=e.id, name=e.name, description=_describe(e), notable=[type_ref(e.type)]
            )
            for e in entries
        ]
    )


def suggest_types(*, prefix: str, cursor: int) -> TypeSuggestions:
    start = matching.fold(prefix)
    found = [
        SuggestedType(id=t, name=name, description=TYPE_DESCRIPTIONS[t])
        for t, name in TYPE_NAMES.items()
        if t.startswith(start) or matching.fold(name).startswith(start)
    ]
    return TypeSuggestions(result=found[cursor : cursor + SUGGEST_LIMIT])


def suggest_properties(*, prefix: str, cursor: int) -> PropertySuggestions:
    start = matching.fold(prefix)
    found = [
        SuggestedProperty(id=p.id, name=p.name, description=p.description)
        for p in PROPERTIES
        if p.id.startswith(start)
        or any(w.startswith(start) for w in matching.words(p.name))
        or not start
    ]
    return PropertySuggestions(result=found[cursor : cursor + SUGGEST_LIMIT])


def propose_properties(*, type_: str | None, limit: int | None) -> PropertyProposal:
    """The properties data extension can fetch for entities of ``type_`` (any type: all)."""
    found = [
        SuggestedProperty(id=p.id, name=p.name, description=p.description)
        for p in PROPERTIES
        if p.applies_to(type_)
    ]
    return PropertyProposal(type=type_, limit=limit, properties=found[:limit])


def refuse_both(queries: str | None, extension: str | None) -> None:
    if queries is not None and extension is not None:
        raise ProblemError(
            400, "Send either queries (reconciliation) or extend (data extension), not both."
        )
