"""The reading site's two charts, drawn on the server: events on a date axis (a timeline)
and documents per year (a histogram).

Pure functions from dates to geometry: they return frozen dataclasses of coordinates and
labels, and a template (``_charts.html``) writes them out as inline SVG, so that every
name and label goes through the same autoescaping as the rest of the page. No chart
library, no script, no style attribute (the Content-Security-Policy has no
``'unsafe-inline'``): shapes carry classes that ``browse.css`` colours. Text widths are
estimated from the number of characters, which is all a server can know of the font; a
label that would not fit is shortened, and the full name stays in the link's accessible
name and tooltip.
"""

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WIDTH = 720
MARGIN = 32  # left and right of the plot, so that the first and last tick labels fit
AXIS = 30  # above the first row: tick labels and the axis line
ROW = 22  # one row of the timeline
BAR = 12  # height of an event's bar in its row
MIN_BAR = 4  # an event of a day is still something to see and to click
GAP = 6  # between a bar and its label, and between neighbours in a packed lane
CHAR = 6.6  # estimated width of a character at the labels' 12px
MAX_TICKS = 8
MONTH_STEPS = (1, 2, 3, 6, 12)
YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_AXIS_UP_TO = 3 * 366  # days: up to about three years, the axis counts months
PACKED_LABEL = 32  # characters of a label in a packed (small) timeline
LAST_DAY = dt.date.max


@dataclass(frozen=True, slots=True)
class Span:
    """An event as the timeline needs it: the days its EDTF date can mean, both included."""

    id: str
    name: str
    date: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class Tick:
    """A labelled mark on an axis, at ``x`` in the drawing's coordinates."""

    x: float
    label: str


@dataclass(frozen=True, slots=True)
class Bar:
    """An event drawn: its bar, and its label beside it (right, or left when ``label_end``)."""

    id: str
    name: str
    date: str
    x: float
    y: float
    width: float
    label: str
    label_x: float
    label_end: bool


@dataclass(frozen=True, slots=True)
class Timeline:
    """A timeline drawing: a top axis with ticks and one bar per dated event."""

    width: int
    height: int
    left: float
    right: float
    axis_y: float
    bar_height: float
    ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...]
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class Column:
    """One bin of the histogram: the years ``first``..``last`` and how many documents."""

    first: int
    last: int
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"


@dataclass(frozen=True, slots=True)
class Histogram:
    """A histogram drawing: columns on a baseline, year labels under it, the top count."""

    width: int
    height: int
    left: float
    right: float
    top: float
    baseline: float
    columns: tuple[Column, ...]
    ticks: tuple[Tick, ...]
    max_count: int
    total: int


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _from_month_index(index: int) -> dt.date:
    year, month = divmod(index, 12)
    if year > dt.MAXYEAR:
        return LAST_DAY
    return dt.date(max(year, dt.MINYEAR), month + 1, 1)


def _step(total: int, steps: Sequence[int]) -> int:
    """The smallest step that cuts ``total`` units into at most MAX_TICKS intervals."""
    for step in steps:
        if math.ceil(total / step) <= MAX_TICKS:
            return step
    return steps[-1]


def axis(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date, list[tuple[dt.date, str]]]:
    """The axis to draw ``start``..``end`` (both included) on: its first and last day, and
    its ticks (day, label) at round months (``Apr 1944``) or round years (``1945``).

    Months up to about three years, years beyond; the step is the smallest that keeps the
    ticks at most MAX_TICKS apart, and the axis begins and ends on a tick.
    """
    if (end - start).days <= MONTHS_AXIS_UP_TO:
        first, last = _month_index(start), _month_index(end) + 1
        step = _step(last - first, MONTH_STEPS)
        first -= first % step
        last += -last % step
        marks = range(first, last + 1, step)
        ticks = [
            (_from_month_index(m), str(m // 12) if step == 12 else f"{MONTHS[m % 12]} {m // 12}")
            for m in marks
        ]
        return ticks[0][0], ticks[-1][0], ticks
    first_year, last_year = start.year, end.year + 1
    step = _step(last_year - first_year, YEAR_STEPS)
    first_year -= first_year % step
    last_year += -last_year % step
    ticks = []
    for year in range(first_year, last_year + 1, step):
        day = LAST_DAY if year > dt.MAXYEAR else dt.date(max(year, dt.MINYEAR), 1, 1)
        ticks.append((day, str(day.year)))
        if year > dt.MAXYEAR:
            break
    return ticks[0][0], ticks[-1][0], ticks


def _shorten(text: str, room: float) -> str:
    """``text`` cut to what fits in ``room`` pixels, ending in an ellipsis when cut."""
    fits = int(room // CHAR)
    if len(text) <= fits:
        return text
    if fits < 4:
        return ""
    return text[: fits - 1].rstrip() + "…"


class _Scale:
    """Days to x coordinates on an axis from ``first`` to ``last`` drawn left..right."""

    def __init__(self, first: dt.date, last: dt.date, left: float, right: float) -> None:
        self.origin = first.toordinal()
        self.days = max(last.toordinal() - self.origin, 1)
        self.left, self.right = left, right

    def __call__(self, day: dt.date) -> float:
        share = (day.toordinal() - self.origin) / self.days
        return round(self.left + share * (self.right - self.left), 1)

    def after(self, day: dt.date) -> float:
        """The x of the end of ``day`` (the start of the next one)."""
        return self(day + dt.timedelta(days=1)) if day < LAST_DAY else self(day)


def layout_timeline(
    spans: Sequence[Span], *, width: int = WIDTH, packed: bool = False
) -> Timeline | None:
    """The timeline of ``spans`` (dated events), or None when there are none.

    One row per event in the order given (date order makes a staircase that reads like the
    list beside it), or, ``packed``, as few rows as the bars and their labels allow without
    overlapping: the small timeline of the home page. A label goes right of its bar, or
    left when there is more room there, shortened to fit (packed: to PACKED_LABEL
    characters at most).
    """
    if not spans:
        return None
    first, last, marks = axis(min(s.start for s in spans), max(s.end for s in spans))
    left, right = float(MARGIN), float(width - MARGIN)
    scale = _Scale(first, last, left, right)
    ticks = tuple(Tick(scale(day), label) for day, label in marks)
    bars: list[Bar] = []
    lanes: list[float] = []  # packed: where each lane's last bar or label ends
    for index, span in enumerate(spans):
        x = scale(span.start)
        bar_width = max(scale.after(span.end) - x, MIN_BAR)
        x = min(x, right - bar_width)
        room_right = right - (x + bar_width) - GAP
        room_left = x - left - GAP
        wanted = (min(len(span.name), PACKED_LABEL) if packed else len(span.name)) * CHAR
        label_end = room_right < wanted and room_left > room_right
        room = room_left if label_end else room_right
        label = _shorten(span.name, min(room, PACKED_LABEL * CHAR) if packed else room)
        label_x = x - GAP if label_end else x + bar_width + GAP
        extent = len(label) * CHAR
        begins = label_x - extent if label_end and label else x
        ends = x + bar_width if label_end or not label else label_x + extent
        row = index
        if packed:
            row = next((n for n, end in enumerate(lanes) if end + GAP <= begins), len(lanes))
            if row == len(lanes):
                lanes.append(ends)
            else:
                lanes[row] = ends
        y = AXIS + row * ROW + (ROW - BAR) / 2
        bars.append(
            Bar(span.id, span.name, span.date, x, y, round(bar_width, 1), label, label_x, label_end)
        )
    rows = len(lanes) if packed else len(spans)
    return Timeline(
        width=width,
        height=AXIS + rows * ROW + GAP,
        left=left,
        right=right,
        axis_y=AXIS - GAP,
        bar_height=BAR,
        ticks=ticks,
        bars=tuple(bars),
        start=first,
        end=last,
    )


HISTOGRAM_HEIGHT = 180
HISTOGRAM_LEFT = 40  # room for the count labels
HISTOGRAM_TOP = 16
HISTOGRAM_BOTTOM = 24  # room for the year labels
MAX_COLUMNS = 40
MAX_YEAR_LABELS = 8
MAX_SLOT = 64.0  # a column and its spacing, at most: one year alone is not a wall


def layout_histogram(
    years: Mapping[int, int], *, width: int = WIDTH, height: int = HISTOGRAM_HEIGHT
) -> Histogram | None:
    """The histogram of ``years`` (year → number of documents), or None when it is empty.

    Every year from the first to the last has its column, empty ones too, so that gaps
    show; beyond MAX_COLUMNS years, a column holds 2, 5, 10, … years, aligned on round
    years. Year labels are spaced to stay legible (at most MAX_YEAR_LABELS).
    """
    counted = {year: n for year, n in years.items() if n > 0}
    if not counted:
        return None
    lowest, highest = min(counted), max(counted)
    size = next(
        (
            s
            for s in YEAR_STEPS
            if math.ceil((highest - lowest + lowest % s + 1) / s) <= MAX_COLUMNS
        ),
        YEAR_STEPS[-1],
    )
    start = lowest - lowest % size
    bins = range(start, highest + 1, size)
    left, right = float(HISTOGRAM_LEFT), float(width - MARGIN)
    top, baseline = float(HISTOGRAM_TOP), float(height - HISTOGRAM_BOTTOM)
    slot = min((right - left) / len(bins), MAX_SLOT)
    right = left + slot * len(bins)  # the baseline ends with the last column
    width = min(width, math.ceil(right + MARGIN))  # and the drawing soon after
    peak = max(sum(counted.get(y, 0) for y in range(b, b + size)) for b in bins)
    columns: list[Column] = []
    for n, first in enumerate(bins):
        count = sum(counted.get(year, 0) for year in range(first, first + size))
        tall = (baseline - top) * count / peak
        if count:
            tall = max(tall, 1.0)
        columns.append(
            Column(
                first=first,
                last=first + size - 1,
                count=count,
                x=round(left + n * slot + slot * 0.1, 1),
                y=round(baseline - tall, 1),
                width=round(max(slot * 0.8, 1.0), 1),
                height=round(tall, 1),
            )
        )
    every = math.ceil(len(columns) / MAX_YEAR_LABELS)
    ticks = tuple(
        Tick(round(left + (n + 0.5) * slot, 1), str(column.first))
        for n, column in enumerate(columns)
        if n % every == 0
    )
    return Histogram(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        baseline=baseline,
        columns=tuple(columns),
        ticks=ticks,
        max_count=peak,
        total=sum(counted.values()),
    )
