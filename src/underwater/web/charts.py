"""Charts drawn on the server as SVG: no script, no CDN, sharp in print, readable by a screen reader.

A chart is a handful of named lines over months. Lines differ by more than colour (a solid and a
dashed stroke, round and square markers), the axes carry titles and round-number ticks, and the
``<svg>`` holds a ``<title>`` and a ``<desc>`` summing the chart up in words; the page puts the
same data in a table beside it. The markup is built from numbers only, and every piece of text is
escaped, so nothing a person typed can reach it unescaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

__all__ = [
    "Bars",
    "Line",
    "Marker",
    "bar_chart",
    "legend_html",
    "line_chart",
    "nice_ticks",
    "projection_svg",
    "value_svg",
]

_WIDTH, _HEIGHT = 720, 384
_LEFT, _RIGHT, _TOP, _BOTTOM = 100, 24, 20, 100
# Room below the plot for three rows of text (ticks, the axis title, the legend) at the largest
# size a page draws them: 24 units on a phone, where the 720-unit chart is shrunk to fit.
_ROW = 30


@dataclass(frozen=True, slots=True)
class Line:
    """One series: its name, its points (month, dollars) and how it is drawn (``solid`` or
    ``dashed``; ``css`` names its colour class)."""

    name: str
    points: Sequence[tuple[int, Decimal]]
    style: str = "solid"
    css: str = "line-a"


@dataclass(frozen=True, slots=True)
class Marker:
    """A month to mark with a vertical rule and a label (the crossover, the peak)."""

    month: int
    label: str


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low``..``high``, about ``count`` of them.

    >>> nice_ticks(0, 24000)
    [0.0, 5000.0, 10000.0, 15000.0, 20000.0, 25000.0]
    >>> nice_ticks(0, 48, 6)
    [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    >>> nice_ticks(0, 21000)[-1] >= 21000
    True
    """
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = [round(start, 10)]
    while ticks[-1] < high:  # the last tick is at or above the highest value, so nothing is clipped
        ticks.append(round(ticks[-1] + step, 10))
    return [float(t) for t in ticks]


def _money_tick(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"${value / 1_000_000:,.1f}M".replace(".0M", "M")
    if abs(value) >= 1000:
        return f"${value / 1000:,.0f}k"
    return f"${value:,.0f}"


def line_chart(
    lines: Sequence[Line],
    *,
    title: str,
    description: str,
    x_title: str = "Months from today",
    y_title: str = "Dollars",
    markers: Sequence[Marker] = (),
    dom_id: str = "chart",
    y_format: Callable[[float], str] | None = None,
    legend: bool = True,
) -> str:
    """The lines as an accessible SVG chart (a string of markup, already escaped); ``y_format``
    writes a tick of the vertical axis (default: dollars, ``$25k``). The legend wraps onto more
    rows, and the chart grows taller, when the names do not fit on one; without ``legend`` the
    page draws one beside the chart (:func:`legend_html`, for names too long for the chart).

    >>> svg = line_chart([Line("Owed", [(0, Decimal(100)), (12, Decimal(0))])],
    ...                  title="Owed", description="Owed falls to 0 in a year.")
    >>> svg.startswith('<svg') and '<title id="chart-title">Owed</title>' in svg
    True
    """
    months = [m for line in lines for m, _ in line.points]
    amounts = [float(v) for line in lines for _, v in line.points]
    if not months:
        months, amounts = [0, 1], [0.0, 1.0]
    x_ticks = nice_ticks(0, max(max(months), 1), 6)
    y_ticks = nice_ticks(min(0.0, min(amounts)), max(amounts) if max(amounts) > 0 else 1.0, 5)
    x_max, y_min, y_max = x_ticks[-1], y_ticks[0], y_ticks[-1]
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    tick_text = y_format or _money_tick
    places = _legend_places(lines) if legend else []
    height = _HEIGHT + _ROW * max(row for _, row in places) if places else _HEIGHT - (0 if legend else _ROW)

    def x(month: float) -> float:
        return _LEFT + plot_w * month / x_max

    def y(amount: float) -> float:
        return _TOP + plot_h * (1 - (amount - y_min) / (y_max - y_min))

    out = [
        f'<svg class="chart" id="{escape(dom_id)}" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(dom_id)}-title {escape(dom_id)}-desc" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(dom_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(dom_id)}-desc">{escape(description)}</desc>',
        '<g class="grid" aria-hidden="true">',
    ]
    for tick in y_ticks:
        out.append(f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>')
        out.append(
            f'<text class="tick y" x="{_LEFT - 8}" y="{y(tick) + 4:.1f}">{escape(tick_text(tick))}</text>'
        )
    for tick in x_ticks:
        out.append(
            f'<line class="x" x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{_TOP}" y2="{_TOP + plot_h}"/>'
        )
        out.append(
            f'<text class="tick x" x="{x(tick):.1f}" y="{_TOP + plot_h + _ROW - 4}">{int(tick)}</text>'
        )
    out.append("</g>")
    out.append(
        f'<text class="axis-title" x="{_LEFT + plot_w / 2:.1f}" y="{_TOP + plot_h + 2 * _ROW}">{escape(x_title)}</text>'
    )
    out.append(
        f'<text class="axis-title" transform="translate(18 {_TOP + plot_h / 2:.1f}) rotate(-90)">{escape(y_title)}</text>'
    )
    for marker in markers:
        if 0 <= marker.month <= x_max:
            mx = x(marker.month)
            # A label past the middle is drawn to the left of its rule, so it is never cut off.
            left = mx > _LEFT + plot_w / 2
            tx, anchor = (mx - 6, "end") if left else (mx + 6, "start")
            out.append(
                f'<g class="marker"><line x1="{mx:.1f}" x2="{mx:.1f}" y1="{_TOP}" y2="{_TOP + plot_h}"/>'
                f'<text x="{tx:.1f}" y="{_TOP + 22}" text-anchor="{anchor}">{escape(marker.label)}</text></g>'
            )
    for index, line in enumerate(lines):
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x(m):.1f},{y(float(v)):.1f}" for i, (m, v) in enumerate(line.points)
        )
        dashed = ' stroke-dasharray="8 5"' if line.style == "dashed" else ""
        out.append(f'<path class="series {escape(line.css)}" d="{path}"{dashed} fill="none"/>')
        step = max(1, len(line.points) // 12)
        for m, v in list(line.points)[::step]:
            px, py = x(m), y(float(v))
            if index % 2 == 0:
                out.append(f'<circle class="dot {escape(line.css)}" cx="{px:.1f}" cy="{py:.1f}" r="3.5"/>')
            else:
                out.append(
                    f'<rect class="dot {escape(line.css)}" x="{px - 3.5:.1f}" y="{py - 3.5:.1f}" width="7" height="7"/>'
                )
    # The legend, drawn below the axis title so it never covers a line.
    for index, (line, (lx, row)) in enumerate(zip(lines, places, strict=False)):
        dashed = ' stroke-dasharray="8 5"' if line.style == "dashed" else ""
        ly = _TOP + plot_h + (3 + row) * _ROW - 2
        out.append(
            f'<g class="legend"><line class="series {escape(line.css)}" x1="{lx}" x2="{lx + 28}" '
            f'y1="{ly - 4}" y2="{ly - 4}"{dashed}/>'
        )
        shape = (
            f'<circle class="dot {escape(line.css)}" cx="{lx + 14}" cy="{ly - 4}" r="3.5"/>'
            if index % 2 == 0
            else f'<rect class="dot {escape(line.css)}" x="{lx + 10.5}" y="{ly - 7.5}" width="7" height="7"/>'
        )
        out.append(f'{shape}<text x="{lx + 34}" y="{ly}">{escape(line.name)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def legend_html(lines: Sequence[Line]) -> str:
    """A chart's legend as an HTML list (markup, escaped): each line's stroke and marker drawn
    small beside its name, which wraps like any text.

    >>> legend_html([Line("Base case", [])]).count("<li>")
    1
    """
    items = []
    for index, line in enumerate(lines):
        css = escape(line.css)
        dashed = ' stroke-dasharray="8 5"' if line.style == "dashed" else ""
        shape = (
            f'<circle class="dot {css}" cx="18" cy="8" r="3.5"/>'
            if index % 2 == 0
            else f'<rect class="dot {css}" x="14.5" y="4.5" width="7" height="7"/>'
        )
        items.append(
            f'<li><svg class="chart swatch" viewBox="0 0 36 16" aria-hidden="true" focusable="false">'
            f'<line class="series {css}" x1="2" x2="34" y1="8" y2="8"{dashed}/>{shape}</svg>{escape(line.name)}</li>'
        )
    return '<ul class="chart-legend">' + "".join(items) + "</ul>"


def _legend_width(name: str) -> int:
    return 34 + 14 * len(name) + 30  # wide enough for the name at a phone's size


def _legend_places(lines: Sequence[Line]) -> list[tuple[int, int]]:
    """Where each line's legend entry goes: (x, row), a new row when the next does not fit."""
    places: list[tuple[int, int]] = []
    lx, row = _LEFT, 0
    for line in lines:
        width = _legend_width(line.name)
        if lx > _LEFT and lx + width - 30 > _WIDTH:
            lx, row = _LEFT, row + 1
        places.append((lx, row))
        lx += width
    return places


@dataclass(frozen=True, slots=True)
class Bars:
    """One series of a bar chart: its name, one value per category, the text written at the end
    of each bar, and its colour class."""

    name: str
    values: Sequence[float]
    texts: Sequence[str]
    css: str = "line-a"


_BAR, _BAR_GAP, _LABEL = 22, 4, 32


def bar_chart(
    categories: Sequence[str], series: Sequence[Bars], *, title: str, description: str, dom_id: str
) -> str:
    """Horizontal bars, one group per category (its name above it, so a long name fits on a
    phone), one bar per series with its text at its end, and a legend when there are two or
    more series (a string of markup, already escaped).

    >>> svg = bar_chart(["car", "boat"], [Bars("Loans", [3, 1], ["3", "1"])], title="Loans",
    ...                 description="Three cars and a boat.", dom_id="b")
    >>> svg.count('<rect class="bar') == 2 and '<title id="b-title">Loans</title>' in svg
    True
    """
    top = max([v for bars in series for v in bars.values] + [0.0]) or 1.0
    group = _LABEL + len(series) * (_BAR + _BAR_GAP) + 10
    legend = _ROW if len(series) > 1 else 0
    height = 10 + group * len(categories) + legend + 10
    longest = max([len(text) for bars in series for text in bars.texts] + [1])
    # Room at the right for the longest bar's text at a phone's size (24 units a letter's height).
    left, width = 10, _WIDTH - 10 - (14 * longest + 12)
    out = [
        f'<svg class="chart bars" id="{escape(dom_id)}" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(dom_id)}-title {escape(dom_id)}-desc" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(dom_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(dom_id)}-desc">{escape(description)}</desc>',
    ]
    y = 10
    for k, category in enumerate(categories):
        out.append(f'<text class="category" x="{left}" y="{y + _LABEL - 8}">{escape(category)}</text>')
        y += _LABEL
        for bars in series:
            length = max(width * bars.values[k] / top, 1.0)
            out.append(
                f'<rect class="bar {escape(bars.css)}" x="{left}" y="{y}" width="{length:.1f}" height="{_BAR}"/>'
                f'<text class="bar-text" x="{left + length + 6:.1f}" y="{y + _BAR - 4}">{escape(bars.texts[k])}</text>'
            )
            y += _BAR + _BAR_GAP
        y += 10
    if legend:
        lx = left
        for bars in series:
            out.append(
                f'<g class="legend"><rect class="bar {escape(bars.css)}" x="{lx}" y="{y + 4}" width="18" height="18"/>'
                f'<text x="{lx + 26}" y="{y + 19}">{escape(bars.name)}</text></g>'
            )
            lx += 26 + 14 * len(bars.name) + 30
    out.append("</svg>")
    return "".join(out)


def projection_svg(result: Mapping[str, Any]) -> str:
    """The projection's chart (owed against value by month, the crossover marked) from its JSON.

    >>> svg = projection_svg({"months": [{"month": 0, "owed": "100.00", "value": "80.00"},
    ...     {"month": 1, "owed": "50.00", "value": "70.00"}], "crossover_month": 1, "horizon_months": 1})
    >>> "Owed" in svg and "Worth" in svg and "surfaces" in svg
    True
    """
    months = result.get("months") or []
    owed = [(int(m["month"]), Decimal(m["owed"])) for m in months]
    worth = [(int(m["month"]), Decimal(m["value"])) for m in months]
    crossover = result.get("crossover_month")
    markers = [] if crossover in (None, 0) else [Marker(int(crossover), f"surfaces, month {crossover}")]
    last = months[-1] if months else None
    if crossover is None:
        verdict = "Owed stays above the value to the end of the chart"
    elif crossover == 0:
        verdict = "Owed stays at or below the value throughout"
    else:
        verdict = f"Owed falls to the value and stays below it from month {crossover}"
    description = (
        f"Two lines over {result.get('horizon_months', len(months) - 1)} months. Owed starts at "
        f"{_money_text(owed[0][1]) if owed else '$0'} and the value at {_money_text(worth[0][1]) if worth else '$0'}. "
        f"{verdict}"
        + (
            f"; in the last month {_money_text(Decimal(last['owed']))} is owed on a value of "
            f"{_money_text(Decimal(last['value']))}."
            if last
            else "."
        )
    )
    return line_chart(
        [Line("Owed", owed, "solid", "line-owed"), Line("Worth", worth, "dashed", "line-value")],
        title="What you owe against what it is worth, month by month",
        description=description,
        markers=markers,
        dom_id="projection-chart",
    )


def value_svg(result: Mapping[str, Any]) -> str:
    """The value page's chart (the value path by month) from its JSON."""
    months = result.get("months") or []
    points = [(int(m["month"]), Decimal(m["value"])) for m in months]
    first = _money_text(points[0][1]) if points else "$0"
    end = _money_text(points[-1][1]) if points else "$0"
    return line_chart(
        [Line("Worth", points, "dashed", "line-value")],
        title="What it is likely to be worth, month by month",
        description=f"One line over {len(points) - 1} months: from {first} today to {end} at the end.",
        dom_id="value-chart",
    )


def _money_text(amount: Decimal) -> str:
    return f"${amount:,.2f}"
