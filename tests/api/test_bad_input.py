"""Inputs that used to reach a 500 (issue 14): each is a clear 4xx problem now, on both engines.

NUL characters anywhere (path, query string, JSON body), strings longer than their column,
queries nested past the parser's bound, forged cursors.
"""

import pytest
from fastapi.testclient import TestClient

from api.search.query import MAX_DEPTH
from tests.api.routes.test_curation import DOC, Keys, api, etag, keys  # noqa: F401

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, words: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert words in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/v1/documents/harriman%00",
        "/v1/documents?title=Harri%00man",
        "/v1/search?q=Moyne%00",
        "/v1/entities?cursor=%00",
    ],
)
def test_nul_in_path_or_query_is_400(client: TestClient, url: str) -> None:
    assert_problem(client.get(url), 400, "NUL")


def test_nul_in_a_json_body_is_422_before_anything_is_written(api: TestClient, keys: Keys) -> None:  # noqa: F811
    before = api.get(DOC).json()["title"]
    response = api.patch(
        DOC,
        headers={**keys.curate, "If-Match": etag(api, DOC), "Content-Type": "application/json"},
        content=b'{"title": "Harriman\\u0000 to Hull"}',
    )
    assert_problem(response, 422, "NUL")
    assert api.get(DOC).json()["title"] == before


def test_a_query_nested_too_deep_is_400_naming_the_limit(client: TestClient) -> None:
    deep = "(" * 200 + "Moyne" + ")" * 200
    assert_problem(client.get("/v1/search", params={"q": deep}), 400, f"{MAX_DEPTH} deep")
    negated = "Moyne " + "NOT (" * 20 + "Yalta" + ")" * 20
    assert_problem(client.get("/v1/search", params={"q": negated}), 400, f"{MAX_DEPTH} deep")


@pytest.mark.parametrize(
    "cursor",
    [
        "WyJldmVudHMiLCBudWxsLCAieCJd",  # ["events", null, "x"]
        "WyJldmVudHMiLCAieCIsIG51bGxd",  # ["events", "x", null]
    ],
)
def test_a_forged_cursor_with_a_null_key_is_400(client: TestClient, cursor: str) -> None:
    assert_problem(client.get("/v1/events", params={"cursor": cursor}), 400, "cursor")


@pytest.mark.parametrize(("field", "length"), [("genre", 101), ("number", 101), ("language", 36)])
def test_strings_longer_than_their_column_are_422(
    api: TestClient,  # noqa: F811
    keys: Keys,  # noqa: F811
    field: str,
    length: int,
) -> None:
    response = api.patch(
        DOC, headers={**keys.curate, "If-Match": etag(api, DOC)}, json={field: "x" * length}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)


def test_a_cross_reference_label_longer_than_its_column_is_422(api: TestClient, keys: Keys) -> None:  # noqa: F811
    body = {
        "source": {"document": "harriman-to-secretary-of-state-1944-09-24"},
        "relation": "cites",
        "target": {"scheme": "file_number", "value": "740.62114/9–2744", "label": "x" * 1001},
    }
    response = api.post("/v1/cross-references", headers=keys.curate, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
