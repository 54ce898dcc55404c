"""The report charts are SVG drawn from their figure's table: well-formed, accessible on
their own (a title, a description in words, a text label on everything drawn), bars in
proportion to their numbers, and a chart with nothing to draw says so."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest

from api.reports.model import ChartKind, Figure
from api.web.charts import NO_CONTACTS, chart, nice_ceiling, value_text
from tests.api.report_fixtures import CALLER_TYPES, DEFLECTION, EQUITY, NOTHING, OUTCOME_MIX

SVG = "{http://www.w3.org/2000/svg}"


def drawn(figure: Figure) -> ET.Element:
    made = chart(figure)
    assert made is not None
    return ET.fromstring(str(made.svg))  # fails on anything that is not well-formed XML


def texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


def bars(svg: ET.Element) -> list[ET.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect")
            if rect.get("class") == "report-chart__value"]


@pytest.mark.parametrize("figure", [CALLER_TYPES, OUTCOME_MIX, DEFLECTION, NOTHING],
                         ids=lambda f: f.key)
def test_every_chart_is_an_accessible_image_with_a_title_and_a_description(
        figure: Figure) -> None:
    svg = drawn(figure)
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert title is not None and title.text == figure.title
    assert desc is not None and desc.text
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    markup = str(chart(figure).svg)  # type: ignore[union-attr]
    # Nothing the strict content security policy would block: no script, no inline style.
    assert "<script" not in markup and "style=" not in markup and "<style" not in markup
    assert "on" + "load" not in markup.lower()


def test_bars_are_in_proportion_to_their_numbers_and_each_is_labelled() -> None:
    svg = drawn(CALLER_TYPES)
    widths = [float(rect.get("width", "0")) for rect in bars(svg)]
    values = [row[1] for row in CALLER_TYPES.rows]
    assert len(widths) == len(values) == 4
    for width, value in zip(widths, values, strict=True):
        assert width / widths[0] == pytest.approx(value / values[0], rel=1e-3)  # type: ignore[operator]
    words = texts(svg)
    for name in ("Family, friend or neighbour", "GP or community health",
                 "The person themselves", "Police, probation or court"):
        assert name in words
    assert {"120", "90", "60", "30"} <= set(words)
    desc = svg.find(f"{SVG}desc")
    assert desc is not None and "GP or community health 90" in (desc.text or "")


def test_a_stacked_bar_draws_each_series_end_to_end_with_a_key_and_the_total() -> None:
    svg = drawn(OUTCOME_MIX)
    first_week = [rect for rect in bars(svg)][:3]
    widths = [float(rect.get("width", "0")) for rect in first_week]
    assert widths[0] / widths[1] == pytest.approx(30 / 20, rel=1e-3)
    assert widths[1] / widths[2] == pytest.approx(20 / 10, rel=1e-3)
    # Each part starts where the one before it ends.
    xs = [float(rect.get("x", "0")) for rect in first_week]
    assert xs[1] == pytest.approx(xs[0] + widths[0], abs=0.02)
    words = texts(svg)
    assert {"Deflected online", "New referral", "Signposted"} <= set(words)  # the key
    assert "60" in words  # the first week's total
    # Not colour alone: the series are filled with different patterns.
    fills = {rect.get("fill") for rect in first_week}
    assert len(fills) == 3 and all(str(f).startswith("url(#") for f in fills)
    assert len(list(svg.iter(f"{SVG}pattern"))) == 3


def test_a_line_chart_has_a_line_and_a_marker_per_value_and_names_each_line() -> None:
    svg = drawn(DEFLECTION)
    lines = list(svg.iter(f"{SVG}polyline"))
    assert len(lines) == 2 + 2  # the two series, and their two swatches in the key
    dashes = {line.get("stroke-dasharray") for line in lines}
    assert len(dashes) == 2  # the two lines differ by dash, not by colour alone
    words = texts(svg)
    assert "Deflection rate" in words and "Assisted share" in words
    assert any(w.startswith("Deflection rate 0%") for w in words)  # at the line's end
    desc = svg.find(f"{SVG}desc")
    assert desc is not None
    assert "Deflection rate: 2026-W44 50%, 2026-W45 33.3%, 2026-W46 0%" in (desc.text or "")
    assert "2026-W46 no data" in (desc.text or "")  # a missing value is said, not drawn as 0


def test_a_chart_with_no_contacts_says_so() -> None:
    svg = drawn(NOTHING)
    assert NO_CONTACTS in texts(svg)
    desc = svg.find(f"{SVG}desc")
    assert desc is not None and desc.text == f"{NO_CONTACTS}."
    zeros = dataclasses.replace(CALLER_TYPES, rows=[["Anyone", 0, 0.0]])
    assert NO_CONTACTS in texts(drawn(zeros))


def test_a_flagged_row_is_called_out_in_words_on_the_chart() -> None:
    words = texts(drawn(EQUITY))
    assert "10% (flagged)" in words
    assert "32% (flagged)" not in words


def test_text_from_the_figure_is_escaped() -> None:
    hostile = dataclasses.replace(CALLER_TYPES, title="<script>alert(1)</script>",
                                  rows=[["</text><script>x</script>", 3, 1.0]])
    markup = str(chart(hostile).svg)  # type: ignore[union-attr]
    assert "<script" not in markup
    svg = ET.fromstring(markup)
    assert "</text><script>x</script>" in texts(svg)


def test_a_table_only_figure_has_no_chart() -> None:
    assert chart(dataclasses.replace(CALLER_TYPES, chart=ChartKind.NONE)) is None


@pytest.mark.parametrize(("top", "ceiling", "step"), [
    (7, 8, 2), (50, 50, 10), (33.3, 40, 10), (0.4, 0.4, 0.1), (120, 125, 25), (0, 1, 1)])
def test_the_axis_ends_at_a_round_number(top: float, ceiling: float, step: float) -> None:
    assert nice_ceiling(top) == pytest.approx((ceiling, step))


def test_values_are_written_with_their_units() -> None:
    assert value_text(1234) == "1,234"
    assert value_text(33.25, "%") == "33.2%"
    assert value_text(2.5, "minutes") == "2.5 minutes"
    assert value_text(None) == "no data"
