"""Who may do what: admins from config; facilitators and officers from config or an admin's grant."""

from __future__ import annotations

from typing import Any

from bot.services.common import Deps
from dialogues.text import _
from storage.idempotency import UpdateScope
from storage.uow import UnitOfWork

ROLES = ("facilitator", "officer")
# What each privileged action needs; admins may do everything.
NEEDS = {
    "load": {"facilitator"},
    "preview": {"facilitator"},
    "schedule": {"facilitator"},
    "open": {"facilitator"},
    "close": {"facilitator"},
    "announce": {"facilitator"},
    "publish": {"facilitator"},
    "link": {"facilitator"},
    "moderate": {"facilitator"},
    "list": {"facilitator", "officer"},
    "export": {"facilitator", "officer"},
    "grant": set(),  # admins only
    "audit": set(),
}


class UnknownRole(ValueError):
    """Only the roles in ROLES are granted; admins come from the config alone."""


async def change_role(
    d: Deps, grant: bool, role: str, who: int, actor: int | None, scope: UpdateScope | None = None, **detail: Any
) -> bool:
    """Grants or revokes a role, with its audit entry in the same transaction (the chat's /grant and /revoke,
    `moot roles grant|revoke`); false when nothing changed. `actor` is None from the command line."""
    if role not in ROLES:
        raise UnknownRole(role)
    async with d.uow(scope) as uow:
        changed = await (uow.ledger.grant(who, role, actor) if grant else uow.ledger.revoke(who, role))
        await uow.ledger.audit(actor, "grant" if grant else "revoke", f"{role} {who}", **detail, changed=changed)
        await uow.commit()
    return changed


async def roles_of(d: Deps, uow: UnitOfWork, user_id: int) -> set[str]:
    roles = set(await uow.ledger.roles_of(user_id))
    if user_id in d.config.roles.admins:
        roles.add("admin")
    if user_id in d.config.roles.facilitators:
        roles.add("facilitator")
    if user_id in d.config.roles.officers:
        roles.add("officer")
    return roles


async def allowed(d: Deps, uow: UnitOfWork, user_id: int | None, action: str, target: str = "") -> bool:
    """Checks a privileged action on the server side; a refusal is written to the audit log (caller commits)."""
    if user_id is None:
        return False
    roles = await roles_of(d, uow, user_id)
    ok = "admin" in roles or bool(roles & NEEDS.get(action, set()))
    if not ok:
        await uow.ledger.audit(user_id, action, target, allowed=False)
    return ok


async def check(
    d: Deps, user_id: int | None, action: str, target: str = "", scope: UpdateScope | None = None
) -> bool:
    """`allowed` in a transaction of its own, so that refusals are recorded even when nothing else happens."""
    async with d.uow(scope) as uow:
        ok = await allowed(d, uow, user_id, action, target)
        if not ok:
            await uow.commit()
        return ok


REFUSED = _("Sorry, only the consultation's facilitators can do that.")
REFUSED_EXPORT = _("Sorry, only officers and facilitators can download results.")
