"""The ``quellen`` command: serve, migrate, load the seed corpus, import, export, check.

Every command reads the same settings as the server (``QUELLEN_*`` variables or ``.env``).
A setting that does not validate, or a database that cannot be reached, ends a command with
one line saying so (``api/cli/errors.py``).
"""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from api import startup
from api.cli.errors import QuellenGroup, probe
from api.cli.mirror import mirror_command
from api.cli.transfer import check_command, export_command, import_command
from api.db.engine import make_engine
from api.errors import IngestError
from api.ingest.seed import database_is_empty, load_seed_corpus
from api.settings import get_settings

app = typer.Typer(
    name="quellen",
    help="Quellen: a REST API for curated historical source records.",
    no_args_is_help=True,
    add_completion=False,
    cls=QuellenGroup,
)


def _echo_error(message: str) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
) -> None:
    """Bring the database schema up to REVISION (default: the latest) with Alembic.

    Waits for any other Quellen process that is migrating the same PostgreSQL database.
    """
    settings = get_settings()
    startup.migrate(settings.database_url, revision)
    typer.echo(f"database at {revision}: {make_engine(settings.database_url).url!r}")


@app.command()
def seed(
    data_dir: Annotated[
        Path | None, typer.Option(help="seed corpus folder (default: QUELLEN_DATA_DIR)")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="load even when the database already holds documents")
    ] = False,
) -> None:
    """Load the curated seed corpus into the database (only when it is empty, unless --force).

    Every file is validated first; a broken file is reported with its name and the problem
    and nothing is written. The database is migrated to the head first, as `serve` does.
    """
    settings = get_settings()
    folder = data_dir or settings.data_dir
    startup.migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    if not force and not database_is_empty(engine):
        typer.echo("database already holds documents; nothing loaded (use --force to reload)")
        return
    try:
        counts = load_seed_corpus(engine, folder)
    except IngestError as exc:
        _echo_error(f"refused: {exc}")
        raise typer.Exit(1) from None
    summary = ", ".join(f"{count} {outcome.value}" for outcome, count in counts.items())
    typer.echo(f"seed corpus from {folder}: {summary}")


app.command("import")(import_command)
app.command("export")(export_command)
app.command("check")(check_command)
app.command("mirror")(mirror_command)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address (default: QUELLEN_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default: QUELLEN_PORT)")] = None,
    workers: Annotated[
        int | None, typer.Option(help="uvicorn worker processes (default: QUELLEN_WORKERS)")
    ] = None,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="run migrations before serving")
    ] = True,
) -> None:
    """Migrate, load the seed corpus into an empty database (QUELLEN_LOAD_SEED), and serve.

    Several instances may start at once against one PostgreSQL database: migrating and
    seeding run under an advisory lock, so one of them does the work. On SIGTERM the server
    stops accepting connections and gives requests in flight QUELLEN_SHUTDOWN_TIMEOUT
    seconds to finish. Logs go to stdout: readable lines on a terminal, JSON lines otherwise
    (QUELLEN_LOG_FORMAT=text or json chooses).
    """
    import inspect
    import logging.config

    import uvicorn

    from api.http import observability

    settings = get_settings()
    log_config = observability.logging_config(settings)
    logging.config.dictConfig(log_config)
    probe(settings.database_url)  # unreachable: one line now, not 503s from every worker
    try:
        startup.prepare_database(settings, run_migrations=migrate_first)
    except IngestError as exc:
        logging.getLogger("quellen.startup").error("seed corpus refused: %s", exc)
        raise typer.Exit(1) from None
    worker_count = workers or settings.workers
    observability.prepare_multiprocess_metrics(worker_count)
    observability.serve_metrics_apart(settings, host or settings.host)
    options: dict[str, Any] = {}
    if "timeout_worker_healthcheck" in inspect.signature(uvicorn.Config).parameters:
        # A new worker answers the supervisor's ping only once it has imported the whole
        # application, which on a small busy machine (replicas starting together) takes
        # longer than uvicorn's default 5 s: the supervisor would kill it and start another,
        # again and again. A hung worker is still replaced, after a minute.
        options["timeout_worker_healthcheck"] = 60
    uvicorn.run(
        "api.asgi:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=worker_count,
        log_level=settings.log_level,
        log_config=log_config,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=settings.shutdown_timeout,
        **options,
    )


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())


@app.command()
def reindex() -> None:
    """Rebuild the full-text search index (SQLite FTS5 or PostgreSQL tsvector) from the tables.

    Safe to run at any time; searches keep working while it runs.
    """
    from api.records.index import rebuild

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        counts = rebuild(engine)
    finally:
        engine.dispose()
    summary = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in counts.items())
    typer.echo(f"search index rebuilt ({summary})")


keys_app = typer.Typer(help="Manage API keys: create (printed once), list, revoke.")
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="a name for the key's holder, e.g. editor-anna")],
    scope: Annotated[str, typer.Option(help="read, curate or admin")] = "curate",
) -> None:
    """Create a key and print it. It is shown this once; only a salted hash is stored."""
    from api.db.engine import session_scope
    from api.db.keys import SCOPES, create_key
    from api.errors import ProblemError

    if scope not in SCOPES:
        _echo_error(f"scope must be one of: {', '.join(SCOPES)}")
        raise typer.Exit(2)
    engine = make_engine(get_settings().database_url)
    try:
        with session_scope(engine) as session:
            key = create_key(session, name=name, scope=scope)
    except ProblemError as exc:
        _echo_error(exc.detail)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(key)


@keys_app.command("list")
def keys_list() -> None:
    """List keys: name, scope, public prefix, created, revoked (never the keys themselves)."""
    from sqlalchemy import select
    from sqlmodel import Session

    from api.db.models import ApiKey

    engine = make_engine(get_settings().database_url)
    with Session(engine) as session:
        for key in session.execute(select(ApiKey).order_by(ApiKey.name)).scalars():
            revoked = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            typer.echo(
                f"{key.name}\t{key.scope}\tqk_{key.prefix}\t{key.created_at:%Y-%m-%d}\t{revoked}"
            )
    engine.dispose()


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="the key's name")]) -> None:
    """Revoke a key: it stops working at once."""
    from api.db.engine import session_scope
    from api.db.keys import revoke_key

    engine = make_engine(get_settings().database_url)
    with session_scope(engine) as session:
        done = revoke_key(session, name=name)
    engine.dispose()
    if not done:
        _echo_error(f"no active key named {name!r}")
        raise typer.Exit(1)
    typer.echo(f"revoked {name}")
