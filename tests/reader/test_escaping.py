"""A document whose every field holds markup is shown as text: no script runs, no element
or attribute is injected, no ``javascript:`` address becomes a link — on both engines."""

from collections.abc import Iterator

import lxml.html
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from api.reader.assets import PREFIX
from tests.conftest import DbHandle

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT} {IMG}"
DOCUMENT = "hostile-document"


@pytest.fixture
def hostile(fresh_db: DbHandle) -> Iterator[TestClient]:
    """A served copy of the seed corpus plus one document made of markup, through the API."""
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="curator", scope="curate")
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    with TestClient(app) as client:
        created = client.post(
            "/v1/documents",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "id": DOCUMENT,
                "collection": "web-sources",
                "title": HOSTILE,
                "authors": [HOSTILE],
                "recipients": [IMG],
                "source_type": "secondary",
                "genre": SCRIPT,
                "date": "1945-02-04",
                "text": f"# {SCRIPT}\n\nA paragraph {IMG}[^1] in Cairo and {SCRIPT}.",
                "footnotes": [{"marker": "1", "text": HOSTILE}],
                "notes": [{"kind": "reliability", "text": HOSTILE}],
                "provenance": {"url": "javascript:alert(1)", "publisher": IMG},
                "identifiers": [{"scheme": "url", "value": "javascript:alert(1)"}],
            },
        )
        assert created.status_code == 201, created.text
        yield client


def test_markup_in_every_field_is_shown_as_text(hostile: TestClient) -> None:
    response = hostile.get(f"/documents/{DOCUMENT}")
    assert response.status_code == 200, response.text[:500]
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    tree = lxml.html.fromstring(response.text)
    # the only scripts are the site's own files; nothing injected
    assert [s.get("src", "").startswith(PREFIX) for s in tree.xpath("//script")] == [True]
    assert tree.xpath("//img | //*[@onerror] | //style | //*[@style]") == []
    assert not any(
        href.strip().lower().startswith("javascript:") for href in tree.xpath("//a/@href")
    )
    # and every string is there, as text
    assert tree.findtext(".//title") == f"{HOSTILE} · Quellen"
    assert tree.xpath("string(//h1)") == HOSTILE
    heading = tree.get_element_by_id("p1")
    assert heading.xpath("string(text())") == SCRIPT
    paragraph = tree.get_element_by_id("p2")
    assert paragraph.text.startswith(f"A paragraph {IMG}")
    assert paragraph.xpath('.//sup[@class="note-ref"]/a/text()') == ["1"]
    assert tree.xpath('string(//li[@id="fn1"]/span[@class="note-text"])') == HOSTILE
    assert tree.xpath('string(//div[@class="reliability"]/p)') == f"Reliability. {HOSTILE}"
    meta = {
        dt.text_content(): dt.getnext().text_content()
        for dt in tree.xpath('//dl[@class="document-meta"]//dt')
    }
    assert meta["Author"] == HOSTILE
    assert meta["Recipient"] == IMG
    assert meta["Genre"] == SCRIPT
    assert meta["Publisher"] == IMG
    assert meta["Online at"] == "javascript:alert(1)"  # shown, not linked
    assert tree.xpath('//meta[@name="citation_title"]/@content') == [HOSTILE]
    assert tree.xpath('//meta[@name="citation_author"]/@content') == [HOSTILE]
    assert tree.xpath('string(//meta[@name="description"]/@content)').startswith(
        f"Secondary source ({SCRIPT}) by {HOSTILE} to {IMG}"
    )
    # the raw answer never holds the markup unescaped
    assert SCRIPT not in response.text and "<img" not in response.text
