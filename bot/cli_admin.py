"""CLI commands for the operator and admins: roles, the audit log, and a first config file."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from bot.config import Config
from bot.terminal import console, escape

if TYPE_CHECKING:
    from bot.services.common import Deps
    from storage.repositories.ledger import AuditEntry, Grant

T = TypeVar("T")

roles_app = typer.Typer(help="Grant, revoke and list the facilitator and officer roles.", no_args_is_help=True)


def _run(cfg: Config, work: Callable[[Deps], Awaitable[T]]) -> T:
    """Runs one piece of work against the configured database, from a terminal (no Telegram)."""

    async def go() -> T:
        from bot.bootstrap import build

        app = await build(cfg, with_runtime=False)
        try:
            return await work(app.deps)
        finally:
            await app.close()

    return asyncio.run(go())


def change_role(cfg: Config, grant: bool, role: str, user_id: int) -> None:
    from bot.services import roles

    if role not in roles.ROLES:
        console().print(f"[red]Unknown role {role!r}[/]; choose one of: {', '.join(roles.ROLES)}.")
        raise typer.Exit(2)

    async def work(d: Deps) -> bool:
        return await roles.change_role(d, grant, role, user_id, None, via="cli")

    try:
        changed = _run(cfg, work)
    except roles.RoleFromConfig as e:
        console().print(str(e), markup=False, highlight=False)
        raise typer.Exit(1) from e
    verb = "granted to" if grant else "revoked from"
    console().print(f"{role} {verb} {user_id}." if changed else "Nothing changed.")


def list_roles(cfg: Config) -> None:
    async def work(d: Deps) -> list[Grant]:
        async with d.uow() as uow:
            return await uow.ledger.roles()

    grants = _run(cfg, work)
    from rich.table import Table

    table = Table("Telegram id", "Role", "Granted by", "When (UTC)")
    for uid in cfg.roles.admins:
        table.add_row(str(uid), "admin", "config", "")
    for role in ("facilitators", "officers"):
        for uid in getattr(cfg.roles, role):
            table.add_row(str(uid), role[:-1], "config", "")
    for g in grants:
        table.add_row(str(g.telegram_id), g.role, str(g.granted_by or "cli"), f"{g.granted_at:%Y-%m-%d %H:%M}")
    console().print(table)


def print_audit(cfg: Config, limit: int, as_json: bool = False) -> None:
    """The audit log, oldest first: a table whose detail column wraps, or one JSON object a line (`--json`)."""

    async def work(d: Deps) -> list[AuditEntry]:
        async with d.uow() as uow:
            return await uow.ledger.audit_log(limit)

    entries = list(reversed(_run(cfg, work)))
    if as_json:
        for a in entries:
            record = {"id": a.id, "at": a.at.isoformat(), "actor": a.actor, "action": a.action, "target": a.target,
                      "allowed": a.allowed, "detail": a.detail}
            # Plain print: rich would wrap a long line and colour the JSON, and a line must stay one object.
            print(json.dumps(record, ensure_ascii=False, default=str), flush=True)
        return
    from rich.table import Table

    table = Table("When (UTC)", "Who", "Action", "On", "Allowed", "Detail")
    for column in (table.columns[3], table.columns[5]):
        column.overflow = "fold"  # wrapped onto more lines, never cut at the terminal's edge
    for a in entries:
        table.add_row(f"{a.at:%Y-%m-%d %H:%M:%S}", str(a.actor or "system/cli"), a.action, escape(a.target),
                      "yes" if a.allowed else "[red]REFUSED[/]",
                      escape(", ".join(f"{k}={v}" for k, v in a.detail.items())))
    console().print(table)


def write_config(path: Path) -> None:
    """A config.toml from the example, with fresh random keys, so a new install needs only a token."""
    if path.exists():
        console().print(f"{path} already exists; leaving it alone.")
        return
    example = Path(__file__).resolve().parent.parent / "config.example.toml"
    text = example.read_text() if example.exists() else "[privacy]\npseudonym_key = \"\"\n"
    text = text.replace('pseudonym_key = ""', f'pseudonym_key = "{secrets.token_urlsafe(32)}"', 1)
    path.write_text(text)
    path.chmod(0o600)
    console().print(f"Wrote {path} with a new random pseudonym key. Keep it secret and keep it stable.")


UserId = Annotated[int, typer.Argument(help="Telegram user id")]
