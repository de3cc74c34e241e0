"""GET /v1/documents/{id}/reading: one call holds what six endpoints serve, on both engines."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from tests.conftest import DbHandle

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
SEED = [
    TELEGRAM,
    "why-did-the-ussr-refuse-to-repatriate-allied-pows",
    "russian-liberation-movement-the-allies",
    "bodega-why-did-the-usa-ussr-alliance-break-down",
]


def every(client: TestClient, url: str, **params: Any) -> list[Any]:
    """Every item of a list endpoint, following ``next`` from small pages."""
    items: list[Any] = []
    response = client.get(url, params={"limit": 7, **params})
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if body["next"] is None:
            return items
        response = client.get(body["next"])


def separately(client: TestClient, document_id: str, **params: Any) -> dict[str, Any]:
    doc = f"/v1/documents/{document_id}"
    return {
        "metadata": client.get(doc).json(),
        "text": client.get(f"{doc}/text", params={"view": "full"}).text,
        "passages": every(client, f"{doc}/passages", **params),
        "footnotes": every(client, f"{doc}/footnotes", **params),
        "pages": every(client, f"{doc}/pages", **params),
        "mentions": every(client, f"{doc}/mentions", **params),
        "cross_references": {
            "outgoing": every(client, f"{doc}/cross-references", direction="out", **params),
            "incoming": every(client, f"{doc}/cross-references", direction="in", **params),
        },
    }


@pytest.mark.parametrize("document_id", SEED)
def test_the_bundle_holds_what_the_six_endpoints_serve(
    client: TestClient, document_id: str
) -> None:
    response = client.get(f"/v1/documents/{document_id}/reading")
    assert response.status_code == 200, response.text
    bundle = response.json()
    assert bundle["document"] == document_id and bundle["offsets"] == "codepoints"
    assert bundle["length"] == len(bundle["text"])
    assert bundle["links"]["self"].endswith(f"/v1/documents/{document_id}/reading")
    assert {k: bundle[k] for k in separately(client, document_id)} == separately(
        client, document_id
    )
    for mention in bundle["mentions"]:
        assert mention["entity"] and mention["entity_name"] and mention["entity_type"]


def test_the_telegram_bundle_has_every_kind_of_part(client: TestClient) -> None:
    bundle = client.get(f"/v1/documents/{TELEGRAM}/reading").json()
    assert [n["marker"] for n in bundle["footnotes"]] == ["66", "67", "68"]
    assert [p["n"] for p in bundle["pages"]] == ["1254"]
    assert len(bundle["passages"]) == bundle["metadata"]["counts"]["passages"]
    assert bundle["mentions"] and bundle["cross_references"]["outgoing"]
    text = bundle["text"]
    for mention in bundle["mentions"]:
        if mention["start"] is not None:
            assert text[mention["start"] : mention["end"]] == mention["surface"]


def test_one_etag_and_304(client: TestClient) -> None:
    url = f"/v1/documents/{TELEGRAM}/reading"
    first = client.get(url)
    tag = first.headers["etag"]
    assert client.get(url).headers["etag"] == tag
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    utf16 = client.get(url, params={"offsets": "utf16"})
    assert utf16.headers["etag"] != tag  # another representation, another tag


def test_utf16_matches_the_endpoints_in_utf16(client: TestClient) -> None:
    bundle = client.get(f"/v1/documents/{TELEGRAM}/reading", params={"offsets": "utf16"}).json()
    assert bundle["offsets"] == "utf16"
    assert bundle["links"]["self"].endswith("/reading?offsets=utf16")
    expected = separately(client, TELEGRAM, offsets="utf16")
    assert {k: bundle[k] for k in expected} == expected


def test_unknown_and_bad_requests(client: TestClient) -> None:
    missing = client.get("/v1/documents/no-such-document/reading")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert client.get(f"/v1/documents/{TELEGRAM}/reading?offsets=bytes").status_code == 422
    assert client.get(f"/v1/documents/{TELEGRAM}/reading?view=full").status_code == 400


def test_astral_text_in_utf16_and_a_deleted_document(fresh_db: DbHandle) -> None:
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="curator", scope="curate")
    headers = {"Authorization": f"Bearer {key}"}
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as client:
        made = client.post(
            "/v1/documents",
            headers=headers,
            json={
                "id": "astral",
                "collection": "frus-1944-v04",
                "title": "Astral",
                "source_type": "primary",
                "text": "😀 Lord Moyne[^1] met 😀 Stalin.\n\n[Page 2]\n\n😀😀 Stalin again.",
                "footnotes": [{"marker": "1", "text": "😀 Stalin's man."}],
            },
        )
        assert made.status_code == 201, made.text
        url = "/v1/documents/astral/reading"
        bundle = client.get(url, params={"offsets": "utf16"}).json()
        encoded = bundle["text"].encode("utf-16-le")

        def units(start: int, end: int) -> str:
            return encoded[2 * start : 2 * end].decode("utf-16-le")

        assert bundle["length"] == len(encoded) // 2
        for passage in bundle["passages"]:
            assert units(passage["start"], passage["end"]) == passage["text"]
        in_text = [m for m in bundle["mentions"] if m["container"] == "passage"]
        assert [m["surface"] for m in in_text] == ["Lord Moyne", "Stalin", "Stalin"]
        for mention in in_text:
            assert units(mention["start"], mention["end"]) == mention["surface"]
        assert units(0, bundle["footnotes"][0]["start"]).endswith("Lord Moyne")
        assert units(bundle["pages"][0]["start"], bundle["length"]) == "😀😀 Stalin again."
        tag = client.get("/v1/documents/astral").headers["etag"]
        deleted = client.delete("/v1/documents/astral", headers={**headers, "If-Match": tag})
        assert deleted.status_code == 204, deleted.text
        gone = client.get(url)
        assert (
            gone.status_code == 410 and gone.headers["content-type"] == "application/problem+json"
        )
