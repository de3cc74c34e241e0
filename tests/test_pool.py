"""The PostgreSQL pool: dead connections are found before use, live ones are not pinged."""

import time

import pytest
from sqlalchemy import create_engine, text

from api.db import engine as db
from tests.conftest import PG_ADMIN_URL, DatabaseFactory


@pytest.fixture
def pg(databases: DatabaseFactory):  # type: ignore[no-untyped-def]
    return databases.migrated("postgresql")


def _backend_pid(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_killed_while_resting_in_the_pool_is_replaced(pg, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    engine = db.make_engine(pg.url, pool_size=1)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.05)
    pid = _backend_pid(engine)  # the pool now holds this one connection
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    time.sleep(0.2)  # longer than the window: the rested connection is pinged, found dead
    assert _backend_pid(engine) != pid  # a new connection, and no error for the caller
    engine.dispose()


def test_a_connection_back_moments_ago_is_not_pinged(pg) -> None:  # type: ignore[no-untyped-def]
    engine = db.make_engine(pg.url, pool_size=1)
    _backend_pid(engine)
    pings: list[bool] = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda c: pings.append(True) or original(c)  # type: ignore[method-assign]
    for _ in range(5):
        _backend_pid(engine)
    assert pings == []  # each checkout within PING_AFTER_IDLE of the last check-in
    time.sleep(db.PING_AFTER_IDLE + 0.1)
    _backend_pid(engine)
    assert pings == [True]  # one that rested is
    engine.dispose()
