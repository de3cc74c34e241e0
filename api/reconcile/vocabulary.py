"""What the reconciliation service calls things: its types, its properties, its bounds.

Types are the registry's entity types, by the ids the rest of the API uses (``person``,
``place``, …). Properties are the same in reconciliation queries (``pid``) and in data
extension (``id``), as the 0.2 specification asks: a column matched on ``dates`` can be
fetched as ``dates`` again.
"""

from dataclasses import dataclass

from api.records.record import ENTITY_TYPES

MAX_QUERIES = 100
"""Queries in one batch (the manifest's ``batchSize``); a larger batch is a 413."""
MAX_LIMIT = 50
"""Candidates one query may ask for; more is a 400."""
DEFAULT_LIMIT = 10
MAX_IDS = 100
"""Entities one data extension request may ask about; more is a 413."""
SUGGEST_LIMIT = 10
"""Suggestions a page of a suggest service holds (``cursor`` skips pages)."""
PREVIEW_WIDTH = 400
PREVIEW_HEIGHT = 200

TYPE_NAMES = {type_: type_.capitalize() for type_ in ENTITY_TYPES}  # Person, Place, …
TYPE_DESCRIPTIONS = {
    "person": "a person named in the sources",
    "place": "a country, region, city or other place",
    "organization": "a government department, embassy, army staff or other body",
    "group": "a group of people or states, such as the Big Three or the Allies",
    "term": "a concept, treaty or period, such as World War II",
    "event": "something that happened: a conference, a capitulation, a repatriation",
}


@dataclass(frozen=True, slots=True)
class Property:
    id: str
    name: str
    description: str
    types: frozenset[str] | None = None  # None: entities of every type have it
    entity_valued: bool = False  # its values are entities of this service

    def applies_to(self, type_: str | None) -> bool:
        return self.types is None or type_ is None or type_ in self.types


PROPERTIES = (
    Property("aliases", "Aliases", "other names the registry knows the entity by"),
    Property(
        "dates",
        "Dates (EDTF)",
        "life span, existence or when it happened, in EDTF as curated (1891-11-15/1986-07-26)",
    ),
    Property("date_start", "Start date", "the earliest day the dates can mean"),
    Property("date_end", "End date", "the latest day the dates can mean"),
    Property("description", "Description", "who or what it is, in a sentence or two"),
    Property("type", "Type", "person, place, organization, group, term or event"),
    Property("documents", "Documents", "how many documents name it"),
    Property(
        "external_ids", "Authority ids", "ids in authority files, as scheme:id (wikidata:Q855)"
    ),
    Property("same_as", "Authority records", "the URIs of its authority records"),
    Property(
        "members",
        "Members",
        "the people or states a group is made of",
        types=frozenset({"group"}),
        entity_valued=True,
    ),
    Property(
        "place", "Place", "where an event happened", types=frozenset({"event"}), entity_valued=True
    ),
    Property(
        "participants",
        "Participants",
        "who took part in an event",
        types=frozenset({"event"}),
        entity_valued=True,
    ),
)
PROPERTY_BY_ID = {p.id: p for p in PROPERTIES}
QUERY_PROPERTIES = ("aliases", "dates", "type")
"""The properties a reconciliation query can match on; it may name others, which are left
out of the scoring (the specification's own examples name properties a service lacks)."""
