"""Charts for the PDF report as PNG (matplotlib figures, no pyplot): today vs average, spread, movement."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure

from dialogues.tally import AllocationTally

COLOURS = ["#7f8c99", "#1f5fa8", "#f28c28", "#3a9d5d", "#b03a48", "#6a4c93"]
DPI = 150


def _png(fig: Figure) -> bytes:
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def today_vs_average(names: list[str], today: list[int], rounds: list[tuple[str, list[float]]]) -> bytes:
    """Horizontal bars per service: today's pence, then residents' mean in each round."""
    n, k = len(names), 1 + len(rounds)
    fig = Figure(figsize=(7, 1.0 + n * (0.12 + 0.1 * k)))
    ax = fig.subplots()
    height = 0.8 / k
    series = [("Today", [float(t) for t in today]), *rounds]
    for i, (label, values) in enumerate(series):
        ys = [j + (i - (k - 1) / 2) * height for j in range(n)]
        bars = ax.barh(ys, values, height=height, label=label, color=COLOURS[i % len(COLOURS)])
        ax.bar_label(bars, labels=[f"{v:.1f}p" if i else f"{v:.0f}p" for v in values], padding=2, fontsize=7)
    ax.set_yticks(range(n), labels=names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("pence of each pound", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max([max(v) for _, v in series if v] + [1]) * 1.2)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return _png(fig)


def spread(tally: AllocationTally, title: str) -> bytes:
    """A box plot per service from the tally's quartiles (no resident's own numbers needed), with today marked."""
    stats = [
        {"label": s.name, "med": s.median, "q1": s.q1, "q3": s.q3, "whislo": s.low, "whishi": s.high, "mean": s.mean}
        for s in tally.services
    ]
    n = len(stats)
    fig = Figure(figsize=(7, 1.0 + 0.3 * n))
    ax = fig.subplots()
    ax.bxp(
        stats,
        orientation="horizontal",
        showfliers=False,
        showmeans=True,
        patch_artist=True,
        boxprops={"facecolor": "#cfe0f3", "edgecolor": "#1f5fa8"},
        meanprops={"marker": "D", "markerfacecolor": "#f28c28", "markeredgecolor": "#f28c28", "markersize": 4},
        medianprops={"color": "#1f5fa8"},
    )
    ax.scatter(
        [s.today for s in tally.services], range(1, n + 1), marker="|", s=160, color="#b03a48", label="today", zorder=3
    )
    ax.invert_yaxis()
    ax.set_yticks(range(1, n + 1), labels=[s.name for s in tally.services], fontsize=8)
    ax.set_xlabel("pence of each pound (box: middle half of residents; whiskers: lowest to highest)", fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return _png(fig)


def movement(names: list[str], rounds: list[tuple[str, list[float]]]) -> bytes:
    """Each service's mean in each round, joined by a line: how views moved as residents deliberated."""
    n = len(names)
    fig = Figure(figsize=(7, 1.0 + 0.3 * n))
    ax = fig.subplots()
    for j in range(n):
        xs = [values[j] for _, values in rounds]
        ax.plot(xs, [j] * len(xs), color="#bbbbbb", zorder=1)
        if len(xs) > 1 and abs(xs[-1] - xs[0]) >= 0.05:
            ax.annotate(
                "", xy=(xs[-1], j), xytext=(xs[0], j), arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 1}
            )
    for i, (label, values) in enumerate(rounds):
        ax.scatter(values, range(n), color=COLOURS[(i + 1) % len(COLOURS)], label=label, zorder=2, s=22)
    ax.set_yticks(range(n), labels=names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("residents' mean, pence of each pound", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return _png(fig)
