"""The rules of sharing 100p across services: button steps, typed entries, and the final check."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

from dialogues.schema import Service, texts_of
from dialogues.text import Msg, Span, _, join

TOTAL = 100
Allocation = dict[str, int]


class AllocationError(ValueError):
    """A change or entry the rules refuse; the message is written for the resident."""

    def __init__(self, message: Msg, suggestion: tuple[int, int] | None = None):
        super().__init__(message.singular)
        self.message = message
        self.suggestion = suggestion  # (service index, pence) the resident probably meant, to offer as a button


def empty(services: Sequence[Service]) -> Allocation:
    return {s.key: 0 for s in services}


def today(services: Sequence[Service]) -> Allocation:
    return {s.key: s.today for s in services}


def left(draft: Mapping[str, int]) -> int:
    return TOTAL - sum(draft.values())


def adjust(services: Sequence[Service], draft: Mapping[str, int], index: int, delta: int) -> Allocation:
    """Moves one service up or down by a step, within 0 and its max. The total may pass 100p for a while, as in a
    budget simulator: the board says how far over it is, and Submit waits until it is exactly 100p."""
    if not 0 <= index < len(services):
        raise AllocationError(_("That service is not in this consultation."))
    s = services[index]
    new = dict(draft)
    current = new.get(s.key, 0)
    if delta > 0:
        if current >= s.max:
            raise AllocationError(_("{service} can have at most {pence}p.", service=s.name, pence=s.max))
        new[s.key] = min(s.max, current + delta)
    else:
        if current <= 0:
            raise AllocationError(_("{service} is already at 0p.", service=s.name))
        new[s.key] = max(0, current + delta)
    return new


# Pence in English or Welsh ("12p", "12 pence", "12c", "12 ceiniog"), a unit only when a word ends there.
_UNIT = r"(?:(?:p|pence|c|ceiniog(?:au)?)\b|%)?"
# A hyphen is a separator only when a space follows it: "Parks - 3" is 3p, "Parks -3" is minus 3.
_LINE = re.compile(
    r"^\s*(?P<name>.*?[^\s:=\-–—])\s*(?:[:=–—]|-(?=\s))?\s*(?P<amount>-?\d+(?:[.,]\d+)?)\s*" + _UNIT + r"\s*$",
    re.I,
)
# The amount first: "12 libraries", "12p for libraries".
_AMOUNT_FIRST = re.compile(
    r"^\s*(?P<amount>-?\d+(?:[.,]\d+)?)\s*" + _UNIT + r"\s*(?:(?:for|on|to|i|ar)\s+)?(?P<name>[^\d\s].*?)\s*$", re.I
)
_DECORATION = re.compile(r"^[^\w]+|[^\w)]+$")  # emoji, bullets and stray punctuation around a name


def _entry(line: str) -> tuple[str, str] | None:
    """A typed line as (name, amount text), whichever comes first."""
    m = _LINE.match(line) or _AMOUNT_FIRST.match(line)
    if not m:
        return None
    name = _DECORATION.sub("", m.group("name").strip())
    return (name, m.group("amount")) if name else None


parse_entry = _entry  # the board's reading of one typed line, shared with the ballot's points board


def find_service(services: Sequence[Service], name: str) -> Service:
    """Finds a service by its name in any of the file's languages, its key, or an unambiguous start of a name;
    suggests the closest."""
    wanted = name.strip().lower()
    names_of = {s.key: [n.lower() for n in texts_of(s.name) if n] for s in services}
    for s in services:
        if wanted in (*names_of[s.key], s.key):
            return s
    starts = [s for s in services if any(n.startswith(wanted) for n in names_of[s.key]) or s.key.startswith(wanted)]
    if len(starts) == 1:
        return starts[0]
    words = [s for s in services if any(w.startswith(wanted) for n in names_of[s.key] for w in n.split())]
    if len(words) == 1 and len(wanted) >= 3:
        return words[0]
    candidates: dict[str, Service] = {}
    for s in services:
        for n in names_of[s.key]:
            candidates.setdefault(n, s)
            for w in n.split():
                if len(w) >= 4:
                    candidates.setdefault(w, s)
    close = difflib.get_close_matches(wanted, list(candidates), n=1, cutoff=0.6)
    if close:
        match = candidates[close[0]]
        raise AllocationError(
            _("I don't know a service called “{name}”. Did you mean {service}?", name=name.strip()[:40],
              service=match.name),
            (list(services).index(match), -1),
        )
    raise AllocationError(
        _("I don't know a service called “{name}”. The services are: {services}.", name=name.strip()[:40],
          services=Span(*join([s.name for s in services])))
    )


def parse_typed(services: Sequence[Service], text: str) -> Allocation:
    """Reads 'Libraries 12' or several such lines into {service key: pence}."""
    entries: Allocation = {}
    # Lines, semicolons, and commas before a name ("Libraries 12, Parks 5"; "12,5" stays a decimal to refuse).
    lines = [ln for ln in re.split(r"[;\n]|,(?=\s*[^\d\s])", text) if ln.strip()]
    if not lines or len(lines) > 2 * len(services):
        raise AllocationError(_("Type a service and an amount, like “Libraries 12”, one per line."))
    for ln in lines:
        m = _entry(ln)
        if not m:
            raise AllocationError(
                _("I couldn't read “{line}”. Type a service and a whole number of pence, like “Libraries 12”.",
                  line=ln.strip()[:60])
            )
        name, amount_text = m[0], m[1].replace(",", ".")
        if "." in amount_text:
            raise AllocationError(_("Please use whole pence, like “Libraries 12”."))
        # Too many digits to be pence; int() of thousands of digits would raise.
        amount = int(amount_text) if len(amount_text) <= 6 else (-1 if amount_text.startswith("-") else TOTAL + 1)
        try:
            s = find_service(services, name)
        except AllocationError as e:
            if e.suggestion is not None and 0 <= amount <= services[e.suggestion[0]].max:
                raise AllocationError(e.message, (e.suggestion[0], amount)) from e
            raise
        if amount < 0:
            raise AllocationError(_("{service} can't have less than 0p.", service=s.name))
        if amount > s.max:
            raise AllocationError(_("{service} can have at most {pence}p.", service=s.name, pence=s.max))
        entries[s.key] = amount
    return entries


def apply_typed(services: Sequence[Service], draft: Mapping[str, int], entries: Mapping[str, int]) -> Allocation:
    """The draft with typed entries set; like the buttons, it may pass 100p until Submit."""
    new = dict(draft)
    new.update(entries)
    return new


def problems(services: Sequence[Service], allocation: Mapping[str, object]) -> list[Msg]:
    """Everything wrong with a finished allocation; empty means it may be submitted."""
    out: list[Msg] = []
    known = {s.key for s in services}
    unknown = set(allocation) - known
    if unknown:
        out.append(_("unknown services: {keys}", keys=", ".join(sorted(unknown))))
    values: dict[str, int] = {}
    for s in services:
        v = allocation.get(s.key, 0)
        if isinstance(v, bool) or not isinstance(v, int):
            out.append(_("{service} must be a whole number of pence.", service=s.name))
            continue
        values[s.key] = v
        if v < s.min:
            out.append(_("{service} needs at least {pence}p.", service=s.name, pence=s.min))
        if v > s.max:
            out.append(_("{service} can have at most {pence}p.", service=s.name, pence=s.max))
    total = sum(values.values())
    if total != TOTAL and len(values) == len(services):
        if total < TOTAL:
            out.append(_("You have {left}p left to allocate.", left=TOTAL - total))
        else:
            out.append(_("That is {over}p more than 100p.", over=total - TOTAL))
    return out
