"""Parse XML from files nobody vetted, without letting the file attack the importer.

A TEI file can declare entities that expand a few bytes into gigabytes (the "billion
laughs"), or name external entities that make the parser read local files or fetch URLs.
lxml is configured to resolve no entities, load no DTD, touch no network and refuse huge
trees, so parsing itself is safe; a document whose internal DTD declares entities is then
refused from the parsed tree (in whatever encoding the file was, and whatever comments the
declaration holds: a search of the raw bytes missed both), since the text would otherwise
lose every reference to them. A file larger than the configured limit
(``QUELLEN_IMPORT_MAX_BYTES``) is refused before parsing. Each refusal says what to do.
"""

import re
from pathlib import Path

from lxml import etree

from api.errors import IngestError


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
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        where = exc.lineno if getattr(exc, "lineno", None) else None
        message = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc)
        message = re.sub(r",? line \d+, column \d+$", "", message)
        raise IngestError(path, f"not well-formed XML: {message}", where) from exc
    if root is None:
        raise IngestError(path, "the file holds no XML element")
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise IngestError(
            path,
            "the document type declaration declares entities; entity declarations are "
            "refused (they can expand without bound or read other files)",
            _doctype_line(data, docinfo.encoding),
        )
    return root


def _doctype_line(data: bytes, encoding: str | None) -> int | None:
    """The line the document type declaration opens on, in the file's own encoding."""
    try:
        text = data.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        return None
    found = re.search(r"<!DOCTYPE", text, re.IGNORECASE)
    return text.count("\n", 0, found.start()) + 1 if found else None
