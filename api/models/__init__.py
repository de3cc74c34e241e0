"""SQLModel tables, one module per concept. Importing this package registers them all.

It also configures the mappers, which SQLAlchemy otherwise does on the first query: a
mapping error shows at start-up rather than in a request, and neither the first request
nor the first batch of an import (20 ms, measured) waits for it.
"""

from sqlalchemy.orm import configure_mappers

from api.models.apikey import ApiKey
from api.models.collection import Collection
from api.models.crossref import CrossReference
from api.models.document import Document, DocumentIdentifier
from api.models.entity import Entity, EntityAlias, Event, EventParticipant, EventReport
from api.models.footnote import Footnote
from api.models.importjob import ImportJob
from api.models.mention import DocumentEntity, Mention
from api.models.page import PageMarker
from api.models.passage import Passage
from api.models.revision import Revision

configure_mappers()

__all__ = [
    "ApiKey",
    "Collection",
    "CrossReference",
    "Document",
    "DocumentEntity",
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
