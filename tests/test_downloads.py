"""Downloads by link: ``?format=`` instead of ``Accept``, answered as an attachment."""

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.http.downloads import FORMATS, attachment, formats_for

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
DOC = f"/v1/documents/{TELEGRAM}"
PROBLEM = "application/problem+json"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def next_of(response_link: str) -> str:
    return response_link.split(">")[0].lstrip("<")


def test_documents_as_csv_by_link(client: TestClient) -> None:
    response = client.get("/v1/documents?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="documents.csv"'
    listed = rows(response.text)
    assert [r["id"] for r in listed] == [
        d["id"] for d in client.get("/v1/documents").json()["items"]
    ]
    assert listed[0]["id"] == TELEGRAM


def test_a_document_as_tei_by_link(client: TestClient) -> None:
    response = client.get(f"{DOC}?format=tei")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/tei+xml; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{TELEGRAM}.xml"'
    assert '<TEI xmlns="http://www.tei-c.org/ns/1.0"' in response.text
    assert response.content == client.get(DOC, headers={"accept": "application/tei+xml"}).content


def test_a_bibtex_citation_by_link(client: TestClient) -> None:
    response = client.get(f"{DOC}/citation?format=bibtex")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-bibtex; charset=utf-8"
    disposition = f'attachment; filename="{TELEGRAM}-citation.bib"'
    assert response.headers["content-disposition"] == disposition
    assert response.text.startswith("@misc{")
    csl = client.get(f"{DOC}/citation?style=mla&format=csl")
    assert csl.headers["content-type"] == FORMATS["csl"]
    assert csl.json()[0]["number"] == "3652"
    assert client.get(f"{DOC}/citation?format=csl").json() == csl.json()
    accepted = client.get(f"{DOC}/citation", headers={"Accept": "application/x-bibtex"})
    assert accepted.content == response.content


def test_json_by_link_is_an_attachment_too(client: TestClient) -> None:
    response = client.get(f"{DOC}?format=json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == f'attachment; filename="{TELEGRAM}.json"'
    assert response.json()["id"] == TELEGRAM
    # a route that answers only JSON answers format=json the same way
    collections = client.get("/v1/collections?format=json")
    assert collections.status_code == 200
    assert collections.headers["content-disposition"] == 'attachment; filename="collections.json"'
    assert collections.json()["items"]
    # without format nothing changes
    assert "content-disposition" not in client.get(DOC).headers


def test_other_formats_by_link(client: TestClient) -> None:
    text = client.get(f"{DOC}/text?format=txt")
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert text.headers["content-disposition"] == f'attachment; filename="{TELEGRAM}-text.txt"'
    jsonld = client.get(f"{DOC}?format=jsonld")
    assert jsonld.headers["content-type"] == "application/ld+json"
    assert jsonld.headers["content-disposition"].endswith('.jsonld"')
    html = client.get(f"{DOC}/citation?format=html")
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert html.status_code == 200 and "Harriman" in html.text
    people = rows(client.get("/v1/entities?type=person&format=csv&limit=200").text)
    assert "joseph-stalin" in {p["id"] for p in people}
    # the dump names its own file, which the middleware keeps
    dump = client.get("/v1/collections/frus-1944-v04/dump?format=ndjson")
    assert dump.status_code == 200
    assert dump.headers["content-disposition"] == 'attachment; filename="frus-1944-v04.jsonl"'


def test_unknown_format_is_a_400_naming_it_and_the_formats(client: TestClient) -> None:
    response = client.get("/v1/documents?format=pdf")
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    detail = response.json()["detail"]
    assert "'pdf'" in detail
    assert all(name in detail for name in FORMATS)


def test_a_format_the_route_does_not_offer_is_a_400_naming_its_formats(
    client: TestClient,
) -> None:
    response = client.get(f"{DOC}?format=csv")
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert "format=csv" in response.json()["detail"]
    assert "json, jsonld, tei" in response.json()["detail"]
    assert "content-disposition" not in response.headers
    # the citation offers its text, HTML and data formats, but not TEI
    cited = client.get(f"{DOC}/citation?format=tei")
    assert cited.status_code == 400
    assert "json, txt, html, bibtex, csl" in cited.json()["detail"]
    # a route that answers only JSON does not answer CSV as JSON
    collections = client.get("/v1/collections?format=csv")
    assert collections.status_code == 400
    assert collections.headers["content-type"] == PROBLEM
    assert collections.json()["detail"].endswith("its formats: json.")


def test_csv_pages_by_link_keep_the_format(client: TestClient) -> None:
    first = client.get("/v1/documents?format=csv&limit=2")
    assert first.status_code == 200
    assert len(rows(first.text)) == 2
    following = next_of(first.headers["link"])
    query = parse_qs(urlsplit(following).query)
    assert query["format"] == ["csv"] and query["limit"] == ["2"] and "cursor" in query
    second = client.get(following)
    assert second.status_code == 200
    assert second.headers["content-type"] == "text/csv; charset=utf-8"
    assert second.headers["content-disposition"] == 'attachment; filename="documents.csv"'
    every = [r["id"] for r in rows(first.text) + rows(second.text)]
    assert every == [d["id"] for d in client.get("/v1/documents").json()["items"]]
    # a JSON page's next link keeps format=json as well
    page = client.get("/v1/documents?format=json&limit=1").json()
    assert parse_qs(urlsplit(page["next"]).query)["format"] == ["json"]
    # format is no unknown parameter, but a typo of it still is
    typo = client.get("/v1/documents?formt=csv")
    assert typo.status_code == 400 and "'formt'" in typo.json()["detail"]


def test_head_and_etag_with_format(client: TestClient) -> None:
    got = client.get("/v1/documents?format=csv")
    head = client.head("/v1/documents?format=csv")
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-disposition", "etag"):
        assert head.headers[name] == got.headers[name], name
    assert "Accept" in got.headers["vary"]
    cached = client.get("/v1/documents?format=csv", headers={"if-none-match": got.headers["etag"]})
    assert cached.status_code == 304 and cached.content == b""
    json_tag = client.get("/v1/documents?format=json").headers["etag"]
    assert json_tag != got.headers["etag"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("format=", 400),
        ("format=%20", 400),
        ("format=CSV", 200),
        ("format=%20csv%20", 200),
        ("format=csv&format=csv", 400),
        ("format=csv&format=json", 400),
        ("format", 400),
        ("format=../../etc/passwd", 400),
        ("format=%C3%A9", 400),
        ("format=%FF", 400),
        ("format=csv;json", 400),
        ("%66ormat=csv", 200),
    ],
)
def test_weird_format_values_are_never_a_500(client: TestClient, query: str, status: int) -> None:
    response = client.get(f"/v1/documents?{query}")
    assert response.status_code == status, response.text
    if status == 400:
        assert response.headers["content-type"] == PROBLEM
    else:
        assert response.headers["content-type"] == "text/csv; charset=utf-8"


def test_a_download_is_counted_under_its_route_template(client: TestClient) -> None:
    labels = {"method": "GET", "route": "/v1/documents/{document_id}/text", "status": "200"}

    def served() -> float:
        page = text_string_to_metric_families(client.get("/metrics").text)
        return sum(
            sample.value
            for family in page
            for sample in family.samples
            if sample.name == "quellen_http_requests_total" and sample.labels == labels
        )

    before = served()
    assert client.get(f"{DOC}/text?format=txt").status_code == 200
    assert client.get(f"{DOC}/text?format=json").status_code == 200
    assert served() - before == 2


def test_dts_and_non_get_requests_are_left_alone(client: TestClient) -> None:
    dts = client.get("/dts?format=csv")
    assert dts.status_code == 200
    assert "content-disposition" not in dts.headers
    assert client.post("/v1/documents?format=csv", json={}).status_code != 500


def test_downloads_behind_a_root_path(seeded_db) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app

    app = create_app(seeded_db.app_settings(root_path="/quellen"), engine=seeded_db.engine)
    with TestClient(app, root_path="/quellen") as behind_proxy:
        response = behind_proxy.get("/v1/documents?format=csv&limit=2")
    assert response.headers["content-disposition"] == 'attachment; filename="documents.csv"'
    following = urlsplit(next_of(response.headers["link"]))
    assert following.path == "/quellen/v1/documents"
    assert parse_qs(following.query)["format"] == ["csv"]


def test_file_names() -> None:
    cases = {
        ("/v1/documents/dfat-1944-12/citation", "bibtex"): "dfat-1944-12-citation.bib",
        ("/v1/documents/x", "tei"): "x.xml",
        ("/v1/documents", "csv"): "documents.csv",
        ("/v1/documents/x/passages/p3", "json"): "x-passages-p3.json",
        ("/v1", "json"): "v1.json",
        ("/", "json"): "quellen.json",
        ('/v1/documents/a"b;c\\d', "txt"): "a-b-c-d.txt",
        ("/v1/documents/..", "csv"): "download.csv",
    }
    for (path, name), filename in cases.items():
        assert attachment(path, name) == f'attachment; filename="{filename}"', path
    wide = attachment("/v1/entities/zürich", "jsonld")
    assert wide == "attachment; filename=\"zurich.jsonld\"; filename*=UTF-8''z%C3%BCrich.jsonld"
    assert attachment("/v1/entities/東京", "json").startswith(
        'attachment; filename="download.json"'
    )


def test_formats_for_names_what_a_route_offers() -> None:
    assert formats_for(["application/json", "text/csv"]) == ["json", "csv"]
    assert formats_for(["application/x-bibtex", "text/plain"]) == ["bibtex", "txt"]
    assert formats_for(['application/ld+json; profile="x"', "application/json"]) == [
        "jsonld",
        "json",
    ]
    assert formats_for(["image/png"]) == []
    assert set(FORMATS) == {
        "json",
        "jsonld",
        "tei",
        "csv",
        "txt",
        "html",
        "bibtex",
        "csl",
        "ndjson",
    }
