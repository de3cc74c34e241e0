"""OAI-PMH 2.0 at /oai (api/oai), on both engines.

Two independent harvesters from PyPI — Sickle (requests) and oaipmh-scythe (httpx2, by
POST) — harvest the repository from a real HTTP server (uvicorn on a free port), and what
they get is compared with what the JSON API says: every live document once, with its
metadata, and every deleted one as a deleted record. An incremental harvest after an edit
and a delete returns exactly those two. Every error condition of the protocol is checked
where it applies, and a harvest over 10,000 documents pages with bounded memory.

No PyPI package ships the OAI-PMH XML Schema (OAI-PMH.xsd) and the tests have no network,
so responses are not validated against it; ``check_response`` checks instead what the
schema would: well-formedness, the namespaces and schema locations, the order and
cardinality of the elements, and the lexical forms of datestamps, identifiers, setSpecs
and resumption tokens.
"""

import datetime as dt
import re
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import etree
from oaipmh_scythe import Scythe
from oaipmh_scythe.config import HTTPConfig
from sickle import Sickle
from sqlalchemy import func, insert, select
from sqlmodel import Session, col

from api.app import create_app
from api.db.engine import session_scope, write_session
from api.db.keys import create_key
from api.db.models import Change, Document, DocumentIdentifier
from api.db.models.base import table_of
from api.formats.jsonl.writer import bundle_lines
from api.ingest.importer import import_sources
from api.ingest.sources import Options, discover
from api.oai import formats, records, service, tokens
from api.settings import PROJECT_ROOT
from tests.conftest import DatabaseFactory, DbHandle
from tests.utils.server import free_port

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
TEI_NS = "http://www.tei-c.org/ns/1.0"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
NS = {"oai": OAI_NS, "oai_dc": OAI_DC_NS, "dc": DC_NS, "tei": TEI_NS}
O = f"{{{OAI_NS}}}"  # noqa: E741
TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
ESSAY = "why-did-the-ussr-refuse-to-repatriate-allied-pows"
SET_SPEC = re.compile(r"([A-Za-z0-9\-_\.!~\*'\(\)])+(:[A-Za-z0-9\-_\.!~\*'\(\)]+)*")
DATESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
DC_ELEMENTS = {
    "title", "creator", "subject", "description", "publisher", "contributor", "date",
    "type", "format", "identifier", "source", "language", "relation", "coverage", "rights",
}  # fmt: skip
VERB_CHILDREN = {
    "Identify": ["repositoryName", "baseURL", "protocolVersion", "adminEmail",
                 "earliestDatestamp", "deletedRecord", "granularity"],
}  # fmt: skip


# --- what the XML Schema would check ------------------------------------------------------


def check_response(body: bytes, host: str | None = None) -> etree._Element:
    """Parse an OAI-PMH response and check its structure as OAI-PMH.xsd would."""
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = etree.fromstring(body)
    assert root.tag == O + "OAI-PMH"
    assert root.get(XSI) == f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
    children = list(root)
    assert [c.tag for c in children[:2]] == [O + "responseDate", O + "request"]
    assert DATESTAMP.fullmatch(children[0].text or "")
    request = children[1]
    assert urlsplit(request.text or "").path.endswith("/oai")
    assert set(request.attrib) <= {
        "verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken",
    }  # fmt: skip
    rest = children[2:]
    if rest[0].tag == O + "error":
        assert all(c.tag == O + "error" and c.get("code") for c in rest)
        return root
    assert len(rest) == 1, [c.tag for c in rest]
    verb = etree.QName(rest[0]).localname
    assert request.get("verb") == verb
    _CHECKS[verb](rest[0], host)
    return root


def _check_identify(element: etree._Element, host: str | None) -> None:
    names = [etree.QName(c).localname for c in element]
    assert names[:7] == VERB_CHILDREN["Identify"]
    assert set(names[7:]) <= {"compression", "description"}
    assert names[7:] == sorted(names[7:])  # compression before description
    email = element.findtext("oai:adminEmail", namespaces=NS) or ""
    assert re.fullmatch(r"\S+@(\S+\.)+\S+", email)
    assert DATESTAMP.fullmatch(element.findtext("oai:earliestDatestamp", namespaces=NS) or "")
    for description in element.findall("oai:description", NS):
        assert len(description) == 1


def _check_header(header: etree._Element, host: str | None) -> None:
    names = [etree.QName(c).localname for c in header]
    assert names[:2] == ["identifier", "datestamp"] and set(names[2:]) <= {"setSpec"}
    assert header.get("status") in (None, "deleted")
    identifier = header.findtext("oai:identifier", namespaces=NS) or ""
    pattern = rf"oai:{re.escape(host)}:[a-z0-9][a-z0-9-]*" if host else r"oai:[^:]+:\S+"
    assert re.fullmatch(pattern, identifier), identifier
    assert DATESTAMP.fullmatch(header.findtext("oai:datestamp", namespaces=NS) or "")
    for spec in header.findall("oai:setSpec", NS):
        assert re.fullmatch(
            r"([A-Za-z0-9\-_\.!~\*'\(\)])+(:[A-Za-z0-9\-_\.!~\*'\(\)]+)*", spec.text
        )


def _check_record(record: etree._Element, host: str | None) -> None:
    names = [etree.QName(c).localname for c in record]
    header = record.find("oai:header", NS)
    assert header is not None and names[0] == "header"
    _check_header(header, host)
    if header.get("status") == "deleted":
        assert names == ["header"]
        return
    assert names == ["header", "metadata"]
    metadata = record.find("oai:metadata", NS)
    assert metadata is not None and len(metadata) == 1
    payload = metadata[0]
    assert etree.QName(payload).namespace != OAI_NS
    if payload.tag == f"{{{OAI_DC_NS}}}dc":
        check_dc(payload)
    else:
        assert payload.tag == f"{{{TEI_NS}}}TEI"


def check_dc(dc: etree._Element) -> None:
    assert dc.get(XSI) == f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
    for child in dc:
        assert etree.QName(child).namespace == DC_NS
        assert etree.QName(child).localname in DC_ELEMENTS
        assert len(child) == 0 and child.text


def _check_list(element: etree._Element, host: str | None) -> None:
    verb = etree.QName(element).localname
    item = {"ListIdentifiers": "header", "ListRecords": "record", "ListSets": "set"}[verb]
    items = [c for c in element if etree.QName(c).localname == item]
    assert items, f"{verb} without a {item}"
    tail = list(element)[len(items) :]
    assert [etree.QName(c).localname for c in tail] in ([], ["resumptionToken"])
    for child in items:
        if item == "header":
            _check_header(child, host)
        elif item == "record":
            _check_record(child, host)
        else:
            names = [etree.QName(c).localname for c in child]
            assert names[:2] == ["setSpec", "setName"] and names[2:] in ([], ["setDescription"])
    if tail:
        token = tail[0]
        assert token.get("completeListSize", "").isdigit() and token.get("cursor", "").isdigit()
        if token.text:
            assert DATESTAMP.fullmatch(token.get("expirationDate", ""))


def _check_formats(element: etree._Element, host: str | None) -> None:
    for entry in element:
        names = [etree.QName(c).localname for c in entry]
        assert names == ["metadataPrefix", "schema", "metadataNamespace"]


def _check_get_record(element: etree._Element, host: str | None) -> None:
    assert len(element) == 1
    _check_record(element[0], host)


_CHECKS: dict[str, Any] = {
    "Identify": _check_identify,
    "ListMetadataFormats": _check_formats,
    "ListSets": _check_list,
    "ListIdentifiers": _check_list,
    "ListRecords": _check_list,
    "GetRecord": _check_get_record,
}


# --- helpers ---------------------------------------------------------------------------


def oai(client: TestClient | httpx.Client, **arguments: str) -> etree._Element:
    """GET /oai with ``arguments`` (``from_`` for from), checked as the schema would."""
    params = {name.rstrip("_"): value for name, value in arguments.items()}
    response = client.get("/oai", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    return check_response(response.content)


def codes(root: etree._Element) -> list[str]:
    return [e.get("code", "") for e in root.findall("oai:error", NS)]


def identifier(document_id: str, host: str = "testserver") -> str:
    return f"oai:{host}:{document_id}"


def api_documents(client: TestClient | httpx.Client) -> dict[str, dict[str, Any]]:
    """Every live document as the JSON API lists and shows it, by id."""
    found: dict[str, dict[str, Any]] = {}
    url: str | None = "/v1/documents?limit=200"
    while url:
        page = client.get(url).json()
        for item in page["items"]:
            found[item["id"]] = client.get(f"/v1/documents/{item['id']}").json()
        url = page.get("next")
    return found


def admin_headers(db: DbHandle) -> dict[str, str]:
    with session_scope(db.engine) as session:
        key = create_key(session, name="oai-admin", scope="admin")
    return {"Authorization": f"Bearer {key}"}


def etag(client: TestClient | httpx.Client, url: str) -> str:
    return str(client.get(url).headers["etag"])


def copies_bundle(db: DbHandle, folder: Any, copies: int) -> list[str]:
    """The seed's documents as a JSON Lines bundle of ``copies`` copies under new ids."""
    with Session(db.engine) as session:
        lines = [line for line in bundle_lines(session) if '"type":"document"' in line]
    import json

    ids: list[str] = []
    path = folder / "copies.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(copies):
            for raw in lines:
                document = json.loads(raw)
                document["id"] = f"{document['id']}-copy-{n}"
                ids.append(document["id"])
                out.write(json.dumps(document, ensure_ascii=False) + "\n")
    sources, problems = discover([path])
    report = import_sources(db.engine, sources, Options())
    assert not problems and not report.failures, report.failures[:3]
    return ids


@contextmanager
def http_server(app: FastAPI) -> Iterator[str]:
    """The app on a real socket (uvicorn in a thread, on a free port): its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


# --- read-only: the seed corpus ------------------------------------------------------------


def test_identify_describes_the_repository(client: TestClient) -> None:
    root = oai(client, verb="Identify")
    assert root.find("oai:request", NS).attrib == {"verb": "Identify"}
    identify = root.find("oai:Identify", NS)
    text = {etree.QName(c).localname: c.text for c in identify}
    assert text["repositoryName"] == "Quellen"
    assert text["baseURL"] == "http://testserver/oai"
    assert text["protocolVersion"] == "2.0"
    assert text["adminEmail"] == "webmaster@testserver.localdomain"
    assert text["deletedRecord"] == "persistent"
    assert text["granularity"] == "YYYY-MM-DDThh:mm:ssZ"
    headers = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    stamps = [d.text for d in headers.iterfind(".//oai:datestamp", NS)]
    assert stamps and text["earliestDatestamp"] <= min(stamps)
    # "testserver" is not a domain name: no oai-identifier description claims it
    assert identify.find("oai:description", NS) is None


def test_identify_names_the_public_host_and_the_admin_email(seeded_db: DbHandle) -> None:
    settings = seeded_db.app_settings(
        public_url="https://sources.example.org/quellen", oai_admin_email="archive@example.org"
    )
    with TestClient(create_app(settings, engine=seeded_db.engine)) as client:
        response = client.get("/oai", params={"verb": "Identify"})
        root = check_response(response.content, host="sources.example.org")
        identify = root.find("oai:Identify", NS)
        assert identify.findtext("oai:baseURL", namespaces=NS) == (
            "https://sources.example.org/quellen/oai"
        )
        assert identify.findtext("oai:adminEmail", namespaces=NS) == "archive@example.org"
        scheme = identify.find("oai:description/{*}oai-identifier", NS)
        assert etree.QName(scheme).namespace == "http://www.openarchives.org/OAI/2.0/oai-identifier"
        values = {etree.QName(c).localname: c.text for c in scheme}
        assert values["repositoryIdentifier"] == "sources.example.org"
        assert values["sampleIdentifier"] == f"oai:sources.example.org:{TELEGRAM}"
        record = oai(
            client,
            verb="GetRecord",
            identifier=f"oai:sources.example.org:{TELEGRAM}",
            metadataPrefix="oai_dc",
        )
        assert record.find(".//dc:identifier", NS).text == (
            f"https://sources.example.org/quellen/v1/documents/{TELEGRAM}"
        )
        # another host's identifier is not one of this repository's
        assert codes(
            oai(client, verb="GetRecord", identifier=identifier(TELEGRAM), metadataPrefix="oai_dc")
        ) == ["idDoesNotExist"]


def test_list_metadata_formats(client: TestClient) -> None:
    for arguments in ({}, {"identifier": identifier(TELEGRAM)}):
        root = oai(client, verb="ListMetadataFormats", **arguments)
        formats_ = {
            entry.findtext("oai:metadataPrefix", namespaces=NS): (
                entry.findtext("oai:schema", namespaces=NS),
                entry.findtext("oai:metadataNamespace", namespaces=NS),
            )
            for entry in root.iterfind(".//oai:metadataFormat", NS)
        }
        assert formats_ == {
            "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS),
            "tei": ("https://www.tei-c.org/release/xml/tei/custom/schema/xsd/tei_all.xsd", TEI_NS),
        }
    unknown = oai(client, verb="ListMetadataFormats", identifier=identifier("no-such-document"))
    assert codes(unknown) == ["idDoesNotExist"]
    assert unknown.find("oai:request", NS).get("identifier") == identifier("no-such-document")


def test_sets_are_the_collections(client: TestClient) -> None:
    root = oai(client, verb="ListSets")
    found = {
        s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS)
        for s in root.iterfind(".//oai:set", NS)
    }
    collections = client.get("/v1/collections").json()["items"]
    assert found == {c["id"]: c["title"] for c in collections}
    assert root.find(".//oai:resumptionToken", NS) is None  # one page: no token at all
    frus = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="frus-1944-v04")
    assert [i.text for i in frus.iterfind(".//oai:identifier", NS)] == [identifier(TELEGRAM)]


def test_get_record_in_dublin_core_says_what_the_api_says(client: TestClient) -> None:
    root = oai(client, verb="GetRecord", identifier=identifier(TELEGRAM), metadataPrefix="oai_dc")
    assert root.find("oai:request", NS).attrib == {
        "verb": "GetRecord",
        "identifier": identifier(TELEGRAM),
        "metadataPrefix": "oai_dc",
    }
    header = root.find(".//oai:header", NS)
    assert header.findtext("oai:setSpec", namespaces=NS) == "frus-1944-v04"
    dc = root.find(".//oai_dc:dc", NS)
    values = [(etree.QName(c).localname, c.text) for c in dc]
    document = client.get(f"/v1/documents/{TELEGRAM}").json()
    assert ("title", document["title"]) in values
    assert [v for n, v in values if n == "creator"] == document["authors"]
    assert ("date", "1944-09-24") in values and ("language", "en") in values
    assert [v for n, v in values if n == "type"] == ["Text", "telegram", "primary source"]
    assert [v for n, v in values if n == "identifier"] == [
        f"http://testserver/v1/documents/{TELEGRAM}",
        *[i["value"] for i in document["identifiers"]],
    ]
    assert ("rights", document["provenance"]["rights"]) in values
    assert ("publisher", "United States Government Printing Office") in values
    assert (
        "source",
        "Foreign Relations of the United States, Diplomatic Papers, 1944, Volume IV, Europe, "
        "pp. 1253–1254",
    ) in values
    assert ("source", "Department of State central files, 711.62114/9–2444") in values
    assert ("subject", "Cordell Hull") in values  # a curated mention
    assert ("relation", "http://testserver/v1/collections/frus-1944-v04") in values
    assert any(n == "description" and "telegram 2212" in (v or "") for n, v in values)


def test_get_record_in_tei_embeds_the_tei_export(client: TestClient) -> None:
    root = oai(client, verb="GetRecord", identifier=identifier(TELEGRAM), metadataPrefix="tei")
    embedded = root.find(".//oai:metadata/tei:TEI", NS)
    assert embedded is not None  # XML, not escaped text
    exported = client.get(
        f"/v1/documents/{TELEGRAM}", headers={"Accept": "application/tei+xml"}
    ).content
    canonical = {"method": "c14n", "exclusive": True}
    assert etree.tostring(embedded, **canonical) == etree.tostring(
        etree.fromstring(exported), **canonical
    )


def test_a_tei_harvest_comes_one_text_a_page(client: TestClient) -> None:
    """Every TEI text numbers its xml:ids from p1: two in one response would repeat them,
    which parsers refuse ("ID p1 already defined"), so each page holds one."""
    root = oai(client, verb="ListRecords", metadataPrefix="tei")
    texts: list[str] = []
    while True:
        records_ = root.findall(".//oai:record", NS)
        assert len(records_) == 1
        texts += [
            str(t.findtext(".//tei:title", namespaces=NS)) for t in root.iterfind(".//tei:TEI", NS)
        ]
        token = root.find(".//oai:resumptionToken", NS)
        if token is None or not token.text:
            break
        root = oai(client, verb="ListRecords", resumptionToken=token.text)
    assert len(texts) == len(client.get("/v1/documents").json()["items"]) == 4


def test_the_openapi_examples_are_oai_pmh_responses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for method in ("get", "post"):
        operation = spec["paths"]["/oai"][method]
        media = operation["responses"]["200"]["content"]["text/xml"]
        assert set(media["examples"]) == {"Identify", "ListRecords", "GetRecord", "error"}
        for example in media["examples"].values():
            check_response(example["value"].encode(), host="quellen.example.org")
    names = [p["name"] for p in spec["paths"]["/oai"]["get"]["parameters"]]
    assert {"verb", "metadataPrefix", "identifier", "from", "until", "set"} <= set(names)
    body = spec["paths"]["/oai"]["post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in body


def test_post_answers_as_get(client: TestClient) -> None:
    arguments = {"verb": "GetRecord", "identifier": identifier(ESSAY), "metadataPrefix": "oai_dc"}
    got = client.get("/oai", params=arguments)
    posted = client.post("/oai", data=arguments)
    assert posted.status_code == 200
    assert posted.headers["content-type"] == "text/xml; charset=utf-8"
    date = re.compile(rb"<responseDate>[^<]*</responseDate>")
    assert date.sub(b"", posted.content) == date.sub(b"", got.content)
    check_response(posted.content)
    as_json = client.post("/oai", json=arguments)
    assert codes(check_response(as_json.content)) == ["badArgument"]
    not_utf8 = client.post(
        "/oai",
        content=b"verb=Identify&x=\xff",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert codes(check_response(not_utf8.content)) == ["badArgument"]
    repeated = client.post("/oai?verb=Identify", data={"verb": "Identify"})
    assert codes(check_response(repeated.content)) == ["badVerb"]
    nul = client.post("/oai", data={**arguments, "identifier": identifier("a\x00b")})
    assert codes(check_response(nul.content)) == ["badArgument"]


@pytest.mark.parametrize(
    ("bounds", "found"),
    [
        ({"from": "0001-01-01T00:00:00Z", "until": "9999-12-31T23:59:59Z"}, 4),
        ({"from": "0001-01-01", "until": "9999-12-31"}, 4),
        ({"until": "9999-12-31"}, 4),
    ],
)
def test_the_widest_bounds_take_everything(
    client: TestClient, bounds: dict[str, str], found: int
) -> None:
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **bounds)
    assert len(root.findall(".//oai:header", NS)) == found


def test_reads_that_need_a_key_need_one_for_oai_too(fresh_db: DbHandle) -> None:
    settings = fresh_db.app_settings(require_read_key=True)
    with TestClient(create_app(settings, engine=fresh_db.engine)) as client:
        refused = client.get("/oai", params={"verb": "Identify"})
        assert refused.status_code == 401  # not OAI-PMH's to answer: a problem
        assert refused.headers["content-type"] == "application/problem+json"
        with session_scope(fresh_db.engine) as session:
            key = create_key(session, name="oai-reader", scope="read")
        allowed = client.get(
            "/oai", params={"verb": "Identify"}, headers={"Authorization": f"Bearer {key}"}
        )
        assert allowed.status_code == 200
        check_response(allowed.content)


def _forged(text: str) -> str:
    body, tag = text.split(".")
    import base64
    import json

    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data[6] = 1  # after the first change, the tag left as it was
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + tag


LIST = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
HEADERS = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
GET = {"verb": "GetRecord", "metadataPrefix": "oai_dc"}
BAD_ARGUMENT, BAD_VERB = ["badArgument"], ["badVerb"]


@pytest.mark.parametrize(
    ("arguments", "expected", "echoed"),
    [
        ({}, BAD_VERB, False),
        ({"verb": "Harvest"}, BAD_VERB, False),
        ({"verb": ["Identify", "Identify"]}, BAD_VERB, False),
        ({"verb": "Identify", "identifier": identifier(TELEGRAM)}, BAD_ARGUMENT, False),
        ({"verb": "ListRecords"}, BAD_ARGUMENT, False),
        (GET, BAD_ARGUMENT, False),
        ({**LIST, "metadataPrefix": ["oai_dc", "tei"]}, BAD_ARGUMENT, False),
        ({**LIST, "from": ""}, BAD_ARGUMENT, False),
        ({**LIST, "from": "2026"}, BAD_ARGUMENT, False),
        ({**LIST, "from": "2026-02-30"}, BAD_ARGUMENT, False),
        ({**LIST, "until": "2026-01-01T10:00:00"}, BAD_ARGUMENT, False),
        ({**LIST, "from": "2026-01-01", "until": "2026-01-02T00:00:00Z"}, BAD_ARGUMENT, False),
        ({**LIST, "from": "2026-01-02", "until": "2026-01-01"}, BAD_ARGUMENT, False),
        ({**HEADERS, "resumptionToken": "x"}, BAD_ARGUMENT, False),
        ({"verb": "ListSets", "set": "frus-1944-v04"}, BAD_ARGUMENT, False),
        ({**LIST, "bogus": "1", "until": "x"}, BAD_ARGUMENT * 2, False),
        ({"verb": "ListRecords", "resumptionToken": "junk"}, ["badResumptionToken"], True),
        ({"verb": "ListSets", "resumptionToken": "e30.AAAA"}, ["badResumptionToken"], True),
        ({**LIST, "metadataPrefix": "marc21"}, ["cannotDisseminateFormat"], True),
        ({**GET, "identifier": identifier(TELEGRAM), "metadataPrefix": "mods"},
         ["cannotDisseminateFormat"], True),
        ({**GET, "identifier": identifier("nothing-here")}, ["idDoesNotExist"], True),
        ({**GET, "identifier": "urn:x:y"}, ["idDoesNotExist"], True),
        ({"verb": "ListMetadataFormats", "identifier": identifier("nothing-here")},
         ["idDoesNotExist"], True),
        ({**LIST, "set": "no-such-set"}, ["noRecordsMatch"], True),
        ({**HEADERS, "from": "2999-01-01"}, ["noRecordsMatch"], True),
        ({**HEADERS, "until": "1900-01-01T00:00:00Z"}, ["noRecordsMatch"], True),
    ],
)  # fmt: skip
def test_every_error_condition(
    client: TestClient, arguments: dict[str, Any], expected: list[str], echoed: bool
) -> None:
    response = client.get("/oai", params=arguments)
    assert response.status_code == 200  # OAI-PMH errors are 200 with error elements
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    root = check_response(response.content)
    assert codes(root) == expected
    assert all(len(e.text or "") > 10 for e in root.findall("oai:error", NS))  # says why
    request = root.find("oai:request", NS)
    if echoed:
        assert request.attrib == {k: v for k, v in arguments.items() if isinstance(v, str)}
    else:
        assert request.attrib == {}  # badVerb, badArgument: the base URL only


def test_resumption_tokens_refuse_what_they_did_not_issue(seeded_db: DbHandle) -> None:
    """Forged, expired and other verbs' tokens are badResumptionToken; a good one works."""
    base = "https://quellen.example.org"
    key = tokens.signing_key(seeded_db.url)
    repository = service.Repository(base=base, admin_email="", token_key=key)
    now = dt.datetime.now(dt.UTC)
    good = tokens.Token("ListIdentifiers", "oai_dc", None, None, None, 0, 0, 4, tokens.expiry(now))
    expired = tokens.Token(
        "ListIdentifiers", "oai_dc", None, None, None, 0, 0, 4, int(now.timestamp()) - 1
    )
    with Session(seeded_db.engine) as session:

        def ask(verb: str, token: str) -> list[str]:
            pairs = [("verb", verb), ("resumptionToken", token)]
            return codes(check_response(service.respond(session, pairs, repository, now)))

        assert ask("ListIdentifiers", tokens.encode(good, key)) == []
        assert ask("ListRecords", tokens.encode(good, key)) == ["badResumptionToken"]
        assert ask("ListIdentifiers", tokens.encode(expired, key)) == ["badResumptionToken"]
        assert ask("ListIdentifiers", _forged(tokens.encode(good, key))) == ["badResumptionToken"]
        assert ask("ListIdentifiers", tokens.encode(good, b"another key")) == ["badResumptionToken"]
        assert ask("ListIdentifiers", tokens.encode(good, key)[:-3]) == ["badResumptionToken"]


def test_pages_carry_tokens_until_an_empty_one(seeded_db: DbHandle) -> None:
    """Three headers a page over the four seed documents: a token with completeListSize,
    cursor and expirationDate, then an empty token on the last page."""
    repository = service.Repository(
        base="http://testserver", admin_email="", token_key=tokens.signing_key("k"), page_size=3
    )
    with Session(seeded_db.engine) as session:
        first = check_response(
            service.respond(
                session, [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc")], repository
            )
        )
        token = first.find(".//oai:resumptionToken", NS)
        assert token.get("cursor") == "0" and token.get("completeListSize") == "4"
        expires = dt.datetime.strptime(token.get("expirationDate"), "%Y-%m-%dT%H:%M:%SZ")
        assert dt.timedelta(hours=23) < expires.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)
        second = check_response(
            service.respond(
                session, [("verb", "ListIdentifiers"), ("resumptionToken", token.text)], repository
            )
        )
        last = second.find(".//oai:resumptionToken", NS)
        assert last.text is None and last.get("cursor") == "3"
        assert last.get("completeListSize") == "4" and "expirationDate" not in last.attrib
        seen = [h.text for h in (*first.iterfind(".//oai:identifier", NS),
                                 *second.iterfind(".//oai:identifier", NS))]  # fmt: skip
        assert len(seen) == len(set(seen)) == 4


def test_sets_page_too(seeded_db: DbHandle) -> None:
    repository = service.Repository(
        base="http://testserver", admin_email="", token_key=tokens.signing_key("k"), page_size=1
    )
    specs: list[str] = []
    pairs = [("verb", "ListSets")]
    with Session(seeded_db.engine) as session:
        while True:
            root = check_response(service.respond(session, pairs, repository))
            specs += [s.text or "" for s in root.iterfind(".//oai:setSpec", NS)]
            token = root.find(".//oai:resumptionToken", NS)
            assert token is not None and token.get("completeListSize") == "2"
            if not token.text:
                break
            pairs = [("verb", "ListSets"), ("resumptionToken", token.text)]
    assert specs == ["frus-1944-v04", "web-sources"]


# --- harvesting over HTTP, with writes -----------------------------------------------------


@dataclass
class Harvest:
    live: dict[str, dict[str, list[str]]]  # document id → oai_dc values by element
    deleted: set[str]
    datestamps: dict[str, str]


def _document_id(oai_identifier: str) -> str:
    prefix = "oai:127.0.0.1:"
    assert oai_identifier.startswith(prefix), oai_identifier
    return oai_identifier.removeprefix(prefix)


def harvest_with_sickle(base: str, **arguments: str) -> Harvest:
    sickle = Sickle(f"{base}/oai", max_retries=0, timeout=60)
    result = Harvest({}, set(), {})
    records = sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False, **arguments)
    for record in records:
        document_id = _document_id(record.header.identifier)
        assert document_id not in result.live and document_id not in result.deleted
        result.datestamps[document_id] = record.header.datestamp
        if record.header.deleted:
            result.deleted.add(document_id)
        else:
            result.live[document_id] = record.metadata
    return result


def harvest_with_scythe(base: str, **arguments: str) -> Harvest:
    result = Harvest({}, set(), {})
    config = HTTPConfig(http_method="POST", timeout=60)
    with Scythe(f"{base}/oai", http_config=config) as scythe:
        for record in scythe.list_records(metadata_prefix="oai_dc", **arguments):
            document_id = _document_id(record.header.identifier)
            assert document_id not in result.live and document_id not in result.deleted
            result.datestamps[document_id] = record.header.datestamp
            if record.deleted:
                result.deleted.add(document_id)
            else:
                result.live[document_id] = record.metadata
    return result


def harvest_by_hand(base: str, verb: str, **arguments: str) -> tuple[list[str], int]:
    """A third harvester, with httpx: checks every page as the schema would, and the
    cursor and completeListSize each token says; returns the identifiers and the pages."""
    seen: list[str] = []
    pages = 0
    params: dict[str, str] = {"verb": verb, **arguments}
    with httpx.Client(base_url=base, timeout=60) as http:
        while True:
            response = http.get("/oai", params=params)
            root = check_response(response.content, host="127.0.0.1")
            pages += 1
            found = [h.text for h in root.iterfind(".//oai:header/oai:identifier", NS)]
            token = root.find(".//oai:resumptionToken", NS)
            if token is not None:
                assert int(token.get("cursor")) == len(seen)
            seen += found
            if token is None or not token.text:
                if token is not None:
                    assert int(token.get("completeListSize")) == len(seen)
                return seen, pages
            params = {"verb": verb, "resumptionToken": token.text}


def test_two_harvesters_get_every_document_once_and_the_deleted_as_deleted(
    fresh_db: DbHandle, tmp_path: Any
) -> None:
    copies = copies_bundle(fresh_db, tmp_path, 60)  # 244 documents: three pages
    headers = admin_headers(fresh_db)
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with http_server(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        soft, hard = copies[0], copies[1]
        assert (
            http.delete(
                f"/v1/documents/{soft}",
                headers={**headers, "If-Match": etag(http, f"/v1/documents/{soft}")},
            ).status_code
            == 204
        )
        assert (
            http.delete(
                f"/v1/documents/{hard}?hard=true",
                headers={**headers, "If-Match": etag(http, f"/v1/documents/{hard}")},
            ).status_code
            == 204
        )
        documents = api_documents(http)
        assert len(documents) == len(copies) + 4 - 2
        by_sickle = harvest_with_sickle(base)
        by_scythe = harvest_with_scythe(base)
        ids, pages = harvest_by_hand(base, "ListIdentifiers", metadataPrefix="oai_dc")
        assert pages == 3 and len(ids) == len(documents) + 2
        for harvest in (by_sickle, by_scythe):
            assert harvest.live.keys() == documents.keys()
            assert harvest.deleted == {soft, hard}
            for document_id, document in documents.items():
                metadata = harvest.live[document_id]
                assert metadata["title"] == [document["title"]]
                assert metadata.get("creator", []) == document["authors"]
                assert metadata["identifier"] == [
                    f"{base}/v1/documents/{document_id}",
                    *[i["value"] for i in document["identifiers"]],
                ]
                assert metadata["language"] == [document["language"]]
                assert metadata.get("date", []) == ([document["date"]] if document["date"] else [])
                assert metadata.get("rights", []) == (
                    [document["provenance"]["rights"]] if "rights" in document["provenance"] else []
                )
        assert by_sickle.datestamps == by_scythe.datestamps
        # the deleted ones keep their set (the permanently deleted one from its revision)
        for document_id in (soft, hard):
            collection = documents[document_id.rsplit("-copy-", 1)[0]]["collection"]
            in_set = harvest_with_sickle(base, set=collection)
            assert document_id in in_set.deleted
            assert all(documents[d]["collection"] == collection for d in in_set.live)


def test_an_incremental_harvest_returns_exactly_the_edit_and_the_delete(
    fresh_db: DbHandle,
) -> None:
    headers = admin_headers(fresh_db)
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with http_server(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        first = harvest_with_sickle(base)
        assert len(first.live) == 4 and not first.deleted
        time.sleep(1.05 - time.time() % 1)  # into the next second: datestamps show seconds
        since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert all(stamp < since for stamp in first.datestamps.values())
        edited = http.patch(
            f"/v1/documents/{TELEGRAM}",
            headers={**headers, "If-Match": etag(http, f"/v1/documents/{TELEGRAM}")},
            json={"title": "The Ambassador in the Soviet Union to the Secretary (edited)"},
        )
        assert edited.status_code == 200, edited.text
        deleted = http.delete(
            f"/v1/documents/{ESSAY}",
            headers={**headers, "If-Match": etag(http, f"/v1/documents/{ESSAY}")},
        )
        assert deleted.status_code == 204
        for harvest in (harvest_with_sickle(base, **{"from": since}),
                        harvest_with_scythe(base, from_=since)):  # fmt: skip
            assert set(harvest.live) == {TELEGRAM} and harvest.deleted == {ESSAY}
            assert harvest.live[TELEGRAM]["title"] == [
                "The Ambassador in the Soviet Union to the Secretary (edited)"
            ]
            assert all(stamp >= since for stamp in harvest.datestamps.values())
        # day granularity takes the whole day; until before the edits leaves them out
        today = since[:10]
        by_day = harvest_by_hand(
            base, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": today}
        )
        assert {identifier(d, "127.0.0.1") for d in (TELEGRAM, ESSAY)} <= set(by_day[0])
        before = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%d")
        assert codes(oai(http, verb="ListIdentifiers", metadataPrefix="oai_dc", until=before)) == [
            "noRecordsMatch"
        ]
        # GetRecord of the deleted one: its header, deleted, dated by the deletion
        gone = oai(http, verb="GetRecord", identifier=identifier(ESSAY, "127.0.0.1"),
                   metadataPrefix="oai_dc")  # fmt: skip
        header = gone.find(".//oai:header", NS)
        assert header.get("status") == "deleted" and gone.find(".//oai:metadata", NS) is None
        assert header.findtext("oai:datestamp", namespaces=NS) >= since
        # restored, it is a record again, with a newer datestamp
        assert http.post(f"/v1/documents/{ESSAY}/restore", headers=headers).status_code == 200
        back = oai(http, verb="GetRecord", identifier=identifier(ESSAY, "127.0.0.1"),
                   metadataPrefix="oai_dc")  # fmt: skip
        assert back.find(".//oai:header", NS).get("status") is None
        assert back.find(".//oai_dc:dc/dc:title", NS).text.startswith("Why Did the USSR")


def test_a_harvest_during_writes_misses_nothing(fresh_db: DbHandle) -> None:
    """Pages are a keyset over the change log: a document edited between two pages moves
    to the end of the list with its new datestamp; nothing is skipped."""
    repository = service.Repository(
        base="http://testserver", admin_email="", token_key=tokens.signing_key("k"), page_size=2
    )
    headers = admin_headers(fresh_db)
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as client:
        with Session(fresh_db.engine) as session:
            first = check_response(
                service.respond(
                    session, [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc")], repository
                )
            )
        served = [i.text for i in first.iterfind(".//oai:identifier", NS)]
        edited = served[0].rsplit(":", 1)[1]
        url = f"/v1/documents/{edited}"
        response = client.patch(
            url, headers={**headers, "If-Match": etag(client, url)}, json={"title": "Moved on"}
        )
        assert response.status_code == 200
        token = first.find(".//oai:resumptionToken", NS).text
        rest: list[str] = []
        while token:
            with Session(fresh_db.engine) as session:
                page = check_response(
                    service.respond(
                        session,
                        [("verb", "ListIdentifiers"), ("resumptionToken", token)],
                        repository,
                    )
                )
            rest += [i.text for i in page.iterfind(".//oai:identifier", NS)]
            token = page.find(".//oai:resumptionToken", NS).text
        assert rest[-1] == served[0]  # the edited one comes again, last
        assert set(served) | set(rest) == {identifier(d) for d in api_documents(client)}


# --- bounded memory over 10,000+ documents --------------------------------------------------


def multiply_documents(db: DbHandle, target: int) -> int:
    """Copies of the stored documents under new ids (rows, identifiers and change-log
    entries, inserted in bulk) until there are at least ``target``: how many there are."""
    documents, identifiers_ = table_of(Document), table_of(DocumentIdentifier)
    with write_session(db.engine) as session:
        connection = session.connection()
        originals = [dict(r._mapping) for r in connection.execute(select(documents))]
        idents = [
            {key: value for key, value in r._mapping.items() if key != "id"}
            for r in connection.execute(select(identifiers_))
        ]
        seq = connection.execute(select(func.max(col(Change.seq)))).scalar() or 0
        copies = -(-(target - len(originals)) // len(originals))
        now = dt.datetime.now(dt.UTC)
        for n in range(copies):
            rows = [{**d, "id": f"{d['id']}-x{n}"} for d in originals]
            connection.execute(insert(documents), rows)
            connection.execute(
                insert(identifiers_),
                [{**i, "document_id": f"{i['document_id']}-x{n}"} for i in idents],
            )
            connection.execute(
                insert(Change),
                [
                    {"seq": seq + k, "kind": "documents", "resource_id": r["id"],
                     "operation": "create", "at": now}
                    for k, r in enumerate(rows, start=1)
                ],
            )  # fmt: skip
            seq += len(rows)
        session.commit()
        return len(originals) * (copies + 1)


def measured_harvest(db: DbHandle, verb: str, prefix: str) -> dict[str, float]:
    """Harvest the whole list through the service, page by page, measuring each page's peak
    Python memory (tracemalloc) and the rows its queries load."""
    repository = service.Repository(
        base="http://testserver", admin_email="", token_key=tokens.signing_key(db.url)
    )
    loaded: list[int] = []
    original = records.headers

    def counting(*args: Any, **kwargs: Any) -> list[records.Header]:
        found = original(*args, **kwargs)
        loaded.append(len(found))
        return found

    peaks: list[int] = []
    seen = 0
    pairs = [("verb", verb), ("metadataPrefix", prefix)]
    started = time.perf_counter()
    records.headers = counting  # type: ignore[assignment]
    tracemalloc.start()
    try:
        while True:
            tracemalloc.reset_peak()
            with Session(db.engine) as session:
                body = service.respond(session, pairs, repository)
            peaks.append(tracemalloc.get_traced_memory()[1])
            root = etree.fromstring(body)
            seen += len(root.findall(f".//{O}header"))
            token = root.find(f".//{O}resumptionToken")
            if token is None or not token.text:
                break
            pairs = [("verb", verb), ("resumptionToken", token.text)]
    finally:
        tracemalloc.stop()
        records.headers = original  # type: ignore[assignment]
    return {
        "items": seen,
        "pages": len(peaks),
        "peak_mb": max(peaks) / 1e6,
        "first_page_mb": peaks[0] / 1e6,
        "max_rows": max(loaded),
        "seconds": time.perf_counter() - started,
    }


def test_a_harvest_of_10000_documents_pages_with_bounded_memory(
    databases: DatabaseFactory, backend: str
) -> None:
    db = databases.seeded(backend)
    total = multiply_documents(db, 10_000)
    assert total >= 10_000
    figures = measured_harvest(db, "ListRecords", "oai_dc")
    assert figures["items"] == total and figures["pages"] == -(-total // formats.PAGE_SIZE)
    assert figures["max_rows"] <= formats.PAGE_SIZE + 1  # one page's rows, never the list
    assert figures["peak_mb"] < 12, figures
    assert figures["peak_mb"] < 2 * figures["first_page_mb"] + 1, figures  # flat, not growing
    print(f"\n{backend}: ListRecords oai_dc over {total} documents: {figures}")


CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
DFAT = CORPUS / "dfat-volume-8-1945"


@pytest.mark.corpus
@pytest.mark.skipif(not DFAT.is_dir(), reason=f"no sample corpus at {DFAT}")
def test_harvesting_the_dfat_volume_copied_to_10000_documents(databases: DatabaseFactory) -> None:
    db = databases.migrated("sqlite")
    sources, problems = discover([DFAT])
    report = import_sources(db.engine, sources, Options())
    assert not problems and not report.failures
    tei = measured_harvest(db, "ListRecords", "tei")  # the volume itself, one a page
    assert tei["items"] == 481 and tei["max_rows"] <= formats.TEI_PAGE_SIZE + 1
    assert tei["peak_mb"] < 30, tei
    print(f"\nDFAT volume 8: ListRecords tei over 481 documents: {tei}")
    total = multiply_documents(db, 10_000)  # copies of the rows: what oai_dc is made from
    figures = measured_harvest(db, "ListRecords", "oai_dc")
    assert figures["items"] == total and figures["max_rows"] <= formats.PAGE_SIZE + 1
    assert figures["peak_mb"] < 20, figures
    print(f"DFAT x{total // 481}: ListRecords oai_dc over {total} documents: {figures}")
