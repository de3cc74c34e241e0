"""SQLModel tables, one module per concept. Importing this package registers them all.

It also configures the mappers, which SQLAlchemy otherwise does on the first query: a
mapping error shows at start-up rather than in a request, and neither the first request
nor the first batch of an import (20 ms, measured) waits for it.
"""

from sqlalchemy.orm import configure_mappers

from api.db.models.apikey import ApiKey
from api.db.models.change import Change
from api.db.models.collection import Collection
from api.db.models.crossref import CrossReference
from api.db.models.document import Document, DocumentIdentifier
from api.db.models.entity import Entity, EntityAlias, Event, EventParticipant, EventReport
from api.db.models.footnote import Footnote
from api.db.models.importjob import ImportJob, ImportUpload
from api.db.models.mention import DocumentEntity, Mention
from api.db.models.page import PageMarker
from api.db.models.passage import Passage
from api.db.models.revision import Revision

configure_mappers()

__all__ = [
    "ApiKey",
    "Change",
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
    "ImportUpload",
    "Mention",
    "PageMarker",
    "Passage",
    "Revision",
]
