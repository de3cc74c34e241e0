"""The mechanics of writing TEI with lxml, apart from what the exporter writes.

Elements in the TEI namespace with ``xml:`` attributes (``el``); a stretch of text with
inline elements over parts of it — marks, mentions, references — and empty ones at points
— notes, page breaks (``fill``), which XML only allows if the spans nest (``nested``);
indentation of the structure that leaves every text node as stored (``indent``); and the
bytes of a finished tree (``serialize``). The exporter (writer.py) and the DTS fragments
cut from its output (fragments.py) share them, so both write byte for byte alike.

lxml ships no type information: an element is ``Any`` here.
"""

from collections.abc import Callable
from typing import Any

from lxml import etree

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
T = f"{{{TEI_NS}}}"

# Makes an element under the parent it is given, and returns it.
Maker = Callable[[Any], Any]
# An element over text[start:end], made by its Maker.
SpanMaker = tuple[int, int, Maker]
# An (empty) element standing at an offset of the text.
PointMaker = tuple[int, Maker]

# Elements that hold other elements rather than text: only these are indented.
STRUCTURE = {
    "TEI",
    "teiHeader",
    "fileDesc",
    "titleStmt",
    "publicationStmt",
    "seriesStmt",
    "respStmt",
    "notesStmt",
    "sourceDesc",
    "bibl",
    "profileDesc",
    "creation",
    "langUsage",
    "textClass",
    "keywords",
    "correspDesc",
    "correspAction",
    "standOff",
    "listPerson",
    "listPlace",
    "listOrg",
    "listNym",
    "listEvent",
    "listRelation",
    "person",
    "place",
    "org",
    "nym",
    "event",
    "text",
    "body",
    "div",
    "list",
}


def el(parent: Any, tag: str, text: str | None = None, /, **attributes: str | None) -> Any:
    """A TEI element under ``parent``; attributes that are None are left out.

    Keyword arguments cannot hold a colon: ``xml__id`` is written ``xml:id``.
    """
    element = etree.SubElement(parent, T + tag)
    for key, value in attributes.items():
        if value is not None:
            element.set(key.replace("__", ":").replace("xml:", f"{{{XML_NS}}}"), value)
    if text is not None:
        element.text = text
    return element


def _append_text(parent: Any, text: str) -> None:
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def fill(
    parent: Any,
    text: str,
    spans: list[SpanMaker],
    points: list[PointMaker],
    lo: int = 0,
    hi: int | None = None,
) -> None:
    """Write ``text[lo:hi]`` into ``parent`` with nested span elements and point elements.

    ``spans`` must nest properly (the caller drops crossing ones); a point at a span's start
    or end stands outside it.
    """
    hi = len(text) if hi is None else hi
    pos = lo
    index = 0
    while index < len(spans):
        start, end, make = spans[index]
        inner = []
        index += 1
        while index < len(spans) and spans[index][0] < end and spans[index][1] <= end:
            inner.append(spans[index])
            index += 1
        while points and points[0][0] <= start:
            offset, make_point = points.pop(0)
            _append_text(parent, text[pos:offset])
            pos = offset
            make_point(parent)
        _append_text(parent, text[pos:start])
        element = make(parent)
        fill(element, text, inner, [p for p in points if start < p[0] < end], start, end)
        points[:] = [p for p in points if not start < p[0] < end]
        pos = end
    while points and points[0][0] <= hi:
        offset, make_point = points.pop(0)
        _append_text(parent, text[pos:offset])
        pos = offset
        make_point(parent)
    _append_text(parent, text[pos:hi])


def nested(spans: list[SpanMaker]) -> list[SpanMaker]:
    """Sorted spans, leaving out any that would cross one already kept (XML must nest)."""
    kept: list[SpanMaker] = []
    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        if all(span[1] <= k[1] or span[0] >= k[1] for k in kept if k[0] <= span[0]):
            kept.append(span)
    return kept


def indent(element: Any, level: int = 0) -> None:
    """Indent the structure only; the text inside blocks and header fields stays exact."""
    if etree.QName(element).localname not in STRUCTURE or not len(element):
        return
    pad = "\n" + "  " * (level + 1)
    element.text = pad
    for child in element:
        child.tail = pad
        indent(child, level + 1)
    element[-1].tail = "\n" + "  " * level


def serialize(root: Any) -> bytes:
    """The bytes of a TEI file: XML declaration, UTF-8, a newline at the end."""
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data + b"\n"
