"""The report as one accessible HTML page (what GOV.UK guidance prefers to a PDF): semantic headings, the export's
language, each chart an image with alternative text and its figures in a table beside it. Jinja2 lays out the
content of bot/exports/report.py, escaping every value; the stylesheet and the charts are inside the file."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import IO

from jinja2 import Environment, FunctionLoader, StrictUndefined, Template, select_autoescape
from markupsafe import Markup

from bot.exports.cells import Cell
from bot.exports.data import ExportData
from bot.exports.report import Report, build

TEMPLATES = files("bot.exports") / "templates"


def _source(name: str) -> str:
    return (TEMPLATES / name).read_text("utf-8")


@cache
def template() -> Template:
    env = Environment(
        loader=FunctionLoader(_source),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a value the template names that the report lacks is an error, not blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html")


@cache
def stylesheet() -> str:
    return _source("report.css")


def render(report: Report) -> str:
    """The report as an HTML document. The stylesheet is the package's own file, so it is not escaped; every text
    of the report is."""
    return template().render(r=report, css=Markup(stylesheet()))


class HtmlWriter:
    wants_rows = False

    def __init__(self, out: IO[bytes]):
        self.out = out

    def start(self, d: ExportData) -> None:
        return

    def rows(self, batch: list[list[Cell]]) -> None:  # the report holds figures, never residents' rows
        return

    def finish(self, d: ExportData) -> None:
        self.out.write(render(build(d)).encode("utf-8"))
