"""How readers word a record that fails validation, for an import report.

Every reader builds records through the pydantic models of api/records/record.py, so a
file that breaks a rule surfaces as a ``ValidationError``; this turns it into the one-line
message an ``IngestError`` carries next to the file's path and line.
"""

from pydantic import ValidationError


def explain(exc: ValidationError) -> str:
    """``field.path: message; …`` for every error in ``exc``.

    pydantic's own ``str(exc)`` spans several lines and names the model class and the
    documentation URL: noise in a report that already names the file. This keeps what a
    curator needs to fix the file, the field (``document`` when the record as a whole
    failed) and what is wrong with it.
    """
    parts = []
    for error in exc.errors():
        where = ".".join(str(item) for item in error["loc"]) or "document"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
