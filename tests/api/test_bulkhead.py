"""Searches take turns: past QUELLEN_SEARCH_CONCURRENCY they wait, and reads pass them by."""

import asyncio
from contextlib import AbstractAsyncContextManager

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.errors import ProblemError
from api.http.bulkhead import Bulkhead
from tests.conftest import DbHandle


def test_a_turn_waits_for_a_free_slot_and_gives_up_past_the_bound() -> None:
    async def scenario() -> list[str]:
        bulkhead = Bulkhead(slots=1, wait=0.2)
        order: list[str] = []

        async def search(name: str, hold: float) -> None:
            async with bulkhead.turn("searches"):
                order.append(f"{name} in")
                await asyncio.sleep(hold)
                order.append(f"{name} out")

        await asyncio.gather(search("a", 0.05), search("b", 0.0))  # b waits for a
        with pytest.raises(ProblemError) as refused:
            await asyncio.gather(search("c", 0.5), search("d", 0.0))  # d waits too long
        assert refused.value.status == 503
        assert refused.value.headers == {"Retry-After": "2"}
        return order

    order = asyncio.run(scenario())
    assert order[:4] == ["a in", "a out", "b in", "b out"]


def test_searches_past_the_limit_get_503_while_reads_go_on(seeded_db: DbHandle) -> None:
    settings = seeded_db.app_settings(search_concurrency=1, search_wait_seconds=0.3)
    app = create_app(settings, engine=seeded_db.engine)
    with TestClient(app) as client:
        assert client.get("/v1/search", params={"q": "war"}).status_code == 200

        async def take_the_turn() -> AbstractAsyncContextManager[None]:
            turn = app.state.search_bulkhead.turn("searches")
            await turn.__aenter__()
            return turn

        held = client.portal.call(take_the_turn)  # type: ignore[union-attr]
        try:
            busy = client.get("/v1/search", params={"q": "war"})
            assert busy.status_code == 503
            assert busy.headers["content-type"] == "application/problem+json"
            assert busy.headers["retry-after"] == "2"
            assert "busy with other searches" in busy.json()["detail"]
            assert client.get("/v1/documents").status_code == 200  # reads take no turn
        finally:
            client.portal.call(held.__aexit__, None, None, None)  # type: ignore[union-attr]
        assert client.get("/v1/search", params={"q": "war"}).status_code == 200
