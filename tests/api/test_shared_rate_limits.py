"""Rate limits shared by replicas through QUELLEN_RATE_LIMIT_STORAGE (issue 18).

Two apps built from the same settings stand for two replicas (or two workers). The Redis
tests use the server at 127.0.0.1:6379 and skip with a message when it does not answer,
unless QUELLEN_REQUIRE_REDIS=1 (CI sets it), when they fail instead. Each test counts
under a client address of its own and deletes only the keys holding it, so parallel runs
on one server do not meet.
"""

import logging
import os
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.http import limits as rate_limits
from api.settings import Settings
from tests.conftest import DbHandle

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 11
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
UNREACHABLE = "redis://:s3cret@127.0.0.1:6390/0"  # nothing listens there
READ = "/v1/documents?limit=1"
WRITE = "/v1/documents/nothing-here"  # without a key: 401, counted against the address

# the limiter does not touch the database: the SQLite one is enough
sqlite_only = pytest.mark.parametrize("seeded_db", ["sqlite"], indirect=True)


def _redis_problem() -> str | None:
    import redis

    try:
        client = redis.Redis(
            host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_connect_timeout=2
        )
        client.ping()
        client.close()
    except Exception as exc:  # any failure means: no usable server
        return f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}: {exc}"
    return None


@pytest.fixture
def redis_marker() -> Iterator[str]:
    """A client address of this test's own; its counters are deleted afterwards."""
    problem = _redis_problem()
    if problem:
        if os.environ.get("QUELLEN_REQUIRE_REDIS") == "1":
            pytest.fail(f"QUELLEN_REQUIRE_REDIS=1 but {problem}")
        pytest.skip(problem)
    import redis

    marker = f"test-{uuid.uuid4().hex}"
    yield marker
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"*{marker}*"))
    if keys:
        client.delete(*keys)
    assert not list(client.scan_iter(match=f"*{marker}*"))
    client.close()


def _replicas(db: DbHandle, marker: str, **overrides: object) -> tuple[TestClient, TestClient]:
    """Two apps built from the same settings, called from the same client address."""
    settings = db.app_settings(**overrides)

    def replica() -> TestClient:
        return TestClient(create_app(settings, engine=db.engine), client=(marker, 50000))

    return replica(), replica()


@sqlite_only
def test_reads_are_counted_across_replicas(seeded_db: DbHandle, redis_marker: str) -> None:
    one, two = _replicas(
        seeded_db, redis_marker, rate_limit_reads="3/minute", rate_limit_storage=REDIS_URL
    )
    codes = [client.get(READ).status_code for client in (one, two, one)]
    assert codes == [200, 200, 200]
    refused = two.get(READ)
    assert refused.status_code == 429, refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert one.get(READ).status_code == 429


@sqlite_only
def test_writes_are_counted_across_replicas(seeded_db: DbHandle, redis_marker: str) -> None:
    one, two = _replicas(
        seeded_db, redis_marker, rate_limit_writes="3/minute", rate_limit_storage=REDIS_URL
    )
    codes = [client.patch(WRITE, json={}).status_code for client in (one, two, two, one)]
    assert codes == [401, 401, 401, 429]
    assert "Retry-After" in two.patch(WRITE, json={}).headers
    assert one.get(READ).status_code == 200  # reads have their own budget (off here)


@sqlite_only
def test_memory_storage_counts_each_app_on_its_own(seeded_db: DbHandle) -> None:
    one, two = _replicas(
        seeded_db, "198.51.100.7", rate_limit_reads="3/minute", rate_limit_storage="memory://"
    )
    assert [one.get(READ).status_code for _ in range(3)] == [200, 200, 200]
    assert [two.get(READ).status_code for _ in range(3)] == [200, 200, 200]
    assert one.get(READ).status_code == 429
    assert two.get(READ).status_code == 429


@sqlite_only
def test_unreachable_storage_fails_open_with_a_warning(
    seeded_db: DbHandle, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rate_limits, "STORAGE_RETRY_SECONDS", 0.0)  # ask it every time
    one, _ = _replicas(
        seeded_db,
        "198.51.100.8",
        rate_limit_reads="1/minute",
        rate_limit_writes="1/minute",
        rate_limit_storage=UNREACHABLE,
    )
    with caplog.at_level(logging.WARNING, logger="quellen.ratelimit"):
        reads = [one.get(READ).status_code for _ in range(3)]
        writes = [one.patch(WRITE, json={}).status_code for _ in range(3)]
    assert reads == [200, 200, 200]  # past the limit, not a 429, not a 500
    assert writes == [401, 401, 401]
    warnings = [r for r in caplog.records if r.name == "quellen.ratelimit"]
    assert len(warnings) == 6
    assert all(r.levelno == logging.WARNING for r in warnings)
    message = warnings[0].getMessage()
    assert "redis://127.0.0.1:6390 unreachable" in message
    assert "s3cret" not in caplog.text  # the URI's password stays out of the log


@sqlite_only
def test_after_a_failure_the_storage_is_left_alone_for_a_while(
    seeded_db: DbHandle, caplog: pytest.LogCaptureFixture
) -> None:
    one, _ = _replicas(
        seeded_db, "198.51.100.9", rate_limit_reads="1/minute", rate_limit_storage=UNREACHABLE
    )
    with caplog.at_level(logging.WARNING, logger="quellen.ratelimit"):
        assert [one.get(READ).status_code for _ in range(4)] == [200] * 4
    assert len([r for r in caplog.records if r.name == "quellen.ratelimit"]) == 1


@pytest.mark.parametrize(
    "uri", ["memcache://127.0.0.1", "async+redis://127.0.0.1:6379", "redis", "127.0.0.1:6379"]
)
def test_a_storage_the_limiter_cannot_use_is_a_settings_error(uri: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(rate_limit_storage=uri)
    assert caught.value.errors()[0]["loc"] == ("rate_limit_storage",)
    assert "rate-limit storage URI" in str(caught.value)
    assert "redis" in str(caught.value)


def test_the_storage_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUELLEN_RATE_LIMIT_STORAGE", raising=False)
    assert Settings(_env_file=None).rate_limit_storage == "memory://"
    monkeypatch.setenv("QUELLEN_RATE_LIMIT_STORAGE", " redis://cache:6379/2 ")
    assert Settings(_env_file=None).rate_limit_storage == "redis://cache:6379/2"
