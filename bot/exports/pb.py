"""The `pb` export: each budget ballot's election in a round as a pabulib `.pb` file (pabulib.org/format), voters
under their pseudonyms, so an officer or anyone they share it with can re-run it with other rules. One election is
the file itself; several (more rounds, more ballots) are zipped together. Which questions make an election is their
type's own `pabulib()`: nothing here knows a question type."""

from __future__ import annotations

import zipfile
from datetime import datetime
from typing import IO, Any

from bot.exports.cells import Cell
from bot.exports.data import ExportData, ExportError
from dialogues.pabulib import PbElection
from dialogues.questions import of
from dialogues.schema import Question
from dialogues.text import _

MIME = "text/plain"


def _date(when: datetime | None, d: ExportData) -> str | None:
    return f"{d.local(when):%d.%m.%Y}" if when is not None else None


class PbWriter:
    wants_rows = True
    wants_answers = True  # given each response's pseudonym and stored answers, not its Responses-table row

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.elections: dict[tuple[int, str], tuple[Question, PbElection]] = {}
        self.extension, self.mime_type = "pb", MIME

    def start(self, d: ExportData) -> None:
        spec = d.spec
        for part in d.rounds:
            for q in spec.questions:
                e = of(q).pabulib(spec, q)
                if e is not None:
                    self.elections[(part.number, q.key)] = (q, e)
        if not self.elections:
            raise ExportError(_("“{title}” has no participatory-budgeting ballot, so there is no .pb file to make.",
                                title=spec.title))
        if len(self.elections) > 1:
            self.extension, self.mime_type = "zip", "application/zip"

    def rows(self, batch: list[list[Cell]]) -> None:
        raise TypeError("the .pb file is made from answers (wants_answers), not from Responses-table rows")

    def answers(self, d: ExportData, round_number: int, batch: list[tuple[str, dict[str, Any]]]) -> None:
        spec = d.spec
        for (number, key), (q, e) in self.elections.items():
            if number != round_number:
                continue
            t = of(q)
            for voter, answers in batch:
                raw = answers.get(key)
                answer = t.decode(spec, q, raw) if raw is not None else None
                if answer is not None:
                    e.add(voter, answer)

    def _text(self, d: ExportData, number: int, q: Question, e: PbElection) -> str:
        part = next(p for p in d.rounds if p.number == number)
        dates = part.dates
        begin = _date(dates.opened_at, d) if dates is not None else None
        end = _date(dates.closed_at, d) if dates is not None else None
        exported = f"{d.exported_at:%d.%m.%Y}"
        return e.text({
            "description": f"{d.spec.title}: {q.prompt}",
            "country": "Worldwide",  # the question's own `country` replaces it
            "unit": d.spec.organiser,
            "subunit": f"{d.code} round {number} question {q.key}",
            "instance": f"{d.exported_at:%Y}",
            "date_begin": begin or exported,
            "date_end": end or exported,
            "comment": f"#1: exported by moot on {exported}; voters appear under pseudonyms",
        })

    def finish(self, d: ExportData) -> None:
        if len(self.elections) == 1:
            ((number, _key), (q, e)), = self.elections.items()
            self.out.write(self._text(d, number, q, e).encode("utf-8"))
            return
        with zipfile.ZipFile(self.out, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for (number, key), (q, e) in self.elections.items():
                z.writestr(f"{d.code}-round{number}-{key}.pb", self._text(d, number, q, e))
