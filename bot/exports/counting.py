"""A round's figures counted from the responses an export writes, as RoundTally.add_answers would one by one, for
less: a stored answer that recurs (a rating, a choice, a ranking) is decoded and added once, with the number of
residents who gave it; the others (pounds, free text) are added a batch at a time."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from itertools import repeat
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
        answers = [r.answers for r in batch]
        for key in self.streamed:
            tally.add_values(key, list(map(dict.get, answers, repeat(key))))  # no Python call per answer
        for key, counts in self.counted.items():
            values = list(map(dict.get, answers, repeat(key)))
            if not _TEXTS.issuperset(map(type, values)):  # numbers SQLite stored as numbers: 1, 1.0 and True
                values = [v if v is None or v.__class__ is str else (v.__class__, v) for v in values]  # are equal
            counts.update(values)  # one C pass; only equal texts (or numbers of one type) are counted together
            if len(counts) > FLUSH:
                self._flush(key, counts)

    def _flush(self, key: str, counts: Counter[Any]) -> None:
        add = self.tally.add
        for stored, times in counts.items():
            if stored.__class__ is str:
                add(key, json.loads(stored), times)
            elif stored is not None:
                add(key, stored[1], times)  # (its type, the number)
        counts.clear()

    def close(self) -> None:
        """Adds what is still counted; call once, after the last batch."""
        for key, counts in self.counted.items():
            self._flush(key, counts)
