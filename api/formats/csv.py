"""Lists as CSV, for spreadsheets and data-frame tools.

One header row, then one row per item of the page asked for: CSV pages follow the same
cursor as the JSON list (the ``Link: rel="next"`` header carries the next page), so a client
walks a large list page by page in either format. Written with the stdlib ``csv`` module
(RFC 4180: CRLF line ends, quoting where needed).

Cells a spreadsheet would run as a formula (starting with ``=``, ``+``, ``@``, a tab or a
carriage return, or ``-`` followed by something that is not a number) get a leading ``'``
— the usual defence against CSV formula injection, since titles and names come from
imported files nobody vetted.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

MEDIA_TYPE = "text/csv"
DOCUMENT_COLUMNS = (
    "id",
    "collection",
    "title",
    "authors",
    "date",
    "date_start",
    "date_end",
    "source_type",
    "genre",
    "language",
    "url",
)
ENTITY_COLUMNS = ("id", "type", "name", "date", "url")
LIST_SEPARATOR = "; "
_NUMBER = re.compile(r"^-\d[\d.,]*$")


def cell(value: Any) -> str:
    """One value as CSV text: lists joined with ``; ``, None empty, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        text = LIST_SEPARATOR.join(str(v) for v in value)
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
    else:
        text = str(value)
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _NUMBER.match(text)):
        return "'" + text
    return text


def write_rows(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """A header row and one row per mapping, in ``columns`` order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(column)) for column in columns])
    return out.getvalue()
