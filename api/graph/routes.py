"""GET /v1/graph: the network around a document or an entity."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import SessionDep
from api.graph.schemas import Graph
from api.graph.service import build_graph
from api.http.problems import problem_responses
from api.http.responses import json_response

router = APIRouter(prefix="/graph", tags=["graph"])


@router.get(
    "",
    response_model=Graph,
    summary="Network around a document or entity",
    description="Nodes (documents and entities) and edges (mentions and cross-references) "
    "within `depth` hops of `center`, strongest links first, at most `limit` nodes; "
    "`truncated` says when the limit cut it short. `center` is `document:<id>`, "
    "`entity:<id>`, or a bare id.",
    responses=problem_responses(404, 422),
)
def get_graph(
    request: Request,
    session: SessionDep,
    center: Annotated[
        str,
        Query(
            min_length=1,
            max_length=220,
            description="document or entity id",
            examples=["entity:joseph-stalin"],
        ),
    ],
    depth: Annotated[int, Query(ge=1, le=2, description="hops from the centre: 1 or 2")] = 1,
    limit: Annotated[int, Query(ge=1, le=500, description="maximum number of nodes")] = 200,
) -> Response:
    return json_response(build_graph(session, center=center, depth=depth, limit=limit))
