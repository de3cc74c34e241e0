"""POST /v1/imports (upload a file to import) and GET /v1/imports[/{id}] (jobs)."""

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Request, Response, UploadFile

from api.deps import PrimarySessionDep
from api.http.auth import CurateKey
from api.http.pagination import PageDep, decode_cursor
from api.http.problems import problem_responses
from api.http.responses import json_response, page_response
from api.imports import service as uploads
from api.imports.queue import Timing
from api.imports.schemas import ImportJobList, ImportJobPublic

router = APIRouter(prefix="/v1/imports", tags=["imports"])


def _base(request: Request) -> str:
    root_path: str = request.scope.get("root_path", "")
    return root_path


@router.post(
    "",
    response_model=ImportJobPublic,
    status_code=201,
    summary="Import a file",
    description=(
        "Upload a file in any importer format — annotated plain text, Markdown with YAML "
        "front matter, TEI P5, or a Quellen JSON Lines bundle — as multipart form data. It "
        "runs through the same importer as `quellen import`: per-document transactions, "
        "unchanged documents left alone, changed ones as new revisions. Small files answer "
        "201 with the report; larger ones answer 202 with a job to poll at "
        "`GET /v1/imports/{id}`. Jobs wait in the database, so any worker or replica can "
        "run one, and one whose worker stopped is taken over. Files over "
        "QUELLEN_UPLOAD_MAX_BYTES get 413."
    ),
    responses={
        202: {"model": ImportJobPublic, "description": "Accepted: the import runs as a job"},
        **problem_responses(401, 403, 413, 422),
    },
)
def create_import(
    request: Request,
    principal: CurateKey,
    file: Annotated[UploadFile, File(description="the file to import")],
    format: Annotated[
        Literal["text", "markdown", "tei", "jsonl"] | None,
        Form(description="the file's format (default: detected from name and content)"),
    ] = None,
    collection: Annotated[
        str | None, Form(max_length=120, description="collection for documents that name none")
    ] = None,
    strict: Annotated[bool, Form(description="stop at the first broken document")] = False,
    dry_run: Annotated[bool, Form(description="read and validate, write nothing")] = False,
) -> Response:
    settings = request.app.state.settings
    job, finished = uploads.start(
        request.app.state.engine,
        principal,
        filename=file.filename or "upload",
        stream=file.file,
        fmt=format,
        collection=collection,
        strict=strict,
        dry_run=dry_run,
        max_bytes=settings.upload_max_bytes,
        timing=Timing.from_settings(settings),
        worker=getattr(request.app.state, "import_worker", None),
    )
    body = uploads.public(job, _base(request))
    return json_response(
        body, status_code=201 if finished else 202, headers={"Location": body.links["self"]}
    )


@router.get(
    "/{job_id}",
    response_model=ImportJobPublic,
    summary="An import job",
    description="Status (queued, running, done, failed), progress in documents and bytes, and "
    "the importer's report once it is done.",
    responses=problem_responses(401, 403, 404, 422),
)
def get_import(
    request: Request,
    session: PrimarySessionDep,
    principal: CurateKey,
    job_id: Annotated[str, Path(max_length=32, description="job id")],
) -> Response:
    return json_response(uploads.public(uploads.get(session, job_id), _base(request)))


@router.get(
    "",
    response_model=ImportJobList,
    summary="Recent import jobs",
    description="Import jobs, newest first, with their status, progress and reports.",
    responses=problem_responses(400, 401, 403, 422),
)
def list_imports(
    request: Request, session: PrimarySessionDep, principal: CurateKey, page: PageDep
) -> Response:
    after = decode_cursor(page.cursor, "imports", (str, str)) if page.cursor else None
    jobs = uploads.recent(session, after=after, limit=page.limit)
    items = [uploads.public(job, _base(request)) for job in jobs[: page.limit]]
    last = None
    if len(jobs) > page.limit:
        edge = jobs[page.limit - 1]
        last = [edge.created_at.isoformat(), edge.id]
    return page_response(
        request, ImportJobList, items, limit=page.limit, cursor_kind="imports", last_key=last
    )
