"""Entities, events, mentions, cross-references and the graph over the seed corpus."""

from fastapi.testclient import TestClient

TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
SEED_000 = "why-did-the-ussr-refuse-to-repatriate-allied-pows"
SEED_001 = "russian-liberation-movement-the-allies"
SEED_003 = "bodega-why-did-the-usa-ussr-alliance-break-down"


def all_items(client: TestClient, url: str) -> list[dict]:  # type: ignore[type-arg]
    items: list[dict] = []  # type: ignore[type-arg]
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        url = body["next"]
    return items


def test_stalin_is_named_in_seeds_001_and_003_only(client: TestClient) -> None:
    mentions = all_items(client, "/v1/entities/joseph-stalin/mentions?limit=5")
    assert {m["document"] for m in mentions} == {SEED_001, SEED_003}
    for mention in mentions:
        snippet = mention["snippet"]
        assert snippet["match"] == mention["surface"]
        assert "Stalin" in mention["surface"]
        assert mention["status"] in ("auto", "curated")
    text = client.get(f"/v1/documents/{SEED_003}/text?view=full").text
    for mention in mentions:
        if mention["document"] == SEED_003 and mention["start"] is not None:
            assert text[mention["start"] : mention["end"]] == mention["surface"]


def test_soviet_union_spans_seeds_000_002_003(client: TestClient) -> None:
    documents = all_items(client, "/v1/entities/soviet-union/documents")
    assert {d["id"] for d in documents} == {SEED_000, TELEGRAM, SEED_003}
    entity = client.get("/v1/entities/soviet-union").json()
    assert entity["type"] == "place"
    assert entity["counts"]["documents"] == 3
    assert {"text": "USSR", "case_sensitive": True} in entity["aliases"]


def test_entity_list_filters(client: TestClient) -> None:
    people = all_items(client, "/v1/entities?type=person&limit=10")
    names = {p["id"] for p in people}
    for required in ("joseph-stalin", "w-averell-harriman", "susan-sontag", "bernard-gufler"):
        assert required in names, required
    assert all(p["type"] == "person" for p in people)
    by_prefix = client.get("/v1/entities?prefix=marshal").json()["items"]
    assert [e["id"] for e in by_prefix] == ["joseph-stalin"]  # alias "Marshal Stalin"
    frus = {e["id"] for e in all_items(client, "/v1/entities?collection=frus-1944-v04")}
    assert "combined-chiefs-of-staff" in frus and "joseph-stalin" not in frus
    assert client.get("/v1/entities?collection=nope").status_code == 404
    assert client.get("/v1/entities?type=planet").status_code == 422


def test_events_timeline(client: TestClient) -> None:
    february = client.get("/v1/events?date_from=1945-02&date_to=1945-02").json()["items"]
    assert [e["id"] for e in february] == ["yalta-conference"]
    yalta = client.get("/v1/events/yalta-conference").json()
    assert yalta["date"] == "1945-02-04/1945-02-11"
    assert yalta["place"] == "yalta"
    assert any(p["id"] == "joseph-stalin" for p in yalta["participants"])
    assert SEED_003 in {d["id"] for d in yalta["documents"]}
    timeline = all_items(client, "/v1/events")
    starts = [e["date_start"] for e in timeline if e["date_start"]]
    assert starts == sorted(starts)
    assert {"potsdam-conference", "yalta-conference"} <= {e["id"] for e in timeline}
    with_stalin = client.get("/v1/events?participant=joseph-stalin").json()["items"]
    assert "yalta-conference" in {e["id"] for e in with_stalin}
    assert client.get("/v1/events?date_from=1945-13").status_code == 422
    assert client.get("/v1/events/no-such-event").status_code == 404
    entity_view = client.get("/v1/entities/yalta-conference").json()
    assert entity_view["type"] == "event" and entity_view["event"]["type"] == "conference"
    assert yalta["type"] == "conference" and "event_type" not in yalta


def test_telegram_has_two_unresolved_outgoing_references(client: TestClient) -> None:
    refs = all_items(client, f"/v1/documents/{TELEGRAM}/cross-references?direction=out")
    explicit = [r for r in refs if r["origin"] != "inferred"]
    assert len(explicit) == 2
    assert all(not r["resolved"] for r in explicit)
    by_relation = {r["relation"]: r for r in explicit}
    assert by_relation["cites"]["target"]["value"] == "740.62114/9–2744"
    cites = by_relation["cites"]["source"]
    assert cites["footnote"] == "fn2" and cites["text"] == "740.62114/9–2744"
    note = client.get(f"/v1/documents/{TELEGRAM}/footnotes/fn2").json()
    assert note["text"][cites["passage_start"] : cites["passage_end"]] == cites["text"]
    assert cites["start"] is None  # a note's text is not part of the full text
    replies = by_relation["replies_to"]["source"]
    text = client.get(f"/v1/documents/{TELEGRAM}/text?view=full").text
    assert text[replies["start"] : replies["end"]] == replies["text"]
    p3 = client.get(f"/v1/documents/{TELEGRAM}/passages/{replies['passage']}").json()
    assert p3["text"][replies["passage_start"] : replies["passage_end"]] == replies["text"]
    assert by_relation["replies_to"]["target"]["value"] == "2212"
    unresolved = all_items(client, "/v1/cross-references?resolved=false")
    assert {r["id"] for r in explicit} <= {r["id"] for r in unresolved}
    one = client.get(f"/v1/cross-references/{explicit[0]['id']}").json()
    assert one == explicit[0]
    assert client.get("/v1/cross-references/999999").status_code == 404


def test_inferred_links_are_marked(client: TestClient) -> None:
    inferred = all_items(client, "/v1/cross-references?origin=inferred")
    for link in inferred:
        assert link["origin"] == "inferred" and link["resolved"]
        assert link["score"] is not None and link["reason"]


def test_document_entities_and_mentions_for_highlighting(client: TestClient) -> None:
    entities = all_items(client, f"/v1/documents/{TELEGRAM}/entities")
    ids = {e["id"] for e in entities}
    assert {"walter-edward-guinness", "combined-chiefs-of-staff", "bernard-gufler"} <= ids
    mentions = all_items(client, f"/v1/documents/{TELEGRAM}/mentions?limit=7")
    text = client.get(f"/v1/documents/{TELEGRAM}/text?view=full").text
    notes = {
        n["ref"]: n["text"]
        for n in client.get(f"/v1/documents/{TELEGRAM}/footnotes").json()["items"]
    }
    for mention in mentions:
        assert mention["entity_type"] in (
            "person",
            "place",
            "organization",
            "group",
            "term",
            "event",
        )
        assert mention["links"]["self"].endswith(f"/v1/mentions/{mention['id']}")
        if mention["container"] == "passage":
            assert mention["footnote"] is None
            assert text[mention["start"] : mention["end"]] == mention["surface"]
        else:
            assert mention["passage"] is None and mention["start"] is None
            held = notes[mention["footnote"]]
            assert held[mention["passage_start"] : mention["passage_end"]] == mention["surface"]
    kinds = [m["container"] for m in mentions]
    assert kinds == sorted(kinds, key=lambda k: k == "footnote")  # passages before notes


def test_graph_is_bounded(client: TestClient) -> None:
    graph = client.get("/v1/graph?center=entity:joseph-stalin&depth=2").json()
    node_ids = {n["id"] for n in graph["nodes"]}
    assert graph["center"] == "entity:joseph-stalin" in node_ids
    assert f"document:{SEED_003}" in node_ids
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in graph["edges"])
    small = client.get(f"/v1/graph?center={TELEGRAM}&depth=2&limit=5").json()
    assert len(small["nodes"]) == 5 and small["truncated"] is True
    assert client.get("/v1/graph?center=nothing").status_code == 404
    assert client.get("/v1/graph?center=joseph-stalin&depth=3").status_code == 422


def test_unknown_ids_are_problems(client: TestClient) -> None:
    for url in (
        "/v1/entities/nobody",
        "/v1/entities/nobody/mentions",
        "/v1/entities/nobody/documents",
        "/v1/documents/nope/entities",
        "/v1/documents/nope/mentions",
        "/v1/documents/nope/events",
        "/v1/documents/nope/cross-references",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/problem+json"
