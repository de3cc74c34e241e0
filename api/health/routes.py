"""Liveness and readiness, for load balancers and orchestrators."""

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.db.migrations import current_revision
from api.http.problems import PROBLEM_JSON
from api.http.responses import json_response
from api.schemas import Problem

router = APIRouter(tags=["operations"])

# A probe asks about now: no cache may answer it (api/http/etag.py keeps a route's own).
NO_STORE = {"Cache-Control": "no-store"}


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class ReplicaHealth(BaseModel):
    name: str = Field(description="host:port/database of the replica")
    state: Literal["ok", "lagging", "down", "unknown"] = Field(
        description="ok: serves reads; lagging: further behind than QUELLEN_REPLICA_MAX_LAG; "
        "down: unreachable or not a replica. Reads go to the primary while none is ok."
    )
    lag_seconds: float | None = Field(description="how far behind the primary it was")
    detail: str = Field(description="why it does not serve reads, when it does not")


class Readiness(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [{"status": "ready", "database": "ok", "migration": "0001", "head": "0001"}]
        }
    }

    status: Literal["ready"]
    database: str = Field(description="ok, or the error met when connecting")
    migration: str | None = Field(description="revision the database is at")
    head: str | None = Field(description="revision this version of Quellen expects")
    replicas: list[ReplicaHealth] = Field(
        default_factory=list,
        description="each read replica (QUELLEN_DATABASE_REPLICA_URLS); a replica that is "
        "down leaves this worker ready: its reads go to the primary",
    )


class NotReady(Problem):
    """A readiness failure is an error like any other: a problem document, with the facts."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Service Unavailable",
                    "status": 503,
                    "detail": "The database is at migration 0006; this version expects 0007.",
                    "instance": "/ready",
                    "database": "ok",
                    "migration": "0006",
                    "head": "0007",
                }
            ]
        }
    }

    database: str = Field(description="ok, or the error met when connecting")
    migration: str | None = Field(description="revision the database is at")
    head: str | None = Field(description="revision this version of Quellen expects")
    replicas: list[ReplicaHealth] = Field(default_factory=list, description="each read replica")


def replica_health(request: Request) -> list[ReplicaHealth]:
    """Each replica as a check made now finds it (a probe asks about now)."""
    replicas = request.app.state.replicas
    if replicas is None:
        return []
    replicas.check()
    return [
        ReplicaHealth(
            name=replica.name,
            state=replica.state,
            lag_seconds=replica.lag_seconds,
            detail=replica.detail,
        )
        for replica in replicas.replicas
    ]


@router.get(
    "/health",
    response_model=Health,
    summary="Liveness",
    description="Answers 200 while the process is up; it does not touch the database.",
)
async def get_health() -> Response:
    return json_response(Health(), headers=NO_STORE)


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Readiness",
    description="200 when the database answers and its schema is at the migration head this "
    "version expects; 503 otherwise, with the reason. With read replicas, each one's state "
    "and lag: a replica that is down or lagging does not make the service unready, since "
    "its reads go to the primary.",
    responses={503: {"model": NotReady, "description": "Not ready, and why"}},
)
def get_readiness(request: Request) -> Response:
    engine = request.app.state.engine
    head = request.app.state.migration_head
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = current_revision(engine)
        database = "ok"
    except SQLAlchemyError as exc:
        current, database = None, f"unreachable: {type(exc).__name__}"
    replicas = replica_health(request)
    if database == "ok" and current == head:
        ready = Readiness(
            status="ready", database=database, migration=current, head=head, replicas=replicas
        )
        return json_response(ready, headers=NO_STORE)
    if database != "ok":
        detail = f"The database cannot be reached ({database})."
    else:
        detail = f"The database is at migration {current or 'none'}; this version expects {head}."
    problem = NotReady(
        title="Service Unavailable",
        status=503,
        detail=detail,
        instance=request.url.path,
        database=database,
        migration=current,
        head=head,
        replicas=replicas,
    )
    return Response(
        problem.model_dump_json(exclude={"errors"}), status_code=503, media_type=PROBLEM_JSON
    )
