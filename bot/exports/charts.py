"""Charts for the PDF report as PNG (matplotlib figures, no pyplot), drawn from a question type's chart in the
export's language: bars of one round beside what it is compared with, and dots of how views moved between rounds."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure

from bot.exports.tables import ChartData

COLOURS = ["#7f8c99", "#1f5fa8", "#f28c28", "#3a9d5d", "#b03a48", "#6a4c93"]
DPI = 150


def _png(fig: Figure) -> bytes:
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _value(v: float, unit: str) -> str:
    return f"{v:.0f}{unit}" if float(v).is_integer() else f"{v:.1f}{unit}"


def bars(chart: ChartData) -> bytes:
    """Horizontal bars, a group per label and a colour per series, each bar with its value."""
    n, k = len(chart.labels), max(1, len(chart.series))
    fig = Figure(figsize=(7, 1.0 + n * (0.12 + 0.1 * k)))
    ax = fig.subplots()
    height = 0.8 / k
    for i, (name, values) in enumerate(chart.series):
        ys = [j + (i - (k - 1) / 2) * height for j in range(n)]
        drawn = ax.barh(ys, values, height=height, label=name, color=COLOURS[i % len(COLOURS)])
        ax.bar_label(drawn, labels=[_value(v, chart.unit) for v in values], padding=2, fontsize=7)
    ax.set_yticks(range(n), labels=chart.labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_title(chart.title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max([max(v) for _, v in chart.series if v] + [1]) * 1.2)
    if len(chart.series) > 1:
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    return _png(fig)


def movement(chart: ChartData) -> bytes:
    """Each label's value in each series as a dot, joined by a line, with an arrow from the first series to the
    last: how views moved as residents deliberated."""
    n = len(chart.labels)
    fig = Figure(figsize=(7, 1.0 + 0.3 * n))
    ax = fig.subplots()
    for j in range(n):
        xs = [values[j] for _, values in chart.series]
        ax.plot(xs, [j] * len(xs), color="#bbbbbb", zorder=1)
        if len(xs) > 1 and abs(xs[-1] - xs[0]) >= 0.05:
            ax.annotate(
                "", xy=(xs[-1], j), xytext=(xs[0], j), arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 1}
            )
    for i, (name, values) in enumerate(chart.series):
        ax.scatter(values, range(n), color=COLOURS[i % len(COLOURS)], label=name, zorder=2, s=22)
    ax.set_yticks(range(n), labels=chart.labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_title(chart.title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return _png(fig)
