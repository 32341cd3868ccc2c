"""One row of the results table, and the table itself (Rich for the terminal, Markdown for RESULTS.md)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table


@dataclass
class Row:
    """A measured ratio (or a skipped one) beside the absolute figures it was made from."""

    bench: str  # e.g. "1 answers"
    what: str  # what is compared: "moot ÷ bare (aiogram, SQLite)"
    ratio: float | None  # None: no ratio applies, or skipped
    figures: str  # the absolute numbers behind the ratio
    goal: str = ""
    met: bool | None = None  # None: no goal, or not measured

    @property
    def ratio_text(self) -> str:
        if self.ratio is None:
            if self.figures.startswith("not measurable"):
                return "not measurable here"
            return "skipped" if self.figures.startswith("skipped") else "–"
        if 0 < abs(self.ratio) < 0.01:
            return f"{self.ratio:.4f}"
        return f"{self.ratio:.2f}"

    @property
    def met_text(self) -> str:
        return {True: "yes", False: "NO", None: "–"}[self.met]


def skipped(bench: str, what: str, why: str, goal: str = "") -> Row:
    return Row(bench, what, None, f"skipped: {why}", goal, None)


def print_table(rows: list[Row], title: str, console: Console | None = None) -> None:
    table = Table(title=title, show_lines=False)
    table.add_column("#", no_wrap=True)
    table.add_column("compared")
    table.add_column("ratio", justify="right", no_wrap=True)
    table.add_column("figures")
    table.add_column("goal", no_wrap=True)
    table.add_column("met", justify="center", no_wrap=True)
    for r in rows:
        met = {True: "[green]yes[/]", False: "[red]NO[/]", None: "–"}[r.met]
        table.add_row(r.bench, r.what, r.ratio_text, r.figures, r.goal, met)
    (console or Console()).print(table)


def markdown(rows: list[Row]) -> str:
    lines = ["| # | compared | ratio | figures | goal | met |", "|---|---|---:|---|---|:---:|"]
    for r in rows:
        cells = [r.bench, r.what, r.ratio_text, r.figures, r.goal, r.met_text]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
