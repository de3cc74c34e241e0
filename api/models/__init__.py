"""SQLModel tables, one module per concept. Importing this package registers them all."""

from api.models.apikey import ApiKey
from api.models.collection import Collection
from api.models.crossref import CrossReference
from api.models.document import Document, DocumentIdentifier
from api.models.entity import Entity, EntityAlias, Event, EventParticipant, EventReport
from api.models.footnote import Footnote
from api.models.importjob import ImportJob
from api.models.mention import Mention
from api.models.page import PageMarker
from api.models.passage import Passage
from api.models.revision import Revision

__all__ = [
    "ApiKey",
    "Collection",
    "CrossReference",
    "Document",
    "DocumentIdentifier",
    "Entity",
    "EntityAlias",
    "Event",
    "EventParticipant",
    "EventReport",
    "Footnote",
    "ImportJob",
    "Mention",
    "PageMarker",
    "Passage",
    "Revision",
]
