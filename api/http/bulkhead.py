"""Searches take turns, so that reads stay fast while many searches run.

A search costs tens of milliseconds of CPU in the worker and more in the database; reading
a document costs a few. On a busy server every request in flight shares the CPU, so a read
that arrives among several searches waits for all of them. A bulkhead bounds how many
searches one process runs at once (``QUELLEN_SEARCH_CONCURRENCY``); the others wait for a
turn on the event loop, holding neither a thread nor a database connection, and reads pass
them by. A search that waits longer than ``QUELLEN_SEARCH_WAIT_SECONDS`` is answered 503
with ``Retry-After`` rather than left to time out.
"""

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request

from api.errors import ProblemError

RETRY_AFTER_SECONDS = 2


class Bulkhead:
    """At most ``slots`` holders at once in this process; the rest queue in arrival order."""

    def __init__(self, slots: int, wait: float) -> None:
        self.slots = slots
        self.wait = wait
        # asyncio primitives belong to one event loop; a process normally has one, but a
        # test client may start several over the application's life.
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        semaphore = self._by_loop.get(loop)
        if semaphore is None:
            semaphore = self._by_loop[loop] = asyncio.Semaphore(self.slots)
        return semaphore

    @asynccontextmanager
    async def turn(self, what: str) -> AsyncIterator[None]:
        semaphore = self._semaphore()
        try:
            async with asyncio.timeout(self.wait):
                await semaphore.acquire()
        except TimeoutError:
            raise ProblemError(
                503,
                f"The server is busy with other {what}; try again in a moment.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ) from None
        try:
            yield
        finally:
            semaphore.release()


async def search_turn(request: Request) -> AsyncIterator[None]:
    """Dependency: wait for a search turn before the route's session is opened."""
    bulkhead: Bulkhead = request.app.state.search_bulkhead
    async with bulkhead.turn("searches"):
        yield
