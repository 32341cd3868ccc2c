"""What /healthz reports: is the database reachable, is the outbox draining, is the scheduler alive."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from bot.bootstrap import App

STALLED_AFTER = timedelta(minutes=2)  # pending messages with no progress for this long means the outbox is stuck


async def health(app: App) -> tuple[bool, dict[str, Any]]:
    report: dict[str, Any] = {"runtime": app.runtime.name if app.runtime else None}
    ok = True
    try:
        async with app.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        report["database"] = "ok"
    except Exception as e:  # any failure to reach it is the answer, whatever the driver raises
        report["database"] = f"unreachable: {type(e).__name__}"
        ok = False
    sender = getattr(app, "outbox", None)
    if sender is not None and report["database"] == "ok":
        try:  # the database can go between the two looks: that is a 503 too, never a 500
            async with app.deps.uow() as uow:
                pending = await uow.outbox.pending_count()
        except Exception as e:
            report["database"] = f"unreachable: {type(e).__name__}"
            report["ok"] = False
            return False, report
        last = getattr(sender, "last_progress", None)
        stalled = bool(pending) and last is not None and app.deps.clock() - last > STALLED_AFTER
        report["outbox"] = {"pending": pending, "last_progress": last.isoformat() if last else None,
                            "draining": not stalled}
        ok = ok and not stalled
    report["ok"] = ok
    return ok, report
