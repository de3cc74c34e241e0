"""One clear line, not a traceback, when the ``quellen`` command cannot use its database.

Every command runs inside ``QuellenGroup.invoke``, which turns three kinds of failure into
one line on standard error and exit status 1:

- a setting that does not validate (``QUELLEN_DATABASE_URL=foo``), named as it is spelled
  in the environment;
- a database that cannot be reached or opened: a driver's error raised while
  *connecting* (refused, unknown host, no such database, authentication), or a SQLite file
  whose folder ``make_engine`` cannot make;
- a database without Quellen's schema (a table missing while the schema is not at the
  migration head): ``quellen migrate`` is what it needs.

Anything else, an error raised by a statement included, is left alone, so that a real bug
still shows its traceback. Passwords in a URL are shown as ``***``.
"""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy import exc
from sqlalchemy.engine import make_url
from sqlalchemy.engine.default import DefaultDialect
from typer.core import TyperGroup

from api.db.engine import make_engine
from api.settings import get_settings

SETTING = "QUELLEN_DATABASE_URL"
_PASSWORD = re.compile(r"(//[^/@:]*:)[^/@]*@")

# What a driver says when it cannot connect, and the part of it worth one line. The
# groups name what the reason quotes (a database, a role); {host} and {port} come from the
# URL.
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"connection refused", re.I), "connection refused (is PostgreSQL running?)"),
    (
        re.compile(r'database "([^"]+)" does not exist'),
        'database "{0}" does not exist on {host}:{port} (create it, or correct the name)',
    ),
    (re.compile(r'role "([^"]+)" does not exist'), 'user "{0}" does not exist on the server'),
    (
        re.compile(r'password authentication failed for user "([^"]+)"'),
        'password authentication failed for user "{0}"',
    ),
    (
        re.compile(r"no password supplied"),
        "the server wants a password (postgresql://USER:PASSWORD@HOST:PORT/NAME)",
    ),
    (
        re.compile(r"resolve host|translate host name|name or service not known", re.I),
        "unknown host {host!r}",
    ),
    (re.compile(r"timeout expired|timed out", re.I), "timed out (is {host}:{port} reachable?)"),
    (
        re.compile(r"unable to open database file"),
        "cannot open the SQLite file {database} (a file, in a folder this user may write?)",
    ),
    (re.compile(r'invalid connection option "([^"]+)"'), 'unknown connection option "{0}"'),
]


def shown(url: str) -> str:
    """``url`` with its password replaced by ``***``, quoted for a message."""
    try:
        return repr(make_url(url).render_as_string(hide_password=True))
    except (exc.ArgumentError, ValueError):
        return repr(_PASSWORD.sub(r"\1***@", url))


def refuse(message: str) -> NoReturn:
    """Write ``quellen: MESSAGE`` on standard error and exit with status 1."""
    typer.secho(f"quellen: {' '.join(message.split())}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def connection_reason(error: exc.DBAPIError, url: str) -> str:
    """Why connecting failed, in a few words: the driver's message, recognised if possible."""
    message = " ".join(str(error.orig).split())
    parsed = make_url(url)
    where = {
        "host": parsed.host or "localhost",
        "port": parsed.port or 5432,
        "database": parsed.database or ":memory:",
    }
    for pattern, reason in _REASONS:
        found = pattern.search(message)
        if found:
            return reason.format(*found.groups(), **where)
    # "connection to server at "h", port p failed: FATAL:  what" → "what"
    return re.sub(r"^FATAL:\s*", "", message.rpartition(" failed: ")[2] or message)


def _raised_in(error: BaseException, function: Callable[..., Any]) -> bool:
    """Whether ``function`` is among the frames ``error`` was raised through."""
    code = getattr(function, "__code__", None)
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code is code:
            return True
        frame = frame.tb_next
    return False


def _invalid_settings(error: ValidationError) -> NoReturn:
    lines = []
    for problem in error.errors():
        name = f"QUELLEN_{str(problem['loc'][0]).upper()}" if problem["loc"] else "settings"
        cause = problem.get("ctx", {}).get("error")
        reason = str(cause) if isinstance(cause, ValueError) else problem["msg"]
        value = problem.get("input")
        quoted = shown(value) if isinstance(value, str) else repr(value)
        lines.append(f"{name}={quoted}: {reason}")
    refuse("; ".join(lines))


def _is_database_folder(error: OSError, url: str) -> bool:
    """Whether ``error`` is about the SQLite file of ``url`` or a folder it would be in."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or not error.filename:
        return False
    database = Path(parsed.database).absolute()
    return Path(str(error.filename)).absolute() in (database, *database.parents)


def _schema_missing(url: str) -> str | None:
    """What to say when ``url``'s database is not migrated to the head, else None."""
    from api.db.migrations import current_revision, head_revision

    engine = make_engine(url, pool_size=1)
    try:
        current = current_revision(engine)
    except exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()
    head = head_revision(url)
    if current == head:
        return None
    at = f"at revision {current}" if current else "empty"
    return f"the database is {at}, not at {head}: run `quellen migrate` first"


def explain(error: Exception) -> None:
    """Refuse with one line if ``error`` is a database configuration or connection failure.

    Returns (doing nothing) for any other error, which the caller re-raises.
    """
    if isinstance(error, ValidationError):
        if error.title == "Settings":
            _invalid_settings(error)
        return
    if not isinstance(error, exc.DBAPIError | OSError):
        return
    try:
        url = get_settings().database_url
    except ValidationError:
        return
    if isinstance(error, exc.DBAPIError) and _raised_in(error, DefaultDialect.connect):
        refuse(f"{SETTING}={shown(url)}: cannot connect: {connection_reason(error, url)}")
    if (
        isinstance(error, OSError)
        and _raised_in(error, make_engine)  # making the SQLite file's folder
        and _is_database_folder(error, url)
    ):
        refuse(f"{SETTING}={shown(url)}: cannot create {error.filename}: {error.strerror}")
    missing_table = "no such table" in str(error) or "UndefinedTable" in str(error)
    if isinstance(error, exc.OperationalError | exc.ProgrammingError) and missing_table:
        missing = _schema_missing(url)
        if missing:
            refuse(f"{SETTING}={shown(url)}: {missing}")


def probe(url: str) -> None:
    """Connect to ``url`` once, so that a database that cannot be reached fails here."""
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect():
            pass
    finally:
        engine.dispose()


class QuellenGroup(TyperGroup):
    """The ``quellen`` command group: runs a command, explaining database failures."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            explain(error)
            raise
