"""Reads the times facilitators type ('1 Dec 09:00', 'tomorrow 18:00', 'in 10 minutes') in the council's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dialogues.text import Msg, _

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
# Ways to write a time, as examples in the reader's language.
EXAMPLES = _("“2026-12-01 09:00”, “1 Dec 09:00”, “tomorrow 18:00” or “in 30 minutes”")


class WhenError(ValueError):
    """A time or plan that cannot be read; the message is written for the facilitator."""

    def __init__(self, message: Msg):
        super().__init__(message.singular)
        self.message = message


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """A local time typed by a person, as an aware datetime (in `tz`); raises WhenError with examples."""
    t = " ".join(text.strip().lower().replace(",", " ").split())
    local_now = now.astimezone(tz)
    m = re.fullmatch(r"in (\d{1,5}) ?(seconds?|secs?|s|minutes?|mins?|m|hours?|h|days?|d)", t)
    if m:
        n, unit = int(m.group(1)), m.group(2)[0]
        return local_now + timedelta(seconds=n * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit])
    if t == "now":
        return local_now
    m = re.fullmatch(r"(?:at )?(\d{1,2})[:.](\d{2})", t)
    if m:  # a bare time: the next time the clock shows it
        today = local_now.date()
        when = _at(today.year, today.month, today.day, m.group(1), m.group(2), tz)
        if when <= local_now:
            day = today + timedelta(days=1)
            when = _at(day.year, day.month, day.day, m.group(1), m.group(2), tz)
        return when
    m = re.fullmatch(r"(today|tomorrow) (?:at )?(\d{1,2})[:.](\d{2})", t)
    if m:
        day = local_now.date() + timedelta(days=1 if m.group(1) == "tomorrow" else 0)
        return _at(day.year, day.month, day.day, m.group(2), m.group(3), tz)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})[ t](\d{1,2})[:.](\d{2})", t)
    if m:
        return _at(int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5), tz)
    m = re.fullmatch(r"(?:[a-z]+ )?(\d{1,2})(?:st|nd|rd|th)? ([a-z]{3,9})(?: (\d{4}))? (?:at )?(\d{1,2})[:.](\d{2})", t)
    if m and m.group(2)[:3] in MONTHS:
        month = MONTHS[m.group(2)[:3]]
        year = int(m.group(3)) if m.group(3) else local_now.year
        when = _at(year, month, int(m.group(1)), m.group(4), m.group(5), tz)
        if not m.group(3) and when < local_now - timedelta(days=1):
            when = _at(year + 1, month, int(m.group(1)), m.group(4), m.group(5), tz)  # "3 Jan" said in December
        return when
    raise WhenError(_("I couldn't read the time “{text}”. Try {examples}.", text=text.strip()[:40], examples=EXAMPLES))


def _at(year: int, month: int, day: int, hour: str, minute: str, tz: ZoneInfo) -> datetime:
    try:
        when = datetime(year, month, day, int(hour), int(minute), tzinfo=tz)
    except ValueError as e:
        raise WhenError(_("There is no such date or time. Try {examples}.", examples=EXAMPLES)) from e
    if when.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != when.replace(tzinfo=None):
        # The clocks went forward over it: a time nobody's clock will show. Refuse rather than move it an hour.
        raise WhenError(_("{time} does not happen on {date}: the clocks go forward then. Give a time an hour later.",
                          time=f"{when:%H:%M}", date=f"{when:%d %b %Y}"))
    return when


def parse_plan(text: str, now: datetime, tz: ZoneInfo) -> dict[str, list[datetime]]:
    """Reads 'open 1 Dec 09:00; remind 10 Dec 18:00; close 14 Dec 17:00' into times by kind."""
    plan: dict[str, list[datetime]] = {"open": [], "remind": [], "close": []}
    for part in re.split(r"[;\n]+", text):
        part = part.strip()
        if not part:
            continue
        word, _space, rest = part.partition(" ")
        word = word.lower().rstrip(":")
        key = {"opens": "open", "closes": "close", "reminder": "remind", "reminders": "remind"}.get(word, word)
        if key not in plan:
            raise WhenError(_("“{part}” should start with open, remind or close.", part=part[:40]))
        plan[key].append(parse_when(rest, now, tz))
    if len(plan["open"]) > 1 or len(plan["close"]) != 1:
        raise WhenError(_("Give one close time (and at most one open time)."))
    return plan
