"""The URL of each kind of resource, built in one place from the request's base URL,
and the URLs of the authority files an entity is identified in (``sameAs``)."""

AUTHORITY_URIS = {
    "wikidata": "http://www.wikidata.org/entity/{}",
    "viaf": "http://viaf.org/viaf/{}",
    "geonames": "https://sws.geonames.org/{}/",
    "gnd": "https://d-nb.info/gnd/{}",
    "loc": "http://id.loc.gov/authorities/names/{}",
}


def document_link(base: str, document_id: str) -> str:
    return f"{base}/v1/documents/{document_id}"


def entity_link(base: str, entity_id: str) -> str:
    return f"{base}/v1/entities/{entity_id}"


def event_link(base: str, event_id: str) -> str:
    return f"{base}/v1/events/{event_id}"


def same_as(external_ids: dict[str, str] | None) -> list[str]:
    """The authority records an entity is identified by, for the schemes we can link."""
    return [
        AUTHORITY_URIS[scheme].format(value)
        for scheme, value in sorted((external_ids or {}).items())
        if scheme in AUTHORITY_URIS
    ]
