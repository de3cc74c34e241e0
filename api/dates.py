"""EDTF (Extended Date/Time Format) dates as day ranges.

A source dated ``1945-02`` happened some day in February 1945; a filter ``date_from=1945``
must match it. Keeping every date as its earliest and latest possible day lets both the
stored dates and the query bounds be compared as plain SQL dates.
"""

import datetime as dt
from dataclasses import dataclass

import edtf
from edtf.parser.edtf_exceptions import EDTFParseException


@dataclass(frozen=True, slots=True)
class EdtfRange:
    text: str
    start: dt.date
    end: dt.date


def _as_date(value: object) -> dt.date:
    year, month, day = value[:3]  # type: ignore[index]
    return dt.date(year, month, day)


def parse_edtf(text: str) -> EdtfRange:
    """Parse an EDTF string into the span of days it can mean; ValueError when it is not EDTF."""
    candidate = text.strip()
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
