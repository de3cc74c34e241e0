"""JSON-LD checks with a real processor (pyld), offline.

``expand`` runs pyld's expansion with a document loader that serves the DTS and Web
Annotation contexts from api/formats/jsonld/contexts.py, so no test touches the network.
``assert_lossless`` checks that expansion kept every value the document holds: a key the
context does not define is silently dropped by JSON-LD, and its values would be missing.
"""

from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from pyld import jsonld

from api.formats.jsonld.contexts import document_loader

# Keys whose values are vocabulary terms, not data: expansion turns them into IRIs.
TERM_VALUED = frozenset({"@type", "type", "motivation", "purpose"})


BASE = "http://testserver/"


def expand(document: dict[str, Any], base: str = BASE) -> list[dict[str, Any]]:
    options = {"documentLoader": document_loader, "base": base}
    return jsonld.expand(document, options)  # type: ignore[no-any-return]


def _leaves(node: Any, skip: frozenset[str], base: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context" or key in skip:
                continue
            if key == "@id" and isinstance(value, str):
                # a relative @id (DTS ids are plain Quellen ids) resolves against the base
                yield ("str", urljoin(base, value))
                continue
            yield from _leaves(value, skip, base)
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value, skip, base)
    elif node is not None:
        yield (type(node).__name__, node)


def assert_lossless(document: dict[str, Any], base: str = BASE) -> list[dict[str, Any]]:
    """Expand ``document``; fail when any of its values is not in the expanded form."""
    expanded = expand(document, base)
    assert expanded, "expansion produced nothing: the context defines none of the terms"
    found = Counter(_leaves(expanded, frozenset(), base))
    missing = Counter(_leaves(document, TERM_VALUED, base)) - found
    assert not missing, f"lost in expansion: {list(missing)[:10]}"
    return expanded


def types_of(expanded: list[dict[str, Any]]) -> set[str]:
    """Every @type IRI anywhere in an expanded document."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            found.update(node.get("@type", []) if isinstance(node.get("@type"), list) else [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(expanded)
    return found
