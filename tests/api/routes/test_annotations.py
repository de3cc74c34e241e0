"""GET /v1/documents/{id}/annotations: a W3C AnnotationPage whose selectors agree."""

from typing import Any

from fastapi.testclient import TestClient

from tests.utils.jsonld import assert_lossless

TELEGRAM = "/v1/documents/harriman-to-secretary-of-state-1944-09-24"
OA = "http://www.w3.org/ns/oa#"


def page(client: TestClient, path: str = TELEGRAM, query: str = "") -> dict[str, Any]:
    response = client.get(f"{path}/annotations{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/ld+json")
    assert "anno.jsonld" in response.headers["content-type"]
    return response.json()  # type: ignore[no-any-return]


def resolve(client: TestClient, source: str) -> str:
    """The text a target's source names: the full text, or a footnote's text."""
    path = source.removeprefix("http://testserver")
    if "/footnotes/" in path:
        return client.get(path).json()["text"]  # type: ignore[no-any-return]
    return client.get(path).text


def test_every_selector_pair_selects_the_same_text(client: TestClient) -> None:
    for document in client.get("/v1/documents").json()["items"]:
        body = page(client, document["links"]["self"])
        texts: dict[str, str] = {}
        assert body["type"] == "AnnotationPage" and body["items"]
        assert body["partOf"]["total"] == len(body["items"])
        for annotation in body["items"]:
            target = annotation["target"]
            source = target["source"]
            text = texts.setdefault(source, resolve(client, source))
            position, quote = target["selector"]
            assert position["type"] == "TextPositionSelector"
            assert quote["type"] == "TextQuoteSelector"
            start, end = position["start"], position["end"]
            assert text[start:end] == quote["exact"] and quote["exact"]
            assert text[:start].endswith(quote["prefix"])
            assert text[end:].startswith(quote["suffix"])


def test_footnotes_mentions_and_references_of_the_telegram(client: TestClient) -> None:
    body = page(client)
    by_motivation: dict[str, list[dict[str, Any]]] = {}
    for annotation in body["items"]:
        by_motivation.setdefault(annotation["motivation"], []).append(annotation)
    notes = by_motivation["commenting"]
    assert len(notes) == 3
    first = notes[0]
    assert first["target"]["selector"][1]["exact"] == "Moyne"  # the word before marker 66
    assert first["target"]["source"].endswith("/text?view=full")
    assert first["body"]["value"].startswith("Walter Edward Guinness")
    assert first["body"]["id"].endswith("/footnotes/fn1")
    mentions = by_motivation["identifying"]
    moyne = [m for m in mentions if m["body"]["source"].endswith("/walter-edward-guinness")]
    assert moyne and moyne[0]["target"]["selector"][1]["exact"] == "Lord Moyne"
    in_notes = [m for m in mentions if "/footnotes/" in m["target"]["source"]]
    assert {m["body"]["source"].rsplit("/", 1)[1] for m in in_notes} >= {
        "british-embassy-washington",
        "soviet-union",
    }
    links = by_motivation["linking"]
    reply = [x for x in links if "2212" in x["body"].get("value", "")]
    assert reply and reply[0]["target"]["selector"][1]["exact"].startswith("Dept’s 2212")
    detected = [x for x in links if "740.62114/9–2744" in x["body"].get("value", "")]
    assert detected and "/footnotes/fn2" in detected[0]["target"]["source"]
    # reading order: annotations on the full text by offset, then those on notes
    starts = [
        a["target"]["selector"][0]["start"]
        for a in body["items"]
        if a["target"]["source"].endswith("view=full")
    ]
    assert starts == sorted(starts)


def test_annotation_page_expands_as_jsonld(client: TestClient) -> None:
    expanded = assert_lossless(page(client))
    items = expanded[0]["https://www.w3.org/ns/activitystreams#items"][0]["@list"]
    motivations = {a[f"{OA}motivatedBy"][0]["@id"] for a in items}
    assert motivations == {f"{OA}commenting", f"{OA}identifying", f"{OA}linking"}
    selector_types = {
        t for a in items for s in a[f"{OA}hasTarget"][0][f"{OA}hasSelector"] for t in s["@type"]
    }
    assert selector_types == {f"{OA}TextPositionSelector", f"{OA}TextQuoteSelector"}


def test_pages(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api.annotations import service as annotations

    monkeypatch.setattr(annotations, "PAGE_SIZE", 10)
    first = page(client)
    assert len(first["items"]) == 10 and "prev" not in first
    walked = list(first["items"])
    url = first.get("next")
    while url:
        following = client.get(url.removeprefix("http://testserver")).json()
        assert following["startIndex"] == len(walked)
        walked += following["items"]
        url = following.get("next")
    assert len(walked) == first["partOf"]["total"]
    assert client.get(f"{TELEGRAM}/annotations?page=99").status_code == 404
    assert client.get("/v1/documents/nope/annotations").status_code == 404
