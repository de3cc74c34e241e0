"""Configuration, read once from the environment (prefix ``QUELLEN_``) or a ``.env`` file.

Every field here is documented in the README's configuration table; a test keeps the two in
step so that an operator never meets a setting the documentation does not mention.
"""

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from limits.storage import SCHEMES as LIMITS_SCHEMES
from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: A database setting without a scheme that ends so, or starts with /, ./, ../ or ~, is
#: taken for the path of a SQLite file.
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db3")
_PATH_PREFIXES = ("/", "./", "../", "~")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(//)?")
_URL_FORMS = (
    "use postgresql://USER@HOST:PORT/NAME, sqlite:///PATH or a file path like var/quellen.db"
)


def normalise_database_url(value: str) -> str:
    """The SQLAlchemy URL Quellen opens for a ``QUELLEN_DATABASE_URL`` as people write it.

    ``postgres://`` and ``postgresql://`` become ``postgresql+psycopg://`` (the driver that
    is installed); ``sqlite://`` URLs stay as they are; a bare file path (``quellen.db``,
    ``./var/x``, ``/srv/quellen/db.sqlite``) becomes the ``sqlite:///`` URL of that file,
    relative to the current folder. Anything else raises ``ValueError`` saying what is wrong.
    """
    text = value.strip()
    if not text:
        raise ValueError(f"is empty: {_URL_FORMS}")
    if text.startswith(_PATH_PREFIXES):
        return f"sqlite:///{Path(text).expanduser().absolute()}"
    scheme = _SCHEME.match(text)
    if scheme is None and text.lower().endswith(SQLITE_SUFFIXES):
        return f"sqlite:///{Path(text).expanduser().absolute()}"
    if scheme is None or scheme.group(2) is None:  # no scheme, or no // after it
        raise ValueError(f"neither a database URL nor a SQLite file path: {_URL_FORMS}")
    backend, _, driver = scheme.group(1).lower().partition("+")
    if backend in ("postgres", "postgresql"):
        if driver not in ("", "psycopg"):
            raise ValueError(
                f"driver {driver!r} is not supported: Quellen reaches PostgreSQL through "
                "psycopg 3; write postgresql://…"
            )
        text = "postgresql+psycopg" + text[scheme.end(1) :]
    elif backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise ValueError(f"driver {driver!r} is not supported: write sqlite:///PATH")
    else:
        raise ValueError(f"{backend!r} is not a database Quellen runs on: {_URL_FORMS}")
    try:
        make_url(text)
    except ArgumentError:
        raise ValueError(f"malformed URL: {_URL_FORMS}") from None
    except ValueError:  # int() of the port
        raise ValueError(f"the port is not a number: {_URL_FORMS}") from None
    return text


def rate_limit_storage_uri(value: str) -> str:
    """``value`` stripped, when it is a storage URI the ``limits`` library can open for the
    (synchronous) rate limiter; else ``ValueError`` naming the schemes it can."""
    text = value.strip()
    known = sorted(scheme for scheme in LIMITS_SCHEMES if not scheme.startswith("async+"))
    scheme = _SCHEME.match(text)
    if scheme is None or scheme.group(2) is None or scheme.group(1).lower() not in known:
        raise ValueError(
            "not a rate-limit storage URI: use memory:// or redis://HOST:PORT/DB "
            f"(schemes: {', '.join(known)})"
        )
    return text


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="QUELLEN_",
        env_file=".env",
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,  # a refused database URL may hold a password
    )

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'quellen.sqlite'}",
        description="The database: the embedded SQLite file by default; "
        "postgresql://USER[:PASSWORD]@HOST:PORT/NAME (or postgres://, or "
        "postgresql+psycopg://) for PostgreSQL; sqlite:///PATH, or a bare file path such as "
        "var/quellen.db (ending .db, .sqlite, .sqlite3 or .db3, or starting with /, ./, ../ "
        "or ~), for another SQLite file.",
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
    public_url: str = Field(
        default="",
        description="The URL clients reach the API at (e.g. https://sources.example.org/"
        "quellen), for every absolute link and `@id`; empty: taken from each request "
        "(its Host, and X-Forwarded-Proto from a trusted proxy, plus QUELLEN_ROOT_PATH).",
    )

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

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
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        description="json: one JSON object per line (with request ids), for log shippers; "
        "text: human-readable lines; auto: text when the logs go to a terminal, JSON "
        "otherwise.",
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
    metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="0: /metrics on the API's own port; another port: /metrics only there "
        "(on QUELLEN_HOST), so a proxy or a published port never exposes it.",
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
    reader: bool = Field(
        default=True,
        description="Serve the reading site (HTML pages for people at /, /documents/…, "
        "/search, …) beside the JSON API; false for an API-only deployment.",
    )
    oai_admin_email: str = Field(
        default="",
        description="The adminEmail OAI-PMH's Identify names (GET /oai?verb=Identify); "
        "empty: webmaster@ the public host (RFC 2142's mailbox for a web service).",
    )

    @field_validator("oai_admin_email")
    @classmethod
    def _oai_admin_email(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("must be an email address, e.g. archive@example.org")
        return value

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
    import_poll_seconds: float = Field(
        default=2.0,
        gt=0,
        le=300,
        description="How often each worker process looks for queued import jobs and for "
        "jobs whose worker stopped (an upload accepted by the same process starts at once).",
    )
    import_heartbeat_seconds: float = Field(
        default=2.0,
        gt=0,
        le=300,
        description="PostgreSQL: how often a running import job's worker writes that it is alive.",
    )
    import_stale_seconds: float = Field(
        default=30.0,
        gt=0,
        description="PostgreSQL: a running import job whose worker has not written for this "
        "long is taken over by another worker (SQLite: when its process is gone). Keep it "
        "well above import_heartbeat_seconds.",
    )

    @field_validator("import_stale_seconds")
    @classmethod
    def _import_stale_seconds(cls, value: float, info: ValidationInfo) -> float:
        heartbeat = info.data.get("import_heartbeat_seconds")
        if heartbeat is not None and value <= 2 * heartbeat:
            raise ValueError(
                "must be more than twice QUELLEN_IMPORT_HEARTBEAT_SECONDS, or live jobs would "
                "be taken over"
            )
        return value

    import_max_attempts: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Times an import job is started before it is failed, when the worker "
        "running it stops each time (a file that crashes its process).",
    )
    rate_limit_writes: str = Field(
        default="120/minute",
        description="Writes allowed per API key (or client address), e.g. 120/minute; empty "
        "to switch off. Counted per worker process, or across workers and replicas with a "
        "shared rate_limit_storage.",
    )
    rate_limit_reads: str = Field(
        default="",
        description="Reads allowed per API key or client address, e.g. 6000/minute; empty "
        "(the default) switches it off.",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where rate-limit counters are kept: memory:// (the default) in each "
        "worker process; a shared storage URI of the limits library, e.g. "
        "redis://HOST:6379/DB (also rediss://, redis+sentinel://, redis+cluster://, "
        "valkey://; memcached:// and mongodb:// need their client installed), counts every "
        "worker and replica together. "
        "When it cannot be reached, requests are let through unlimited, with a warning.",
    )

    @field_validator("rate_limit_storage")
    @classmethod
    def _rate_limit_storage(cls, value: str) -> str:
        return rate_limit_storage_uri(value)

    database_replica_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="PostgreSQL streaming replicas that serve reads (comma-separated URLs); "
        "writes, and reads that present a newer consistency token than a replica has "
        "replayed, go to QUELLEN_DATABASE_URL, the primary.",
    )
    replica_max_lag: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a replica may lag behind the primary and still serve reads; "
        "one further behind, or unreachable, drops out of the rotation until it catches up.",
    )
    replica_check_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often each worker checks its replicas' health and lag.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins browsers may call the API from (JSON list or comma-separated); "
        '["*"] allows any origin, without credentials.',
    )

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("database_replica_urls", mode="before")
    @classmethod
    def _replica_urls(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [url.strip() for url in value.split(",") if url.strip()]
        return value

    @field_validator("database_replica_urls")
    @classmethod
    def _replica_urls_are_postgres(cls, value: list[str]) -> list[str]:
        urls = [normalise_database_url(url) for url in value]
        for url in urls:
            if not url.startswith("postgresql"):
                raise ValueError("replicas are PostgreSQL streaming replicas: postgresql://…")
        return urls

    @model_validator(mode="after")
    def _replicas_need_postgres(self) -> "Settings":
        if self.database_replica_urls and not self.database_url.startswith("postgresql"):
            raise ValueError(
                "QUELLEN_DATABASE_REPLICA_URLS needs a PostgreSQL primary in "
                "QUELLEN_DATABASE_URL (SQLite is one file: it has no replicas)"
            )
        return self

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
