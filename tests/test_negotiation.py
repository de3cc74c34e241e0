"""Choosing a media type from Accept: quality, specificity, q=0, ties, parameters, garbage."""

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request

from api.errors import ProblemError
from api.http.downloads import FORMAT_SCOPE_KEY
from api.http.negotiation import negotiate, wants_alternative

DOCUMENT = ["application/json", "application/ld+json", "application/tei+xml"]
LIST = ["application/json", "text/csv"]
TEXT = ["text/plain", "application/json"]
DOC = "/v1/documents/harriman-to-secretary-of-state-1944-09-24"


def request(accept: str | None, **scope: object) -> Request:
    headers = [(b"accept", accept.encode("latin-1"))] if accept is not None else []
    return Request({"type": "http", "method": "GET", "headers": headers, **scope})


@pytest.mark.parametrize(
    ("accept", "offered", "chosen"),
    [
        (None, DOCUMENT, "application/json"),
        ("", DOCUMENT, "application/json"),
        ("*/*", DOCUMENT, "application/json"),
        ("*/*", TEXT, "text/plain"),
        ("application/tei+xml", DOCUMENT, "application/tei+xml"),
        # q=0 means "not acceptable", even when a wildcard would accept it
        ("application/json;q=0, */*;q=0.5", DOCUMENT, "application/ld+json"),
        ("application/json;q=0, */*;q=0.5", LIST, "text/csv"),
        ("*/*;q=0.5, application/json;q=0", LIST, "text/csv"),
        # a specific range's q overrides the wildcard's, higher or lower
        ("text/*;q=0.2, text/csv;q=0.9, */*;q=0.5", LIST, "text/csv"),
        ("*/*;q=0.8, text/csv;q=0.1", LIST, "application/json"),
        ("text/*;q=0.9, */*;q=0.1", LIST, "text/csv"),
        ("application/*;q=0.9, application/tei+xml;q=1", DOCUMENT, "application/tei+xml"),
        # equal quality: the more specific mention wins, then the route's first offered type
        ("text/csv, */*", LIST, "text/csv"),
        ("application/ld+json, application/tei+xml", DOCUMENT, "application/ld+json"),
        ("application/tei+xml, application/ld+json", DOCUMENT, "application/ld+json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", DOCUMENT, "application/json"),
        # parameters the offered type does not have do not stop a match
        ("text/csv;charset=utf-8", LIST, "text/csv"),
        ('application/ld+json;profile="https://schema.org"', DOCUMENT, "application/ld+json"),
        ("TEXT/CSV", LIST, "text/csv"),
        # malformed ranges name nothing; the rest still count
        ("garbage, text/csv;q=0.5", LIST, "text/csv"),
        ("text/csv;q=abc", LIST, "text/csv"),
    ],
)
def test_negotiate(accept: str | None, offered: list[str], chosen: str) -> None:
    assert negotiate(request(accept), offered) == chosen


@pytest.mark.parametrize(
    ("accept", "offered"),
    [
        ("image/png", DOCUMENT),
        ("application/json;q=0, application/ld+json;q=0, application/tei+xml;q=0", DOCUMENT),
        ("text/plain;q=0, application/json;q=0, */*", TEXT),
        ("*/*;q=0", LIST),
        ("garbage", LIST),
        ("/", LIST),
        ("a/b/c", LIST),
        (",,,", LIST),
    ],
)
def test_nothing_acceptable_is_406_listing_what_is_offered(accept: str, offered: list[str]) -> None:
    with pytest.raises(ProblemError) as refused:
        negotiate(request(accept), offered)
    assert refused.value.status == 406
    assert all(media_type in refused.value.detail for media_type in offered)


def test_a_download_by_format_is_offered_or_a_400_naming_the_route_formats() -> None:
    asked = request("text/csv", **{FORMAT_SCOPE_KEY: "csv"})
    assert negotiate(asked, LIST) == "text/csv"
    with pytest.raises(ProblemError) as refused:
        negotiate(request("text/csv", **{FORMAT_SCOPE_KEY: "csv"}), DOCUMENT)
    assert refused.value.status == 400
    assert "json, jsonld, tei" in refused.value.detail
    assert "application/" not in refused.value.detail


def test_the_fast_path_is_one_header_lookup() -> None:
    for plain in (None, "", "application/json", "*/*", " */* "):
        assert not wants_alternative(request(plain))
    for other in ("text/csv", "application/json;q=0, */*", "application/json, text/csv"):
        assert wants_alternative(request(other))


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=80))
def test_any_accept_header_chooses_an_offered_type_or_is_406(accept: str) -> None:
    try:
        assert negotiate(request(accept), DOCUMENT) in DOCUMENT
    except ProblemError as refused:
        assert refused.status == 406


def test_q0_over_http(client: TestClient) -> None:
    accept = {"accept": "application/json;q=0, */*;q=0.5"}
    document = client.get(DOC, headers=accept)
    assert document.status_code == 200
    assert document.headers["content-type"] == "application/ld+json"
    listed = client.get("/v1/documents?limit=1", headers=accept)
    assert listed.headers["content-type"] == "text/csv; charset=utf-8"
    text = client.get(f"{DOC}/text", headers={"accept": "text/plain;q=0, application/json;q=0"})
    assert text.status_code == 406
    assert text.headers["content-type"] == "application/problem+json"
    for weird in ("garbage", "text/csv;q=nope", "*/json", "a/b/c, ;;;", "\x7f"):
        assert client.get(DOC, headers={"accept": weird}).status_code in (200, 406), weird
