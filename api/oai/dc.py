"""The ``oai_dc`` record of a document: unqualified Dublin Core, as OAI-PMH requires.

What goes where (each element repeats as often as the document has values):

- ``title``; ``creator``: each author as printed; ``date``: the EDTF date as written;
- ``type``: ``Text`` (DCMI Type), the genre (``telegram``) and the kind of source
  (``primary source``);
- ``identifier``: the document's URL in this API, then the identifiers it is cited by
  (file and telegram numbers, URLs: the ``document_identifier`` table), as written;
- ``source``: the printed volume with its pages, the archival files with their repository,
  the URL the text was taken from;
- ``publisher`` (the document's, else its collection's), ``rights``, ``language``;
- ``subject``: the entities curators linked in the text (people, places, organizations,
  terms), by name; ``description``: the curatorial notes on context and reliability;
- ``relation``: the URL of the collection it belongs to.
"""

import re
from typing import Any

from lxml import etree

from api.oai.records import DocumentMetadata

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_DESCRIBED_NOTES = ("context", "reliability")


def dc_values(item: DocumentMetadata, base: str) -> list[tuple[str, str]]:
    """The (element, value) pairs of the record, in the order they are written."""
    provenance = item.provenance
    values: list[tuple[str, str]] = [("title", item.title)]
    values += [("creator", author) for author in item.authors]
    values += [("subject", name) for name in item.subjects]
    values += [
        ("description", str(note["text"]))
        for note in item.notes
        if note.get("kind") in _DESCRIBED_NOTES and note.get("text")
    ]
    publisher = provenance.get("publisher") or item.collection_publisher
    if publisher:
        values.append(("publisher", str(publisher)))
    if item.date:
        values.append(("date", item.date))
    values.append(("type", "Text"))
    if item.genre:
        values.append(("type", item.genre))
    values.append(("type", f"{item.source_type} source"))
    values.append(("identifier", f"{base}/v1/documents/{item.id}"))
    values += [("identifier", value) for _, value in item.identifiers]
    values += [("source", source) for source in sources(provenance)]
    values.append(("language", item.language))
    values.append(("relation", f"{base}/v1/collections/{item.collection_id}"))
    if provenance.get("rights"):
        values.append(("rights", str(provenance["rights"])))
    return values


def sources(provenance: dict[str, Any]) -> list[str]:
    """Where the text comes from: the printed volume and pages, archival files, a URL."""
    found: list[str] = []
    printed: list[str] = []
    if provenance.get("container_title"):  # its title names the volume, as printed
        printed.append(str(provenance["container_title"]))
    elif provenance.get("volume"):
        printed.append(f"vol. {provenance['volume']}")
    if provenance.get("pages"):
        printed.append(f"pp. {provenance['pages']}")
    if printed:
        found.append(", ".join(printed))
    for archival in provenance.get("archival_ids") or []:
        if isinstance(archival, dict) and archival.get("value"):
            where = archival.get("repository")
            found.append(f"{where}, {archival['value']}" if where else str(archival["value"]))
    if provenance.get("url"):
        found.append(str(provenance["url"]))
    return found


def oai_dc(item: DocumentMetadata, base: str) -> etree._Element:
    """The ``oai_dc:dc`` element of ``item``; ``base`` is the API's absolute URL."""
    root = etree.Element(
        f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
    )
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
    for name, value in dc_values(item, base):
        etree.SubElement(root, f"{{{DC_NS}}}{name}").text = xml_text(value)
    return root


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold (lxml refuses them): a control
    character in a harvested text must not make a whole page fail."""
    return _NOT_XML.sub("", value)


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
