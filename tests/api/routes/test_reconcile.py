"""The Reconciliation Service API 0.2 at /reconcile, over the seed corpus on both engines.

Every JSON answer is checked against the specification's own JSON Schemas when they are at
../shared/specs/reconciliation-api-0.2 (opt-in like the corpus tests; CI has them), and the
specification's example query batches are sent as they are: the valid ones answered, the
invalid ones refused. The last test reconciles a column of names from the seed texts and
from DFAT volume 8 (when ../shared/corpus is there).
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from api.ingest.importer import import_sources
from api.ingest.sources import Options, discover
from api.settings import PROJECT_ROOT
from tests.conftest import DatabaseFactory, DbHandle

SPECS = PROJECT_ROOT.parent / "shared" / "specs" / "reconciliation-api-0.2"
DFAT = PROJECT_ROOT.parent / "shared" / "corpus" / "dfat-volume-8-1945"
SWAGGER = "http://swagger.io/v2/schema.json"  # the id manifest.json refers to openapi.json by
BASE = "https://quellen.example.org"
TYPES = {"person", "place", "organization", "group", "term", "event"}
needs_specs = pytest.mark.skipif(not SPECS.is_dir(), reason=f"no specification at {SPECS}")


class Schemas:
    """The specification's JSON Schemas, each ``$ref`` resolved among them (offline)."""

    def __init__(self, root: Path):
        loaded = {p.stem: json.loads(p.read_text()) for p in (root / "schemas").glob("*.json")}
        registry = jsonschema_rs.Registry(
            [(SWAGGER if name == "openapi" else s["$id"], s) for name, s in loaded.items()]
        )
        self.validators = {
            name: jsonschema_rs.Draft7Validator(schema, registry=registry, offline=True)
            for name, schema in loaded.items()
        }

    def check(self, kind: str, instance: Any) -> None:
        errors = [error.message for error in self.validators[kind].iter_errors(instance)]
        assert not errors, f"not a valid {kind}: {errors[:3]}"


_SCHEMAS = Schemas(SPECS) if SPECS.is_dir() else None


def conforms(kind: str, instance: Any) -> Any:
    """``instance``, checked against the schema of its kind when the schemas are here."""
    if _SCHEMAS is not None:
        _SCHEMAS.check(kind, instance)
    return instance


def answer(response: Any, kind: str) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["access-control-allow-origin"] == "*"
    return conforms(kind, response.json())


def reconcile(client: TestClient, queries: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    body = answer(
        client.post("/reconcile", data={"queries": json.dumps(queries)}),
        "reconciliation-result-batch",
    )
    assert body.keys() == queries.keys()
    for results in body.values():
        candidates = results["result"]
        assert sum(c["match"] for c in candidates) <= 1  # never two certain matches
        assert all(0 <= c["score"] <= 100 for c in candidates)
        exact = [c for c in candidates if _feature(c, "name_exact")]
        assert candidates[: len(exact)] == exact  # exact names and aliases come first
        for part in (exact, candidates[len(exact) :]):
            assert [c["score"] for c in part] == sorted((c["score"] for c in part), reverse=True)
    return {key: results["result"] for key, results in body.items()}


def _feature(candidate: dict[str, Any], name: str) -> Any:
    return next((f["value"] for f in candidate["features"] if f["id"] == name), None)


def problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["access-control-allow-origin"] == "*"
    detail: str = response.json()["detail"]
    return detail


def test_the_manifest_describes_the_service(client: TestClient) -> None:
    manifest = answer(client.get("/reconcile"), "manifest")
    base = "http://testserver"
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == f"{base}/v1/entities/"
    assert manifest["schemaSpace"] == f"{base}/reconcile/properties"
    assert {t["id"] for t in manifest["defaultTypes"]} == TYPES
    assert manifest["batchSize"] == 100 and "authentication" not in manifest
    view = manifest["view"]["url"].replace("{{id}}", "joseph-stalin")
    assert view == f"{base}/entities/joseph-stalin"  # the reading site's page
    assert client.get(view).status_code == 200
    preview = manifest["preview"]
    assert (preview["width"], preview["height"]) == (400, 200)
    assert client.get(preview["url"].replace("{{id}}", "joseph-stalin")).status_code == 200
    for kind in ("entity", "type", "property"):
        service = manifest["suggest"][kind]
        url = service["service_url"] + service["service_path"]
        assert url == f"{base}/reconcile/suggest/{kind}"
        plural = {"entity": "entities", "type": "types", "property": "properties"}[kind]
        answer(client.get(url, params={"prefix": "s"}), f"suggest-{plural}-response")
    proposals = manifest["extend"]["propose_properties"]
    answer(
        client.get(proposals["service_url"] + proposals["service_path"], params={"type": "person"}),
        "data-extension-property-proposal",
    )
    assert client.get("/reconcile").headers["etag"]


def test_a_public_url_makes_the_manifests_uris(seeded_db: DbHandle) -> None:
    settings = seeded_db.app_settings(public_url=BASE, reader=False)
    with TestClient(create_app(settings, engine=seeded_db.engine)) as client:
        manifest = answer(client.get("/reconcile"), "manifest")
    assert manifest["identifierSpace"] == f"{BASE}/v1/entities/"
    assert manifest["view"]["url"] == f"{BASE}/v1/entities/{{{{id}}}}"  # no reading site
    assert manifest["preview"]["url"] == f"{BASE}/reconcile/preview?id={{{{id}}}}"


def test_exact_names_and_aliases_come_first_and_match_only_when_unique(
    client: TestClient,
) -> None:
    found = reconcile(
        client,
        {
            "harriman": {"query": "Harriman"},
            "averell": {"query": "Averell  Harriman", "type": "person"},
            "moyne": {"query": "lord moyne"},
            "misspelt": {"query": "Harimann"},
            "inverted": {"query": "Stalin, Joseph"},
            "surname": {"query": "Kerr"},
            "embassy": {"query": "British Embassy"},
            "title": {"query": "President"},
            "allies": {"query": "Allies"},
            "lower": {"query": "allies"},
            "ussr": {"query": "USSR"},
            "id": {"query": "joseph-stalin"},
            "nobody": {"query": "Evatt"},
            "limited": {"query": "Embassy", "limit": 1},
        },
    )

    def first(key: str) -> tuple[str, bool]:
        return found[key][0]["id"], found[key][0]["match"]

    assert first("harriman") == ("w-averell-harriman", True)  # an alias
    assert first("averell") == ("w-averell-harriman", True)  # spaces collapse
    assert first("moyne") == ("walter-edward-guinness", True)  # case folds
    harriman = found["harriman"][0]
    assert harriman["type"] == [{"id": "person", "name": "Person"}]
    assert harriman["score"] >= 96 and "1891-11-15/1986-07-26" in harriman["description"]
    assert _feature(harriman, "documents") == 1
    # near, not exact: first, but never certain
    assert first("misspelt") == ("w-averell-harriman", False)
    assert first("inverted") == ("joseph-stalin", False)
    assert first("surname") == ("archibald-clark-kerr", False)  # "Kerr" is no alias
    assert first("id") == ("joseph-stalin", False)  # an id names, but is no name
    assert found["id"][0]["score"] >= 90
    # several equally near: none is a match
    assert {c["id"] for c in found["embassy"][:2]} == {
        "british-embassy-moscow",
        "british-embassy-washington",
    }
    assert found["embassy"][0]["score"] == found["embassy"][1]["score"]
    assert {c["id"] for c in found["title"][:2]} == {"franklin-d-roosevelt", "harry-s-truman"}
    for key in ("embassy", "title"):
        assert not any(c["match"] for c in found[key]), key
    # "Allies" is case-sensitive in the registry, "USSR" too: folded, they are no alias
    assert first("allies") == ("allies", True)
    assert first("lower") == ("allies", False)
    assert first("ussr") == ("soviet-union", True)
    assert found["nobody"] == []
    assert len(found["limited"]) == 1


def test_types_and_properties_narrow_and_weigh(client: TestClient) -> None:
    found = reconcile(
        client,
        {
            "place": {"query": "Potsdam", "type": "place"},
            "event": {"query": "Potsdam", "type": ["event"]},
            "by_property": {"query": "Potsdam", "properties": [{"pid": "type", "v": "event"}]},
            "unknown_type": {"query": "Potsdam", "type": "planet"},
            "alive": {"query": "Stalin", "properties": [{"pid": "dates", "v": "1945-02"}]},
            "dead": {"query": "Stalin", "properties": [{"pid": "dates", "v": "1960"}]},
            "no_date": {"query": "Stalin", "properties": [{"pid": "dates", "v": "soon"}]},
            "alias": {
                "query": "Guinness",
                "properties": [{"pid": "aliases", "v": ["Lord Moyne", "Someone"]}],
            },
            "aliases_only": {"properties": [{"pid": "aliases", "v": "Gufler"}]},
            "dates_only": {
                "properties": [
                    {"pid": "dates", "v": "1944-11-06/1944-11-07"},
                    {"pid": "type", "v": {"id": "person", "name": "Person"}},
                ],
                "limit": 50,
            },
            "unknown_pid": {"query": "Moscow", "properties": [{"pid": "population", "v": 4}]},
        },
    )
    assert [c["id"] for c in found["place"]] == ["potsdam"] and found["place"][0]["match"]
    assert found["event"][0]["id"] == "potsdam-conference"
    assert not found["event"][0]["match"]  # "Potsdam" is not the conference's name
    assert [c["id"] for c in found["by_property"]] == [c["id"] for c in found["event"]]
    assert found["unknown_type"] == []
    alive, dead = found["alive"][0], found["dead"][0]
    assert alive["id"] == dead["id"] == "joseph-stalin"
    assert alive["match"] and _feature(alive, "dates_overlap") is True
    assert not dead["match"] and _feature(dead, "dates_overlap") is False
    assert dead["score"] < alive["score"] - 20
    assert found["no_date"][0]["match"] and _feature(found["no_date"][0], "dates_overlap") is None
    guinness = found["alias"][0]
    assert guinness["id"] == "walter-edward-guinness" and not guinness["match"]
    assert _feature(guinness, "aliases_match") is True
    assert [(c["id"], c["match"]) for c in found["aliases_only"]] == [("bernard-gufler", True)]
    living = {c["id"] for c in found["dates_only"]}
    assert {"walter-edward-guinness", "joseph-stalin", "w-averell-harriman"} <= living
    assert "franklin-d-roosevelt" in living and "ida-husted-harper" not in living  # d. 1931
    assert "gore-booth" not in living  # no dates: nothing to say he was alive
    assert not any(c["match"] for c in found["dates_only"])
    assert all(_feature(c, "dates_overlap") for c in found["dates_only"])
    assert found["unknown_pid"][0]["id"] == "moscow" and found["unknown_pid"][0]["match"]


def test_get_takes_the_same_queries_as_post(client: TestClient) -> None:
    queries = {"q0": {"query": "Churchill"}, "q1": {"query": "Yalta", "type": "event"}}
    by_get = answer(
        client.get("/reconcile", params={"queries": json.dumps(queries)}),
        "reconciliation-result-batch",
    )
    assert by_get == {k: {"result": v} for k, v in reconcile(client, queries).items()}
    assert by_get["q0"]["result"][0]["id"] == "winston-churchill"
    assert by_get["q1"]["result"][0]["id"] == "yalta-conference"


@pytest.mark.parametrize(
    ("queries", "status", "says"),
    [
        ("{bad", 400, "not valid JSON: Expecting property name"),
        ('{"q0": {"query": "x"}', 400, "not valid JSON"),
        ('[{"query": "Harriman"}]', 400, "must be a JSON object"),
        ('{"q0": "Harriman"}', 400, "query 'q0' must be an object"),
        ('{"q0": {"query": "x", "props": []}}', 400, "'props' is not a field"),
        ('{"q0": {"limit": 3}}', 400, "give a 'query' string"),
        ('{"q0": {"properties": []}}', 400, "give a 'query' string"),
        ('{"q0": {"query": 3}}', 400, "'query' must be a string"),
        ('{"q0": {"query": "x", "type": 3}}', 400, "'type' must be a type id"),
        ('{"q0": {"query": "x", "limit": 0}}', 400, "positive whole number"),
        ('{"q0": {"query": "x", "limit": 2.5}}', 400, "positive whole number"),
        ('{"q0": {"query": "x", "limit": "5"}}', 400, "'limit' must be a number"),
        ('{"q0": {"query": "x", "limit": 51}}', 400, "at most 50"),
        ('{"q0": {"query": "x", "type_strict": "some"}}', 400, "'type_strict' is one of"),
        ('{"q0": {"query": "x", "properties": [{"pid": "dates"}]}}', 400, "'pid'"),
        ('{"q0": {"query": "x", "properties": [{"pid": "a", "v": [[1]]}]}}', 400, "a value is"),
        ('{"q0": {"query": "x\\u0000"}}', 400, "NUL"),
        ("[" * 100_000 + "]" * 100_000, 400, "too deeply"),
        ('{"q0": {"query": "x", "limit": ' + "9" * 5000 + "}}", 400, "not usable JSON"),
        (json.dumps({f"q{n}": {"query": "x"} for n in range(101)}), 413, "at most 100 queries"),
    ],
)
def test_malformed_queries_are_refused_with_what_is_wrong(
    client: TestClient, queries: str, status: int, says: str
) -> None:
    assert says in problem(client.post("/reconcile", data={"queries": queries}), status)
    if len(queries) < 2000:
        assert says in problem(client.get("/reconcile", params={"queries": queries}), status)


def test_a_request_is_one_thing_in_the_protocols_form(client: TestClient) -> None:
    both = {"queries": "{}", "extend": '{"ids": [], "properties": []}'}
    assert "not both" in problem(client.post("/reconcile", data=both), 400)
    assert "not both" in problem(client.get("/reconcile", params=both), 400)
    assert "form field" in problem(client.post("/reconcile", data={}), 400)
    json_body = client.post("/reconcile", json={"q0": {"query": "Harriman"}})
    assert "application/json" in problem(json_body, 415)
    assert (
        answer(client.post("/reconcile", data={"queries": "{}"}), "reconciliation-result-batch")
        == {}
    )


def test_suggest_completes_names_types_and_properties(client: TestClient) -> None:
    entities = answer(
        client.get("/reconcile/suggest/entity", params={"prefix": "harr"}),
        "suggest-entities-response",
    )["result"]
    ids = [e["id"] for e in entities]
    assert ids[:2] == ["harry-s-truman", "w-averell-harriman"]  # the name, then an alias
    harriman = entities[1]
    assert harriman["notable"] == [{"id": "person", "name": "Person"}]
    assert "Ambassador to the Soviet Union" in harriman["description"]
    places = answer(
        client.get("/reconcile/suggest/entity", params={"prefix": "MOS", "type": "place"}),
        "suggest-entities-response",
    )["result"]
    assert [e["id"] for e in places] == ["moscow"]
    by_word = client.get("/reconcile/suggest/entity", params={"prefix": "kerr"}).json()
    assert [e["id"] for e in by_word["result"]] == ["archibald-clark-kerr"]
    by_id = client.get("/reconcile/suggest/entity", params={"prefix": "w-av"}).json()
    assert [e["id"] for e in by_id["result"]] == ["w-averell-harriman"]
    first = client.get("/reconcile/suggest/entity").json()["result"]
    second = client.get("/reconcile/suggest/entity", params={"cursor": 10}).json()["result"]
    assert len(first) == len(second) == 10
    assert not {e["id"] for e in first} & {e["id"] for e in second}
    types = answer(
        client.get("/reconcile/suggest/type", params={"prefix": "Pl"}), "suggest-types-response"
    )
    assert types["result"] == [
        {"id": "place", "name": "Place", "description": "a country, region, city or other place"}
    ]
    properties = answer(
        client.get("/reconcile/suggest/property", params={"prefix": "date"}),
        "suggest-properties-response",
    )
    assert [p["id"] for p in properties["result"]] == ["dates", "date_start", "date_end"]
    assert client.get("/reconcile/suggest/entity", params={"type": "planet"}).status_code == 422
    assert client.get("/reconcile/suggest/type", params={"cursor": -1}).status_code == 422


def test_properties_are_proposed_by_type(client: TestClient) -> None:
    def proposed(**params: Any) -> list[str]:
        body = answer(
            client.get("/reconcile/properties", params=params), "data-extension-property-proposal"
        )
        assert body.get("type") == params.get("type")
        return [p["id"] for p in body["properties"]]

    person = proposed(type="person")
    assert {"aliases", "dates", "date_start", "date_end", "documents", "external_ids"} <= set(
        person
    )
    assert "members" not in person and "participants" not in person
    assert "members" in proposed(type="group")
    assert {"place", "participants"} <= set(proposed(type="event"))
    assert len(proposed()) == len(set(proposed(type="group")) | set(proposed(type="event")))
    assert proposed(type="person", limit=2) == person[:2]
    assert client.get("/reconcile/properties", params={"type": "planet"}).status_code == 422


def test_data_extension_fetches_the_registrys_values(client: TestClient) -> None:
    query = {
        "ids": ["walter-edward-guinness", "joseph-stalin", "yalta-conference", "big-three", "nope"],
        "properties": [
            {"id": "aliases", "settings": {"limit": "2"}},
            {"id": "dates"},
            {"id": "date_start"},
            {"id": "date_end"},
            {"id": "description"},
            {"id": "type"},
            {"id": "documents"},
            {"id": "external_ids"},
            {"id": "same_as"},
            {"id": "members"},
            {"id": "place"},
            {"id": "participants", "settings": {"limit": 0}},
            {"id": "variantName"},
        ],
    }
    body = answer(
        client.post("/reconcile", data={"extend": json.dumps(query)}), "data-extension-response"
    )
    assert [m["id"] for m in body["meta"]] == [p["id"] for p in query["properties"]]
    assert body["meta"][-1] == {"id": "variantName", "name": "variantName"}
    rows = body["rows"]
    assert list(rows) == query["ids"]
    moyne = rows["walter-edward-guinness"]
    assert moyne["aliases"] == [{"str": "Walter Edward Guinness"}, {"str": "Walter Guinness"}]
    assert moyne["dates"] == [{"str": "1880-03-29/1944-11-06"}]
    assert moyne["date_start"] == [{"date": "1880-03-29T00:00:00Z"}]
    assert moyne["date_end"] == [{"date": "1944-11-06T00:00:00Z"}]
    assert moyne["type"] == [{"str": "person"}] and moyne["documents"] == [{"int": 1}]
    assert moyne["external_ids"] == [] and moyne["variantName"] == []
    stalin = rows["joseph-stalin"]
    assert stalin["external_ids"] == [{"str": "wikidata:Q855"}]
    assert stalin["same_as"] == [{"str": "http://www.wikidata.org/entity/Q855"}]
    assert stalin["documents"] == [{"int": 2}]
    yalta = rows["yalta-conference"]
    assert yalta["place"] == [{"id": "yalta", "name": "Yalta"}]
    assert {"id": "joseph-stalin", "name": "Joseph Stalin"} in yalta["participants"]
    assert {"id": "joseph-stalin", "name": "Joseph Stalin"} in rows["big-three"]["members"]
    assert all(values == [] for values in rows["nope"].values())
    by_get = client.get("/reconcile", params={"extend": json.dumps(query)})
    assert answer(by_get, "data-extension-response") == body


@pytest.mark.parametrize(
    ("extend", "status", "says"),
    [
        ("{", 400, "extend is not valid JSON"),
        ('["joseph-stalin"]', 400, "extend must be a JSON object"),
        ('{"ids": "joseph-stalin", "properties": []}', 400, "'ids' must be a list"),
        ('{"ids": [], "properties": {}}', 400, "'properties' must be a list"),
        ('{"ids": [], "properties": [{"name": "aliases"}]}', 400, 'an "id"'),
        ('{"ids": [], "properties": [{"id": "a", "settings": {"limit": -1}}]}', 400, "0 or more"),
        (json.dumps({"ids": [str(n) for n in range(101)], "properties": []}), 413, "at most 100"),
    ],
)
def test_malformed_extension_queries_are_refused(
    client: TestClient, extend: str, status: int, says: str
) -> None:
    assert says in problem(client.post("/reconcile", data={"extend": extend}), status)


def test_the_preview_is_a_small_page_any_site_may_frame(client: TestClient) -> None:
    response = client.get("/reconcile/preview", params={"id": "walter-edward-guinness"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["access-control-allow-origin"] == "*"
    assert "x-frame-options" not in response.headers
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors *" in policy and "default-src 'none'" in policy
    assert "<script" not in response.text.lower()
    page = response.text
    for shown in (
        "<h1>Walter Edward Guinness, 1st Baron Moyne</h1>",
        "Person · 1880-03-29/1944-11-06",
        "Assassinated in Cairo on 6 November 1944.",
        "Lord Moyne",
        "Named in 1 document",
        'href="http://testserver/entities/walter-edward-guinness"',
    ):
        assert shown in page, shown
    assert "max-width:380px" in page  # within the manifest's 400 by 200
    missing = client.get("/reconcile/preview", params={"id": "no-such-entity"})
    assert "no-such-entity" in problem(missing, 404)
    # the rest of the API may still not be framed
    assert client.get("/reconcile").headers["x-frame-options"] == "DENY"


def test_every_origin_may_call_the_service_and_only_the_service(seeded_db: DbHandle) -> None:
    settings = seeded_db.app_settings(cors_origins=["https://allowed.example"])
    other = {"Origin": "https://refine.example"}
    with TestClient(create_app(settings, engine=seeded_db.engine)) as client:
        for url in ("/reconcile", "/reconcile/suggest/type", "/reconcile/nothing-here"):
            response = client.get(url, headers=other)
            assert response.headers["access-control-allow-origin"] == "*", url
            assert "access-control-allow-credentials" not in response.headers
        preflight = client.options(
            "/reconcile",
            headers={
                **other,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "*"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert "Authorization" in preflight.headers["access-control-allow-headers"]
        allowed = client.get("/reconcile", headers={"Origin": "https://allowed.example"})
        assert allowed.headers["access-control-allow-origin"] == "*"
        # the rest of the API keeps QUELLEN_CORS_ORIGINS
        assert (
            "access-control-allow-origin" not in client.get("/v1/entities", headers=other).headers
        )
        api_preflight = client.options(
            "/v1/entities", headers={**other, "Access-Control-Request-Method": "GET"}
        )
        assert api_preflight.status_code == 400
        listed = client.get("/v1/entities", headers={"Origin": "https://allowed.example"})
        assert listed.headers["access-control-allow-origin"] == "https://allowed.example"


def test_with_a_read_key_only_the_manifest_is_open(fresh_db: DbHandle) -> None:
    with session_scope(fresh_db.engine) as session:
        key = {"Authorization": f"Bearer {create_key(session, name='refine', scope='read')}"}
    settings = fresh_db.app_settings(require_read_key=True)
    queries = {"queries": json.dumps({"q0": {"query": "Harriman"}})}
    with TestClient(create_app(settings, engine=fresh_db.engine)) as client:
        manifest = answer(client.get("/reconcile"), "manifest")
        assert manifest["authentication"] == {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "description": manifest["authentication"]["description"],
        }
        refused = [
            client.post("/reconcile", data=queries),
            client.get("/reconcile", params=queries),
            client.get("/reconcile/suggest/entity", params={"prefix": "harr"}),
            client.get("/reconcile/properties"),
            client.get("/reconcile/preview", params={"id": "joseph-stalin"}),
        ]
        for response in refused:
            assert "API key" in problem(response, 401)
        found = client.post("/reconcile", data=queries, headers=key)
        assert answer(found, "reconciliation-result-batch")["q0"]["result"][0]["match"]
        assert client.get("/reconcile/preview?id=joseph-stalin", headers=key).status_code == 200
        wrong = client.post("/reconcile", data=queries, headers={"Authorization": "Bearer nope"})
        problem(wrong, 401)


@needs_specs
@pytest.mark.parametrize(
    "example",
    sorted((SPECS / "examples" / "reconciliation-query-batch").glob("*/*.json")),
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_the_specifications_query_examples(client: TestClient, example: Path) -> None:
    text = example.read_text()
    if example.parent.name == "valid":
        found = reconcile(client, json.loads(text))
        assert all(isinstance(results, list) for results in found.values())
    else:
        problem(client.post("/reconcile", data={"queries": text}), 400)


@needs_specs
@pytest.mark.parametrize(
    "example",
    sorted((SPECS / "examples" / "data-extension-query").glob("valid/*.json")),
    ids=lambda p: p.stem,
)
def test_the_specifications_extension_examples(client: TestClient, example: Path) -> None:
    body = answer(
        client.post("/reconcile", data={"extend": example.read_text()}), "data-extension-response"
    )
    assert set(body["rows"]) == set(json.loads(example.read_text())["ids"])


@needs_specs
def test_the_schemas_tell_good_from_bad() -> None:
    """The validator used above is itself right about the specification's examples."""
    assert _SCHEMAS is not None
    for folder in sorted((SPECS / "examples").iterdir()):
        if folder.name not in _SCHEMAS.validators:
            continue
        validator = _SCHEMAS.validators[folder.name]
        for example in folder.glob("*/*.json"):
            valid = validator.is_valid(json.loads(example.read_text()))
            assert valid == (example.parent.name == "valid"), example


# --- a column of names from the seed texts and DFAT volume 8 -----------------------------

COLUMN = [
    # (the cell, the type asked for, the entity expected first, whether it is a match)
    ("Harriman", None, "w-averell-harriman", True),
    ("Averell Harriman", "person", "w-averell-harriman", True),
    ("Lord Moyne", None, "walter-edward-guinness", True),
    ("Moscow", None, "moscow", True),
    ("Washington", "place", "washington", True),
    ("Potsdam", "place", "potsdam", True),
    ("United Nations", "organization", "united-nations", True),
    ("Foreign Office", None, "british-foreign-office", True),
    ("President Truman", None, "harry-s-truman", True),
    ("Harimann", None, "w-averell-harriman", False),
    ("Kerr", "person", "archibald-clark-kerr", False),
    ("Evatt", "person", None, False),
    ("Molotov", None, None, False),
    ("British Embassy", None, None, False),
    ("President", "person", None, False),
]


@pytest.fixture(scope="module")
def corpus_client(databases: DatabaseFactory) -> Iterator[TestClient]:
    """The seed corpus and DFAT volume 8, imported as `quellen import` would (SQLite)."""
    db = databases.seeded("sqlite")
    sources, problems = discover([DFAT])
    report = import_sources(db.engine, sources, Options())
    assert problems == [] and report.failures == []
    with TestClient(create_app(db.app_settings(), engine=db.engine)) as client:
        yield client


@pytest.mark.corpus
@pytest.mark.skipif(not DFAT.is_dir(), reason=f"no sample corpus at {DFAT}")
def test_a_column_of_names_from_the_seed_and_dfat_texts(corpus_client: TestClient) -> None:
    queries = {
        f"row{n}": {"query": cell, **({"type": type_} if type_ else {})}
        for n, (cell, type_, _, _) in enumerate(COLUMN)
    }
    found = reconcile(corpus_client, queries)
    for n, (cell, _, expected, match) in enumerate(COLUMN):
        candidates = found[f"row{n}"]
        if expected is None:
            assert not any(c["match"] for c in candidates), cell
            continue
        assert candidates[0]["id"] == expected, (cell, candidates[:2])
        assert candidates[0]["match"] is match, cell
    # no registry entry names Evatt or Molotov, though DFAT does: the registry is the seed's
    assert found["row11"] == [] and found["row12"] == []
    # two embassies and two presidents are equally near: neither is chosen
    embassies = {c["id"] for c in found["row13"][:2]}
    assert embassies == {"british-embassy-moscow", "british-embassy-washington"}
    assert {c["id"] for c in found["row14"][:2]} == {"franklin-d-roosevelt", "harry-s-truman"}
    # DFAT names Moscow in dozens of documents: its use is a feature, and its score's edge
    moscow = found["row3"][0]
    assert _feature(moscow, "documents") > 30
    assert moscow["score"] > found["row0"][0]["score"]


def test_a_batch_of_queries_is_a_read_not_a_write(seeded_db: DbHandle) -> None:
    """OpenRefine posts its batches: they are counted as reads (not against the write limit)
    and carry no consistency token, since they change nothing."""
    settings = seeded_db.app_settings(rate_limit_writes="1/minute", rate_limit_reads="")
    with TestClient(create_app(settings, engine=seeded_db.engine)) as client:
        for _ in range(3):
            response = client.post(
                "/reconcile", data={"queries": json.dumps({"q0": {"query": "Moscow"}})}
            )
            assert response.status_code == 200, response.text
            assert "quellen-consistency" not in response.headers
        operation = client.get("/openapi.json").json()["paths"]["/reconcile"]["post"]
        assert "429" not in operation["responses"]  # reads are not limited here
        assert all("headers" not in r or "Quellen-Consistency" not in r["headers"]
                   for s, r in operation["responses"].items() if s.startswith("2"))  # fmt: skip
