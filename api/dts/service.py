"""Distributed Text Services 1.0: collections, citation trees and TEI fragments.

Quellen implements **Level 1** of DTS 1.0: every endpoint (entry, collection, navigation,
document) and every valid call, including ``start``/``end`` ranges. This module is the
face the routes call; the work is split along the three endpoints:

- api/dts/collections.py: the root collection (``@id`` ``quellen``) holds the Quellen
  collections, each of which holds its documents as ``Resource`` members; ``nav=parents``
  walks back up;
- api/dts/navigation.py: a document's citation tree (sections → passages → footnotes,
  identified by the refs the REST API uses) and the walks over it;
- api/dts/documents.py: a document's TEI, or a fragment of it wrapped in ``dts:wrapper``;
- api/dts/common.py: constants, errors, URI templates, parameters and paging they share.

Errors follow the specification's table: a missing ``resource``, ``ref`` together with
``start``/``end``, only one of ``start``/``end``, ``down=0`` without ``ref``, and no
``ref``/``start``/``end``/``down`` at all are 400; an unknown resource, ref, start, end or
tree, a page past the last one and an unavailable ``mediaType`` are 404.

The page sizes are not re-exported: they are read from api/dts/collections.py and
api/dts/navigation.py, so that is where to change (or monkeypatch) them.
"""

from api.dts.collections import collection
from api.dts.common import (
    CONTEXT_URL,
    MEDIA_TYPES,
    PLAIN,
    ROOT_ID,
    ROOT_TITLE,
    TEI,
    VERSION,
    BadRequest,
    Endpoints,
    Missing,
    check_reference_parameters,
    entry_point,
    parse_int,
)
from api.dts.documents import Selection, document_body, select_units
from api.dts.navigation import (
    Tree,
    Unit,
    UnitKind,
    build_tree,
    citable_unit,
    citation_tree,
    navigation,
)

__all__ = [
    "CONTEXT_URL",
    "MEDIA_TYPES",
    "PLAIN",
    "ROOT_ID",
    "ROOT_TITLE",
    "TEI",
    "VERSION",
    "BadRequest",
    "Endpoints",
    "Missing",
    "Selection",
    "Tree",
    "Unit",
    "UnitKind",
    "build_tree",
    "check_reference_parameters",
    "citable_unit",
    "citation_tree",
    "collection",
    "document_body",
    "entry_point",
    "navigation",
    "parse_int",
    "select_units",
]
