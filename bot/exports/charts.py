"""Charts for the report (HTML and PDF) as PNG, drawn from a question type's chart in the export's language by the
same code as the bot's charts (bot/charts.py), so they read at a phone's width too: bars of one round beside what
it is compared with, and dots of how views moved between rounds."""

from __future__ import annotations

from bot.charts import draw_bars, draw_dots
from bot.exports.tables import ChartData

DPI = 200  # the PDF prints the 4-inch figure some 4 inches wide: sharp on paper as on a screen


def bars(chart: ChartData) -> bytes:
    """Horizontal bars, a group per label and a colour per series, each bar with its value."""
    return draw_bars(chart.title, chart.labels, chart.series, chart.unit, chart.axis, dpi=DPI)


def movement(chart: ChartData) -> bytes:
    """Each label's value in each series as a dot, with an arrow from the first series to the last."""
    return draw_dots(chart.title, chart.labels, chart.series, chart.unit, chart.axis, dpi=DPI)
