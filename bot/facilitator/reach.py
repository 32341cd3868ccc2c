"""/reach CODE [ROUND]: during a round, which wards and groups have taken part less than their share of the
population, so a facilitator can reach out to them before it closes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.facilitator.commands import refused
from bot.facilitator.common import gated, split_code
from bot.incoming import Incoming
from bot.services import rounds
from bot.services.common import Deps, Reply
from dialogues.questions.base import groupings
from dialogues.reach import reach_screen, under_represented
from dialogues.text import _

if TYPE_CHECKING:
    from bot.bootstrap import App


class Reach:
    def __init__(self, d: Deps):
        self.d = d

    async def reach(self, inc: Incoming, args: str) -> Reply:
        code, number, _rest = split_code(args)
        if not code:
            return Reply.say(_("Which consultation? Send /reach CODE (see /consultations for codes)."))
        async with self.d.uow() as uow:
            try:
                r = await rounds.find_round(uow, code, number, "reach")
            except rounds.RoundError as e:
                return refused(_("Nothing to show."), e)
            _version, spec = await uow.consultations.latest(r.consultation_id)
            gs = groupings(spec)
            counts: dict[str, dict[str, int]] = {}
            for key, value, n in await uow.reports.profile_counts(r.id, [str(g.key) for g in gs]):
                if isinstance(value, str):
                    counts.setdefault(key, {})[value] = n
            started, _finished = await uow.reports.counts(r.id)
        shortfalls = under_represented(gs, counts)
        screen = reach_screen(spec.title, r.number, started, gs, shortfalls, self.d.config.results.min_respondents)
        return Reply([screen])


def install(app: App) -> None:
    app.core.commands["reach"] = gated(app.deps, "reach", Reach(app.deps).reach)
