"""Where an entity lives: its URL here (shared by entities, mentions and the graph) and
the authority files it is identified in (``sameAs``, for its JSON and its JSON-LD)."""

AUTHORITY_URIS = {
    "wikidata": "http://www.wikidata.org/entity/{}",
    "viaf": "http://viaf.org/viaf/{}",
    "geonames": "https://sws.geonames.org/{}/",
    "gnd": "https://d-nb.info/gnd/{}",
    "loc": "http://id.loc.gov/authorities/names/{}",
}


def entity_link(base: str, entity_id: str) -> str:
    return f"{base}/v1/entities/{entity_id}"


def same_as(external_ids: dict[str, str] | None) -> list[str]:
    """The authority records an entity is identified by, for the schemes we can link."""
    return [
        AUTHORITY_URIS[scheme].format(value)
        for scheme, value in sorted((external_ids or {}).items())
        if scheme in AUTHORITY_URIS
    ]
