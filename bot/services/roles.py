"""Who may do what: admins from config; facilitators and officers from config or an admin's grant."""

from __future__ import annotations

import inspect
from typing import Any

from bot.services.common import Deps, Refused
from dialogues.screens import Screen
from dialogues.text import Code, Para, _
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
    "reach": {"facilitator"},
    "list": {"facilitator", "officer"},
    "export": {"facilitator", "officer"},
    "grant": set(),  # admins only
    "revoke": set(),
    "unlink": {"facilitator"},
    "audit": set(),
}


class UnknownRole(ValueError):
    """Only the roles in ROLES are granted; admins come from the config alone."""


class RoleFromConfig(Refused):
    """A role given by the config file ([roles] in config.toml) is taken away there, not by /revoke: the file is
    read again at every start, so revoking it here would be undone, or look done when it was not."""

    def __init__(self, role: str, who: int):
        super().__init__(_(
            "{who} has the {role} role from the config file ({section} in config.toml), so it cannot be revoked "
            "here. Remove {who} from {key} there and restart the bot.",
            who=who, role=ROLE_NAMES.get(role, role), section=Code("[roles]"), key=Code(f"{role}s"),
        ))
        self.role, self.who = role, who


ROLE_NAMES = {"facilitator": _("facilitator"), "officer": _("officer")}


def from_config(d: Deps, role: str, who: int) -> bool:
    return who in {"facilitator": d.config.roles.facilitators, "officer": d.config.roles.officers}.get(role, [])


async def change_role(
    d: Deps, grant: bool, role: str, who: int, actor: int | None, scope: UpdateScope | None = None, **detail: Any
) -> bool:
    """Grants or revokes a role, with its audit entry in the same transaction (the chat's /grant and /revoke,
    `moot roles grant|revoke`); false when nothing changed. `actor` is None from the command line. The person is
    told privately, through the outbox in the same transaction, so the message exists exactly when the change does.

    Revoking a role the config file gives raises RoleFromConfig (audited, nothing changed)."""
    if role not in ROLES:
        raise UnknownRole(role)
    action = "grant" if grant else "revoke"
    async with d.uow(scope) as uow:
        if not grant and from_config(d, role, who):
            await uow.ledger.audit(actor, action, f"{role} {who}", **detail, changed=False, reason="role from config")
            await uow.commit()
            raise RoleFromConfig(role, who)
        changed = await (uow.ledger.grant(who, role, actor) if grant else uow.ledger.revoke(who, role))
        await uow.ledger.audit(actor, action, f"{role} {who}", **detail, changed=changed)
        if changed:
            await uow.outbox.enqueue(f"role:{action}:{role}:{who}:{d.clock():%Y%m%d%H%M%S%f}", who, "role",
                                     told(grant, role))
        await uow.commit()
    if changed:
        for wake in d.hooks.get("outbox", []):
            wake()
        for hook in d.hooks.get("roles", []):  # the person's command menu (bot.menus), when the bot is running
            result = hook(who)
            if inspect.isawaitable(result):
                await result
    return changed


def told(grant: bool, role: str) -> Screen:
    """What someone granted or revoked a role reads in their private chat with the bot."""
    name = ROLE_NAMES.get(role, role)
    if grant:
        return Screen(Para("🔑 ", _("You now have the {role} role in this council's consultations. Send /help to see "
                                    "what you can do.", role=name)))
    return Screen(Para(_("You no longer have the {role} role in this council's consultations.", role=name)))


async def roles_of(d: Deps, uow: UnitOfWork, user_id: int) -> set[str]:
    roles = set(await uow.ledger.roles_of(user_id))
    if user_id in d.config.roles.admins:
        roles.add("admin")
    if user_id in d.config.roles.facilitators:
        roles.add("facilitator")
    if user_id in d.config.roles.officers:
        roles.add("officer")
    return roles


async def allowed(
    d: Deps, uow: UnitOfWork, user_id: int | None, action: str, target: str = "", audit_as: str | None = None
) -> bool:
    """Checks a privileged action on the server side; a refusal is written to the audit log (caller commits) under
    `audit_as`, what was asked (/revoke, /unlink), when it differs from the permission it needs (grant, link)."""
    if user_id is None:
        return False
    roles = await roles_of(d, uow, user_id)
    ok = "admin" in roles or bool(roles & NEEDS.get(action, set()))
    if not ok:
        await uow.ledger.audit(user_id, audit_as or action, target, allowed=False)
    return ok


async def check(
    d: Deps,
    user_id: int | None,
    action: str,
    target: str = "",
    scope: UpdateScope | None = None,
    audit_as: str | None = None,
) -> bool:
    """`allowed` in a transaction of its own, so that refusals are recorded even when nothing else happens."""
    async with d.uow(scope) as uow:
        ok = await allowed(d, uow, user_id, action, target, audit_as)
        if not ok:
            await uow.commit()
        return ok


REFUSED = _("Sorry, only the consultation's facilitators can do that.")
REFUSED_EXPORT = _("Sorry, only officers and facilitators can download results.")
