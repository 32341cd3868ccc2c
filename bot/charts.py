"""Draws chart specs from dialogues as PNG images in memory (matplotlib, no display, bundled fonts)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from bot.content import Render
from dialogues.screens import Chart

COLOURS = ["#1f5fa8", "#f28c28", "#3a9d5d", "#b03a48"]


def bar_chart(chart: Chart, render: Render) -> bytes:
    """Horizontal bars, one group per label, one colour per series; readable on a phone."""
    n = len(chart.labels)
    fig = Figure(figsize=(7, 1.2 + 0.5 * n), dpi=110)
    ax = fig.subplots()
    k = len(chart.series)
    height = 0.8 / max(k, 1)
    for i, (name, values) in enumerate(chart.series):
        ys = [j + (i - (k - 1) / 2) * height for j in range(n)]
        bars = ax.barh(ys, values, height=height, label=render.text(name), color=COLOURS[i % len(COLOURS)])
        ax.bar_label(
            bars,
            labels=[f"{v:.0f}{chart.unit}" if float(v).is_integer() else f"{v:.1f}{chart.unit}" for v in values],
            padding=2,
            fontsize=8,
        )
    ax.set_yticks(range(n), labels=list(chart.labels), fontsize=9)
    ax.invert_yaxis()
    ax.set_title(render.text(chart.title), fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max([max(v) for _, v in chart.series if v] + [1]) * 1.18)
    if k > 1:
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close("all")
    return buf.getvalue()
