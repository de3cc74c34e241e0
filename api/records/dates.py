"""EDTF (Extended Date/Time Format) dates as day ranges.

A source dated ``1945-02`` happened some day in February 1945; a filter ``date_from=1945``
must match it. Keeping every date as its earliest and latest possible day lets both the
stored dates and the query bounds be compared as plain SQL dates.
"""

import calendar
import datetime as dt
import re
import time
from dataclasses import dataclass
from functools import lru_cache

import edtf
from edtf.parser.edtf_exceptions import EDTFParseException


@dataclass(frozen=True, slots=True)
class EdtfRange:
    text: str
    start: dt.date
    end: dt.date


def _as_date(value: time.struct_time) -> dt.date:
    year, month, day = value[:3]
    return dt.date(year, month, day)


_PLAIN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _plain(candidate: str) -> EdtfRange | None:
    """``1945``, ``1945-02`` and ``1945-02-01`` without the grammar.

    The EDTF parser (pyparsing) takes about 20 ms a date; an import of a printed volume
    dates hundreds of documents, nearly all of them plain days, so those skip it.
    """
    match = _PLAIN.match(candidate)
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    try:
        if month is None:
            return EdtfRange(candidate, dt.date(year, 1, 1), dt.date(year, 12, 31))
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return EdtfRange(candidate, dt.date(year, month, 1), dt.date(year, month, last))
        day_date = dt.date(year, month, day)
    except ValueError:
        return None  # let the full parser say what is wrong
    return EdtfRange(candidate, day_date, day_date)


@lru_cache(maxsize=4096)
def parse_edtf(text: str) -> EdtfRange:
    """Parse an EDTF string into the span of days it can mean; ValueError when it is not EDTF."""
    candidate = text.strip()
    plain = _plain(candidate)
    if plain is not None:
        return plain
    if not candidate or len(candidate) > 100:
        raise ValueError(f"{text!r} is not an EDTF date (expected e.g. 1945, 1945-02, 1945-02-04)")
    try:
        parsed = edtf.parse_edtf(candidate)
        start = _as_date(parsed.lower_strict())
        end = _as_date(parsed.upper_strict())
    except (EDTFParseException, Exception) as exc:  # the parser raises assorted types
        raise ValueError(
            f"{text!r} is not an EDTF date (expected e.g. 1945, 1945-02, 1945-02-04, "
            "1945~ or 1945-02-04/1945-02-11)"
        ) from exc
    if end < start:
        raise ValueError(f"{text!r}: the range ends before it starts")
    return EdtfRange(candidate, start, end)
