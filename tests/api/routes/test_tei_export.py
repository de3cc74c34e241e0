"""GET /v1/documents/{id} as TEI: well-formed, of TEI's basic structure, and re-importable.

The TEI is validated with lxml against a RELAX NG grammar of the structure every TEI P5
document has (TEI > teiHeader > fileDesc > titleStmt/publicationStmt/sourceDesc, then
text > body), read back with the TEI importer, and compared with what the database holds:
the same text, passages, footnotes where their markers stand, page breaks and mentions.
"""

from pathlib import Path

from fastapi.testclient import TestClient
from lxml import etree
from sqlmodel import Session

from api.app import create_app
from api.formats.tei.reader import read_tei
from api.ingest.importer import import_sources
from api.ingest.sources import Options, discover
from api.records.read import document_records
from api.records.record import DocumentRecord
from tests.conftest import DbHandle
from tests.ingest.test_markdown import BODY, FRONT

TEI_NS = "http://www.tei-c.org/ns/1.0"
T = f"{{{TEI_NS}}}"
TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
TEI_ACCEPT = {"accept": "application/tei+xml"}

BASIC_TEI = f"""<grammar xmlns="http://relaxng.org/ns/structure/1.0" ns="{TEI_NS}"
    datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <start>
    <element name="TEI">
      <ref name="attributes"/>
      <element name="teiHeader">
        <ref name="attributes"/>
        <element name="fileDesc">
          <element name="titleStmt">
            <oneOrMore><element name="title"><ref name="content"/></element></oneOrMore>
            <zeroOrMore><ref name="any"/></zeroOrMore>
          </element>
          <optional><element name="editionStmt"><ref name="content"/></element></optional>
          <optional><element name="extent"><ref name="content"/></element></optional>
          <element name="publicationStmt"><ref name="content"/></element>
          <zeroOrMore><element name="seriesStmt"><ref name="content"/></element></zeroOrMore>
          <optional><element name="notesStmt"><ref name="content"/></element></optional>
          <oneOrMore><element name="sourceDesc"><ref name="content"/></element></oneOrMore>
        </element>
        <zeroOrMore>
          <choice>
            <element name="encodingDesc"><ref name="content"/></element>
            <element name="profileDesc"><ref name="content"/></element>
            <element name="xenoData"><ref name="content"/></element>
          </choice>
        </zeroOrMore>
        <optional><element name="revisionDesc"><ref name="content"/></element></optional>
      </element>
      <interleave>
        <zeroOrMore><element name="standOff"><ref name="content"/></element></zeroOrMore>
        <element name="text">
          <ref name="attributes"/>
          <optional><element name="front"><ref name="content"/></element></optional>
          <element name="body"><ref name="content"/></element>
          <optional><element name="back"><ref name="content"/></element></optional>
        </element>
      </interleave>
    </element>
  </start>
  <define name="attributes">
    <zeroOrMore><attribute><anyName/></attribute></zeroOrMore>
  </define>
  <define name="content">
    <ref name="attributes"/>
    <zeroOrMore><choice><text/><ref name="any"/></choice></zeroOrMore>
  </define>
  <define name="any">
    <element><anyName/><ref name="content"/></element>
  </define>
</grammar>"""


def validate(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    schema = etree.RelaxNG(etree.fromstring(BASIC_TEI.encode()))
    assert schema.validate(root), schema.error_log
    return root


def stored(db: DbHandle, document_id: str) -> DocumentRecord:
    with Session(db.engine) as session:
        (record,) = document_records(session, [document_id])
    return record


def assert_round_trip(data: bytes, record: DocumentRecord) -> DocumentRecord:
    """Read the TEI back and compare it with the stored record, part by part."""
    back = read_tei(data, Path(f"{record.id}.xml"), max_bytes=10_000_000).document
    assert back.id == record.id and back.title == record.title
    assert back.text == record.text
    assert [(p.ref, p.kind, p.start, p.end) for p in back.passages] == [
        (p.ref, p.kind, p.start, p.end) for p in record.passages
    ]
    assert [(n.marker, n.text, n.offset, n.passage_ref) for n in back.footnotes] == [
        (n.marker, n.text, n.offset, n.passage_ref) for n in record.footnotes
    ]
    assert [(p.n, p.offset) for p in back.pages] == [(p.n, p.offset) for p in record.pages]
    curated = {
        (m.container, m.ref, m.start, m.end, m.entity_id)
        for m in record.mentions
        if m.status == "curated"
    }
    assert {(m.container, m.ref, m.start, m.end, m.entity_id) for m in back.mentions} == curated
    return back


def test_telegram_as_tei(client: TestClient, seeded_db: DbHandle) -> None:
    response = client.get(f"/v1/documents/{TELEGRAM}", headers=TEI_ACCEPT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/tei+xml; charset=utf-8"
    root = validate(response.content)
    header = root.find(f"{T}teiHeader")
    assert header.findtext(f".//{T}titleStmt/{T}title").startswith("The Ambassador")
    assert header.find(f".//{T}idno[@type='file_number']").text == "711.62114/9–2444"
    body = root.find(f"{T}text/{T}body")
    note = body.find(f".//{T}note[@n='66']")
    assert note is not None and note.getparent().get(
        "{http://www.w3.org/XML/1998/namespace}id"
    ) == ("p4")
    assert body.find(f".//{T}pb[@n='1254']") is not None
    assert body.find(f".//{T}orgName[@ref='#e-department-of-state']") is not None
    assert body.find(f".//{T}ref[@type='replies_to']") is not None
    record = stored(seeded_db, TELEGRAM)
    back = assert_round_trip(response.content, record)
    assert len(back.footnotes) == 3 and back.mentions


def test_dfat_cablegram_as_tei(fresh_db: DbHandle, tmp_path: Path) -> None:
    source = tmp_path / "22-cranborne-to-commonwealth-government.md"
    source.write_text(FRONT + BODY, encoding="utf-8")
    sources, problems = discover([source])
    report = import_sources(fresh_db.engine, sources, Options())
    assert problems == [] and report.failures == []
    app = create_app(fresh_db.app_settings(), engine=fresh_db.engine)
    with TestClient(app) as client:
        (item,) = client.get("/v1/documents?title=Cranborne").json()["items"]
        response = client.get(item["links"]["self"], headers=TEI_ACCEPT)
    assert response.status_code == 200
    validate(response.content)
    record = stored(fresh_db, item["id"])
    assert record.footnotes and record.provenance.archival_ids
    back = assert_round_trip(response.content, record)
    assert back.provenance.archival_ids == record.provenance.archival_ids


def test_deleted_and_unknown_documents(client: TestClient) -> None:
    response = client.get("/v1/documents/no-such-document", headers=TEI_ACCEPT)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


STRUCTURED = """---
title: Structured paper
---

# Agenda

The _Current Notes_ said so [1].

_The editors add this._

* first
* second

| Country | £m |
|---|---|
| India [2] | 608 |

[NAA: A1838, 250/9/1, i]

1 A note.

2 In a cell.
"""


def test_markdown_structure_as_tei(fresh_db: DbHandle, tmp_path: Path) -> None:
    """Headings with their level, emphasis, lists, tables and the editor's words in TEI."""
    source = tmp_path / "structured.md"
    source.write_text(STRUCTURED, encoding="utf-8")
    report = import_sources(fresh_db.engine, discover([source])[0], Options(collection="papers"))
    assert report.failures == []
    app = create_app(fresh_db.app_settings(), engine=fresh_db.engine)
    with TestClient(app) as client:
        response = client.get("/v1/documents/structured", headers=TEI_ACCEPT)
        passages = client.get("/v1/documents/structured/passages").json()["items"]
    root = validate(response.content)
    body = root.find(f"{T}text/{T}body")
    assert body is not None
    assert body.find(f"{T}head").get("rend") == "h1"
    hi = body.find(f".//{T}hi")
    assert hi is not None and hi.get("rend") == "italic" and hi.text == "Current Notes"
    assert body.find(f"{T}ab[@type='editorial']").xpath("string()") == "The editors add this."
    assert [i.get("n") for i in body.iter(f"{T}item")] == ["•", "•"]
    rows = body.findall(f"{T}table/{T}row")
    assert [[c.xpath("string()") for c in r.findall(f"{T}cell")] for r in rows] == [
        ["Country", "£m"],
        ["IndiaIn a cell.", "608"],  # the note stands in its cell, after "India"
    ]
    assert rows[0].get("role") == "label"
    by_kind = {p["kind"]: p for p in passages}
    assert by_kind["heading"]["level"] == 1
    paragraph = by_kind["paragraph"]
    assert [(m["type"], m["passage_start"], m["passage_end"]) for m in paragraph["marks"]] == [
        ("italic", 4, 17)
    ]
    mark = paragraph["marks"][0]
    assert (mark["start"], mark["end"]) == (paragraph["start"] + 4, paragraph["start"] + 17)
    assert by_kind["table"]["table"] == {
        "rows": [["Country", "£m"], ["India", "608"]],
        "header_rows": 1,
    }
    assert by_kind["list_item"]["label"] == "•" and by_kind["list_item"]["depth"] == 1
