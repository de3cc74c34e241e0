"""JSON-LD, CSV and JSON Lines by content negotiation, and 406 for anything else."""

import csv
import io
import json

from fastapi.testclient import TestClient

from tests.utils.jsonld import assert_lossless, types_of

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
DOC = f"/v1/documents/{TELEGRAM}"
SCHEMA = "https://schema.org/"
LD = {"accept": "application/ld+json"}


def test_document_as_schema_org_jsonld(client: TestClient) -> None:
    response = client.get(DOC, headers=LD)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert "Accept" in response.headers["vary"].split(", ")  # and Accept-Encoding when gzipped
    node = response.json()
    assert node["@id"] == f"http://testserver{DOC}"  # absolute, from the request's base URL
    expanded = assert_lossless(node)
    assert {f"{SCHEMA}Message", f"{SCHEMA}ArchiveComponent"} <= types_of(expanded)
    top = expanded[0]
    assert top[f"{SCHEMA}name"][0]["@value"].startswith("The Ambassador in the Soviet Union")
    assert top[f"{SCHEMA}dateCreated"][0]["@value"] == "1944-09-24"
    author = top[f"{SCHEMA}author"][0]
    assert author["@id"] == "http://testserver/v1/entities/w-averell-harriman"
    assert f"{SCHEMA}Person" in author["@type"]
    mentioned = {m["@id"] for m in top[f"{SCHEMA}mentions"]}
    assert "http://testserver/v1/entities/walter-edward-guinness" in mentioned
    identifiers = {
        (i[f"{SCHEMA}propertyID"][0]["@value"], i[f"{SCHEMA}value"][0]["@value"])
        for i in top[f"{SCHEMA}identifier"]
    }
    assert ("file_number", "711.62114/9–2444") in identifiers
    # the same document twice gives the same @id: stable across requests
    assert client.get(DOC, headers=LD).json()["@id"] == node["@id"]


def test_entity_and_event_as_jsonld_with_authority_links(client: TestClient) -> None:
    stalin = client.get("/v1/entities/joseph-stalin", headers=LD)
    assert stalin.status_code == 200
    expanded = assert_lossless(stalin.json())
    assert f"{SCHEMA}Person" in types_of(expanded)
    same_as = [s["@id"] for s in expanded[0][f"{SCHEMA}sameAs"]]  # IRIs, not strings
    assert same_as == ["http://www.wikidata.org/entity/Q855"]
    assert expanded[0][f"{SCHEMA}birthDate"][0]["@value"] == "1878-12-18"

    yalta = client.get("/v1/events/yalta-conference", headers=LD)
    expanded = assert_lossless(yalta.json())
    event = expanded[0]
    assert f"{SCHEMA}Event" in event["@type"]
    assert event[f"{SCHEMA}startDate"][0]["@value"] == "1945-02-04"
    assert event[f"{SCHEMA}location"][0]["@id"] == "http://testserver/v1/entities/yalta"
    roles = event[f"{SCHEMA}attendee"]
    assert any(
        r[f"{SCHEMA}attendee"][0]["@id"] == "http://testserver/v1/entities/joseph-stalin"
        for r in roles
    )

    for entity_type, schema_type in (("place", "Place"), ("organization", "Organization")):
        first = client.get(f"/v1/entities?type={entity_type}&limit=1").json()["items"][0]
        node = client.get(first["links"]["self"], headers=LD).json()
        assert f"{SCHEMA}{schema_type}" in types_of(assert_lossless(node))


def test_jsonld_ids_follow_the_root_path(seeded_db) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app

    app = create_app(seeded_db.app_settings(root_path="/quellen"), engine=seeded_db.engine)
    with TestClient(app, root_path="/quellen") as behind_proxy:
        node = behind_proxy.get(DOC, headers=LD).json()
    assert node["@id"] == f"http://testserver/quellen{DOC}"


def test_json_stays_the_default(client: TestClient) -> None:
    for accept in (None, "application/json", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8"):
        headers = {"accept": accept} if accept else {}
        response = client.get(DOC, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json()["id"] == TELEGRAM


def test_unsupported_accept_is_406_listing_what_is_offered(client: TestClient) -> None:
    cases = {
        DOC: "application/tei+xml",
        "/v1/documents": "text/csv",
        "/v1/entities": "text/csv",
        "/v1/entities/joseph-stalin": "application/ld+json",
        "/v1/events/yalta-conference": "application/ld+json",
        f"{DOC}/annotations": "application/ld+json",
        f"{DOC}/citation": "text/html",
        "/dts": "application/ld+json",
    }
    for path, offered in cases.items():
        response = client.get(path, headers={"accept": "image/png"})
        assert response.status_code == 406, path
        assert response.headers["content-type"] == "application/problem+json"
        assert offered in response.json()["detail"], path


def test_documents_and_entities_as_csv_pages(client: TestClient) -> None:
    response = client.get("/v1/documents?limit=3", headers={"accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 3
    assert rows[0]["id"] == TELEGRAM
    assert rows[0]["authors"] == "W. Averell Harriman"
    assert rows[0]["url"] == f"http://testserver{DOC}"
    # the same cursor as JSON: the Link header leads to the rest, still as CSV
    following = response.headers["link"].split(">")[0].lstrip("<")
    rest = client.get(following, headers={"accept": "text/csv"})
    more = list(csv.DictReader(io.StringIO(rest.text)))
    assert len(more) == 1 and "link" not in rest.headers
    json_ids = [d["id"] for d in client.get("/v1/documents").json()["items"]]
    assert [r["id"] for r in rows + more] == json_ids

    entities = client.get("/v1/entities?type=person&limit=200", headers={"accept": "text/csv"})
    people = list(csv.DictReader(io.StringIO(entities.text)))
    assert {"joseph-stalin", "w-averell-harriman"} <= {p["id"] for p in people}
    assert all(p["type"] == "person" for p in people)


def test_csv_cells_cannot_run_as_formulas() -> None:
    from api.formats.csv import cell

    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell("-1945") == "-1945"
    assert cell("-cmd") == "'-cmd"
    assert cell(["a", "b"]) == "a; b"


def test_collection_dump_streams_json_lines(client: TestClient) -> None:
    with client.stream("GET", "/v1/collections/web-sources/dump") as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        assert "etag" not in response.headers  # streamed: passed through untouched
        lines = [json.loads(line) for line in response.iter_lines() if line]
    kinds = [line["type"] for line in lines]
    assert kinds[0] == "bundle" and kinds[1] == "collection"
    documents = [line for line in lines if line["type"] == "document"]
    assert {d["id"] for d in documents} == {
        "why-did-the-ussr-refuse-to-repatriate-allied-pows",
        "russian-liberation-movement-the-allies",
        "bodega-why-did-the-usa-ussr-alliance-break-down",
    }
    assert all(d["passages"] and d["text"] for d in documents)
    missing = client.get("/v1/collections/no-such-collection/dump")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
