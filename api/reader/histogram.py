"""Bar charts of counts by year, drawn on the server as SVG.

The search page shows its hits by year with one; a timeline of events may show events per
year with the same. SVG because the reading site's Content-Security-Policy allows no inline
style: a bar's size is geometry (``x``, ``y``, ``width``, ``height`` attributes), which the
policy does not govern, and its colours are classes (``histogram-bar``, ``histogram-label``,
``histogram-count``) with presentation attributes as the fallback when no stylesheet styles
them. Nothing is drawn in the browser, so the chart is there without JavaScript.

A bar may be a link (a search narrowed to its years); the chart is then a labelled group of
links, each named "1944: 7 hits" for a screen reader. A chart without links is one image
whose label lists the counts.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

MAX_BARS = 40  # wider spans are counted by decade, then by century
PLOT_HEIGHT = 96
LABEL_BAND = 18  # below the bars: year labels
COUNT_BAND = 14  # above the bars: counts


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: the years it covers (``first``–``last``), its label, count and link."""

    label: str
    count: int
    first: int
    last: int
    href: str | None = None


def year_bars(
    counts: Mapping[int, int],
    *,
    href: Callable[[int, int], str] | None = None,
    max_bars: int = MAX_BARS,
) -> list[Bar]:
    """Bars for ``counts`` by year, empty years included so that gaps show as gaps.

    Over more than ``max_bars`` years the years are summed by decade ("1940s"), and over
    more than ``max_bars`` decades by century, so the chart stays readable. ``href(first,
    last)`` makes each bar a link to what those years hold.
    """
    if not counts:
        return []
    low, high = min(counts), max(counts)
    width = 1
    for step in (1, 10, 100, 1000):
        width = step
        if (high // step) - (low // step) + 1 <= max_bars:
            break
    bars: list[Bar] = []
    for start in range(low - low % width, high + 1, width):
        last = start + width - 1
        total = sum(n for year, n in counts.items() if start <= year <= last)
        label = str(start) if width == 1 else f"{start}s"
        bars.append(Bar(label, total, start, last, href(start, last) if href else None))
    return bars


def histogram_svg(
    bars: Sequence[Bar],
    *,
    label: str,
    unit: tuple[str, str] = ("hit", "hits"),
    bar_width: int = 28,
    css_class: str = "histogram",
) -> Markup:
    """The SVG of ``bars``, its own label ``label`` ("Hits by year"); ``unit`` is what is
    counted, singular and plural, for the names a screen reader reads.

    Every text is escaped here: the result is ``Markup`` a template inserts as it is.
    """
    if not bars:
        return Markup("")
    gap = max(2, bar_width // 5)
    step = bar_width + gap
    width = len(bars) * step + gap
    height = COUNT_BAND + PLOT_HEIGHT + LABEL_BAND
    most = max(bar.count for bar in bars) or 1
    every = -(-44 // step)  # a label every so many bars, so that no two labels overlap
    linked = any(bar.href for bar in bars)

    def name(bar: Bar) -> str:
        return f"{bar.label}: {bar.count} {unit[0] if bar.count == 1 else unit[1]}"

    parts: list[str] = []
    if linked:
        opening = f'role="group" aria-label="{escape(label)}"'
    else:
        summary = "; ".join(name(bar) for bar in bars if bar.count)
        opening = f'role="img" aria-label="{escape(f"{label}: {summary}")}"'
    parts.append(
        f'<svg class="{escape(css_class)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" {opening}>'
    )
    baseline = COUNT_BAND + PLOT_HEIGHT
    parts.append(
        f'<line class="histogram-axis" x1="0" y1="{baseline}" x2="{width}" y2="{baseline}" '
        'stroke="#8a8578" stroke-width="1"/>'
    )
    for index, bar in enumerate(bars):
        x = gap + index * step
        tall = round(PLOT_HEIGHT * bar.count / most)
        if bar.count and tall < 2:
            tall = 2  # a count of one among thousands still shows
        y = baseline - tall
        middle = x + bar_width / 2
        shape = [
            f"<title>{escape(name(bar))}</title>",
            # a transparent full-height target: an empty year is still there to point at
            f'<rect class="histogram-target" x="{x}" y="{COUNT_BAND}" width="{bar_width}" '
            f'height="{PLOT_HEIGHT}" fill="transparent"/>',
            f'<rect class="histogram-bar" x="{x}" y="{y}" width="{bar_width}" '
            f'height="{tall}" fill="#7a2e0e"/>',
        ]
        if bar.count:
            shape.append(
                f'<text class="histogram-count" x="{middle:g}" y="{y - 3}" '
                f'text-anchor="middle" font-size="11" fill="#56565c">{bar.count}</text>'
            )
        if index % every == 0:
            shape.append(
                f'<text class="histogram-label" x="{middle:g}" y="{height - 4}" '
                f'text-anchor="middle" font-size="11" fill="#1d1d1f">{escape(bar.label)}</text>'
            )
        inner = "".join(shape)
        if bar.href:
            parts.append(
                f'<a class="histogram-link" href="{escape(bar.href)}" '
                f'aria-label="{escape(name(bar))}" data-first="{bar.first}" '
                f'data-last="{bar.last}">{inner}</a>'
            )
        else:
            parts.append(f'<g class="histogram-item">{inner}</g>')
    parts.append("</svg>")
    return Markup("".join(parts))
