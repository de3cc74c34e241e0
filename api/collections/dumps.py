"""GET /v1/collections/{id}/dump: a whole collection as streamed JSON Lines."""

from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session

from api.collections.routes import CollectionId
from api.errors import NotFound
from api.http.negotiation import NDJSON, negotiate
from api.http.problems import problem_responses

router = APIRouter(prefix="/collections", tags=["collections"])


class NdjsonResponse(StreamingResponse):
    media_type = NDJSON


_EXAMPLE = (
    '{"type":"bundle","format":"quellen-bundle","version":1}\n'
    '{"type":"collection","id":"frus-1944-v04","title":"Foreign Relations of the United '
    'States, Diplomatic Papers, 1944, Volume IV, Europe"}\n'
    '{"type":"entity","id":"w-averell-harriman","type_":"…"}\n'
    '{"type":"document","id":"harriman-to-secretary-of-state-1944-09-24","passages":[…]}\n'
)


def _lines(engine: Engine, collection_id: str) -> Iterator[bytes]:
    """The bundle, read with a session of its own that lives as long as the stream."""
    from api.formats.jsonl.writer import bundle_lines

    with Session(engine) as session:
        for line in bundle_lines(session, collection_id):
            yield line.encode("utf-8")


@router.get(
    "/{collection_id}/dump",
    response_class=NdjsonResponse,
    summary="Dump a collection as JSON Lines",
    description=(
        "The whole collection, streamed as JSON Lines (`application/x-ndjson`): the Quellen "
        "bundle format that `quellen import` reads back — a `bundle` header line, the "
        "`collection`, the `entity` and `event` registry, then one `document` line per "
        "document with its passages, footnotes, pages, identifiers, provenance, curated "
        "mentions and cross-references. Documents are read 200 at a time, so memory stays "
        "flat for large collections. Streamed: no ETag."
    ),
    responses={
        200: {
            "description": "JSON Lines, one object per line",
            "content": {NDJSON: {"schema": {"type": "string"}, "example": _EXAMPLE}},
        },
        **problem_responses(404, 406, 422),
    },
)
def dump_collection(request: Request, collection_id: CollectionId) -> NdjsonResponse:
    negotiate(request, [NDJSON])
    engine = request.app.state.engine
    from api.db.models import Collection

    with Session(engine) as session:
        if session.get(Collection, collection_id) is None:
            raise NotFound("collection", collection_id)
    filename = f"{collection_id}.jsonl"
    return NdjsonResponse(
        _lines(engine, collection_id),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
