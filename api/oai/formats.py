"""The metadata formats records are disseminated in: ``oai_dc`` and ``tei``.

Every document can be had in both, live or not (a deleted one has a header only), so
``noMetadataFormats`` never applies. A TEI record is the document's TEI export
(``api/formats/tei/writer.py:document_tei``), embedded as XML under ``metadata``. TEI
records come one a page: every text's ``xml:id``s start again at ``p1``, ``fn1``, and two
texts in one response would repeat them, which XML parsers refuse ("ID p1 already
defined"); one a page also bounds a response by the largest single text.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree
from sqlmodel import Session

from api.formats.tei.markup import TEI_NS
from api.formats.tei.writer import document_tei
from api.oai import records
from api.oai.dc import OAI_DC_NS, OAI_DC_SCHEMA, oai_dc

TEI_SCHEMA = "https://www.tei-c.org/release/xml/tei/custom/schema/xsd/tei_all.xsd"
PAGE_SIZE = 100  # headers, oai_dc records and sets per page
TEI_PAGE_SIZE = 1  # TEI records per page: xml:ids are unique only within one text

#: The metadata of a page of live documents: ids → the element under ``metadata``
Writer = Callable[[Session, Sequence[str], str], dict[str, etree._Element]]


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    page_size: int
    write: Writer


def _dc_page(session: Session, ids: Sequence[str], base: str) -> dict[str, etree._Element]:
    found = records.metadata(session, ids)
    return {document_id: oai_dc(item, base) for document_id, item in found.items()}


def _tei_page(session: Session, ids: Sequence[str], base: str) -> dict[str, etree._Element]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return {
        document_id: etree.fromstring(document_tei(session, document_id), parser=parser)
        for document_id in ids
    }


FORMATS: dict[str, MetadataFormat] = {
    "oai_dc": MetadataFormat("oai_dc", OAI_DC_SCHEMA, OAI_DC_NS, PAGE_SIZE, _dc_page),
    "tei": MetadataFormat("tei", TEI_SCHEMA, TEI_NS, TEI_PAGE_SIZE, _tei_page),
}
