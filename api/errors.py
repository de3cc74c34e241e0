"""The errors every layer raises; only api.http turns them into responses.

``IngestError`` is input a reader or the loader refuses (a file, a line, a reason);
``ProblemError`` and its kinds carry the HTTP status a service means, without importing
anything of HTTP, so services stay callable from the CLI and from tests.
"""

from pathlib import Path
from typing import Any


class IngestError(ValueError):
    """A file that cannot be loaded, with where and why, for a human to fix."""

    def __init__(self, path: Path | str | None, message: str, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.message = message
        where = self.path or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type["IngestError"], tuple[str | None, str, int | None]]:
        # rebuilt from its parts when it comes back from a reading process
        return (IngestError, (self.path, self.message, self.line))


class ProblemError(Exception):
    """Raise from services or routes to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers
        self.errors = errors


class NotFound(ProblemError):
    def __init__(self, what: str, key: str):
        super().__init__(404, f"No {what} with id {key!r}.")


class Gone(ProblemError):
    def __init__(self, what: str, key: str):
        super().__init__(
            410, f"The {what} {key!r} has been deleted; an administrator can restore it."
        )
