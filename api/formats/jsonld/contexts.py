"""The JSON-LD contexts Quellen's responses name, for processing them offline.

DTS responses name the DTS 1.0 context and Web Annotations the W3C ``anno.jsonld``
context by URL, as their specifications require. A JSON-LD processor would fetch those
URLs; where there is no network (tests, a reading room, CI) a document loader can serve
these instead. Each states, for the terms Quellen writes, the mapping the published
context gives them (DTS: ``https://dtsapi.org/v1.0#``, Dublin Core Terms; Web Annotation:
the ``oa:`` and Activity Streams vocabularies) — they are Quellen's statement of those
terms, not copies of the published files (DTS ``extensions``, which Quellen never writes,
is left out: pyld cannot process its ``"@vocab": null`` scoped context).

``document_loader`` is a pyld-compatible loader over them.
"""

from typing import Any

DTS_CONTEXT_URL = "https://dtsapi.org/context/v1.0.json"
ANNOTATION_CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"

_DTS = "https://dtsapi.org/v1.0#"
_DTS_TERMS = [
    "CitableUnit",
    "CitationTree",
    "CiteStructure",
    "Collection",
    "EntryPoint",
    "MetadataObject",
    "Navigation",
    "Pagination",
    "Resource",
    "citationTrees",
    "citeStructure",
    "description",
    "end",
    "first",
    "last",
    "member",
    "next",
    "previous",
    "ref",
    "resource",
    "start",
    "title",
    "view",
    "citeType",
    "collection",
    "document",
    "download",
    "dtsVersion",
    "identifier",
    "level",
    "mediaTypes",
    "navigation",
    "parent",
    "totalChildren",
    "totalParents",
]

DTS_CONTEXT: dict[str, Any] = {
    "@context": {
        "dts": _DTS,
        "dct": "http://purl.org/dc/terms/",
        **{term: f"dts:{term}" for term in _DTS_TERMS},
        "lang": "@language",
        "value": "@value",
        "dublinCore": {
            "@id": "@nest",
            "@context": {
                "@vocab": "http://purl.org/dc/terms/",
                "description": {"@id": "dct:description"},
                "identifier": {"@id": "dct:identifier"},
                "title": {"@id": "dct:title"},
            },
        },
    }
}

_OA = "http://www.w3.org/ns/oa#"
_AS = "https://www.w3.org/ns/activitystreams#"
_XSD_COUNT = "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"

ANNOTATION_CONTEXT: dict[str, Any] = {
    "@context": {
        "oa": _OA,
        "as": _AS,
        "dc": "http://purl.org/dc/elements/1.1/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "id": {"@id": "@id", "@type": "@id"},
        "type": {"@id": "@type", "@type": "@id"},
        "Annotation": "oa:Annotation",
        "AnnotationPage": "as:OrderedCollectionPage",
        "AnnotationCollection": "as:OrderedCollection",
        "SpecificResource": "oa:SpecificResource",
        "TextualBody": "oa:TextualBody",
        "TextPositionSelector": "oa:TextPositionSelector",
        "TextQuoteSelector": "oa:TextQuoteSelector",
        "commenting": "oa:commenting",
        "identifying": "oa:identifying",
        "linking": "oa:linking",
        "describing": "oa:describing",
        "motivation": {"@id": "oa:motivatedBy", "@type": "@vocab"},
        "purpose": {"@id": "oa:hasPurpose", "@type": "@vocab"},
        "body": {"@id": "oa:hasBody", "@type": "@id"},
        "target": {"@id": "oa:hasTarget", "@type": "@id"},
        "source": {"@id": "oa:hasSource", "@type": "@id"},
        "selector": {"@id": "oa:hasSelector", "@type": "@id"},
        "start": {"@id": "oa:start", "@type": _XSD_COUNT},
        "end": {"@id": "oa:end", "@type": _XSD_COUNT},
        "exact": "oa:exact",
        "prefix": "oa:prefix",
        "suffix": "oa:suffix",
        "value": "rdf:value",
        "format": "dc:format",
        "language": "dc:language",
        "items": {"@id": "as:items", "@type": "@id", "@container": "@list"},
        "partOf": {"@id": "as:partOf", "@type": "@id"},
        "total": {"@id": "as:totalItems", "@type": _XSD_COUNT},
        "startIndex": {"@id": "as:startIndex", "@type": _XSD_COUNT},
        "next": {"@id": "as:next", "@type": "@id"},
        "prev": {"@id": "as:prev", "@type": "@id"},
    }
}

CONTEXTS = {DTS_CONTEXT_URL: DTS_CONTEXT, ANNOTATION_CONTEXT_URL: ANNOTATION_CONTEXT}


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader that serves the contexts above and refuses anything else."""
    if url not in CONTEXTS:
        raise LookupError(f"no offline copy of {url}: Quellen fetches no remote contexts")
    return {"contextUrl": None, "documentUrl": url, "document": CONTEXTS[url]}
