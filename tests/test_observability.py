"""What operators watch: /metrics per route template, X-Request-ID, JSON log lines.

Metrics live in prometheus-client's process-wide registry, shared by every app the tests
build, so the tests compare counts before and after their own requests.
"""

import io
import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from api.http.observability import JsonFormatter, access_log, request_id_var
from tests.conftest import DbHandle
from tests.utils.server import free_port, wait_until_ready

DOC = "harriman-to-secretary-of-state-1944-09-24"


def samples(metrics_text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text page, keyed by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
    }


def value(page: dict, name: str, **labels: str) -> float:
    return page.get((name, frozenset(labels.items())), 0.0)  # type: ignore[no-any-return]


def test_metrics_count_requests_per_route_template(client: TestClient) -> None:
    before = samples(client.get("/metrics").text)
    for _ in range(3):
        assert client.get(f"/v1/documents/{DOC}").status_code == 200
    assert client.get(f"/v1/documents/{DOC}/footnotes").status_code == 200
    assert client.get("/v1/documents/no-such-document").status_code == 404
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = samples(response.text)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    route = "/v1/documents/{document_id}"
    ok = {"method": "GET", "route": route, "status": "200"}
    assert delta("quellen_http_requests_total", **ok) == 3
    assert delta("quellen_http_requests_total", **{**ok, "status": "404"}) == 1
    footnotes = {"method": "GET", "route": route + "/footnotes", "status": "200"}
    assert delta("quellen_http_requests_total", **footnotes) == 1
    assert delta("quellen_http_request_duration_seconds_count", method="GET", route=route) == 4
    assert value(after, "quellen_http_request_duration_seconds_bucket", method="GET",
                 route=route, le="+Inf") >= 4  # fmt: skip
    assert "no-such-document" not in response.text, "raw paths must never become labels"


def test_a_head_request_is_counted_under_its_route(client: TestClient) -> None:
    before = samples(client.get("/metrics").text)
    assert client.head(f"/v1/documents/{DOC}").status_code == 200
    after = samples(client.get("/metrics").text)
    head = {"method": "HEAD", "route": "/v1/documents/{document_id}", "status": "200"}
    counted = value(after, "quellen_http_requests_total", **head)
    assert counted - value(before, "quellen_http_requests_total", **head) == 1


def test_unmatched_paths_share_one_label(client: TestClient) -> None:
    path = f"/nothing/here/{uuid.uuid4().hex}"
    assert client.get(path).status_code == 404
    page = client.get("/metrics").text
    assert path not in page
    assert value(samples(page), "quellen_http_requests_total", method="GET",
                 route="<unmatched>", status="404") >= 1  # fmt: skip


def test_pool_gauges_are_exported(client: TestClient) -> None:
    client.get(f"/v1/documents/{DOC}")
    page = samples(client.get("/metrics").text)
    assert value(page, "quellen_db_pool_size") >= 1
    assert value(page, "quellen_db_pool_checked_out_connections") >= 0


def test_request_id_is_made_echoed_and_honoured(client: TestClient) -> None:
    made = client.get("/health").headers["x-request-id"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert client.get("/health").headers["x-request-id"] != made

    theirs = "proxy-7f3a.1:req_42"
    response = client.get(f"/v1/documents/{DOC}", headers={"X-Request-ID": theirs})
    assert response.headers["x-request-id"] == theirs
    # Errors carry it too, so a failed request can be found in the logs.
    missing = client.get("/v1/documents/no-such-document", headers={"X-Request-ID": theirs})
    assert missing.status_code == 404 and missing.headers["x-request-id"] == theirs


@pytest.mark.parametrize("unacceptable", ["x" * 129, "two words", 'quote"d', "{json}"])
def test_unacceptable_request_ids_are_replaced(client: TestClient, unacceptable: str) -> None:
    echoed = client.get("/health", headers={"X-Request-ID": unacceptable}).headers["x-request-id"]
    assert echoed != unacceptable and len(echoed) == 32


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    """The access log, formatted as `quellen serve` formats it, captured in a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    level, propagate = access_log.level, access_log.propagate
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
    try:
        yield stream
    finally:
        access_log.removeHandler(handler)
        access_log.setLevel(level)
        access_log.propagate = propagate


def test_access_log_is_one_json_object_per_request(
    client: TestClient, access_lines: io.StringIO
) -> None:
    client.get(f"/v1/documents/{DOC}/footnotes", headers={"X-Request-ID": "trace-me"})
    lines = access_lines.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["logger"] == "quellen.access" and entry["level"] == "info"
    assert entry["request_id"] == "trace-me"
    assert entry["method"] == "GET"
    assert entry["path"] == f"/v1/documents/{DOC}/footnotes"
    assert entry["route"] == "/v1/documents/{document_id}/footnotes"
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert entry["time"].endswith("+00:00")
    assert entry["message"].startswith(f"GET /v1/documents/{DOC}/footnotes 200 ")


def test_access_log_can_be_switched_off(seeded_db: DbHandle, access_lines: io.StringIO) -> None:
    app = create_app(seeded_db.app_settings(access_log=False), engine=seeded_db.engine)
    with TestClient(app) as quiet:
        assert quiet.get("/health").status_code == 200
    assert access_lines.getvalue() == ""


def test_metrics_can_be_switched_off(seeded_db: DbHandle) -> None:
    app = create_app(seeded_db.app_settings(metrics=False), engine=seeded_db.engine)
    with TestClient(app) as private:
        assert private.get("/metrics").status_code == 404


def test_every_log_line_written_during_a_request_carries_its_id() -> None:
    record = logging.LogRecord("quellen.x", logging.WARNING, __file__, 1, "odd: %s", ("é",), None)
    assert "request_id" not in json.loads(JsonFormatter().format(record))
    token = request_id_var.set("abc")
    try:
        entry = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert entry == {**entry, "request_id": "abc", "level": "warning", "message": "odd: é"}


def serve_two_workers(folder: Path, **settings: str) -> tuple["subprocess.Popen[str]", str]:
    """`quellen serve --workers 2` on a fresh SQLite file in ``folder``, with ``settings``
    (and no PROMETHEUS_MULTIPROC_DIR of ours: serve sets up its own); and its base URL."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {
        "QUELLEN_DATABASE_URL": f"sqlite:///{folder / 'quellen.sqlite'}",
        "QUELLEN_PORT": str(port),
        "QUELLEN_SHUTDOWN_TIMEOUT": "5",
        **settings,
    }
    quellen = Path(sys.executable).parent / "quellen"
    process = subprocess.Popen(
        [str(quellen), "serve", "--workers", "2"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, f"http://127.0.0.1:{port}"


def test_serve_with_two_workers_logs_json_and_sums_metrics(tmp_path: Path) -> None:
    """`quellen serve --workers 2`: every stdout line is JSON, /metrics adds up both workers.

    Whichever worker answers the scrape, the count must be all the requests made: each
    worker writes its numbers to the shared PROMETHEUS_MULTIPROC_DIR that serve sets up.
    """
    process, base = serve_two_workers(tmp_path, QUELLEN_LOG_FORMAT="json")
    try:
        wait_until_ready(process, base)
        with httpx.Client(base_url=base) as http:  # new connections spread over workers
            for _ in range(10):
                assert http.get(f"/v1/documents/{DOC}", headers={"Connection": "close"}).is_success
            page = samples(http.get("/metrics").text)
        counted = value(page, "quellen_http_requests_total", method="GET",
                        route="/v1/documents/{document_id}", status="200")  # fmt: skip
        assert counted == 10
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    entries = []
    for line in filter(None, output.splitlines()):
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON log line: {line!r}")
    messages = [entry["message"] for entry in entries]
    assert any(m.startswith("loaded the seed corpus") for m in messages)
    assert any(e.get("route") == "/v1/documents/{document_id}" for e in entries)
    assert any("Finished server process" in m for m in messages), "graceful shutdown"


def test_metrics_on_a_port_of_their_own_leave_the_api_port_without_them(tmp_path: Path) -> None:
    """QUELLEN_METRICS_PORT: the API's port answers 404 at /metrics, the metrics port adds
    up both workers' numbers."""
    metrics_port = free_port()
    process, base = serve_two_workers(tmp_path, QUELLEN_METRICS_PORT=str(metrics_port))
    try:
        wait_until_ready(process, base)
        with httpx.Client(base_url=base) as http:
            for _ in range(6):
                assert http.get(f"/v1/documents/{DOC}", headers={"Connection": "close"}).is_success
            hidden = http.get("/metrics")
            assert hidden.status_code == 404
            assert hidden.headers["content-type"] == "application/problem+json"
        page = samples(httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text)
        counted = value(page, "quellen_http_requests_total", method="GET",
                        route="/v1/documents/{document_id}", status="200")  # fmt: skip
        assert counted == 6
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output


def test_an_unexpected_error_keeps_its_request_id(seeded_db: DbHandle) -> None:
    """A 500 carries its request id to both ends, and is answered, not re-raised.

    The test client re-raises what the application raises, as a server would close the
    connection on it: the request is answered and the connection stays usable.
    """
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())  # formats as it is written, as in production
    errors = logging.getLogger("quellen.errors")
    errors.addHandler(handler)
    app = create_app(seeded_db.app_settings(), engine=seeded_db.engine)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    try:
        with TestClient(app) as failing:
            response = failing.get("/boom", headers={"X-Request-ID": "follow-the-500"})
            assert failing.get("/health").status_code == 200
    finally:
        errors.removeHandler(handler)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "follow-the-500"
    assert "a bug" not in response.text
    assert "follow-the-500" in response.json()["detail"]
    entry = json.loads(lines.getvalue().splitlines()[0])
    assert entry["request_id"] == "follow-the-500" and entry["level"] == "error"
