"""Configuration, read once from the environment (prefix ``QUELLEN_``) or a ``.env`` file.

Every field here is documented in the README's configuration table; a test keeps the two in
step so that an operator never meets a setting the documentation does not mention.
"""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="QUELLEN_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'quellen.sqlite'}",
        description="SQLAlchemy URL of the database: the embedded SQLite file by default, "
        "or e.g. postgresql+psycopg://postgres@127.0.0.1:5432/quellen.",
    )
    data_dir: Path = Field(
        default=PROJECT_ROOT / "data",
        description="Folder holding the curated seed corpus loaded into an empty database.",
    )
    load_seed: bool = Field(
        default=True,
        description="Load the seed corpus from data_dir at start when the database holds no "
        "documents.",
    )
    host: str = Field(default="127.0.0.1", description="Address `quellen serve` listens on.")
    port: int = Field(default=8000, description="Port `quellen serve` listens on.")
    workers: int = Field(default=1, ge=1, description="Number of uvicorn worker processes.")
    root_path: str = Field(
        default="",
        description="Path prefix when served behind a reverse proxy under a sub-path "
        "(e.g. /quellen); used in every link the API returns.",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto headers are trusted (client address and scheme); * trusts any.",
    )
    shutdown_timeout: int = Field(
        default=20,
        ge=1,
        description="Seconds in-flight requests get to finish after SIGTERM before the server "
        "closes their connections.",
    )
    log_format: Literal["json", "text"] = Field(
        default="json",
        description="json: one JSON object per line (with request ids); text: for a terminal.",
    )
    access_log: bool = Field(
        default=True,
        description="Write one log line per request (request id, method, path, route, "
        "status, duration).",
    )
    metrics: bool = Field(
        default=True,
        description="Serve Prometheus metrics at GET /metrics (request counts and latencies "
        "per route, database pool use).",
    )
    db_pool_size: int = Field(
        default=10, ge=1, description="Connections kept open per worker (PostgreSQL)."
    )
    write_wait_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Writes go one at a time; how long a write waits for the ones before it "
        "(or for an import) before it is answered 503 with Retry-After.",
    )
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")
    search_rank_limit: int = Field(
        default=500,
        ge=1,
        description="Most matches of one search ranked by relevance: a query with more "
        "(a very common word) ranks its first matches in index order with estimated "
        "BM25 and answers `ranking: approximate`; matching itself stays exact.",
    )
    search_common_word: int = Field(
        default=50_000,
        ge=1,
        description="SQLite: a word found in more passages (or notes) than this is very "
        "common; FTS5's BM25 would read all of them to weigh it, so queries with one are "
        "ranked approximately as above.",
    )
    search_concurrency: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Searches one worker process runs at once; more wait for a turn, so "
        "that reads stay fast while many searches run. Raise it where the database has "
        "cores to spare.",
    )
    search_wait_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="How long a search waits for a turn before it is answered 503 with "
        "Retry-After.",
    )
    import_max_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1024,
        description="Largest file `quellen import` and `quellen check` read (bytes); larger "
        "files are refused with a message, so a runaway file cannot exhaust memory.",
    )
    cache_max_age: int = Field(
        default=60,
        ge=0,
        le=31_536_000,
        description="Seconds a client or proxy may reuse a read without asking again "
        "(`Cache-Control: max-age`, with `must-revalidate`: after that it revalidates with "
        "the ETag and gets a 304 when nothing changed); 0 sends `no-cache`.",
    )
    compress_min_bytes: int = Field(
        default=1024,
        ge=0,
        description="Responses at least this large are gzip-compressed for clients that "
        "accept it (`Accept-Encoding: gzip`).",
    )
    require_read_key: bool = Field(
        default=False,
        description="Require an API key with the read scope for every read (reads are public "
        "by default).",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest JSON request body accepted; larger ones get 413.",
    )
    upload_max_bytes: int = Field(
        default=52_428_800,
        ge=1024,
        description="Largest file accepted by POST /v1/imports; larger ones get 413.",
    )
    rate_limit_writes: str = Field(
        default="120/minute",
        description="Writes allowed per API key (or client address), e.g. 120/minute; empty "
        "to switch off. Counted per worker process.",
    )
    rate_limit_reads: str = Field(
        default="",
        description="Reads allowed per API key or client address, e.g. 6000/minute; empty "
        "(the default) switches it off.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins browsers may call the API from (JSON list or comma-separated); "
        '["*"] allows any origin, without credentials.',
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        # Accept a JSON list or a plain comma-separated list in the environment.
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [origin.strip() for origin in text.split(",") if origin.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    """One Settings per process, so every module sees the same configuration."""
    return Settings()
