"""The JSON export, described by the JSON Schema shipped beside it (bot/exports/schemas/export.schema.json): every
response under a pseudonym and the same tables of figures as the XLSX workbook, for officers and programs that
want the data rather than a spreadsheet. The responses stream to the file as they arrive; the tables, counted
from those rows, follow at finish() (a JSON object's order means nothing)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from importlib import resources
from typing import IO, Any

from bot.exports.breakdown import breakdown_tables
from bot.exports.cells import Cell
from bot.exports.data import ExportData
from bot.exports.tables import (
    Column,
    Table,
    about_table,
    columns_table,
    question_tables,
    response_columns,
    rounds_table,
)
from dialogues.text import _

FORMAT, VERSION = "moot-export", 1
RESPONSES = _("Responses")
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def schema() -> dict[str, Any]:
    """The JSON Schema every JSON export follows."""
    text = resources.files("bot.exports").joinpath("schemas/export.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def value(v: Cell | bool) -> str | int | float | None:
    """A cell as JSON: times as local ISO 8601, numbers as they are (not a number: null), text as the rows every
    format shares have it (made safe, so text that would start a formula in a spreadsheet starts with ')."""
    if v is None or v.__class__ in (str, int):
        return v
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, datetime):
        return v.replace(tzinfo=None).isoformat(timespec="seconds")
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, int):
        return int(v)
    return str(v)


def _columns(columns: list[Column]) -> list[dict[str, str]]:
    return [{"header": c.header, "kind": c.kind} for c in columns]


def _table(t: Table) -> dict[str, Any]:
    out: dict[str, Any] = {"name": t.name, "title": t.title, "columns": _columns(t.columns),
                           "rows": [[value(v) for v in row] for row in t.rows]}
    if t.note:
        out["note"] = t.note
    return out


class JsonWriter:
    wants_rows = True

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.first = True

    def start(self, d: ExportData) -> None:
        head = _dumps({"name": "responses", "title": d.texts(RESPONSES),
                       "columns": _columns(response_columns(d))})
        self.out.write(f'{{"format":"{FORMAT}","version":{VERSION},"responses":{head[:-1]},"rows":['.encode())

    def rows(self, batch: list[list[Cell]]) -> None:
        if not batch:
            return
        text = ",".join(_dumps([value(v) for v in row]) for row in batch)
        self.out.write(("" if self.first else ",").encode() + text.encode("utf-8"))
        self.first = False

    def finish(self, d: ExportData) -> None:
        rest = {
            "consultation": {"code": d.code, "title": d.spec.title, "organiser": d.spec.organiser,
                             "version": d.latest_version},
            "exported_at": d.exported_at.isoformat(timespec="seconds"),
            "language": d.texts.language,
            "rounds": [p.number for p in d.rounds],
            "tables": [_table(t) for t in (rounds_table(d), *question_tables(d), *breakdown_tables(d), columns_table(d),
                                            about_table(d))],
        }
        self.out.write(b"]}," + _dumps(rest)[1:].encode("utf-8"))
