"""The OpenAPI document is complete, and the API keeps its promises under fuzzing.

Schemathesis generates requests for every GET operation from the OpenAPI document (fixed
seed, bounded examples) and fails on any 5xx or any response that contradicts the schema.
"""

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

import tests.utils.fuzz  # noqa: F401  (registers the hook that keeps ?format to JSON)
from api.app import create_app
from api.http.limits import is_write
from tests.conftest import DbHandle


def _operations(client: TestClient) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    spec = client.get("/openapi.json").json()
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]


def test_every_route_is_documented(client: TestClient) -> None:
    operations = _operations(client)
    components = client.get("/openapi.json").json()["components"]["schemas"]
    assert len(operations) >= 12
    for method, path, operation in operations:
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), f"{where} has no summary"
        assert len(operation.get("description", "")) > 30, f"{where} has no description"
        assert operation.get("tags"), f"{where} has no tag"
        success = next(code for code in operation["responses"] if code.startswith("2"))
        content = operation["responses"][success].get("content")
        if success != "204" and content:
            media = next(iter(content.values()))
            schema = media.get("schema", {})
            has_example = "example" in media or "examples" in media
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[1]
                has_example = has_example or "examples" in components[name]
            elif "requestBody" in operation:
                has_example = True  # the request body carries the example (e.g. revert)
            assert has_example or path in ("/health", "/metrics"), f"{where} has no example"
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            ref = body["schema"].get("$ref", "")
            name = ref.rsplit("/", 1)[-1]
            assert "examples" in components.get(name, {}), f"{where}: request body has no example"
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert "application/problem+json" in response["content"], (where, status)
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{where}: parameter {parameter['name']}"


def test_what_the_edge_answers_is_documented_on_every_operation(client: TestClient) -> None:
    """400, 422 (a problem, not FastAPI's HTTPValidationError), 412/428 with a required
    If-Match, 413 on bodies and 429 on writes, 503 with Retry-After: declared once, in
    api/http/openapi.py."""
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in str(spec)
    problem = {"$ref": "#/components/schemas/Problem"}
    for method, path, operation in _operations(client):
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        assert "400" in responses, where
        if any(p["in"] != "header" for p in operation.get("parameters", [])) or (
            "requestBody" in operation
        ):
            assert responses["422"]["content"]["application/problem+json"]["schema"] == problem
        if method in ("post", "put", "patch", "delete"):
            assert "413" in responses, where  # every body is bounded
            if is_write(method.upper(), path):  # a read-only POST is limited as a read
                assert "429" in responses, where
        if path not in ("/health", "/ready"):
            assert "Retry-After" in responses["503"]["headers"], where
        if_match = [p for p in operation.get("parameters", []) if p["name"] == "If-Match"]
        if method == "patch" or (method == "delete" and path != "/v1/keys/{name}"):
            assert if_match and if_match[0]["in"] == "header" and if_match[0]["required"], where
            assert {"412", "428"} <= set(responses), where
        else:
            assert not if_match and "428" not in responses, where
    document = spec["paths"]["/v1/documents/{document_id}"]
    link = document["get"]["responses"]["200"]["links"]["updateDocument"]
    assert link["parameters"]["header.If-Match"] == "$response.header.ETag"


def test_docs_work_offline(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        response = client.get(f"/static/swagger-ui/{asset}")
        assert response.status_code == 200 and len(response.content) > 10_000


def test_fuzz_get_operations(seeded_db: DbHandle) -> None:
    """Every GET operation, fuzzed from the schema: no 5xx, no response off the schema."""
    app = create_app(seeded_db.app_settings(), engine=seeded_db.engine)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.include(method="GET").get_all_operations()]
    assert len(operations) >= 10
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            # A schema-valid string is not always a meaningful value: an opaque cursor or
            # an EDTF date can be well-formed text and still be refused with a 4xx problem.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        try:
            run()
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
