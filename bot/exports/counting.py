"""A round's figures counted from the responses an export writes, as RoundTally.add_answers would one by one, for
less: a stored answer that recurs (a rating, a choice, a ranking) is decoded and added once, with the number of
residents who gave it; the others (pounds, free text) are added a batch at a time."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from typing import Any

from bot.services.results import RoundTally
from storage.repositories.reports import Response

_TEXTS = frozenset({str, type(None)})
FLUSH = 20_000  # distinct stored answers to one question held before they are added to the tally


class RowTally:
    """Adds responses to `tally`. The answers to the questions in `stored` come undecoded, as the database keeps
    them (Reports.responses(raw=...)): those are counted by their stored text first. A tally does not depend on the
    order of residents (dialogues.questions.base.Tally), so counting first changes no figure."""

    def __init__(self, tally: RoundTally, stored: Collection[str]):
        self.tally = tally
        keys = [q.key for q in tally.spec.questions]
        self.counted: dict[str, Counter[Any]] = {k: Counter() for k in keys if k in stored}
        self.streamed = [k for k in keys if k not in stored]

    def add(self, batch: list[Response]) -> None:
        tally = self.tally
        for key in self.streamed:
            tally.add_values(key, [r.answers.get(key) for r in batch])
        for key, counts in self.counted.items():
            values = [r.answers.get(key) for r in batch]
            if not _TEXTS.issuperset(map(type, values)):  # a number SQLite stored as a number: 1, 1.0 and True
                values = self._one_by_one(key, values)  # are equal keys, so these are added one by one
            counts.update(values)  # one C pass; only equal texts are counted together
            if len(counts) > FLUSH:
                self._flush(key, counts)

    def _one_by_one(self, key: str, values: list[Any]) -> list[Any]:
        """Adds the values that are not text; the texts, left to be counted."""
        for v in values:
            if v is not None and v.__class__ is not str:
                self.tally.add(key, v)
        return [v for v in values if v.__class__ is str]

    def _flush(self, key: str, counts: Counter[Any]) -> None:
        for stored, times in counts.items():
            if stored is not None:
                self.tally.add(key, json.loads(stored) if stored.__class__ is str else stored, times)
        counts.clear()

    def close(self) -> None:
        """Adds what is still counted; call once, after the last batch."""
        for key, counts in self.counted.items():
            self._flush(key, counts)
