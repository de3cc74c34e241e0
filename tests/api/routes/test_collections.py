"""GET /v1/collections and /v1/collections/{id}, on both engines."""

from fastapi.testclient import TestClient


def test_lists_collections_with_counts(client: TestClient) -> None:
    body = client.get("/v1/collections").json()
    counts = {item["id"]: item["document_count"] for item in body["items"]}
    assert counts == {"frus-1944-v04": 1, "web-sources": 3}


def test_one_collection(client: TestClient) -> None:
    body = client.get("/v1/collections/frus-1944-v04").json()
    assert body["title"].startswith("Foreign Relations of the United States")
    assert body["links"]["documents"] == "http://testserver/v1/documents?collection=frus-1944-v04"
    documents = client.get(body["links"]["documents"]).json()["items"]
    assert [d["id"] for d in documents] == ["harriman-to-secretary-of-state-1944-09-24"]


def test_pagination_and_unknown_collection(client: TestClient) -> None:
    first = client.get("/v1/collections?limit=1").json()
    second = client.get(first["next"]).json()
    assert [first["items"][0]["id"], second["items"][0]["id"]] == ["frus-1944-v04", "web-sources"]
    assert second["next"] is None
    missing = client.get("/v1/collections/nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
