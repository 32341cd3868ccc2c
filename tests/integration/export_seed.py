"""Test data for results and exports: residents' answers stored through the real repositories, in two rounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot.services import rounds
from bot.services.common import Deps
from dialogues.loader import parse_consultation
from dialogues.schema import Consultation
from storage.models import AnswerRow, ParticipationRow, ResidentRow
from tests.harness import EXAMPLE, FACILITATOR

# Ten-digit ids: a chance match inside a number, a pixel or a compressed stream is out of the question.
BASE = 7_731_500_000
INJECTION = '=HYPERLINK("http://x","y")'
KEYS = [
    "adult_social_care",
    "childrens_services",
    "public_health",
    "bins_and_recycling",
    "roads_and_transport",
    "housing",
    "parks_and_leisure",
    "libraries_and_culture",
    "community_safety",
    "running_the_council",
]
TODAY = [34, 23, 7, 6, 6, 5, 4, 3, 2, 10]


def pound(**changes: int) -> dict[str, int]:
    """Today's split with some services changed, rebalanced on 'running the council' to make 100p."""
    p = dict(zip(KEYS, TODAY, strict=True))
    p.update(changes)
    p["running_the_council"] += 100 - sum(p.values())
    assert p["running_the_council"] >= 0
    return p


@dataclass
class Seeded:
    consultation_id: int
    code: str
    ids: list[int] = field(default_factory=list)  # every Telegram id used, the erased one included
    erased: int = 0
    round1: dict[int, dict[str, Any]] = field(default_factory=dict)  # telegram id -> answers (kept residents)
    round2: dict[int, dict[str, Any]] = field(default_factory=dict)


def example() -> Consultation:
    return parse_consultation(EXAMPLE.read_bytes())


def version_two(spec: Consultation) -> Consultation:
    """The file reloaded with a new service that round 1's answers never mention."""
    data = spec.model_dump(mode="json")
    data["services"][-1]["today"] -= 1
    data["services"].append({"name": {"en": "Climate action", "cy": "Gweithredu ar yr hinsawdd"}, "today": 1,
                             "description": {"en": "Insulating homes.", "cy": "Inswleiddio cartrefi."}})
    return Consultation.model_validate(data)


async def answer(
    d: Deps, telegram_id: int, consultation_id: int, answers: dict[str, Any], finished: bool = True
) -> None:
    async with d.uow() as uow:
        rnd = await uow.consultations.open_round(consultation_id)
        assert rnd is not None
        version_id, _ = await uow.consultations.latest(consultation_id)
        r = await uow.residents.get_or_create(telegram_id)
        await uow.residents.agree(r.id, consultation_id, version_id, reminders=False)
        part = await uow.residents.start(r.id, rnd.id, version_id, {})
        await uow.residents.save_answers(part.id, answers)
        await uow.residents.save_state(part.id, {}, finished=finished)
        await uow.commit()


async def review(d: Deps, telegram_id: int, round_number: int, status: str) -> None:
    async with d.uow() as uow:
        answer_id = await uow.session.scalar(
            select(AnswerRow.id)
            .join(ParticipationRow, ParticipationRow.id == AnswerRow.participation_id)
            .join(ResidentRow, ResidentRow.id == ParticipationRow.resident_id)
            .where(ResidentRow.telegram_id == telegram_id, AnswerRow.question_key == "pound.why")
            .order_by(ParticipationRow.id.desc())
        )
        assert answer_id is not None
        assert await uow.comments.review(answer_id, status, by=FACILITATOR)
        await uow.commit()


async def seed(d: Deps) -> Seeded:
    """Round 1: six residents (one erased afterwards); round 2 under version 2: four residents."""
    spec = example()
    async with d.uow() as uow:
        loaded = await uow.consultations.store(spec, loaded_by=None)
        await uow.commit()
    s = Seeded(loaded.consultation_id, spec.code)
    await rounds.open_round(d, spec.code, 1)
    ids = [BASE + i for i in range(1, 8)]
    s.ids = ids
    r1: dict[int, dict[str, Any]] = {
        ids[0]: {"pound": pound(adult_social_care=40), "pound.why": "Care matters most.", "satisfaction": 4,
                 "council_tax": "up_to_3", "priorities": ["cleaner_streets", "affordable_housing"],
                 "savings": ["move_more_services_online", "use_more_volunteers", "charge_more_for_some_services",
                             "share_buildings_with_other_publi"],
                 "anything_else": INJECTION},
        ids[1]: {"pound": pound(libraries_and_culture=10), "pound.why": "+ libraries @ once", "satisfaction": 2,
                 "priorities": ["cleaner_streets"],
                 "savings": ["share_buildings_with_other_publi", "use_more_volunteers",
                             "move_more_services_online", "charge_more_for_some_services"]},
        ids[2]: {"pound": pound(housing=15, adult_social_care=30), "pound.why": "Rejected words.",
                 "satisfaction": 5, "priorities": ["jobs_and_skills"]},
        ids[3]: {"pound": pound(), "satisfaction": 4},
        ids[4]: {"satisfaction": 1},  # left before sharing the pound
    }  # fmt: skip
    for tid, a in r1.items():
        await answer(d, tid, s.consultation_id, a, finished=tid != ids[4])
    s.erased = ids[5]
    await answer(d, s.erased, s.consultation_id, {"pound": pound(community_safety=12), "satisfaction": 3,
                                                  "anything_else": "Erase me please"})  # fmt: skip
    await review(d, ids[0], 1, "approved")
    await review(d, ids[1], 1, "approved")
    await review(d, ids[2], 1, "rejected")
    async with d.uow() as uow:
        assert await uow.residents.erase(s.erased)
        await uow.commit()
    s.round1 = r1
    closed = await rounds.close_round(d, spec.code, 1)
    assert closed.publishing is not None
    await closed.publishing

    async with d.uow() as uow:
        await uow.consultations.store(version_two(spec), loaded_by=None)
        await uow.commit()
    await rounds.open_round(d, spec.code, 2)
    r2: dict[int, dict[str, Any]] = {
        ids[0]: {"pound": pound(adult_social_care=35) | {"climate_action": 5}, "satisfaction": 4},
        ids[1]: {"pound": pound(libraries_and_culture=8), "satisfaction": 3},
        ids[3]: {"pound": pound(), "satisfaction": 4, "council_tax": "no_rise"},
        ids[6]: {"pound": pound(housing=9), "pound.why": "Homes first.", "satisfaction": 5,
                 "council_tax": "no_rise"},
    }  # fmt: skip
    for tid, a in r2.items():
        if "climate_action" in a["pound"]:
            a["pound"]["running_the_council"] -= a["pound"]["climate_action"]
        await answer(d, tid, s.consultation_id, a)
    await review(d, ids[6], 2, "approved")
    s.round2 = r2
    return s
