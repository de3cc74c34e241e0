"""Read replicas on a real PostgreSQL primary and streaming replica (tests/utils/pg_cluster.py).

What a curator and an operator rely on: reads go to the replica, a write's token makes the
writer's next read fresh even through another API replica, a replica that lags or stops
leaves the rotation (reads stay up, /ready and /metrics say so) and comes back, and no
update is lost with two API replicas writing at once.

Replication is made observable, not raced: replay on the replica is paused where a test
needs a replica that is behind (``pg_wal_replay_pause``), so no assertion depends on how
fast the replica happens to be. Every wait is a bounded poll.
"""

import os
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, create_engine, text

from api.app import create_app
from api.db.engine import make_engine, session_scope
from api.db.keys import create_key
from api.db.migrations import upgrade
from api.db.replicas import ReplicaSet
from api.ingest.seed import load_seed_corpus
from api.settings import PROJECT_ROOT, Settings
from tests.utils.pg_cluster import Cluster, available, wait_for

DOC = "/v1/documents/why-did-the-ussr-refuse-to-repatriate-allied-pows"
LSN = re.compile(r"[0-9A-F]{1,8}/[0-9A-F]{1,8}")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    problem = available()
    if problem:
        if os.environ.get("QUELLEN_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"QUELLEN_REQUIRE_POSTGRES=1 but {problem}")
        pytest.skip(problem)
    made = Cluster.create()
    try:
        admin = create_engine(made.primary.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE quellen"))
        admin.dispose()
        url = made.primary.url_for("quellen")
        upgrade(url)
        engine = make_engine(url)
        load_seed_corpus(engine, PROJECT_ROOT / "data")
        engine.dispose()
        wait_for(made.caught_up, "the replica to replay the seed corpus")
        yield made
    finally:
        made.stop()


@pytest.fixture(scope="module")
def primary(cluster: Cluster) -> Iterator[Engine]:
    engine = make_engine(cluster.primary.url_for("quellen"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def curate(primary: Engine) -> dict[str, str]:
    with session_scope(primary) as session:
        key = create_key(session, name="replica-curator", scope="curate")
    return {"Authorization": f"Bearer {key}"}


def replica_sql(cluster: Cluster, statement: str) -> Any:
    engine = create_engine(cluster.replica.url_for("quellen"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            return connection.execute(text(statement)).scalar()
    finally:
        engine.dispose()


def api_replica(cluster: Cluster, **overrides: Any) -> FastAPI:
    """One API replica: its own engines, reading from the cluster's replica."""
    settings = Settings(
        database_url=cluster.primary.url_for("quellen"),
        database_replica_urls=[cluster.replica.url_for("quellen")],
        load_seed=False,
        rate_limit_writes="",
        **overrides,
    )
    return create_app(settings)


def reads(client: TestClient) -> dict[str, float]:
    """quellen_db_reads_total by database, as /metrics shows it."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == "quellen_db_reads_total":
                found[sample.labels["database"]] = sample.value
    return found


def replica_state(client: TestClient) -> dict[str, Any]:
    ready = client.get("/ready")
    assert ready.status_code == 200, ready.text
    [replica] = ready.json()["replicas"]
    return dict(replica)


def patch_title(client: TestClient, headers: dict[str, str], title: str) -> Any:
    current = client.get(DOC)
    response = client.patch(
        DOC, headers={**headers, "If-Match": current.headers["etag"]}, json={"title": title}
    )
    assert response.status_code == 200, response.text
    return response


def test_reads_go_to_the_replica_and_a_token_makes_them_fresh(
    cluster: Cluster, curate: dict[str, str]
) -> None:
    # a paused replica stays in the rotation here however long the pause: this test is
    # about the token, not about lag (the next one is)
    writer_app = api_replica(cluster)
    reader_app = api_replica(cluster, replica_max_lag=3600)
    with TestClient(writer_app) as writer, TestClient(reader_app) as reader:
        name = replica_state(reader)["name"]
        assert replica_state(reader)["state"] == "ok"
        before = reads(reader)
        assert reader.get(DOC).status_code == 200
        after = reads(reader)
        assert after.get(name, 0) == before.get(name, 0) + 1, (before, after)
        assert after.get("primary", 0) == before.get("primary", 0)

        replica_sql(cluster, "SELECT pg_wal_replay_pause()")
        try:
            wait_for(
                lambda: replica_sql(cluster, "SELECT pg_get_wal_replay_pause_state()") == "paused",
                "replay on the replica to pause",
            )
            written = patch_title(writer, curate, "Seen by its curator at once")
            token = written.headers["Quellen-Consistency"]
            assert LSN.fullmatch(token), token

            # Without the token: the replica, which has not replayed the write
            assert reader.get(DOC).json()["title"] != "Seen by its curator at once"
            # With it, through the other API replica: the primary, fresh
            before = reads(reader)
            fresh = reader.get(DOC, headers={"Quellen-Consistency": token})
            assert fresh.json()["title"] == "Seen by its curator at once"
            assert "Quellen-Consistency" in fresh.headers["vary"]  # from the primary too
            after = reads(reader)
            assert after["primary"] == before.get("primary", 0) + 1, (before, after)
        finally:
            replica_sql(cluster, "SELECT pg_wal_replay_resume()")

        # Once the replica has replayed it, the same token is served by the replica
        def replica_serves() -> bool:
            before = reads(reader)
            body = reader.get(DOC, headers={"Quellen-Consistency": token}).json()
            assert body["title"] == "Seen by its curator at once"
            return reads(reader).get(name, 0) == before.get(name, 0) + 1

        wait_for(replica_serves, "the replica to serve the token's read")
        assert reader.get(DOC).headers["vary"].count("Quellen-Consistency") == 1


def test_a_malformed_token_is_a_clear_400(cluster: Cluster) -> None:
    with TestClient(api_replica(cluster)) as client:
        response = client.get(DOC, headers={"Quellen-Consistency": "yesterday"})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert "Quellen-Consistency" in response.json()["detail"]


def test_a_lagging_replica_leaves_the_rotation_and_comes_back(
    cluster: Cluster, curate: dict[str, str]
) -> None:
    app = api_replica(cluster, replica_max_lag=0.5, replica_check_seconds=0.1)
    with TestClient(app) as client:
        assert replica_state(client)["state"] == "ok"
        name = replica_state(client)["name"]
        replica_sql(cluster, "SELECT pg_wal_replay_pause()")
        try:
            patch_title(client, curate, "Written while the replica waits")
            lagging = wait_for(
                lambda: (state := replica_state(client))["state"] == "lagging" and state,
                "/ready to report the replica as lagging",
            )
            assert lagging["lag_seconds"] > 0.5 and "behind" in lagging["detail"]
            before = reads(client)
            # Without a token, too: a lagging replica serves no one
            assert client.get(DOC).json()["title"] == "Written while the replica waits"
            after = reads(client)
            assert after["primary"] == before.get("primary", 0) + 1
            page = client.get("/metrics").text
            assert f'quellen_db_replica_up{{replica="{name}"}} 0.0' in page
        finally:
            replica_sql(cluster, "SELECT pg_wal_replay_resume()")
        wait_for(lambda: replica_state(client)["state"] == "ok", "the replica to be back")
        assert f'quellen_db_replica_up{{replica="{name}"}} 1.0' in client.get("/metrics").text


def test_primary_without_replicas_still_hands_out_tokens(
    cluster: Cluster, curate: dict[str, str]
) -> None:
    settings = Settings(
        database_url=cluster.primary.url_for("quellen"), load_seed=False, rate_limit_writes=""
    )
    with TestClient(create_app(settings)) as client:
        written = patch_title(client, curate, "A token without replicas")
        assert LSN.fullmatch(written.headers["Quellen-Consistency"])
        assert client.get("/ready").json()["replicas"] == []
        # a token is accepted (and needs nothing) where there are no replicas
        token = {"Quellen-Consistency": written.headers["Quellen-Consistency"]}
        got = client.get(DOC, headers=token)
        assert got.json()["title"] == "A token without replicas"


def test_conflicting_patches_through_two_api_replicas_lose_nothing(
    cluster: Cluster, curate: dict[str, str]
) -> None:
    """20 threads x 50 updates with If-Match, alternating between two API replicas."""
    apps = [api_replica(cluster), api_replica(cluster)]
    successes: list[tuple[int, str]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        clients = [TestClient(app) for app in apps]
        token: str | None = None
        for i in range(50):
            reading, writing = clients[i % 2], clients[(i + 1) % 2]
            fresh = {"Quellen-Consistency": token} if token else {}
            got = reading.get(DOC, headers=fresh)
            title = f"title {n}-{i}"
            response = writing.patch(
                DOC, headers={**curate, "If-Match": got.headers["etag"]}, json={"title": title}
            )
            if response.status_code == 200:
                token = response.headers["Quellen-Consistency"]
                with lock:
                    successes.append((response.json()["revision"], title))
            elif response.status_code != 412:
                errors.append(f"{response.status_code} {response.text}")

    def worker(n: int) -> None:
        try:
            attempt(n)
        except Exception as exc:  # a crashed thread must fail the test, not vanish
            errors.append(f"thread {n}: {type(exc).__name__}: {exc}")

    with TestClient(apps[0]) as first:
        start = first.get(DOC).json()["revision"]
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors[:3]
        assert successes
        revisions: list[dict[str, Any]] = []
        next_url: str | None = f"{DOC}/revisions?limit=200"
        primary_only = {"Quellen-Consistency": "FFFFFFFF/FFFFFFFF"}  # newer than any replica
        while next_url:
            body = first.get(next_url, headers=primary_only).json()
            revisions += body["items"]
            next_url = body["next"]
        new = [r for r in revisions if r["number"] > start]
        assert len(new) == len(successes)
        assert [r["number"] for r in new] == list(range(start + 1, start + len(successes) + 1))
        last_revision, last_title = max(successes)
        final = first.get(DOC, headers=primary_only).json()
        assert final["title"] == last_title and final["revision"] == last_revision


def test_a_stopped_replica_leaves_reads_on_the_primary_and_ready_says_so(
    cluster: Cluster,
) -> None:
    app = api_replica(cluster, replica_check_seconds=0.1)
    with TestClient(app) as client:
        assert replica_state(client)["state"] == "ok"
        assert client.get(DOC).status_code == 200  # a pooled replica connection now exists
        cluster.replica.stop("immediate")
        try:
            # the very next reads answer: the one that meets the dead connection is run
            # again on the primary
            for _ in range(5):
                response = client.get(DOC)
                assert response.status_code == 200, response.text
            state = replica_state(client)
            assert state["state"] == "down" and "unreachable" in state["detail"], state
            assert client.get("/ready").status_code == 200
        finally:
            cluster.replica.start()
        wait_for(lambda: replica_state(client)["state"] == "ok", "the restarted replica")


def test_replicas_need_a_postgresql_primary() -> None:
    with pytest.raises(ValueError, match="needs a PostgreSQL primary"):
        Settings(
            database_url="sqlite:///x.sqlite",
            database_replica_urls="postgresql://postgres@127.0.0.1:5433/quellen",
        )


def test_lag_is_the_time_since_the_primary_was_where_the_replica_is() -> None:
    """Not the age of the last transaction replayed: that grows while the primary is idle
    and during one long import, when the replica is not behind at all."""
    replicas = ReplicaSet(make_engine("sqlite://"), [], max_lag=5.0, check_seconds=1.0)
    for moment, position in ((100.0, 10), (101.0, 20), (102.0, 30)):
        replicas._remember(moment, position)
    assert replicas.lag(30, 30, 102.0, replay_age=900.0) == 0.0  # idle primary: caught up
    assert replicas.lag(25, 30, 102.0, replay_age=900.0) == 1.0  # has what it had at 101
    assert replicas.lag(5, 30, 102.0, replay_age=0.2) == 0.2  # just started: the age it is
    replicas._remember(110.0, 40)
    assert replicas.lag(5, 40, 110.0, replay_age=0.2) == 10.0  # behind all it remembers
