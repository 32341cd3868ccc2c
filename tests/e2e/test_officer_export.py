"""An officer downloads results with /export through the real framework and the Bot API stand-in; others cannot."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import openpyxl
from sqlalchemy import select

from bot.content import Render
from bot.i18n import translations
from bot.services import roles
from storage.models import AuditRow
from tests.e2e.people import Person
from tests.harness import ADMIN, OFFICER, Harness
from tests.integration.export_seed import seed

REFUSED_EXPORT = Render(translations("en"), html=False).text(roles.REFUSED_EXPORT)  # a catalogue message, as read


@dataclass(frozen=True)
class Audit:
    actor: int | None
    allowed: bool
    detail: dict[str, Any]


async def audits(moot: Harness, action: str = "export") -> list[Audit]:
    async with moot.deps.uow() as uow:
        rows = await uow.session.scalars(select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.id))
        return [Audit(r.actor, r.allowed, dict(r.detail)) for r in rows]


async def test_an_officer_gets_a_workbook_and_a_resident_is_refused(moot: Harness) -> None:
    api = moot.api
    seeded = await seed(moot.deps)
    officer = Person(api, OFFICER, "Olu the officer")

    await officer.says("/export", expect="Which round?")
    await officer.taps("All rounds", expect="Which format?")
    await officer.taps("Excel workbook", expect="Preparing")
    await api.wait_for(lambda: any(m.kind == "document" for m in officer.chat.messages))
    doc = next(m for m in officer.chat.messages if m.kind == "document")
    assert doc.filename and doc.filename.startswith("council-pound-all-rounds-") and doc.filename.endswith(".xlsx")
    assert doc.document is not None
    wb = openpyxl.load_workbook(io.BytesIO(doc.document))
    assert wb["Responses"].max_row == 1 + 9
    with zipfile.ZipFile(io.BytesIO(doc.document)) as z:
        blob = doc.document + b"".join(z.read(n) for n in z.namelist())
    for tid in [*seeded.ids, OFFICER]:
        assert str(tid).encode() not in blob

    # a PDF of one round, choosing again from the start
    await officer.says("/export", expect="Which round?")
    await officer.taps("Round 1", expect="Which format?")
    await officer.taps("PDF report", expect="Preparing")
    await api.wait_for(lambda: sum(m.kind == "document" for m in officer.chat.messages) == 2)
    pdf = [m for m in officer.chat.messages if m.kind == "document"][-1]
    assert pdf.document is not None and pdf.document.startswith(b"%PDF-")
    assert pdf.filename and "round1" in pdf.filename

    # the open formats are offered too: an OpenDocument spreadsheet
    await officer.says("/export", expect="Which round?")
    await officer.taps("Round 2", expect="Which format?")
    await officer.taps("OpenDocument spreadsheet", expect="Preparing")
    await api.wait_for(lambda: sum(m.kind == "document" for m in officer.chat.messages) == 3)
    ods = [m for m in officer.chat.messages if m.kind == "document"][-1]
    assert ods.filename and ods.filename.endswith(".ods") and ods.document is not None
    assert ods.document[30:38] == b"mimetype"

    done = [a for a in await audits(moot) if a.allowed and a.detail.get("sent")]
    assert [a.detail["format"] for a in done] == ["xlsx", "pdf", "ods"] and all(a.actor == OFFICER for a in done)

    # /export in a group: the officer is told to use a private chat, and no file reaches the group
    api.add_group(-100777, "Officers' corner", admins=[OFFICER])
    api.add_bot_to_group(-100777, by_user=OFFICER)
    api.send_text(OFFICER, "/export", chat_id=-100777)
    told = await api.wait_for_message(-100777, contains="only send them in a private chat")
    assert "/export" in (told.text or "")
    assert not any(m.kind == "document" for m in api.chat(-100777).messages)

    # a resident is refused, and the attempt is audited
    resident = Person(api, seeded.ids[0], "Amina")
    await resident.says("/export", expect=REFUSED_EXPORT)
    refused = [a for a in await audits(moot) if not a.allowed]
    assert [a.actor for a in refused] == [seeded.ids[0]]
    assert not any(m.kind == "document" for m in resident.chat.messages)


async def test_the_role_is_checked_again_on_every_press(moot: Harness) -> None:
    api = moot.api
    await seed(moot.deps)
    granted = 5_550_000_321
    async with moot.deps.uow() as uow:
        await uow.ledger.grant(granted, "officer", by=ADMIN)
        await uow.commit()
    officer = Person(api, granted, "Temporary officer")
    await officer.says("/export", expect="Which round?")
    await officer.taps("Round 2", expect="Which format?")
    async with moot.deps.uow() as uow:
        await uow.ledger.revoke(granted, "officer")
        await uow.commit()
    assert await officer.taps("CSV files", toast=REFUSED_EXPORT)
    assert not any(m.kind == "document" for m in officer.chat.messages)
    # the officer's buttons are signed for their chat: pressed from another chat they are refused as expired
    button = officer.chat.last().button("CSV files")
    assert button is not None
    stranger = Person(api, 5_550_000_999, "Mallory")
    assert "expired" in await stranger.presses_raw(officer.chat.last().message_id, button.callback_data)
    assert not any(m.kind == "document" for m in stranger.chat.messages)


async def test_help_mentions_export_to_officers_only(moot: Harness) -> None:
    await moot.load()
    officer = Person(moot.api, OFFICER, "Olu")
    await officer.says("/help", expect="/export")
    resident = Person(moot.api, 5_550_000_111, "Ben")
    msg = await resident.says("/help", expect="/erase")
    assert "/export" not in msg.text
