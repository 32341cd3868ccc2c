"""The chat and the command line call the same use case for the same action, and so agree on its outcome."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot import cli
from bot.services import consultations, roles
from tests.e2e.people import Person
from tests.harness import ADMIN, EXAMPLE, FACILITATOR, OFFICER, Harness
from tests.integration.export_seed import seed
from tests.unit.example import said

BROKEN = (
    EXAMPLE.read_text()
    .replace("minutes: 8", "minutes: eight\ncolour: blue")
    .replace("today: 23", "today: lots")
)


def _config(moot: Harness, tmp_path: Path) -> Path:
    """A config file for `moot` on the command line, over the running bot's database."""
    path = tmp_path / "cli.toml"
    path.write_text(f'[database]\nurl = "{moot.database_url}"\n[privacy]\npseudonym_key = "test-pseudonym-key"\n')
    return path


async def _moot(*args: str) -> Result:
    """Runs a `moot` command in a thread of its own: it starts its own event loop, as from a terminal."""
    # The test runner's own MOOT_TEST_* variables would read as config keys; the CLI gets a clean environment.
    runner = CliRunner(env={k: None for k in os.environ if k.startswith("MOOT_")})  # type: ignore[misc]
    return await asyncio.to_thread(runner.invoke, cli.app, list(args))


def _flat(text: str) -> str:
    return " ".join(text.split())  # the terminal wraps long lines


def _problems() -> list[str]:
    with pytest.raises(consultations.ConsultationFileError) as refused:
        consultations.check(BROKEN.encode())
    return [said(p.said()) for p in refused.value.problems]


async def test_a_broken_file_has_the_same_problems_in_the_chat_and_on_the_command_line(
    moot: Harness, tmp_path: Path
) -> None:
    problems = _problems()
    assert len(problems) == 3
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN)

    typed = await _moot("consultation", "load", str(broken), "--config", str(_config(moot, tmp_path)))
    assert typed.exit_code == 1
    assert "has 3 problems:" in _flat(typed.output)
    assert all(_flat(p) in _flat(typed.output) for p in problems), typed.output

    moot.api.send_document(FACILITATOR, "broken.yaml", BROKEN.encode())
    said = await moot.api.wait_for_message(FACILITATOR, contains="problems; nothing was loaded")
    assert "has 3 problems; nothing was loaded" in said.text
    assert all(p in said.text for p in problems), said.text
    # a service is counted from 1 and named, and the problem said plainly
    assert any(p.endswith(", service 2 “Children's services” › today: must be a whole number, such as 5")
               for p in problems), problems

    async with moot.deps.uow() as uow:
        assert await uow.consultations.all() == []
        assert not [a for a in await uow.ledger.audit_log() if a.action == "load"]


async def test_a_file_loaded_in_the_chat_is_the_same_version_on_the_command_line(
    moot: Harness, tmp_path: Path
) -> None:
    fac = Person(moot.api, FACILITATOR, "Faye the facilitator")
    moot.api.send_document(fac.id, "council-pound.yaml", EXAMPLE.read_bytes())
    await moot.api.wait_for_message(fac.id, contains="stored as version 1")

    typed = await _moot("consultation", "load", str(EXAMPLE), "--config", str(_config(moot, tmp_path)))
    assert typed.exit_code == 0, typed.output
    assert "unchanged; already stored as version 1" in typed.output

    async with moot.deps.uow() as uow:
        loads = [a for a in await uow.ledger.audit_log() if a.action == "load"]
    assert [(a.actor, a.target, a.detail) for a in reversed(loads)] == [
        (FACILITATOR, "council-pound v1", {"filename": "council-pound.yaml"}),
        (None, "council-pound v1", {"via": "cli"}),
    ]


async def test_a_role_granted_on_the_command_line_is_the_same_role_in_the_chat(moot: Harness, tmp_path: Path) -> None:
    config = str(_config(moot, tmp_path))
    admin, newcomer = Person(moot.api, ADMIN, "Ada the admin"), Person(moot.api, 2200, "Nia")

    typed = await _moot("roles", "grant", "facilitator", "2200", "--config", config)
    assert typed.exit_code == 0 and "facilitator granted to 2200." in typed.output, typed.output
    await admin.says("/grant facilitator 2200", expect="2200 already had the facilitator role; nothing changed")
    await newcomer.says("/consultations", expect="None yet")
    await admin.says("/revoke facilitator 2200", expect="2200 no longer has the facilitator role")
    typed = await _moot("roles", "revoke", "facilitator", "2200", "--config", config)
    assert typed.exit_code == 0 and "Nothing changed." in typed.output, typed.output
    await newcomer.says("/consultations", expect="Sorry, only")

    async with moot.deps.uow() as uow:
        changes = [a for a in await uow.ledger.audit_log() if a.action in {"grant", "revoke"}]
    assert [(a.actor, a.action, a.target, a.detail) for a in reversed(changes)] == [
        (None, "grant", "facilitator 2200", {"via": "cli", "changed": True}),
        (ADMIN, "grant", "facilitator 2200", {"changed": False}),
        (ADMIN, "revoke", "facilitator 2200", {"changed": True}),
        (None, "revoke", "facilitator 2200", {"via": "cli", "changed": False}),
    ]
    typed = await _moot("roles", "grant", "mayor", "2200", "--config", config)
    assert typed.exit_code == 2 and "Unknown role 'mayor'" in typed.output
    with pytest.raises(roles.UnknownRole):  # the use case refuses it too, whoever calls it
        await roles.change_role(moot.deps, True, "mayor", 2200, ADMIN)


async def test_an_export_from_the_chat_and_from_the_command_line_is_made_and_audited_alike(
    moot: Harness, tmp_path: Path
) -> None:
    await seed(moot.deps)
    officer = Person(moot.api, OFFICER, "Olu the officer")
    await officer.says("/export", expect="Which round?")
    await officer.taps("Round 2", expect="Which format?")
    await officer.taps("CSV files", expect="Preparing")
    await moot.api.wait_for(lambda: any(m.kind == "document" for m in officer.chat.messages))

    config = str(_config(moot, tmp_path))
    typed = await _moot("export", "council-pound", "-f", "csv", "-r", "2", "-o", str(tmp_path / "r.zip"), "-c", config)
    assert typed.exit_code == 0 and "4 responses" in typed.output, typed.output
    typed = await _moot("export", "council-pound", "-f", "csv", "-r", "7", "-o", str(tmp_path / "x.zip"), "-c", config)
    assert typed.exit_code == 1 and "no round 7" in typed.output, typed.output

    async with moot.deps.uow() as uow:
        made = [a for a in await uow.ledger.audit_log() if a.action == "export" and a.allowed]
    bot, typed_ok, typed_refused = reversed(made)
    assert (bot.actor, typed_ok.actor, typed_refused.actor) == (OFFICER, None, None)
    assert bot.target == typed_ok.target == "council-pound round 2"
    assert bot.detail == {**typed_ok.detail, "via": "bot", "bytes": bot.detail["bytes"]}
    assert typed_ok.detail == {"via": "cli", "sent": True, "format": "csv", "rounds": [2], "responses": 4,
                               "bytes": (tmp_path / "r.zip").stat().st_size}
    assert typed_refused.detail == {"via": "cli", "sent": False, "format": "csv",
                                    "refused": "“The Council Pound” has no round 7."}
