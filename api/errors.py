"""The error every reader and the loader raise for input they refuse."""

from pathlib import Path


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
