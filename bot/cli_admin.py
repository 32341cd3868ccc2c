"""CLI commands for the operator and admins: roles, the audit log, and a first config file."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.config import Config

roles_app = typer.Typer(help="Grant, revoke and list the facilitator and officer roles.", no_args_is_help=True)
console = Console()


def _run(cfg: Config, work):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        from bot.bootstrap import build

        app = await build(cfg, with_runtime=False)
        try:
            async with app.deps.uow() as uow:
                result = await work(uow)
                await uow.commit()
                return result
        finally:
            await app.close()

    return asyncio.run(go())


def change_role(cfg: Config, grant: bool, role: str, user_id: int) -> None:
    from bot.services.roles import ROLES

    if role not in ROLES:
        console.print(f"[red]Unknown role {role!r}[/]; choose one of: {', '.join(ROLES)}.")
        raise typer.Exit(2)

    async def work(uow):  # type: ignore[no-untyped-def]
        changed = await (uow.ledger.grant(user_id, role, None) if grant else uow.ledger.revoke(user_id, role))
        await uow.ledger.audit(None, "grant" if grant else "revoke", f"{role} {user_id}", via="cli", changed=changed)
        return changed

    changed = _run(cfg, work)
    verb = "granted to" if grant else "revoked from"
    console.print(f"{role} {verb} {user_id}." if changed else "Nothing changed.")


def list_roles(cfg: Config) -> None:
    async def work(uow):  # type: ignore[no-untyped-def]
        return [(r.telegram_id, r.role, r.granted_by, r.granted_at) for r in await uow.ledger.roles()]

    rows = _run(cfg, work)
    table = Table("Telegram id", "Role", "Granted by", "When (UTC)")
    for uid in cfg.roles.admins:
        table.add_row(str(uid), "admin", "config", "")
    for role in ("facilitators", "officers"):
        for uid in getattr(cfg.roles, role):
            table.add_row(str(uid), role[:-1], "config", "")
    for uid, role, by, at in rows:
        table.add_row(str(uid), role, str(by or "cli"), f"{at:%Y-%m-%d %H:%M}")
    console.print(table)


def print_audit(cfg: Config, limit: int) -> None:
    async def work(uow):  # type: ignore[no-untyped-def]
        return [(a.at, a.actor, a.action, a.target, a.allowed, a.detail) for a in await uow.ledger.audit_log(limit)]

    table = Table("When (UTC)", "Who", "Action", "On", "Allowed", "Detail")
    for at, actor, action, target, allowed, detail in reversed(_run(cfg, work)):
        table.add_row(f"{at:%Y-%m-%d %H:%M:%S}", str(actor or "system/cli"), action, target,
                      "yes" if allowed else "[red]REFUSED[/]", ", ".join(f"{k}={v}" for k, v in detail.items()))
    console.print(table)


def write_config(path: Path) -> None:
    """A config.toml from the example, with fresh random keys, so a new install needs only a token."""
    if path.exists():
        console.print(f"{path} already exists; leaving it alone.")
        return
    example = Path(__file__).resolve().parent.parent / "config.example.toml"
    text = example.read_text() if example.exists() else "[privacy]\npseudonym_key = \"\"\n"
    text = text.replace('pseudonym_key = ""', f'pseudonym_key = "{secrets.token_urlsafe(32)}"', 1)
    path.write_text(text)
    path.chmod(0o600)
    console.print(f"Wrote {path} with a new random pseudonym key. Keep it secret and keep it stable.")


UserId = Annotated[int, typer.Argument(help="Telegram user id")]
