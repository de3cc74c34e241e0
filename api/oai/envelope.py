"""The ``OAI-PMH`` response document (section 3.2): root, ``responseDate``, ``request``, then
the verb's element or the errors; and the parts the verbs share (``header``,
``resumptionToken``).

The envelope is indented for people who read it; a record's metadata is put in after
that, as it is, since a TEI text keeps its whitespace (``xml:space="preserve"``).
"""

import datetime as dt

from lxml import etree

from api.oai.dates import datestamp
from api.oai.records import Header
from api.oai.verbs import OaiError

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI = f"{{{OAI_NS}}}"


def response(now: dt.datetime, base_url: str, arguments: dict[str, str] | None) -> etree._Element:
    """The root with ``responseDate`` and ``request``: the base URL, with the request's
    arguments as attributes unless they were refused (``arguments`` None)."""
    root = etree.Element(OAI + "OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
    etree.SubElement(root, OAI + "responseDate").text = datestamp(now)
    request = etree.SubElement(root, OAI + "request")
    request.text = base_url
    for name, value in (arguments or {}).items():
        request.set(name, value)
    return root


def errors(root: etree._Element, found: list[OaiError]) -> None:
    for item in found:
        etree.SubElement(root, OAI + "error", code=item.code).text = item.message


def header(parent: etree._Element, item: Header, identifier: str) -> etree._Element:
    element = etree.SubElement(parent, OAI + "header")
    if item.deleted:
        element.set("status", "deleted")
    etree.SubElement(element, OAI + "identifier").text = identifier
    etree.SubElement(element, OAI + "datestamp").text = datestamp(item.at)
    if item.set_spec is not None:
        etree.SubElement(element, OAI + "setSpec").text = item.set_spec
    return element


def resumption_token(
    parent: etree._Element,
    token: str | None,
    *,
    cursor: int,
    total: int,
    expires: dt.datetime | None,
) -> None:
    """The page's ``resumptionToken``: the next page's token, or empty on the last page."""
    element = etree.SubElement(parent, OAI + "resumptionToken")
    element.set("completeListSize", str(total))
    element.set("cursor", str(cursor))
    if token is not None and expires is not None:
        element.set("expirationDate", datestamp(expires))
        element.text = token


def serialize(root: etree._Element, payloads: list["Payload"]) -> bytes:
    """The bytes of the response: the envelope indented, then each ``metadata`` element
    given its record (indented too unless its whitespace is text, as TEI's is)."""
    etree.indent(root, space="  ")
    for metadata, record, indentable in payloads:
        depth = sum(1 for _ in metadata.iterancestors())
        if indentable:
            etree.indent(record, space="  ", level=depth + 1)
        metadata.text = "\n" + "  " * (depth + 1)
        record.tail = "\n" + "  " * depth
        metadata.append(record)
    data: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + data + b"\n"


#: a ``metadata`` element, the record to put in it, and whether to indent the record
Payload = tuple[etree._Element, etree._Element, bool]
