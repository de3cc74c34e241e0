"""First contact with the `quellen` command: a wrong database setting or a database that
cannot be reached is one line naming QUELLEN_DATABASE_URL and what is wrong, exit status 1,
no traceback; the URL forms people write (postgres://, a bare file name) work; logs are
JSON lines through a pipe and readable text on a terminal or when asked for.
"""

import json
import os
import pty
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, exc, text
from sqlalchemy.engine import make_url

from api.cli.errors import explain
from api.settings import PROJECT_ROOT, get_settings
from tests.conftest import PG_ADMIN_URL, require_backend
from tests.utils.server import free_port, wait_until_ready

QUELLEN = Path(sys.executable).parent / "quellen"
DATABASE_COMMANDS = [
    ["serve"],
    ["migrate"],
    ["seed"],
    ["import", str(PROJECT_ROOT / "data")],
    ["export", "-"],
    ["reindex"],
    ["keys", "list"],
]


def _env(url: str, **more: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUELLEN_")}
    return env | {"QUELLEN_DATABASE_URL": url, "QUELLEN_PORT": str(free_port())} | more


def quellen(args: list[str], url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(QUELLEN), *args],
        cwd=cwd,  # no .env of the repository's: only the environment given here
        env=_env(url),
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "QUELLEN_DATABASE_URL" in lines[0]
    for part in expected:
        assert part in lines[0], lines[0]
    return lines[0]


def _unreachable() -> str:
    return f"postgresql://postgres@127.0.0.1:{free_port()}/quellen"  # nothing listens there


@pytest.mark.parametrize("args", DATABASE_COMMANDS, ids=lambda args: args[0])
def test_an_unreachable_database_is_one_line(tmp_path: Path, args: list[str]) -> None:
    result = quellen(args, _unreachable(), tmp_path)
    assert_one_line(result, "cannot connect", "connection refused")


@pytest.mark.parametrize("args", DATABASE_COMMANDS, ids=lambda args: args[0])
def test_a_url_that_is_no_url_is_one_line(tmp_path: Path, args: list[str]) -> None:
    result = quellen(args, "foo", tmp_path)
    assert_one_line(result, "QUELLEN_DATABASE_URL='foo'", "neither a database URL")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://quellen@127.0.0.1/quellen", "'mysql' is not a database"),
        ("postgresql+psycopg2://postgres@127.0.0.1/quellen", "driver 'psycopg2'"),
        ("postgresql://postgres@127.0.0.1:port/quellen", "the port is not a number"),
        ("localhost:5432/quellen", "neither a database URL"),
        ("sqlite:quellen.db", "neither a database URL"),
        ("", "is empty"),
    ],
)
def test_a_malformed_url_is_one_line(tmp_path: Path, url: str, says: str) -> None:
    assert_one_line(quellen(["migrate"], url, tmp_path), says)


def test_a_password_is_not_shown(tmp_path: Path) -> None:
    url = _unreachable().replace("postgres@", "postgres:s3cret@")
    line = assert_one_line(quellen(["migrate"], url, tmp_path), "cannot connect")
    assert "s3cret" not in line and "***" in line


def test_a_sqlite_file_whose_folder_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    result = quellen(["migrate"], f"sqlite:///{tmp_path / 'file' / 'x.db'}", tmp_path)
    assert_one_line(result, "cannot create")


def test_a_database_without_the_schema_says_to_migrate(tmp_path: Path) -> None:
    result = quellen(["keys", "list"], f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path)
    assert_one_line(result, "quellen migrate")


def test_a_bare_file_name_is_a_sqlite_file_in_the_current_folder(tmp_path: Path) -> None:
    result = quellen(["migrate"], "quellen.db", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "quellen.db").is_file()
    imported = quellen(
        ["import", str(PROJECT_ROOT / "data"), "--readers", "0"], "quellen.db", tmp_path
    )
    assert imported.returncode == 0, imported.stderr
    assert "4 new" in imported.stdout


@pytest.fixture
def throwaway_postgres() -> Iterator[str]:
    """A fresh PostgreSQL database, as tests/conftest.py makes them; its name."""
    require_backend("postgresql")
    name = f"quellen_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgres_scheme_reaches_postgresql(tmp_path: Path, throwaway_postgres: str) -> None:
    admin = make_url(PG_ADMIN_URL)
    url = (
        f"postgres://{admin.username}@{admin.host or '127.0.0.1'}:{admin.port or 5432}"
        f"/{throwaway_postgres}"
    )
    migrated = quellen(["migrate"], url, tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert "postgresql+psycopg://" in migrated.stdout
    keys = quellen(["keys", "list"], url, tmp_path)
    assert keys.returncode == 0 and keys.stderr == "", keys.stderr


# -- log format ----------------------------------------------------------------------------


def _serve_output(tmp_path: Path, **env: str) -> list[str]:
    """The log lines of a `quellen serve` whose stdout is a pipe, from start to stop."""
    environment = _env(f"sqlite:///{tmp_path / 'logs.sqlite'}", QUELLEN_LOAD_SEED="false", **env)
    process = subprocess.Popen(
        [str(QUELLEN), "serve"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_ready(process, f"http://127.0.0.1:{environment['QUELLEN_PORT']}")
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) >= 3, output
    return lines


def test_logs_through_a_pipe_are_json_lines(tmp_path: Path) -> None:
    entries = [json.loads(line) for line in _serve_output(tmp_path)]
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert any(entry["logger"] == "quellen.access" for entry in entries)


def test_logs_are_text_when_asked_for(tmp_path: Path) -> None:
    lines = _serve_output(tmp_path, QUELLEN_LOG_FORMAT="text")
    for line in lines:
        assert not line.startswith("{"), line
    assert any(" INFO quellen.access: GET /ready 200" in line for line in lines), lines


LOG_ONE_LINE = (
    "import logging.config; from api.settings import Settings; "
    "from api.http.observability import logging_config; "
    "logging.config.dictConfig(logging_config(Settings())); "
    "logging.getLogger('quellen.test').warning('hello')"
)


def test_logs_on_a_terminal_are_text(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-c", LOG_ONE_LINE],
            cwd=PROJECT_ROOT,
            env=_env(f"sqlite:///{tmp_path / 'x.sqlite'}"),
            stdout=terminal,
            stderr=subprocess.PIPE,
            timeout=60,
        )
        os.close(terminal)
        terminal = -1
        output = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(controller)
        if terminal != -1:
            os.close(terminal)
    assert process.returncode == 0, process.stderr
    line = output.decode().strip()
    assert line.endswith("WARNING quellen.test: hello") and not line.startswith("{"), line


# -- what is not a configuration error keeps its traceback --------------------------------


@pytest.fixture
def sqlite_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'bugs.sqlite'}"
    monkeypatch.setenv("QUELLEN_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "error",
    [
        exc.IntegrityError("INSERT INTO document VALUES (?)", ("x",), Exception("UNIQUE failed")),
        exc.OperationalError("SELECT 1", {}, Exception("disk I/O error")),
        exc.IntegrityError(None, None, Exception("deferred constraint failed at commit")),
        FileNotFoundError(2, "No such file or directory", "/"),
        KeyError("a bug"),
    ],
    ids=["integrity", "statement", "commit", "oserror", "bug"],
)
def test_other_errors_are_not_explained_away(sqlite_settings: str, error: Exception) -> None:
    explain(error)  # returns instead of exiting: the command re-raises it, traceback and all
