"""Draws chart specs from dialogues as PNG images in memory (matplotlib, no display, bundled fonts), sized for a
phone: a Telegram photo is shown some 360 pixels wide, so the figure is 4 inches wide at 180 dpi (720 pixels, sharp
on a phone's dense screen) and its smallest text is 10 points, 12 pixels on the phone. Labels come in the order the
chart gives them, top to bottom; values and the axis carry the unit. The export's charts (bot/exports/charts.py)
are drawn here too."""

from __future__ import annotations

import io
import textwrap
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.content import Render
from dialogues.screens import Chart
from dialogues.text import Inline, _

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

COLOURS = ["#7f8c99", "#1f5fa8", "#f28c28", "#3a9d5d", "#b03a48", "#6a4c93"]
WIDTH = 4.0  # inches: 720 pixels at DPI, shown about 360 wide on a phone
DPI = 180
TEXT = 10.5  # points: labels of the bars (13 pixels on a phone)
SMALL = 9.5  # values beside the bars, the legend and the axis
TITLE = 11.5
TITLE_WRAP = 40
WRAP = 16  # characters per line of a label: a long service name takes two lines, not half the width
UNITS: dict[str, Inline] = {"p": _("pence"), "%": _("percent")}

Series = Sequence[tuple[str, Sequence[float]]]


def unit_name(unit: str) -> Inline:
    """What the value axis is measured in, in words ("pence")."""
    return UNITS.get(unit, unit)


def value_text(v: float, unit: str) -> str:
    return f"{v:.0f}{unit}" if float(v).is_integer() else f"{v:.1f}{unit}"


def _label(text: str) -> str:
    return "\n".join(textwrap.wrap(text, WRAP, break_long_words=False)) or text


def _axis(ax: Axes, unit: str, axis: str, top: float) -> None:
    """The value axis from 0, its ticks with the unit ("10p") and named ("pence")."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: value_text(v, unit)))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=True))
    ax.tick_params(axis="x", labelsize=SMALL)
    ax.set_xlabel(axis, fontsize=SMALL)
    ax.set_xlim(0, top)
    ax.spines[["top", "right"]].set_visible(False)


def _figure(**kwargs: object) -> Figure:
    """A figure to draw on; matplotlib (about 40 MB) is imported when the first chart is drawn, not at start."""
    import matplotlib

    matplotlib.use("Agg")  # no display: every chart is a PNG in memory
    from matplotlib.figure import Figure

    return Figure(**kwargs)  # type: ignore[arg-type]


def _heading(fig: Figure, ax: Axes, title: str, legend: str | None, one_row: bool) -> None:
    """The title at the top left and the legend (if `legend`: "upper", under the title, or "lower", under the
    axis) outside the axes, so it never hides a figure. A title too wide for a phone takes two lines."""
    title = "\n".join(textwrap.wrap(title, TITLE_WRAP)) or title
    if legend is None:
        fig.suptitle(title, fontsize=TITLE, fontweight="bold", x=0.02, ha="left")
        return
    handles, names = ax.get_legend_handles_labels()
    cols = len(names) if one_row and sum(len(n) for n in names) <= 32 else 1
    if legend == "upper":  # the title heads the legend: one block, never overlapping
        fig.legend(handles, names, loc="outside upper left", ncol=cols, fontsize=SMALL, frameon=False,
                   handlelength=1.2, columnspacing=1.0, title=title, alignment="left",
                   title_fontproperties={"size": TITLE, "weight": "bold"})  # fmt: skip
        return
    fig.suptitle(title, fontsize=TITLE, fontweight="bold", x=0.02, ha="left")
    fig.legend(handles, names, loc="outside lower left", ncol=cols, fontsize=SMALL, frameon=False,
               handlelength=1.2)  # fmt: skip


def _png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.08)
    return buf.getvalue()


def draw_bars(title: str, labels: Sequence[str], series: Series, unit: str, axis: str, dpi: int = DPI) -> bytes:
    return _png(bars_figure(title, labels, series, unit, axis), dpi)


def draw_dots(title: str, labels: Sequence[str], series: Series, unit: str, axis: str, dpi: int = DPI) -> bytes:
    return _png(dots_figure(title, labels, series, unit, axis), dpi)


def bars_figure(title: str, labels: Sequence[str], series: Series, unit: str, axis: str) -> Figure:
    """Horizontal bars, a group per label in the order given (top to bottom), a colour per series, each bar with
    its value and unit; the legend above the bars when there is more than one series."""
    n, k = len(labels), max(1, len(series))
    wrapped = [_label(label) for label in labels]
    lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    row = max(0.12 + 0.19 * k, 0.19 * lines + 0.08)  # inches per label: its bars with their values, or its lines
    fig = _figure(figsize=(WIDTH, 0.9 + 0.3 * (k > 1) + row * n), layout="constrained")
    ax = fig.subplots()
    height = 0.8 / k
    for i, (name, values) in enumerate(series):
        colour = COLOURS[(i + (1 if k == 1 else 0)) % len(COLOURS)]  # one series alone is blue, not grey
        ys = [j + (i - (k - 1) / 2) * height for j in range(n)]
        drawn = ax.barh(ys, values, height=height * 0.92, label=name, color=colour)
        ax.bar_label(drawn, labels=[value_text(v, unit) for v in values], padding=2, fontsize=SMALL)
    ax.set_yticks(range(n), labels=wrapped, fontsize=TEXT)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(n - 0.5, -0.5)  # the first label on top
    top = max([max(v) for _, v in series if len(v)] + [1]) * 1.22  # room for the values beside the bars
    _axis(ax, unit, axis, top)
    _heading(fig, ax, title, "upper" if k > 1 else None, one_row=True)
    return fig


def dots_figure(title: str, labels: Sequence[str], series: Series, unit: str, axis: str) -> Figure:
    """Each label's value in each series as a dot, joined by a line, with an arrow from the first series to the
    last: how views moved as residents deliberated. The legend is below, a series a line (names are long)."""
    n = len(labels)
    wrapped = [_label(label) for label in labels]
    lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    row = max(0.3, 0.18 * lines + 0.06)
    fig = _figure(figsize=(WIDTH, 1.1 + 0.2 * len(series) + row * n), layout="constrained")
    ax = fig.subplots()
    for j in range(n):
        xs = [values[j] for _, values in series]
        ax.plot(xs, [j] * len(xs), color="#bbbbbb", zorder=1)
        if len(xs) > 1 and abs(xs[-1] - xs[0]) >= 0.05:
            ax.annotate(
                "", xy=(xs[-1], j), xytext=(xs[0], j), arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 1}
            )
    for i, (name, values) in enumerate(series):
        ax.scatter(values, range(n), color=COLOURS[i % len(COLOURS)], label=name, zorder=2, s=30)
    ax.set_yticks(range(n), labels=wrapped, fontsize=TEXT)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(n - 0.5, -0.5)
    ax.grid(axis="x", color="#eeeeee", zorder=0)
    top = max([max(v) for _, v in series if len(v)] + [1]) * 1.08
    _axis(ax, unit, axis, top)
    _heading(fig, ax, title, "lower", one_row=False)
    return fig


def scatter_figure(title: str, groups: Sequence[str], points: Sequence[tuple[float, float, int]]) -> Figure:
    """Points coloured by group, a legend of the groups below: where residents' reactions place them. The axes
    have no units (they are principal components), so they carry no numbers."""
    fig = _figure(figsize=(WIDTH, WIDTH * 0.9), layout="constrained")
    ax = fig.subplots()
    for g, name in enumerate(groups):
        # Residents who reacted alike sit on one spot: one dot there, its area growing with how many they are.
        spots = Counter((round(x, 6), round(y, 6)) for x, y, k in points if k == g)
        if spots:
            ax.scatter([x for x, _y in spots], [y for _x, y in spots], s=[26 * n for n in spots.values()],
                       alpha=0.75, label=name, color=COLOURS[(g + 1) % len(COLOURS)], edgecolors="white",
                       linewidths=0.5)
    ax.margins(0.12)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.spines[["top", "right"]].set_visible(False)
    _heading(fig, ax, title, "lower", one_row=True)
    return fig


def bar_chart(chart: Chart, render: Render) -> bytes:
    """A results or today's-split chart for a Telegram photo (a scatter when the chart has points)."""
    if chart.points:
        return _png(scatter_figure(render.text(chart.title), list(chart.labels), chart.points), DPI)
    return draw_bars(
        render.text(chart.title),
        [render.text(label) for label in chart.labels],
        [(render.text(name), values) for name, values in chart.series],
        chart.unit,
        render.text(chart.axis if chart.axis is not None else unit_name(chart.unit)),
    )
