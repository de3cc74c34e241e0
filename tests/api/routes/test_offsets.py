"""``?offsets=utf16``: every offset a route serves, counted as JavaScript counts.

Two documents with characters outside the Basic Multilingual Plane (𝄞, 😀) are imported
here, one from Markdown (emphasis, a note) and one posted as annotated text (a note, a
page break). In UTF-16 each such character is two code units, so an offset in code points
lands early; with ``offsets=utf16`` slicing the UTF-16 text gives the very words.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from api.ingest.importer import import_sources
from api.ingest.sources import Options, discover
from api.records.offsets import Utf16Map, utf16_length
from tests.conftest import DbHandle

MARKDOWN = """---
title: Astral paper
---

# The 𝄞 heading

Before 😀 the _𝄞 Current Notes_ said Stalin met Churchill [1].

After 𝄞𝄞 the Stalin note.

1 A note on 😀 Stalin.
"""
ASTRAL = "/v1/documents/astral"
POSTED = "/v1/documents/astral-telegram"
UTF16 = {"offsets": "utf16"}


def units(text: str, start: int, end: int) -> str:
    """``text.slice(start, end)`` as JavaScript slices: by UTF-16 code units."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


@pytest.fixture
def client(fresh_db: DbHandle, tmp_path: Path) -> Iterator[TestClient]:
    source = tmp_path / "astral.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    report = import_sources(fresh_db.engine, discover([source])[0], Options(collection="papers"))
    assert report.failures == []
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="curator", scope="curate")
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as test_client:
        created = test_client.post(
            "/v1/documents",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "id": "astral-telegram",
                "collection": "papers",
                "title": "Astral telegram",
                "source_type": "primary",
                "text": "Lord 𝄞 Moyne[^1] was 😀 in Cairo.\n\n[Page 2]\n\n😀 Stalin wrote.",
                "footnotes": [{"marker": "1", "text": "𝄞 Minister Resident, not Stalin."}],
            },
        )
        assert created.status_code == 201, created.text
        test_client.headers["Authorization"] = f"Bearer {key}"
        yield test_client


def get(client: TestClient, url: str, **params: Any) -> Any:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_conversion() -> None:
    assert not Utf16Map("plain ascii") and Utf16Map("plain ascii")(5) == 5
    text = "a𝄞b😀c"
    utf16 = Utf16Map(text)
    assert [utf16(i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 7]
    assert utf16.within(1, 2) == 3  # "b😀" from the 𝄞: two units for 𝄞, one for b
    assert utf16_length(text) == len(text.encode("utf-16-le")) // 2 == 7


def test_text_passages_marks_footnotes_and_pages(client: TestClient) -> None:
    full = client.get(f"{ASTRAL}/text", params={"view": "full"}).text
    served = client.get(
        f"{ASTRAL}/text", params={"view": "full", **UTF16}, headers={"Accept": "application/json"}
    ).json()
    assert served["length"] == utf16_length(full) > len(full)
    passages = get(client, f"{ASTRAL}/passages", **UTF16)["items"]
    for segment, passage in zip(served["passages"], passages, strict=True):
        assert units(full, segment["start"], segment["end"]) == passage["text"]
        assert units(full, passage["start"], passage["end"]) == passage["text"]
        for mark in passage["marks"]:
            assert units(full, mark["start"], mark["end"]) == "𝄞 Current Notes"
            inside = units(passage["text"], mark["passage_start"], mark["passage_end"])
            assert inside == "𝄞 Current Notes"
    assert any(p["marks"] for p in passages)
    marked = next(p for p in passages if p["marks"])
    assert get(client, marked["links"]["self"], **UTF16) == marked
    (note,) = get(client, f"{ASTRAL}/footnotes", **UTF16)["items"]
    assert units(full, 0, note["start"]).endswith("Churchill")
    holder = next(p for p in passages if p["ref"] == note["passage"])
    assert units(holder["text"], 0, note["passage_start"]).endswith("Churchill")
    assert get(client, note["links"]["self"], **UTF16) == note
    posted = client.get(f"{POSTED}/text", params={"view": "full"}).text
    (page,) = get(client, f"{POSTED}/pages", **UTF16)["items"]
    assert units(posted, page["start"], utf16_length(posted)).startswith("😀 Stalin wrote")
    assert get(client, page["links"]["self"], **UTF16) == page
    (moyne,) = get(client, f"{POSTED}/footnotes", **UTF16)["items"]
    assert units(posted, 0, moyne["start"]).endswith("Lord 𝄞 Moyne")


def test_mentions_in_passages_and_notes(client: TestClient) -> None:
    full = client.get(f"{ASTRAL}/text", params={"view": "full"}).text
    mentions = get(client, f"{ASTRAL}/mentions", **UTF16)["items"]
    passages = {p["ref"]: p["text"] for p in get(client, f"{ASTRAL}/passages")["items"]}
    notes = {n["ref"]: n["text"] for n in get(client, f"{ASTRAL}/footnotes")["items"]}
    assert {m["container"] for m in mentions} == {"passage", "footnote"}
    for m in mentions:
        if m["container"] == "passage":
            assert units(full, m["start"], m["end"]) == m["surface"]
            held = passages[m["passage"]]
        else:
            assert m["start"] is None and m["end"] is None
            held = notes[m["footnote"]]
        assert units(held, m["passage_start"], m["passage_end"]) == m["surface"]
        single = get(client, m["links"]["self"], **UTF16)  # with a snippet, as one is shown
        assert single == {**m, "snippet": single["snippet"]}
    stalin = get(client, "/v1/entities/joseph-stalin/mentions", document="astral", **UTF16)
    assert {m["id"] for m in stalin["items"]} <= {m["id"] for m in mentions}
    assert any(m["start"] for m in stalin["items"])
    for m in stalin["items"]:
        if m["start"] is not None:
            assert units(full, m["start"], m["end"]) == m["surface"]
    plain = get(client, f"{ASTRAL}/mentions")["items"]
    for m in plain:  # code points, the default: Python slices the same words
        if m["start"] is not None:
            assert full[m["start"] : m["end"]] == m["surface"]


def test_search_hits(client: TestClient) -> None:
    full = client.get(f"{ASTRAL}/text", params={"view": "full"}).text
    body = get(client, f"{ASTRAL}/search", q="Stalin", **UTF16)
    assert {h["container"] for h in body["items"]} == {"passage", "footnote"}
    for hit in body["items"]:
        held = get(client, hit["links"][hit["container"]])["text"]
        for span in hit["matches"]:
            assert units(held, span["passage_start"], span["passage_end"]) == "Stalin"
            if hit["container"] == "passage":
                assert units(full, span["start"], span["end"]) == "Stalin"
        for light in hit["snippet"]["highlights"]:
            found = units(hit["snippet"]["text"], light["snippet_start"], light["snippet_end"])
            assert found == "Stalin"
    everywhere = get(client, "/v1/search", q="Churchill", document="astral", **UTF16)
    (hit,) = everywhere["items"]
    (span,) = hit["matches"]
    assert units(full, span["start"], span["end"]) == "Churchill"


def test_cross_references_and_annotations(client: TestClient) -> None:
    full = client.get(f"{ASTRAL}/text", params={"view": "full"}).text
    p2 = next(p for p in get(client, f"{ASTRAL}/passages")["items"] if "Churchill" in p["text"])
    at = p2["text"].index("Churchill")
    made = client.post(
        "/v1/cross-references",
        json={
            "source": {
                "document": "astral",
                "passage": p2["ref"],
                "passage_start": at,
                "passage_end": at + len("Churchill"),
            },
            "relation": "see_also",
            "target": {"document": "astral-telegram"},
        },
    )
    assert made.status_code == 201, made.text
    xref = get(client, made.json()["links"]["self"], **UTF16)
    anchor = xref["source"]
    assert units(full, anchor["start"], anchor["end"]) == "Churchill" == anchor["text"]
    assert units(p2["text"], anchor["passage_start"], anchor["passage_end"]) == "Churchill"
    listed = get(client, f"{ASTRAL}/cross-references", direction="out", **UTF16)["items"]
    assert xref in listed
    assert xref in get(client, "/v1/cross-references", origin="curated", **UTF16)["items"]
    page = get(client, f"{ASTRAL}/annotations", **UTF16)
    notes = {n["links"]["self"]: n["text"] for n in get(client, f"{ASTRAL}/footnotes")["items"]}
    for annotation in page["items"]:
        target = annotation["target"]
        position, quote = target["selector"]
        text = full if target["source"].endswith("/text?view=full") else None
        if text is None:
            text = next(t for url, t in notes.items() if url == target["source"])
        assert units(text, position["start"], position["end"]) == quote["exact"]
    standard = get(client, f"{ASTRAL}/annotations")
    for annotation in standard["items"]:  # code points by default, as the model has them
        position, quote = annotation["target"]["selector"]
        if annotation["target"]["source"].endswith("/text?view=full"):
            assert full[position["start"] : position["end"]] == quote["exact"]
