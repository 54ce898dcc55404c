"""Report charts drawn on the server as SVG: bar, stacked bar and line.

Why SVG from the server and not Vega-Lite: the screen's content security policy allows
scripts only from this site with a nonce, and no ``unsafe-eval`` (Vega compiles its
expressions with ``new Function`` unless ``vega-interpreter`` is wired in); SVG needs no
JavaScript bundle at all, so a chart shows with JavaScript off, prints as sharply as the
page, and is checked by the same tests as the HTML around it.

Every chart is drawn from its :class:`~api.reports.model.Figure`'s table (the table is the
truth; the chart never shows a number the table does not). Each one is accessible on its
own: ``role="img"`` with a ``<title>`` and a ``<desc>`` that says in words what it shows,
a text label on every bar and line (with its value), and never colour alone: the series of
a stacked bar also differ by pattern, and the lines of a line chart by marker and dash. No
``style`` attribute or element is used (the CSP's ``style-src 'self'`` would block it); the
colours are SVG presentation attributes from the GOV.UK palette.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from api.reports.model import Cell, ChartKind, Figure

NO_CONTACTS = "No contacts in this period"
"""What a chart with nothing to draw says (its table says the same)."""

WIDTH = 640
LABEL_WIDTH = 210  # bar charts: the row names on the left
VALUE_WIDTH = 70  # bar charts: room for the value after the longest bar
BAR_HEIGHT = 22
BAR_GAP = 10
TOP = 12
FONT_SIZE = 14
LABEL_CHARS = 28  # longer row names are shortened on the chart (the table has them whole)

TEXT = "#0b0c0c"  # GOV.UK text colour
SECONDARY_TEXT = "#505a5f"
GRID = "#b1b4b6"  # GOV.UK mid grey
COLOURS = ("#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#28a197", "#d53880",
           "#003078")
"""GOV.UK colours: blue, orange, green, purple, red, turquoise, pink, dark blue."""
PATTERNS = ("", "stripes", "dots", "cross", "", "stripes", "dots", "cross")
"""A pattern over each stacked series' colour, so no two series differ by colour alone."""
MARKERS = ("circle", "square", "triangle", "diamond")
DASHES = ("", "8 4", "2 3", "10 3 2 3")


@dataclass(frozen=True)
class Chart:
    """A drawn chart: the SVG markup, and the sentence its ``<desc>`` holds."""

    svg: Markup
    description: str


# --- numbers and words -------------------------------------------------------------------

def number(value: Cell) -> float:
    """A cell as a number to draw (non-numbers and missing cells draw nothing)."""
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else 0.0


def value_text(value: Cell, unit: str = "") -> str:
    """A cell as the chart writes it: 12, 4.5%, 3.2 minutes, or "no data"."""
    if value is None:
        return "no data"
    if isinstance(value, float):
        shown = f"{value:,.1f}".rstrip("0").rstrip(".")
    elif isinstance(value, int):
        shown = f"{value:,}"
    else:
        shown = str(value)
    if not unit:
        return shown
    return f"{shown}{unit}" if unit == "%" else f"{shown} {unit}"


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """A row name short enough for the chart's label column."""
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


def nice_ceiling(top: float) -> tuple[float, float]:
    """The axis's top and its step: a round number at or above ``top`` (5 or fewer steps)."""
    if top <= 0:
        return 1.0, 1.0
    magnitude = 10 ** math.floor(math.log10(top))
    for step in (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0):
        size = step * magnitude
        if top / size <= 5:
            return math.ceil(top / size - 1e-9) * size, size
    return top, top  # unreachable: 10 * magnitude always fits


def _column_index(figure: Figure, key: str) -> int:
    for index, column in enumerate(figure.columns):
        if column.key == key:
            return index
    raise ValueError(f"The figure '{figure.key}' has no column '{key}'; its columns are: "
                     f"{', '.join(c.key for c in figure.columns)}.")


def _unit(figure: Figure, key: str) -> str:
    return figure.columns[_column_index(figure, key)].unit


def _label(row: Sequence[Cell]) -> str:
    return "Not recorded" if not row or row[0] is None else str(row[0])


def is_empty(figure: Figure) -> bool:
    """True when the figure has nothing to draw: no rows, or every drawn value 0 or missing."""
    if not figure.rows:
        return True
    keys = [figure.value] if figure.chart is ChartKind.BAR and figure.value else list(
        figure.series)
    indexes = [_column_index(figure, key) for key in keys]
    return all(number(row[i]) == 0 for row in figure.rows for i in indexes if i < len(row))


# --- the SVG frame ----------------------------------------------------------------------

def _svg(figure: Figure, height: float, description: str, body: Sequence[str]) -> Chart:
    ident = f"chart-{escape(figure.key)}"
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" '
           f'id="{ident}" aria-labelledby="{ident}-title {ident}-desc" '
           f'viewBox="0 0 {WIDTH} {height:g}" width="100%" '
           f'preserveAspectRatio="xMinYMin meet" font-family="inherit" '
           f'font-size="{FONT_SIZE}" fill="{TEXT}">'
           f'<title id="{ident}-title">{escape(figure.title)}</title>'
           f'<desc id="{ident}-desc">{escape(description)}</desc>'
           + "".join(body) + "</svg>")
    return Chart(Markup(svg), description)


def _text(x: float, y: float, words: str, *, anchor: str = "start", fill: str = TEXT,
          size: int = FONT_SIZE, weight: str = "") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" '
            f'font-size="{size}"{bold}>{escape(words)}</text>')


def empty_chart(figure: Figure) -> Chart:
    """A chart with nothing to draw says so, in the chart and in its description."""
    return _svg(figure, 60, f"{NO_CONTACTS}.",
                [f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="59" fill="#f3f2f1" '
                 f'stroke="{GRID}"/>', _text(WIDTH / 2, 35, NO_CONTACTS, anchor="middle")])


def _patterns(figure: Figure, count: int) -> str:
    """Pattern fills for stacked series: each series' colour with its own texture."""
    defs = []
    for index in range(count):
        colour = COLOURS[index % len(COLOURS)]
        kind = PATTERNS[index % len(PATTERNS)]
        ident = f"{escape(figure.key)}-series-{index}"
        if kind == "stripes":
            mark = '<path d="M0 8 L8 0" stroke="#ffffff" stroke-width="2"/>'
        elif kind == "dots":
            mark = '<circle cx="4" cy="4" r="1.6" fill="#ffffff"/>'
        elif kind == "cross":
            mark = ('<path d="M0 4 H8 M4 0 V8" stroke="#ffffff" stroke-width="1.5"/>')
        else:
            mark = ""
        defs.append(f'<pattern id="{ident}" width="8" height="8" patternUnits="userSpaceOnUse">'
                    f'<rect width="8" height="8" fill="{colour}"/>{mark}</pattern>')
    return "<defs>" + "".join(defs) + "</defs>"


def _fill(figure: Figure, index: int) -> str:
    return f"url(#{escape(figure.key)}-series-{index})"


# --- the charts ---------------------------------------------------------------------------

def bar_chart(figure: Figure) -> Chart:
    """One horizontal bar per row, its length the ``value`` column, labelled with its name
    and its value."""
    if figure.value is None:
        raise ValueError(f"The bar chart '{figure.key}' does not say which column to draw "
                         "(Figure.value).")
    if is_empty(figure):
        return empty_chart(figure)
    at = _column_index(figure, figure.value)
    unit = _unit(figure, figure.value)
    top = max(number(row[at]) for row in figure.rows)
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / top if top > 0 else 0.0
    body: list[str] = []
    words: list[str] = []
    for index, row in enumerate(figure.rows):
        y = TOP + index * (BAR_HEIGHT + BAR_GAP)
        label, value = _label(row), row[at]
        length = max(number(value) * scale, 0.0)
        shown = value_text(value, unit)
        words.append(f"{label} {shown}")
        flagged = index in figure.flagged
        body.append(f'<g class="report-chart__bar"><title>{escape(label)}: '
                    f'{escape(shown)}{" (flagged)" if flagged else ""}</title>')
        body.append(_text(LABEL_WIDTH - 8, y + BAR_HEIGHT * 0.7, short(label), anchor="end",
                          weight="bold" if flagged else ""))
        body.append(f'<rect class="report-chart__value" x="{LABEL_WIDTH}" y="{y}" '
                    f'width="{length:.2f}" '
                    f'height="{BAR_HEIGHT}" fill="{COLOURS[0]}"/>')
        body.append(_text(LABEL_WIDTH + length + 6, y + BAR_HEIGHT * 0.7,
                          shown + (" (flagged)" if flagged else ""),
                          weight="bold" if flagged else ""))
        body.append("</g>")
    height = TOP * 2 + len(figure.rows) * (BAR_HEIGHT + BAR_GAP)
    body.insert(0, f'<line x1="{LABEL_WIDTH}" y1="{TOP - 4}" x2="{LABEL_WIDTH}" '
                   f'y2="{height - TOP}" stroke="{TEXT}"/>')
    column = figure.columns[at].heading
    return _svg(figure, height, f"Bar chart of {column.lower()} by "
                f"{figure.columns[0].heading.lower()}: " + "; ".join(words) + ".", body)


def _legend(figure: Figure, headings: Sequence[str], y: float, *, lines: bool = False
            ) -> tuple[list[str], float]:
    """A key naming each series beside its swatch (or its line and marker)."""
    body = []
    x, row_y = 0.0, y
    for index, heading in enumerate(headings):
        width = 34 + len(heading) * 8
        if x + width > WIDTH:
            x, row_y = 0.0, row_y + 24
        if lines:
            body.append(_series_line(index, [(x + 2, row_y + 8), (x + 24, row_y + 8)]))
            body.append(_marker(index, x + 13, row_y + 8))
        else:
            body.append(f'<rect x="{x:.1f}" y="{row_y}" width="16" height="16" '
                        f'fill="{_fill(figure, index)}" stroke="{TEXT}" stroke-width="0.5"/>')
        body.append(_text(x + (30 if lines else 22), row_y + 13, heading))
        x += width
    return ['<g class="report-chart__legend">', *body, "</g>"], row_y + 24 - y


def stacked_bar_chart(figure: Figure) -> Chart:
    """One horizontal bar per row, made of its ``series`` columns end to end, with a key;
    each part is labelled with its value where it is wide enough, and the row's total
    is written at its end."""
    if not figure.series:
        raise ValueError(f"The stacked bar chart '{figure.key}' names no series "
                         "(Figure.series).")
    if is_empty(figure):
        return empty_chart(figure)
    indexes = [_column_index(figure, key) for key in figure.series]
    headings = [figure.columns[i].heading for i in indexes]
    units = [figure.columns[i].unit for i in indexes]
    legend, legend_height = _legend(figure, headings, TOP)
    start = TOP + legend_height + 8
    totals = [math.fsum(number(row[i]) for i in indexes) for row in figure.rows]
    top = max(totals)
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / top if top > 0 else 0.0
    body: list[str] = [_patterns(figure, len(indexes)), *legend]
    words: list[str] = []
    for index, row in enumerate(figure.rows):
        y = start + index * (BAR_HEIGHT + BAR_GAP)
        label = _label(row)
        flagged = index in figure.flagged
        parts = [f"{heading} {value_text(row[i], unit)}"
                 for heading, i, unit in zip(headings, indexes, units, strict=True)]
        words.append(f"{label}: " + ", ".join(parts))
        body.append(f'<g class="report-chart__bar"><title>{escape(label)}: '
                    f'{escape(", ".join(parts))}{" (flagged)" if flagged else ""}</title>')
        body.append(_text(LABEL_WIDTH - 8, y + BAR_HEIGHT * 0.7, short(label), anchor="end",
                          weight="bold" if flagged else ""))
        x = float(LABEL_WIDTH)
        for series, (i, unit) in enumerate(zip(indexes, units, strict=True)):
            length = max(number(row[i]) * scale, 0.0)
            if length <= 0:
                continue
            body.append(f'<rect class="report-chart__value" x="{x:.2f}" y="{y}" '
                        f'width="{length:.2f}" height="{BAR_HEIGHT}" '
                        f'fill="{_fill(figure, series)}" '
                        f'stroke="#ffffff" stroke-width="1"/>')
            shown = value_text(row[i], unit)
            if length > len(shown) * 8 + 8:  # the value fits inside its part
                body.append(f'<rect x="{x + length / 2 - len(shown) * 4 - 3:.2f}" '
                            f'y="{y + 3}" width="{len(shown) * 8 + 6}" '
                            f'height="{BAR_HEIGHT - 6}" fill="#ffffff"/>')
                body.append(_text(x + length / 2, y + BAR_HEIGHT * 0.7, shown,
                                  anchor="middle", size=12))
            x += length
        total_unit = units[0] if len(set(units)) == 1 else ""
        total = value_text(round(totals[index], 1) if total_unit == "%" else
                           (int(totals[index]) if totals[index].is_integer()
                            else totals[index]), total_unit)
        body.append(_text(x + 6, y + BAR_HEIGHT * 0.7,
                          f"{total}{' (flagged)' if flagged else ''}",
                          fill=SECONDARY_TEXT if not flagged else TEXT,
                          weight="bold" if flagged else ""))
        body.append("</g>")
    height = start + len(figure.rows) * (BAR_HEIGHT + BAR_GAP) + TOP
    return _svg(figure, height, "Stacked bar chart of " + ", ".join(h.lower() for h in headings)
                + f" by {figure.columns[0].heading.lower()}: " + "; ".join(words) + ".", body)


def _series_line(index: int, points: Sequence[tuple[float, float]]) -> str:
    dash = DASHES[index % len(DASHES)]
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return (f'<polyline points="{path}" fill="none" stroke="{COLOURS[index % len(COLOURS)]}" '
            f'stroke-width="3"{dashes}/>')


def _marker(index: int, x: float, y: float) -> str:
    colour = COLOURS[index % len(COLOURS)]
    kind = MARKERS[index % len(MARKERS)]
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="{colour}"/>'
    if kind == "triangle":
        return (f'<path d="M{x:.1f} {y - 6:.1f} L{x + 6:.1f} {y + 4.5:.1f} '
                f'L{x - 6:.1f} {y + 4.5:.1f} Z" fill="{colour}"/>')
    return (f'<path d="M{x:.1f} {y - 6:.1f} L{x + 6:.1f} {y:.1f} L{x:.1f} {y + 6:.1f} '
            f'L{x - 6:.1f} {y:.1f} Z" fill="{colour}"/>')


def line_chart(figure: Figure) -> Chart:
    """One line per ``series`` column across the rows (weeks or months), each point a
    marker, each line named at its end and in the key; the y axis has round gridlines."""
    if not figure.series:
        raise ValueError(f"The line chart '{figure.key}' names no series (Figure.series).")
    if is_empty(figure):
        return empty_chart(figure)
    indexes = [_column_index(figure, key) for key in figure.series]
    headings = [figure.columns[i].heading for i in indexes]
    units = [figure.columns[i].unit for i in indexes]
    legend, legend_height = _legend(figure, headings, TOP, lines=True)
    left, right = 56.0, WIDTH - 150.0
    plot_top = TOP + legend_height + 16
    plot_bottom = plot_top + 220.0
    ceiling, step = nice_ceiling(max(number(row[i]) for row in figure.rows for i in indexes))
    body: list[str] = [*legend]
    unit = units[0] if len(set(units)) == 1 else ""
    ticks = round(ceiling / step)
    for tick in range(ticks + 1):
        value = tick * step
        y = plot_bottom - (plot_bottom - plot_top) * value / ceiling
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                    f'stroke="{GRID}" stroke-width="1"/>')
        body.append(_text(left - 6, y + 5, value_text(int(value) if float(value).is_integer()
                                                      else value, unit), anchor="end",
                          fill=SECONDARY_TEXT, size=12))
    count = len(figure.rows)
    gap = (right - left) / (count - 1) if count > 1 else 0.0
    xs = [left + gap * i if count > 1 else (left + right) / 2 for i in range(count)]
    every = max(1, math.ceil(count / 8))  # at most 8 period labels under the axis
    for i, row in enumerate(figure.rows):
        if i % every == 0 or i == count - 1:
            body.append(_text(xs[i], plot_bottom + 20, short(_label(row), 12), anchor="middle",
                              fill=SECONDARY_TEXT, size=12))
    words: list[str] = []
    for series, (i, heading, series_unit) in enumerate(zip(indexes, headings, units,
                                                           strict=True)):
        points = []
        for x, row in zip(xs, figure.rows, strict=True):
            if row[i] is None:
                continue
            y = plot_bottom - (plot_bottom - plot_top) * number(row[i]) / ceiling
            points.append((x, y, row))
        body.append(f'<g class="report-chart__line"><title>{escape(heading)}</title>')
        if len(points) > 1:
            body.append(_series_line(series, [(x, y) for x, y, _ in points]))
        for x, y, row in points:
            body.append(f"<g><title>{escape(heading)}, {escape(_label(row))}: "
                        f"{escape(value_text(row[i], series_unit))}</title>"
                        f"{_marker(series, x, y)}</g>")
        if points:
            last_x, last_y, last_row = points[-1]
            body.append(_text(last_x + 10, last_y + 5, short(
                f"{heading} {value_text(last_row[i], series_unit)}", 18),
                fill=TEXT, size=12))
        body.append("</g>")
        words.append(f"{heading}: " + ", ".join(
            f"{_label(row)} {value_text(row[i], series_unit)}" for row in figure.rows))
    body.insert(0, f'<line x1="{left}" y1="{plot_bottom}" x2="{right}" y2="{plot_bottom}" '
                   f'stroke="{TEXT}"/>')
    height = plot_bottom + 34
    return _svg(figure, height, "Line chart of " + ", ".join(h.lower() for h in headings)
                + f" by {figure.columns[0].heading.lower()}. " + "; ".join(words) + ".", body)


def chart(figure: Figure) -> Chart | None:
    """The figure's chart as SVG, or None for a table-only figure."""
    if figure.chart is ChartKind.BAR:
        return bar_chart(figure)
    if figure.chart is ChartKind.STACKED_BAR:
        return stacked_bar_chart(figure)
    if figure.chart is ChartKind.LINE:
        return line_chart(figure)
    return None
