"""The OpenAPI document's examples are what the API answers for the seed corpus.

They are recorded by tests/utils/openapi_examples.py; recording them again here and
comparing keeps them from going stale (a renamed field, a moved offset, a new link).
"""

import json

from fastapi.testclient import TestClient

from api.http.openapi_clients import EXAMPLES_FILE
from tests.utils.openapi_examples import record_fresh


def test_examples_are_what_the_api_answers_for_the_seed_corpus() -> None:
    recorded = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    fresh = record_fresh()
    stale = sorted(
        name for name in recorded.keys() | fresh.keys() if recorded.get(name) != fresh.get(name)
    )
    assert not stale, (
        f"OpenAPI examples differ from what the API answers: {', '.join(stale)}. "
        "Record them again with `make openapi-examples`."
    )
    assert len(fresh) >= 25


def test_each_read_documents_its_recorded_example(client: TestClient) -> None:
    recorded = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    spec = client.get("/openapi.json").json()
    shown = {
        operation["operationId"]: operation["responses"]["200"]["content"]["application/json"]
        for item in spec["paths"].values()
        for operation in item.values()
        if operation["operationId"] in recorded
    }
    assert shown.keys() == recorded.keys()
    for name, media in shown.items():
        assert media["example"] == recorded[name], name
    # the recorded answer is the only example: no stale one left on the response's schema
    footnote = spec["components"]["schemas"]["FootnotePublic"]
    assert "examples" not in footnote
