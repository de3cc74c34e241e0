"""Parse XML from files nobody vetted, without letting the file attack the importer.

A TEI file can declare entities that expand a few bytes into gigabytes (the "billion
laughs"), or name external entities that make the parser read local files or fetch URLs.
lxml is configured to resolve no entities, load no DTD, touch no network and refuse huge
trees; on top of that a document type declaration that declares entities is refused
before the parser sees it, and so is a file larger than the configured limit
(``QUELLEN_IMPORT_MAX_BYTES``), each with a message that says what to do.
"""

import re
from pathlib import Path

from lxml import etree

from api.ingest.errors import IngestError

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def check_size(path: Path | str, size: int, limit: int) -> None:
    if size > limit:
        raise IngestError(
            path,
            f"file is {size / 1_048_576:.1f} MB, over the import limit of "
            f"{limit / 1_048_576:.1f} MB (raise QUELLEN_IMPORT_MAX_BYTES to import it)",
        )


def parse_xml(data: bytes, path: Path | str, *, max_bytes: int) -> etree._Element:
    """The root element of ``data``; IngestError with the line for anything refused."""
    check_size(path, len(data), max_bytes)
    doctype = _DOCTYPE.search(data)
    if doctype is not None:
        declaration_end = data.find(b"]>", doctype.end())
        head = data[doctype.start() : declaration_end if declaration_end >= 0 else len(data)]
        if _ENTITY.search(head):
            line = data.count(b"\n", 0, doctype.start()) + 1
            raise IngestError(
                path,
                "the document type declaration declares entities; entity declarations are "
                "refused (they can expand without bound or read other files)",
                line,
            )
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        where = exc.lineno if getattr(exc, "lineno", None) else None
        message = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc)
        message = re.sub(r",? line \d+, column \d+$", "", message)
        raise IngestError(path, f"not well-formed XML: {message}", where) from exc
    if root is None:
        raise IngestError(path, "the file holds no XML element")
    return root
