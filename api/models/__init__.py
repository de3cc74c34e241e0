"""SQLModel tables, one module per concept. Importing this package registers them all."""

from api.models.collection import Collection
from api.models.document import Document, DocumentIdentifier
from api.models.footnote import Footnote
from api.models.page import PageMarker
from api.models.passage import Passage

__all__ = [
    "Collection",
    "Document",
    "DocumentIdentifier",
    "Footnote",
    "PageMarker",
    "Passage",
]
