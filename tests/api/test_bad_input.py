"""Inputs that used to reach a 500 (issue 14): each is a clear 4xx problem now, on both engines.

NUL characters anywhere (path, query string, JSON body), strings longer than their column,
queries nested past the parser's bound, forged cursors.
"""

import anyio
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.search.query import MAX_DEPTH
from tests.api.routes.test_curation import DOC, Keys, api, etag, keys  # noqa: F401
from tests.conftest import DbHandle

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


def test_made_up_keys_count_against_the_address_and_a_valid_key_has_its_own_budget(
    fresh_db: DbHandle,
    keys: Keys,  # noqa: F811
) -> None:
    client = TestClient(
        create_app(fresh_db.app_settings(rate_limit_writes="3/minute"), engine=fresh_db.engine)
    )
    guesses = [
        client.patch(DOC, headers={"Authorization": f"Bearer guess{n}"}, json={}).status_code
        for n in range(5)
    ]
    assert guesses == [401, 401, 401, 429, 429]
    # the address is spent; the curator's key is counted on its own
    assert client.patch(DOC, headers=keys.curate, json={"title": "x"}).status_code == 428


@pytest.mark.parametrize(
    ("path", "content_type", "chunks"),
    [
        ("/v1/entities", b"application/json", [b'{"name": "', *[b"x" * 500] * 10, b'"}']),
        (
            "/v1/imports",
            b"multipart/form-data; boundary=b",
            [
                b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.md"\r\n\r\n',
                *[b"x" * 500] * 10,
                b"\r\n--b--\r\n",
            ],
        ),
    ],
)
def test_a_chunked_body_over_the_limit_is_413(
    fresh_db: DbHandle,
    keys: Keys,  # noqa: F811
    path: str,
    content_type: bytes,
    chunks: list[bytes],
) -> None:
    """Sent in chunks with no Content-Length (as a streaming client does): counted as it
    arrives, and answered 413, not with the 400 of the route that could not read it."""
    settings = fresh_db.app_settings(max_body_bytes=2048, upload_max_bytes=2048)
    app = create_app(settings, engine=fresh_db.engine)
    messages = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]
    sent: list[dict] = []  # type: ignore[type-arg]

    async def receive() -> dict:  # type: ignore[type-arg]
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:  # type: ignore[type-arg]
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"content-type", content_type),
            (b"authorization", keys.admin["Authorization"].encode()),
            (b"transfer-encoding", b"chunked"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    anyio.run(app, scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert b"larger than 2048 bytes" in body, body


def test_if_match_star_is_refused_a_curator_names_the_version(api: TestClient, keys: Keys) -> None:  # noqa: F811
    response = api.patch(DOC, headers={**keys.curate, "If-Match": "*"}, json={"title": "x"})
    assert_problem(response, 428, "If-Match: *")
    assert api.get(DOC).json()["title"] != "x"


@pytest.mark.parametrize("kind, key", [("events", "yalta-conference"), ("entities", "yalta")])
def test_a_revert_is_not_taken_for_if_match_star(  # found by the reliability suite
    api: TestClient,  # noqa: F811
    keys: Keys,  # noqa: F811
    kind: str,
    key: str,
) -> None:
    url = f"/v1/{kind}/{key}"
    for text in ("first", "second"):
        changed = api.patch(
            url, headers={**keys.curate, "If-Match": etag(api, url)}, json={"description": text}
        )
        assert changed.status_code == 200, changed.text
    reverted = api.post(f"{url}/revisions/1/revert", headers=keys.admin)
    assert reverted.status_code == 200, reverted.text
    assert api.get(url).json()["description"] == "first"
    history = api.get(f"{url}/revisions").json()["items"]
    assert [r["operation"] for r in history] == ["update", "update", "revert to 1"]


def test_if_match_is_asked_for_before_the_kind_of_entity(api: TestClient, keys: Keys) -> None:  # noqa: F811
    response = api.patch("/v1/entities/yalta-conference", headers=keys.curate, json={"name": "Y"})
    assert_problem(response, 428, "If-Match")


def test_revisions_of_a_resource_that_never_was_are_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/documents/no-such-document/revisions"), 404, "no-such")
    assert_problem(client.get("/v1/mentions/99999999999/revisions"), 404, "99999999999")
    listed = client.get(f"{DOC}/revisions")
    assert listed.status_code == 200 and listed.json()["items"] == []


def test_timestamps_are_utc_with_z_on_both_engines(api: TestClient, keys: Keys) -> None:  # noqa: F811
    listed = api.get("/v1/keys", headers=keys.admin).json()["items"]
    assert listed and all(k["created_at"].endswith("Z") for k in listed)
    changed = api.patch(
        DOC, headers={**keys.curate, "If-Match": etag(api, DOC)}, json={"title": "Harriman"}
    )
    assert changed.status_code == 200, changed.text
    (revision,) = api.get(f"{DOC}/revisions").json()["items"]
    assert revision["at"].endswith("Z")


def test_the_mention_example_is_accepted_as_documented(api: TestClient, keys: Keys) -> None:  # noqa: F811
    from api.curation.schemas import MentionCreate

    example = MentionCreate.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    response = api.post(f"{DOC}/mentions", headers=keys.curate, json=example)
    assert response.status_code in (200, 201), response.text


def test_options_is_answered_with_allow_and_a_refused_preflight_is_a_problem(
    fresh_db: DbHandle,
) -> None:
    settings = fresh_db.app_settings(cors_origins=["https://edition.example"])
    client = TestClient(create_app(settings, engine=fresh_db.engine))
    options = client.options(DOC)
    assert options.status_code == 204
    assert {"GET", "PATCH", "DELETE", "OPTIONS"} <= set(options.headers["allow"].split(", "))
    assert client.options("/v1/no-such-thing").status_code == 404
    refused = client.options(
        "/v1/documents",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert_problem(refused, 400, "Disallowed CORS origin")
    allowed = client.options(
        "/v1/documents",
        headers={"Origin": "https://edition.example", "Access-Control-Request-Method": "GET"},
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://edition.example"


@pytest.mark.parametrize(
    ("url", "typo", "known"),
    [
        ("/v1/documents?colection=frus-1944-v04", "colection", "collection"),
        ("/v1/search?q=Moyne&sourcetype=primary", "sourcetype", "source_type"),
        ("/v1/entities?typ=person", "typ", "type"),
        (f"{DOC}/text?veiw=full", "veiw", "view"),
    ],
)
def test_an_unknown_query_parameter_is_400_naming_it(
    client: TestClient, url: str, typo: str, known: str
) -> None:
    """A typo must not silently widen the answer to everything."""
    answer = client.get(url)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert repr(typo) in answer.json()["detail"] and known in answer.json()["detail"]
    assert client.head(url).status_code == 400
    corrected = client.get(url.replace(typo, known))
    assert corrected.status_code == 200, corrected.text
