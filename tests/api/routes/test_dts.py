"""Distributed Text Services 1.0 under /dts, on both engines."""

from typing import Any

from fastapi.testclient import TestClient
from lxml import etree

from tests.utils.jsonld import assert_lossless

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
BODEGA = "bodega-why-did-the-usa-ussr-alliance-break-down"
DTS = "https://dtsapi.org/v1.0#"
TEI = "{http://www.tei-c.org/ns/1.0}"
WRAPPER = "{https://w3id.org/api/dts#}wrapper"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def nav(client: TestClient, query: str, status: int = 200) -> dict[str, Any]:
    response = client.get(f"/dts/navigation?{query}")
    assert response.status_code == status, (query, response.text)
    if status == 200:
        assert response.headers["content-type"] == "application/ld+json"
    return response.json()  # type: ignore[no-any-return]


def ids(body: dict[str, Any]) -> list[str]:
    return [unit["identifier"] for unit in body["member"]]


def test_entry_point_gives_uri_templates(client: TestClient) -> None:
    body = client.get("/dts").json()
    assert body["@type"] == "EntryPoint" and body["dtsVersion"] == "1.0"
    assert body["@context"] == "https://dtsapi.org/context/v1.0.json"
    assert body["collection"] == "http://testserver/dts/collection{?id,page,nav}"
    assert body["navigation"].endswith("/dts/navigation{?resource,ref,start,end,down,tree,page}")
    assert body["document"].endswith("/dts/document{?resource,ref,start,end,tree,mediaType}")
    expanded = assert_lossless(body)
    assert expanded[0]["@type"] == [f"{DTS}EntryPoint"]


def test_collections_down_to_a_resource_and_back_up(client: TestClient) -> None:
    root = client.get("/dts/collection").json()
    assert root["@id"] == "quellen" and root["totalParents"] == 0
    assert {m["@id"] for m in root["member"]} == {"frus-1944-v04", "web-sources"}
    assert_lossless(root)
    frus = client.get("/dts/collection?id=frus-1944-v04").json()
    assert frus["totalChildren"] == 1
    (resource,) = frus["member"]
    assert resource["@type"] == "Resource" and resource["@id"] == TELEGRAM
    assert resource["navigation"].endswith(
        f"/dts/navigation?resource={TELEGRAM}{{&ref,start,end,down,tree,page}}"
    )
    assert "application/tei+xml" in resource["mediaTypes"]
    assert_lossless(frus)
    alone = client.get(f"/dts/collection?id={TELEGRAM}").json()
    assert alone["citationTrees"][0]["@type"] == "CitationTree"
    parents = client.get(f"/dts/collection?id={TELEGRAM}&nav=parents").json()
    assert [m["@id"] for m in parents["member"]] == ["frus-1944-v04"]
    up = client.get("/dts/collection?id=web-sources&nav=parents").json()
    assert [m["@id"] for m in up["member"]] == ["quellen"]
    assert client.get("/dts/collection?id=nothing-here").status_code == 404
    assert client.get("/dts/collection?nav=sideways").status_code == 400
    assert client.get("/dts/collection?page=2").status_code == 404
    assert client.get("/dts/collection?page=x").status_code == 400


def test_large_collections_are_paged(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api.dts import collections as dts

    monkeypatch.setattr(dts, "COLLECTION_PAGE_SIZE", 2)
    first = client.get("/dts/collection?id=web-sources").json()
    assert len(first["member"]) == 2
    view = first["view"]
    assert view["@type"] == "Pagination" and "previous" not in view
    assert view["last"].endswith("id=web-sources&page=2")
    second = client.get(view["next"]).json()
    assert len(second["member"]) == 1 and "next" not in second["view"]
    assert {m["@id"] for m in first["member"] + second["member"]} == {
        "why-did-the-ussr-refuse-to-repatriate-allied-pows",
        "russian-liberation-movement-the-allies",
        BODEGA,
    }


def test_telegram_tree_passages_then_footnotes(client: TestClient) -> None:
    body = nav(client, f"resource={TELEGRAM}&down=-1")
    assert ids(body) == ["p1", "p2", "p3", "p4", "fn1", "p5", "fn2", "p6", "fn3", "p7"]
    units = {u["identifier"]: u for u in body["member"]}
    assert units["fn1"]["parent"] == "p4" and units["fn1"]["level"] == 2
    assert units["fn1"]["citeType"] == "footnote"
    assert units["p4"]["parent"] is None and units["p4"]["citeType"] == "paragraph"
    assert units["p7"]["citeType"] == "signature"
    structure = body["resource"]["citationTrees"][0]["citeStructure"]
    paragraph = next(s for s in structure if s["citeType"] == "paragraph")
    assert paragraph["citeStructure"] == [{"@type": "CiteStructure", "citeType": "footnote"}]
    expanded = assert_lossless(body)
    assert expanded[0]["@type"] == [f"{DTS}Navigation"]
    top = nav(client, f"resource={TELEGRAM}&down=1")
    assert "fn1" not in ids(top) and len(ids(top)) == 7


def test_sections_passages_footnotes_and_the_reference_rules(client: TestClient) -> None:
    top = nav(client, f"resource={BODEGA}&down=1")
    assert [u["citeType"] for u in top["member"]] == ["heading", "section", "section"]
    sec1 = top["member"][1]
    assert sec1["identifier"] == "sec1"
    assert sec1["dublinCore"]["title"][0]["value"].startswith("The Yalta Conference")
    # ref alone: that unit, no member
    one = nav(client, f"resource={BODEGA}&ref=sec2")
    assert one["ref"]["identifier"] == "sec2" and "member" not in one
    # ref + down=1: the unit and its children
    children = nav(client, f"resource={BODEGA}&ref=sec2&down=1")
    assert ids(children)[0] == "sec2"
    assert all(u["parent"] == "sec2" for u in children["member"][1:])
    # down=0: siblings
    siblings = nav(client, f"resource={BODEGA}&ref=sec2.p3&down=0")
    assert set(ids(siblings)) == {u["identifier"] for u in children["member"][1:]}
    # a range, down to one level below the deeper end
    ranged = nav(client, f"resource={BODEGA}&start=sec1&end=sec2&down=1")
    assert ranged["start"]["identifier"] == "sec1" and ranged["end"]["identifier"] == "sec2"
    assert ids(ranged)[0] == "sec1" and "sec2.p1" in ids(ranged)
    assert "p1" not in ids(ranged)
    no_members = nav(client, f"resource={BODEGA}&start=sec1.p1&end=sec1.p2")
    assert "member" not in no_members
    # 400s
    for query in (
        "down=1",
        f"resource={BODEGA}",
        f"resource={BODEGA}&down=0",
        f"resource={BODEGA}&ref=sec1&start=sec1",
        f"resource={BODEGA}&start=sec1",
        f"resource={BODEGA}&end=sec1",
        f"resource={BODEGA}&start=sec1&end=sec2&down=0",
        f"resource={BODEGA}&start=sec2&end=sec1",
        f"resource={BODEGA}&down=-2",
        f"resource={BODEGA}&down=many",
    ):
        body = nav(client, query, 400)
        assert body["status"] == 400
    # 404s
    for query in (
        "resource=no-such-document&down=1",
        f"resource={BODEGA}&ref=sec9",
        f"resource={BODEGA}&start=sec1&end=sec9",
        f"resource={BODEGA}&down=1&tree=pages",
        f"resource={BODEGA}&down=1&page=2",
    ):
        nav(client, query, 404)


def test_navigation_pages_large_member_lists(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api.dts import navigation as dts

    monkeypatch.setattr(dts, "NAVIGATION_PAGE_SIZE", 4)
    first = nav(client, f"resource={TELEGRAM}&down=-1")
    assert ids(first) == ["p1", "p2", "p3", "p4"]
    walked = ids(first)
    url = first["view"].get("next")
    while url:
        page = client.get(url).json()
        walked += ids(page)
        url = page["view"].get("next")
    assert walked == ["p1", "p2", "p3", "p4", "fn1", "p5", "fn2", "p6", "fn3", "p7"]


def tei(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/tei+xml; charset=utf-8"
    assert 'rel="collection"' in response.headers["link"]
    return etree.fromstring(response.content)


def test_document_whole_and_fragments_as_tei(client: TestClient) -> None:
    whole = tei(client.get(f"/dts/document?resource={TELEGRAM}"))
    assert whole.tag == f"{TEI}TEI" and whole.find(f".//{WRAPPER}") is None
    passage = tei(client.get(f"/dts/document?resource={TELEGRAM}&ref=p4"))
    wrapper = passage.find(f"{TEI}text/{TEI}body/{WRAPPER}")
    assert wrapper is not None
    assert [child.get(XML_ID) for child in wrapper] == ["p4"]
    assert wrapper[0].find(f"{TEI}note").get(XML_ID) == "fn1"  # the note where it stands
    assert passage.find(f"{TEI}teiHeader") is not None  # the header stays
    section = tei(client.get(f"/dts/document?resource={BODEGA}&ref=sec2"))
    (div,) = section.find(f".//{WRAPPER}")
    assert div.tag == f"{TEI}div" and div.get(XML_ID) == "sec2"
    assert div[0].tag == f"{TEI}head" and div[0].text.startswith("The Potsdam Conference")
    assert section.find(f".//{TEI}div[@{XML_ID}='sec1']") is None
    note = tei(client.get(f"/dts/document?resource={TELEGRAM}&ref=fn2"))
    (only,) = note.find(f".//{WRAPPER}")
    assert only.tag == f"{TEI}note" and "740.62114/9–2744" in "".join(only.itertext())
    ranged = tei(client.get(f"/dts/document?resource={TELEGRAM}&start=p5&end=p6"))
    assert [c.get(XML_ID) for c in ranged.find(f".//{WRAPPER}") if c.get(XML_ID)] == [
        "p5",
        "p6",
    ]
    text = client.get(f"/dts/document?resource={TELEGRAM}&ref=p4&mediaType=text/plain")
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    passage_text = client.get(f"/v1/documents/{TELEGRAM}/passages/p4").json()["text"]
    assert text.text == passage_text


def test_every_citable_unit_and_range_is_served(client: TestClient) -> None:
    """Each note stands inside a passage with text after it; a fragment of it must still be
    well-formed TEI (fn1 and fn3 once answered 500)."""
    tree = client.get(f"/dts/navigation?resource={TELEGRAM}&down=-1").json()
    refs = [unit["identifier"] for unit in tree["member"]]
    assert [r for r in refs if r.startswith("fn")] == ["fn1", "fn2", "fn3"]
    for ref in refs:
        fragment = client.get(f"/dts/document?resource={TELEGRAM}&ref={ref}")
        assert fragment.status_code == 200, (ref, fragment.text)
        (unit,) = tei(fragment).find(f".//{WRAPPER}")
        assert unit.get(XML_ID) == ref
    for start, end in (("fn1", "p5"), ("p4", "fn3"), ("fn3", "p7")):
        ranged = client.get(f"/dts/document?resource={TELEGRAM}&start={start}&end={end}")
        assert ranged.status_code == 200, (start, end, ranged.text)


def test_document_errors(client: TestClient) -> None:
    cases = {
        "/dts/document": 400,
        f"/dts/document?resource={TELEGRAM}&ref=p4&start=p4&end=p5": 400,
        f"/dts/document?resource={TELEGRAM}&start=p4": 400,
        "/dts/document?resource=no-such-document": 404,
        f"/dts/document?resource={TELEGRAM}&ref=p99": 404,
        f"/dts/document?resource={TELEGRAM}&ref=p4&tree=pages": 404,
        f"/dts/document?resource={TELEGRAM}&mediaType=application/pdf": 404,
    }
    for url, status in cases.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert response.headers["content-type"] == "application/problem+json"
    # `tree` without a ref or range has no effect
    assert client.get(f"/dts/document?resource={TELEGRAM}&tree=pages").status_code == 200
