"""Import jobs as the API shows them."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import Page, UtcDatetime, list_example


class ImportFailure(BaseModel):
    path: str | None
    line: int | None
    message: str


class ImportReport(BaseModel):
    new: int
    updated: int
    unchanged: int
    failed: int
    failures: list[ImportFailure]
    warnings: list[ImportFailure] = Field(
        default_factory=list,
        description="what the reader had to decide, file by file (the document imports, with "
        "the same words as a curatorial note): a marker without its note, a shortened id …",
    )
    seconds: float
    dry_run: bool


class ImportJobPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5f0c2a9e8b7d4c1e9a3b2d1c0f9e8d7c",
                    "status": "done",
                    "filename": "22-cranborne-to-commonwealth-government.md",
                    "format": "markdown",
                    "key_name": "editor-anna",
                    "progress": {"documents": 1, "bytes": 8120, "bytes_total": 8120},
                    "report": {
                        "new": 1,
                        "updated": 0,
                        "unchanged": 0,
                        "failed": 0,
                        "failures": [],
                        "warnings": [],
                        "seconds": 0.21,
                        "dry_run": False,
                    },
                    "worker": "api-7c9d:41:9f2e61ab",
                    "attempts": 1,
                    "created_at": "2026-11-23T12:00:00Z",
                    "finished_at": "2026-11-23T12:00:01Z",
                    "links": {"self": "/v1/imports/5f0c2a9e8b7d4c1e9a3b2d1c0f9e8d7c"},
                }
            ]
        }
    )

    id: str
    status: Literal["queued", "running", "done", "failed"]
    filename: str
    format: str | None
    key_name: str
    progress: dict[str, int] = Field(description="documents and bytes done, bytes in all")
    report: ImportReport | None = Field(description="the importer's report once done")
    worker: str | None = Field(
        description="who runs (or last ran) the job: hostname:pid:random of the worker "
        "process that claimed it, so operators see which replica has it; none while queued"
    )
    attempts: int = Field(
        description="times a worker started the job; above 1 when a worker stopped while "
        "running it and another took it over (QUELLEN_IMPORT_MAX_ATTEMPTS fails it)"
    )
    created_at: UtcDatetime
    finished_at: UtcDatetime | None
    links: dict[str, str]


class ImportJobList(Page[ImportJobPublic]):
    model_config = list_example(ImportJobPublic)
