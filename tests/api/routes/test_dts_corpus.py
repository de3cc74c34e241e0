"""Opt-in: DTS over the FRUS history monograph from ../shared/corpus (run when present).

The monograph is TEI with 14 chapter divisions and 1,081 footnotes; imported, its citation
tree is chapters → passages → footnotes, and a chapter comes back as a TEI fragment.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from api.app import create_app
from api.ingest.importer import import_sources
from api.ingest.sources import Options, discover
from api.settings import PROJECT_ROOT
from tests.conftest import DatabaseFactory

MONOGRAPH = PROJECT_ROOT.parent / "shared" / "corpus" / "tei" / "frus-history-monograph.xml"
ID = "frus-history-monograph"
T = "{http://www.tei-c.org/ns/1.0}"
WRAPPER = "{https://w3id.org/api/dts#}wrapper"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not MONOGRAPH.is_file(), reason=f"no monograph at {MONOGRAPH}"),
]


@pytest.fixture(scope="module")
def client(databases: DatabaseFactory) -> Iterator[TestClient]:
    db = databases.migrated("sqlite")
    sources, problems = discover([MONOGRAPH])
    report = import_sources(db.engine, sources, Options())
    assert problems == [] and report.failures == [], report.failures[:3]
    with TestClient(create_app(db.app_settings(), engine=db.engine)) as test_client:
        yield test_client


def test_chapters_passages_footnotes(client: TestClient) -> None:
    tree = client.get(f"/dts/navigation?resource={ID}&down=-1").json()
    units = list(tree["member"])
    url = tree.get("view", {}).get("next")
    while url:
        page = client.get(url).json()
        units += page["member"]
        url = page["view"].get("next")
    by_id = {u["identifier"]: u for u in units}
    notes = [u for u in units if u["citeType"] == "footnote"]
    assert len(notes) == 1081
    chapter = by_id["chapter-7"]
    assert chapter["citeType"] == "section"
    assert "7" in chapter["dublinCore"]["title"][0]["value"]
    inside = client.get(f"/dts/navigation?resource={ID}&ref=chapter-7&down=-1").json()
    kinds = {u["citeType"] for u in inside["member"]}
    assert {"section", "footnote"} <= kinds and "paragraph" in kinds
    note = next(u for u in inside["member"] if u["citeType"] == "footnote")
    parent = by_id[note["parent"]]
    assert parent["level"] == note["level"] - 1 and parent["citeType"] != "footnote"


def test_a_chapter_as_a_tei_fragment(client: TestClient) -> None:
    response = client.get(f"/dts/document?resource={ID}&ref=chapter-7")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    wrapper = root.find(f"{T}text/{T}body/{WRAPPER}")
    divs = [d.get(XML_ID) for d in wrapper.iter(f"{T}div")]
    assert divs[0] == "chapter-7" and all(d.startswith("chapter-7") for d in divs)
    notes = list(wrapper.iter(f"{T}note"))
    assert notes and all(n.get(XML_ID).startswith("chapter-7") for n in notes)
    assert root.find(f"{T}teiHeader") is not None
