"""Dependencies, declared once with Annotated and reused by every route."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from api.settings import Settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, opened lazily.

    An async generator, so FastAPI runs it on the event loop instead of sending it to the
    thread pool: creating a Session does no I/O, and the sync route that uses it already
    runs in a worker thread. This saves two thread hand-offs per request on the read path.
    """
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
