"""Before a deliberation round, residents see the last round's results and the comments facilitators approved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.services.common import Deps
from bot.services.resident import Preamble
from dialogues import publish
from dialogues.rounds import Round
from dialogues.screens import Screen
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.bootstrap import App


def preamble(d: Deps) -> Preamble:
    async def screens(uow: UnitOfWork, r: Round) -> list[Screen]:
        from bot.services.results import round_results

        _version, spec = await uow.consultations.latest(r.consultation_id)
        if r.number - 1 > len(spec.rounds) or not spec.rounds[r.number - 1].deliberation:
            return []
        rounds = await uow.consultations.rounds(r.consultation_id)
        previous = next((x for x in rounds if x.number == r.number - 1), None)
        if previous is None:
            return []
        res = await round_results(d, r.consultation_id, previous.number)
        comments = await uow.comments.approved(r.consultation_id, previous.number)
        outcomes = [(x.question, x.outcome) for x in res.questions]
        return publish.deliberation_screens(spec, previous.title, outcomes, comments)

    return screens


def install(app: App) -> None:
    app.core.resident.preamble = preamble(app.deps)
