"""UTCdatetime as OAI-PMH writes it (section 3.3): in requests, at day or second granularity;
in responses, always at seconds with ``Z``.

A ``from``/``until`` pair is inclusive at its granularity: ``until=2026-01-15`` takes the whole
day, ``until=2026-01-15T09:30:00Z`` the whole second, since a datestamp shows seconds while
the change log keeps microseconds. So each bound becomes a half-open range of instants.
"""

import datetime as dt
import re
from dataclasses import dataclass

DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)  # ASCII: \d takes no other digits
_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", re.ASCII)


@dataclass(frozen=True, slots=True)
class Bound:
    """A ``from`` or ``until`` as sent: the first instant it covers and the first after it."""

    text: str
    granularity: str
    start: dt.datetime
    end: dt.datetime  # exclusive


def parse_bound(text: str) -> Bound | None:
    """The bound ``text`` names, or None when it is not a legal UTCdatetime."""
    try:
        if _SECONDS.fullmatch(text):
            start = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
            return Bound(text, SECONDS, start, _after(start, dt.timedelta(seconds=1)))
        if _DAY.fullmatch(text):
            start = dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.UTC)
            return Bound(text, DAY, start, _after(start, dt.timedelta(days=1)))
    except ValueError:  # 2026-02-30, 25:00:00, year 0
        return None
    return None


def _after(start: dt.datetime, span: dt.timedelta) -> dt.datetime:
    """The first instant after the bound; 9999-12-31 has none, so its last one stands in."""
    try:
        return start + span
    except OverflowError:
        return dt.datetime.max.replace(tzinfo=dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored time in UTC: SQLite hands them back naive, and they were written in UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def datestamp(value: dt.datetime) -> str:
    """``2026-01-15T09:30:00Z``: the granularity Identify announces (seconds, UTC)."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
