"""What staff can trust: links name this bot and no other, a role from the config file is not pretended away, and
the audit log says what was asked and refused, readable by people (wrapped) and programs (--json)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot import cli
from tests.e2e.people import Person
from tests.harness import ADMIN, FACILITATOR, OFFICER, Harness

GROUP = -1007001


def cli_config(database_url: str, tmp_path: Path, roles: bool = True) -> Path:
    """A config file for `moot` on the command line: the bot's database and, like the bot's, its [roles]."""
    path = tmp_path / "cli.toml"
    text = f'[database]\nurl = "{database_url}"\n[privacy]\npseudonym_key = "test-pseudonym-key"\n'
    if roles:
        text += f"[roles]\nadmins = [{ADMIN}]\nfacilitators = [{FACILITATOR}]\nofficers = [{OFFICER}]\n"
    path.write_text(text)
    return path


async def moot_cli(*args: str) -> Result:
    """A `moot` command in a thread of its own (it runs its own event loop), with none of the tests' MOOT_ vars."""
    runner = CliRunner(env={k: None for k in os.environ if k.startswith("MOOT_")})  # type: ignore[misc]
    return await asyncio.to_thread(runner.invoke, cli.app, list(args))


def flat(text: str) -> str:
    return " ".join(text.split())


async def audit(moot: Harness) -> list[tuple[int | None, str, bool, dict[str, object]]]:
    async with moot.deps.uow() as uow:
        return [(a.actor, a.action, a.allowed, a.detail) for a in reversed(await uow.ledger.audit_log())]


async def test_announcements_from_the_command_line_link_to_this_bot(moot: Harness, tmp_path: Path) -> None:
    api = moot.api
    await moot.load()
    async with moot.deps.uow() as uow:
        found = await uow.consultations.by_code("council-pound")
        assert found is not None
        api.add_group(GROUP, "Heaton residents", admins=[FACILITATOR])
        api.add_bot_to_group(GROUP, by_user=FACILITATOR)
        await uow.consultations.link_group(GROUP, found[0], "Heaton residents", FACILITATOR)
        await uow.commit()
    config = str(cli_config(moot.database_url, tmp_path))

    loaded = await moot_cli("consultation", "load", str(Path("examples/council-pound.yaml")), "--config", config)
    assert loaded.exit_code == 0, loaded.output
    assert f"https://t.me/{api.bot_username}?start=council-pound" in loaded.output

    opened = await moot_cli("round", "open", "council-pound", "--config", config)
    assert opened.exit_code == 0, opened.output
    post = await api.wait_for_message(GROUP, contains="is open")  # enqueued by the CLI, sent by the running bot
    urls = [b.url for row in post.buttons for b in row if b.url]
    assert urls == [f"https://t.me/{api.bot_username}?start=council-pound"]


async def test_the_command_line_refuses_to_announce_for_a_bot_it_does_not_know(
    moot: Harness, tmp_path: Path
) -> None:
    fresh = f"sqlite+aiosqlite:///{tmp_path}/never-ran.db"  # a database no bot ever started against
    config = str(cli_config(fresh, tmp_path))
    loaded = await moot_cli("consultation", "load", "examples/council-pound.yaml", "--config", config)
    assert loaded.exit_code == 0, loaded.output
    assert "t.me/" not in loaded.output and "/start council-pound" in loaded.output
    opened = await moot_cli("round", "open", "council-pound", "--config", config)
    assert opened.exit_code == 2
    assert "does not know this bot's Telegram username" in flat(opened.output)
    assert "moot run" in opened.output


async def test_a_role_from_the_config_file_is_not_pretended_away(moot: Harness, tmp_path: Path) -> None:
    admin, fac = Person(moot.api, ADMIN, "Admin"), Person(moot.api, FACILITATOR, "Faye")
    reply = await admin.says(f"/revoke facilitator {FACILITATOR}", expect="from the config file")
    assert "[roles]" in reply.text and "restart" in reply.text
    await fac.says("/consultations", expect="Consultations")  # still a facilitator, as the reply said

    typed = await moot_cli("roles", "revoke", "facilitator", str(FACILITATOR), "--config",
                           str(cli_config(moot.database_url, tmp_path)))
    assert typed.exit_code == 1
    assert "from the config file" in flat(typed.output)

    revokes = [(actor, allowed, detail) for actor, action, allowed, detail in await audit(moot) if action == "revoke"]
    assert revokes == [
        (ADMIN, True, {"changed": False, "reason": "role from config"}),
        (None, True, {"via": "cli", "changed": False, "reason": "role from config"}),
    ]


async def test_the_audit_log_names_what_was_refused(moot: Harness, tmp_path: Path) -> None:
    api = moot.api
    await moot.load()
    mallory = Person(api, 7002, "Mallory")
    await mallory.says(f"/revoke facilitator {FACILITATOR}", expect="only admins")
    await mallory.says("/extend council-pound 16 Dec 17:00", expect="Sorry, only")

    # a forged press on a staff button: refused for anyone; audited for staff, whose chats hold staff buttons
    assert "expired" in await mallory.presses_raw(1, "fo:1:0:AAAAAAAAAAA")
    fac = Person(api, FACILITATOR, "Faye")
    listing = await fac.says("/consultations", expect="Consultations")
    button = listing.button("Open")
    assert button is not None and button.callback_data
    forged = button.callback_data[:-1] + ("B" if button.callback_data.endswith("A") else "A")
    assert "expired" in await fac.presses_raw(listing.message_id, forged), fac.chat.callback_answers
    # a NUL in a forged press is no reason for "a technical problem": PostgreSQL refuses NULs in text, so it is
    # taken out as the update arrives, and the press is refused and audited like any other
    assert "expired" in await fac.presses_raw(listing.message_id, "f\x00o:1:0:AAAA\x00"), fac.chat.callback_answers

    entries = await audit(moot)
    refused = [(actor, action) for actor, action, allowed, _detail in entries if not allowed]
    assert (7002, "revoke") in refused and (7002, "grant") not in refused
    assert (7002, "extend") in refused
    assert (FACILITATOR, "fo") in refused and (7002, "fo") not in refused  # a stranger fills no audit log
    bad = [d for actor, action, allowed, d in entries if action == "fo" and not allowed]
    assert all(str(d["reason"]).startswith("bad button") for d in bad)
    assert any(d.get("data") == "fo:1:0:AAAA" for d in bad), bad
    async with moot.deps.uow() as uow:
        rounds = await uow.consultations.rounds((await uow.consultations.by_code("council-pound"))[0])  # type: ignore[index]
    assert all(r.status == "draft" for r in rounds), "nothing was opened"

    config = str(cli_config(moot.database_url, tmp_path))
    as_json = await moot_cli("audit", "--json", "--config", config)
    assert as_json.exit_code == 0, as_json.output
    lines = [json.loads(line) for line in as_json.output.splitlines() if line.strip()]
    assert len(lines) == len(entries)
    assert {"at", "actor", "action", "target", "allowed", "detail"} <= set(lines[0])
    assert any(e["action"] == "revoke" and e["allowed"] is False and e["actor"] == 7002 for e in lines)

    table = await moot_cli("audit", "--config", config)
    assert table.exit_code == 0
    assert "…" not in table.output, "no column is cut short"
    assert all(word in table.output for word in ("bad", "button:", "signature", "does", "match"))


@pytest.mark.xfail(reason="bot/facilitator/groups.py must pass audit_as='unlink' to roles.check", strict=False)
async def test_a_refused_unlink_is_audited_as_unlink(moot: Harness) -> None:
    api = moot.api
    mallory = Person(api, 7003, "Mallory")
    api.add_group(GROUP, "Heaton residents", admins=[7003])
    api.add_bot_to_group(GROUP, by_user=7003)
    api.send_text(mallory.id, "/unlink", chat_id=GROUP)
    await api.wait_for_message(GROUP, contains="Only a facilitator can unlink")
    refused = [(actor, action) for actor, action, allowed, _d in await audit(moot) if not allowed]
    assert refused == [(7003, "unlink")]
