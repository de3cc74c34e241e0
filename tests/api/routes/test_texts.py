"""A document's text, passages, footnotes and pages, on both engines."""

import re

from fastapi.testclient import TestClient

TELEGRAM = "/v1/documents/harriman-to-secretary-of-state-1944-09-24"
RLM = "/v1/documents/russian-liberation-movement-the-allies"
BODEGA = "/v1/documents/bodega-why-did-the-usa-ussr-alliance-break-down"


def full_text(client: TestClient, doc: str) -> str:
    response = client.get(f"{doc}/text?view=full")
    assert response.status_code == 200
    return response.text


def test_telegram_text_is_as_printed(client: TestClient) -> None:
    response = client.get(f"{TELEGRAM}/text")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    text = response.text
    assert "Lord Moyne was informed" in text
    assert not re.search(r"Moyne\d", text)
    assert "[Page" not in text and "1254" not in text
    assert "by this time.\n\nMeanwhile" in text
    assert "risk of reprisals. If not" in text
    assert "wish to obtain" in text  # page break removed with its space
    assert "ReDept’s 2212" in text  # typographic apostrophe kept
    assert text.startswith("711.62114/9–2444: Telegram")  # en dash kept


def test_footnotes_anchor_right_after_their_markers(client: TestClient) -> None:
    text = full_text(client, TELEGRAM)
    notes = client.get(f"{TELEGRAM}/footnotes").json()["items"]
    assert [n["marker"] for n in notes] == ["66", "67", "68"]
    assert [n["number"] for n in notes] == [1, 2, 3]
    assert text[: notes[0]["start"]].endswith("Lord Moyne")
    assert text[: notes[1]["start"]].endswith("this time.")
    assert text[: notes[2]["start"]].endswith("reprisals.")
    assert "740.62114/9–2744" in notes[1]["text"]
    assert notes[0]["text"].startswith("Walter Edward Guinness, First Baron Moyne")
    for note in notes:
        passage = client.get(f"{TELEGRAM}/passages/{note['passage']}").json()
        assert passage["start"] + note["passage_start"] == note["start"]
        assert note["links"]["self"].endswith(f"/footnotes/{note['ref']}")


def test_footnote_by_marker_and_by_ref(client: TestClient) -> None:
    by_marker = client.get(f"{TELEGRAM}/footnotes/66").json()
    by_ref = client.get(f"{TELEGRAM}/footnotes/fn1").json()
    assert by_marker == by_ref
    assert by_marker["passage"] == "p4"
    assert client.get(f"{TELEGRAM}/footnotes/99").status_code == 404
    assert client.get("/v1/documents/nope/footnotes/66").status_code == 404


def test_page_break_is_a_marker_not_text(client: TestClient) -> None:
    text = full_text(client, TELEGRAM)
    pages = client.get(f"{TELEGRAM}/pages").json()["items"]
    assert len(pages) == 1 and pages[0]["n"] == "1254"
    assert text[pages[0]["start"] :].startswith("to obtain information")
    assert pages[0]["passage"] == "p5"
    assert client.get(pages[0]["links"]["self"]).json() == pages[0]
    assert client.get(f"{TELEGRAM}/pages/2").status_code == 404
    passages = {p["ref"]: p for p in client.get(f"{TELEGRAM}/passages").json()["items"]}
    assert passages["p5"]["page"] == "1253"  # the page it starts on
    assert passages["p6"]["page"] == "1254"
    assert passages["p7"]["kind"] == "signature" and passages["p7"]["text"] == "Harriman"


def test_passage_offsets_are_exact(client: TestClient) -> None:
    for doc in (TELEGRAM, RLM, BODEGA):
        text = full_text(client, doc)
        for passage in client.get(f"{doc}/passages").json()["items"]:
            assert text[passage["start"] : passage["end"]] == passage["text"]


def test_boilerplate_is_marked_and_left_out_of_the_main_view(client: TestClient) -> None:
    main = client.get(f"{RLM}/text").text
    full = full_text(client, RLM)
    assert "Betrayal of Cossacks at Lienz" in main
    for furniture in ("Read more about this topic", "Famous quotes", "Susan Sontag", "Gannett"):
        assert furniture not in main
        assert furniture in full
    boilerplate = client.get(f"{RLM}/passages?include_boilerplate=true").json()["items"]
    marked = [p for p in boilerplate if p["boilerplate"]]
    assert {p["kind"] for p in marked} == {"paragraph", "heading", "quotation", "attribution"}
    kept = client.get(f"{RLM}/passages?include_boilerplate=false").json()["items"]
    assert all(not p["boilerplate"] for p in kept) and len(kept) == 4


def test_duplicated_caption_is_printed_once_in_the_main_view(client: TestClient) -> None:
    main = client.get(f"{BODEGA}/text").text
    assert main.count("Stalin playing cards") == 1
    assert full_text(client, BODEGA).count("Stalin playing cards") == 2


def test_json_text_maps_both_views(client: TestClient) -> None:
    response = client.get(f"{BODEGA}/text", headers={"Accept": "application/json"})
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    full = full_text(client, BODEGA)
    assert body["view"] == "main" and body["length"] == len(body["text"])
    for segment in body["passages"]:
        piece = body["text"][segment["view_start"] : segment["view_end"]]
        assert piece == full[segment["start"] : segment["end"]]
    items = [s for s in body["passages"] if s["kind"] == "list_item"]
    assert len(items) == 10
    assert body["text"][items[0]["view_end"] : items[1]["view_start"]] == "\n"


def test_sections_and_refs(client: TestClient) -> None:
    headings = client.get(f"{BODEGA}/passages?kind=heading").json()["items"]
    assert [(h["ref"], h["text"]) for h in headings] == [
        ("p1", "Why did the USA-USSR alliance breakdown in 1945? By Rafael Bodega"),
        ("sec1", "The Yalta Conference - February 1945"),
        ("sec2", "The Potsdam Conference - July 1945"),
    ]
    yalta = client.get(f"{BODEGA}/passages?section=sec1").json()["items"]
    assert yalta[0]["ref"] == "sec1" and yalta[1]["ref"] == "sec1.p1"


def test_passage_pagination(client: TestClient) -> None:
    refs: list[str] = []
    url: str | None = f"{BODEGA}/passages?limit=5"
    while url:
        body = client.get(url).json()
        refs += [p["ref"] for p in body["items"]]
        url = body["next"]
    assert len(refs) == 18 and len(set(refs)) == 18


def test_text_negotiation_and_errors(client: TestClient) -> None:
    assert (
        client.get(f"{TELEGRAM}/text", headers={"Accept": "*/*"})
        .headers["content-type"]
        .startswith("text/plain")
    )
    json_preferred = client.get(
        f"{TELEGRAM}/text", headers={"Accept": "text/plain;q=0.5, application/json"}
    )
    assert json_preferred.headers["content-type"] == "application/json"
    refused = client.get(f"{TELEGRAM}/text", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    assert "text/plain" in refused.json()["detail"]
    assert client.get(f"{TELEGRAM}/text?view=reading").status_code == 422
    assert client.get("/v1/documents/nope/text").status_code == 404
    assert client.get(f"{TELEGRAM}/passages/p99").status_code == 404
    assert client.get(f"{TELEGRAM}/passages?cursor=abc").status_code == 400
