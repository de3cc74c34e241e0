"""Liveness and readiness, for load balancers and orchestrators."""

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.migrations import current_revision
from api.responses import json_response

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [{"status": "ready", "database": "ok", "migration": "0001", "head": "0001"}]
        }
    }

    status: Literal["ready", "not ready"]
    database: str = Field(description="ok, or the error met when connecting")
    migration: str | None = Field(description="revision the database is at")
    head: str | None = Field(description="revision this version of Quellen expects")


@router.get(
    "/health",
    response_model=Health,
    summary="Liveness",
    description="Answers 200 while the process is up; it does not touch the database.",
)
async def health() -> Response:
    return json_response(Health())


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Readiness",
    description="200 when the database answers and its schema is at the migration head this "
    "version expects; 503 otherwise, with the reason.",
    responses={503: {"model": Readiness, "description": "Not ready"}},
)
def ready(request: Request) -> Response:
    engine = request.app.state.engine
    head = request.app.state.migration_head
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = current_revision(engine)
        database = "ok"
    except SQLAlchemyError as exc:
        current, database = None, f"unreachable: {type(exc).__name__}"
    ok = database == "ok" and current == head
    body = Readiness(
        status="ready" if ok else "not ready", database=database, migration=current, head=head
    )
    return json_response(body, status_code=200 if ok else 503)
