"""The CSV and XLSX exports of a planted consultation with three wards and two age bands: who took part, means by
group, and raked weighted means beside unweighted ones, a ward of 4 withheld everywhere it appears; an erased
resident leaves them."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import jsonschema
import openpyxl
import pytest

from bot.bootstrap import App, build
from bot.config import Config
from bot.exports.jsonfile import schema
from bot.exports.service import export
from bot.services import rounds
from dialogues.weighting import Margin
from tests.integration.test_exports import _ods_sheets
from tests.unit.planted import PLANTED_YAML
from tests.unit.test_breakdown import PEOPLE
from tests.unit.test_weighting import ipf_table

BASE = 7_731_600_000


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    a = await build(
        Config.model_validate({
            "database": {"url": database_url},
            "telegram": {"bot_username": "moot_test_bot"},
            "privacy": {"pseudonym_key": "ward-test-key"},
            "results": {"min_respondents": 10},
        }),
        with_runtime=False,
    )
    yield a
    await a.close()


async def plant(app: App) -> None:
    from dialogues.loader import parse_consultation

    spec = parse_consultation(PLANTED_YAML.replace("{weight_age}", "true"))
    d = app.deps
    async with d.uow() as uow:
        await uow.consultations.store(spec, loaded_by=None)
        await uow.commit()
    await rounds.open_round(d, spec.code, 1)
    for i, person in enumerate(PEOPLE):
        async with d.uow() as uow:
            found = await uow.consultations.by_code(spec.code)
            assert found is not None
            cid = found[0]
            rnd = await uow.consultations.open_round(cid)
            assert rnd is not None
            version_id, _ = await uow.consultations.latest(cid)
            r = await uow.residents.get_or_create(BASE + i)
            await uow.residents.agree(r.id, cid, version_id, reminders=False)
            part = await uow.residents.start(r.id, rnd.id, version_id, {})
            await uow.residents.save_answers(part.id, {"pound": person["pound"]})
            await uow.residents.save_profile(r.id, cid, {"ward": person["ward"], "age": person["age"]})
            await uow.commit()


def tables(content: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return {n: list(csv.DictReader(io.StringIO(z.read(n).decode("utf-8-sig")))) for n in z.namelist()}


def by(rows: list[dict[str, str]], group: str) -> dict[str, str]:
    return next(r for r in rows if r["Group"] == group)


async def test_csv_and_xlsx_break_down_weight_and_withhold(app: App) -> None:
    await plant(app)
    _info, content = await export(app.deps, "wards-test", "csv", None, "officer", actor=None, via="test")
    t = tables(content)
    assert {"who_took_part.csv", "q1_by_group.csv", "q1_weighted.csv"} <= set(t)
    who = t["who_took_part.csv"]
    assert by(who, "North")["Residents"] == "20" and by(who, "South")["Residents"] == "not shown"
    assert by(who, "Central")["Residents"] == "not shown"  # its complement
    assert by(who, "South")["Under-represented"] == "yes"
    groups = t["q1_by_group.csv"]
    assert by(groups, "South")["Parks"] == "not shown" and float(by(groups, "North")["Parks"]) == 70
    assert next(r for r in groups if r["Breakdown"] == "Age band")["Residents who answered"] == "22"

    pairs = [(p["ward"], p["age"]) for p in PEOPLE]
    w = ipf_table(pairs, Margin("ward", {"north": 0.5, "central": 0.3, "south": 0.2}),
                  Margin("age", {"under_45": 0.55, "45_or_over": 0.45}))  # fmt: skip
    parks = sum(wi * p["pound"]["parks"] for wi, p in zip(w, PEOPLE, strict=True)) / sum(w)
    weighted = {r["Figure"]: r for r in t["q1_weighted.csv"]}
    assert float(weighted["Parks"]["Weighted mean"]) == pytest.approx(parks, abs=0.06)
    assert float(weighted["Parks"]["Unweighted mean"]) == pytest.approx(58.0)
    assert float(weighted["Parks"]["Effective sample size"]) < 40

    _info, xlsx = await export(app.deps, "wards-test", "xlsx", None, "officer", actor=None, via="test")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert {"Who took part", "Q1 by group", "Q1 weighted"} <= set(wb.sheetnames)
    assert wb.sheetnames.index("Responses") < wb.sheetnames.index("Who took part")
    values: list[Any] = [c for row in wb["Q1 by group"].iter_rows(values_only=True) for c in row]
    assert 4 not in values and 16 not in values  # the small ward and its complement, written nowhere

    _info, ods = await export(app.deps, "wards-test", "ods", None, "officer", actor=None, via="test")
    sheets = _ods_sheets(ods)
    assert list(sheets).index("Responses") < list(sheets).index("Who took part")
    ods_who = {r[2]: r for r in sheets["Who took part"][1:] if len(r) > 3 and r[1] == "Ward"}
    assert ods_who["North"][3] == 20 and ods_who["South"][3] == "not shown"

    _info, raw = await export(app.deps, "wards-test", "json", None, "officer", actor=None, via="test")
    data = json.loads(raw)
    jsonschema.validate(data, schema(), cls=jsonschema.Draft202012Validator)
    named = {t["name"]: t for t in data["tables"]}
    assert {"Who took part", "Q1 by group", "Q1 weighted"} <= set(named)
    headers = [c["header"] for c in named["Q1 weighted"]["columns"]]
    parks_row = dict(zip(headers, named["Q1 weighted"]["rows"][0], strict=True))
    assert parks_row["Figure"] == "Parks" and parks_row["Weighted mean"] == pytest.approx(parks, abs=1e-3)

    async with app.deps.uow() as uow:
        assert await uow.residents.erase(BASE)  # a North resident
        await uow.commit()
    _info, content = await export(app.deps, "wards-test", "csv", None, "officer", actor=None, via="test")
    assert by(tables(content)["who_took_part.csv"], "North")["Residents"] == "19"
