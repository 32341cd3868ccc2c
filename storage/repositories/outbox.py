"""The outbox: messages to send once (announcements, reminders, results), claimed by senders under a lease.

A row's life: pending -> sending (claimed, with a lease) -> sent | blocked | failed, or back to pending with a
later `not_before` (flood control, a busy chat, a network failure). A row left in sending whose lease ran out
(its sender died) is due again. Claiming uses SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so several
workers never take the same row; on SQLite one UPDATE ... RETURNING claims atomically (one writer at a time).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dialogues.screens import Action, Button, Chart, Document, Screen
from dialogues.text import from_json as content
from dialogues.text import to_json as content_json
from storage.base import insert_for, utcnow
from storage.models import OutboxRow, ResidentRow

KEY_LIMIT = 128  # the width of outbox.dedupe_key
REPLACES = "_replaces"  # payload key: the dedupe key of the earlier message this one corrects in place
MESSAGE_IDS = "_message_ids"  # payload key: the Telegram ids of the messages a row sent, once sent
MANY = 500  # messages a statement in enqueue_many: eight values each, well inside either database's limit
WAITING = ("pending", "sending")


def screen_to_payload(screen: Screen) -> dict[str, Any]:
    """A Screen as JSON, its content still neutral: it is rendered in the recipient's language when sent.
    `edit` is dropped: an outbox message is always new."""

    def button(b: Button) -> dict[str, Any]:
        label = content_json(b.label)
        if b.url:
            return {"label": label, "url": b.url}
        if b.action:
            return {"label": label, "action": [b.action.name, list(b.action.args)]}
        return {"label": label}

    out: dict[str, Any] = {
        "body": [content_json(b) for b in screen.body],
        "buttons": [[button(b) for b in row] for row in screen.buttons],
    }
    if screen.chart is not None:
        c = screen.chart
        out["chart"] = {
            "title": content_json(c.title),
            "labels": [content_json(label) for label in c.labels],  # a service name in each language
            "series": [[content_json(name), [float(v) for v in values]] for name, values in c.series],
            "unit": c.unit,
        }
        if c.alt is not None:
            out["chart"]["alt"] = content_json(c.alt)
        if c.axis is not None:
            out["chart"]["axis"] = content_json(c.axis)
        if c.points:
            out["chart"]["points"] = [[float(x), float(y), int(g)] for x, y, g in c.points]
    if screen.document is not None:
        d = screen.document
        out["document"] = {
            "filename": d.filename,
            "mime_type": d.mime_type,
            "content": base64.b64encode(d.content).decode("ascii"),
        }
    return out


def payload_to_screen(payload: dict[str, Any]) -> Screen:
    def button(b: dict[str, Any]) -> Button:
        label = content(b["label"])
        if "action" in b:
            name, args = b["action"]
            return Button(label, action=Action(str(name), tuple(int(a) for a in args)))
        return Button(label, url=b.get("url"))

    chart = document = None
    if payload.get("chart"):
        c = payload["chart"]
        chart = Chart(
            content(c["title"]),
            tuple(content(label) for label in c["labels"]),
            tuple((content(name), tuple(float(v) for v in values)) for name, values in c["series"]),
            c.get("unit", "p"),
            content(c["alt"]) if c.get("alt") is not None else None,
            content(c["axis"]) if c.get("axis") is not None else None,
            tuple((float(x), float(y), int(g)) for x, y, g in c.get("points", ())),
        )
    if payload.get("document"):
        d = payload["document"]
        mime = d.get("mime_type", "application/octet-stream")
        document = Document(d["filename"], base64.b64decode(d["content"]), mime)
    rows = [[button(b) for b in row] for row in payload.get("buttons", [])]
    # A row written before screens were neutral holds Telegram HTML as "text": sent as it was written.
    body = [content(b) for b in payload["body"]] if "body" in payload else [payload.get("text", "")]
    return Screen(body, rows, chart=chart, document=document)


@dataclass(frozen=True)
class OutboxItem:
    """A claimed row, detached from the session."""

    id: int
    dedupe_key: str
    chat_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    not_before: datetime
    created_at: datetime
    recipient_language: str | None = None  # the resident's own, looked up when the row is claimed

    @property
    def screen(self) -> Screen:
        return payload_to_screen(self.payload)

    @property
    def languages(self) -> list[str | None]:
        """What to render it in: the languages it was written for (a group's post in each), else its recipient's,
        as they chose it by the time it is sent (None: the council's default)."""
        given = self.payload.get("languages")
        return [str(x) for x in given] if isinstance(given, list) and given else [self.recipient_language]


_ITEM_COLUMNS = (
    OutboxRow.id,
    OutboxRow.dedupe_key,
    OutboxRow.chat_id,
    OutboxRow.kind,
    OutboxRow.payload,
    OutboxRow.attempts,
    OutboxRow.not_before,
    OutboxRow.created_at,
)


class Outbox:
    def __init__(self, session: AsyncSession):
        self.s = session

    def _dialect(self) -> str:
        bind = self.s.bind
        return bind.dialect.name if bind is not None else ""

    async def enqueue(
        self, key: str, chat_id: int, kind: str, screen: Screen, not_before: datetime | None = None,
        replaces: str | None = None,
        languages: list[str] | None = None,
    ) -> bool:
        """Adds a message unless one with this key exists or the resident blocked the bot; True if added.
        `replaces`: the key of an earlier message in the same chat that this one corrects; the sender edits that
        message in place where Telegram lets it (one text message, sent), and sends this as new otherwise.

        Written in the caller's transaction, so the message exists exactly when the change that caused it does.
        Its content stays neutral: it is rendered when sent, in each of `languages` if given (a group's post in a
        consultation's languages, all in one message where they fit), else in the recipient's own.
        """
        return await self.enqueue_many(kind, [(key, chat_id, screen)], not_before, replaces, languages) == 1

    async def enqueue_many(
        self, kind: str, messages: Iterable[tuple[str, int, Screen]], not_before: datetime | None = None,
        replaces: str | None = None, languages: list[str] | None = None,
    ) -> int:
        """enqueue() for many messages (key, chat, screen) at once; how many were added.

        A broadcast to 10,000 residents is some forty statements, not 20,000: on SQLite the whole transaction
        holds the one write lock, and residents' answers wait behind it."""
        items = list(messages)
        if any(len(key) > KEY_LIMIT for key, _, _ in items):
            raise ValueError(f"outbox key longer than {KEY_LIMIT} characters")
        payloads: dict[int, dict[str, Any]] = {}  # a broadcast is mostly one screen: made into JSON once

        def payload(screen: Screen) -> dict[str, Any]:
            if id(screen) not in payloads:
                payloads[id(screen)] = (screen_to_payload(screen) | ({REPLACES: replaces} if replaces else {})
                                        | ({"languages": languages} if languages else {}))
            return payloads[id(screen)]

        added = 0
        for i in range(0, len(items), MANY):
            batch = items[i : i + MANY]
            residents = [chat for _, chat, _ in batch if chat > 0]
            blocked = set(
                await self.s.scalars(
                    select(ResidentRow.telegram_id).where(
                        ResidentRow.telegram_id.in_(residents), ResidentRow.active.is_(False)
                    )
                )
            ) if residents else set()  # fmt: skip
            now = utcnow()
            rows = [
                {
                    "dedupe_key": key,
                    "chat_id": chat,
                    "kind": kind,
                    "payload": payload(screen),
                    "status": "pending",
                    "attempts": 0,
                    "not_before": not_before or now,
                    "created_at": now,
                }
                for key, chat, screen in batch
                if chat not in blocked
            ]
            if rows:
                added += await self._insert_new(rows)
        return added

    async def _insert_new(self, rows: list[dict[str, Any]]) -> int:
        """Inserts the rows whose key is not there yet; how many were inserted."""
        dialect = self._dialect()
        if dialect in ("sqlite", "postgresql"):
            insert = insert_for(dialect)
            stmt = (
                insert(OutboxRow)
                .values(rows)
                .on_conflict_do_nothing(index_elements=[OutboxRow.dedupe_key])
                .returning(OutboxRow.id)
            )
            return len((await self.s.execute(stmt)).all())
        added = 0
        for values in rows:
            if await self.s.scalar(select(OutboxRow.id).where(OutboxRow.dedupe_key == values["dedupe_key"])) is None:
                self.s.add(OutboxRow(**values))
                await self.s.flush()
                added += 1
        return added

    async def claim(self, owner: str, limit: int, lease_seconds: float, now: datetime) -> list[OutboxItem]:
        """Takes up to `limit` due rows, oldest first, marking them sending until now + lease_seconds.

        Due: pending with not_before <= now, or sending with an expired lease (its sender died). The schema has
        no owner column, so `owner` only names the claimer in logs; the lease is what guards a row.
        """
        due = or_(
            and_(OutboxRow.status == "pending", OutboxRow.not_before <= now),
            and_(OutboxRow.status == "sending", OutboxRow.lease_until < now),
        )
        pick = select(OutboxRow.id).where(due).order_by(OutboxRow.id).limit(limit)
        if self._dialect() == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        stmt = (
            update(OutboxRow)
            .where(OutboxRow.id.in_(pick.scalar_subquery()))
            .values(status="sending", lease_until=now + timedelta(seconds=lease_seconds))
            .returning(*_ITEM_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        rows = (await self.s.execute(stmt)).all()
        residents = sorted({row.chat_id for row in rows if row.chat_id > 0})
        spoken: dict[int, str] = {tid: lang for tid, lang in (await self.s.execute(
            select(ResidentRow.telegram_id, ResidentRow.language).where(
                ResidentRow.telegram_id.in_(residents), ResidentRow.language.is_not(None))
        )).all() if lang} if residents else {}  # fmt: skip
        items = (OutboxItem(*row) for row in rows)
        return sorted((replace(i, recipient_language=spoken.get(i.chat_id)) for i in items), key=lambda i: i.id)

    async def renew(self, ids: list[int], until: datetime) -> None:
        """Extends the lease of rows still being sent (a long batch, a slow call)."""
        if ids:
            await self._set(ids, {"lease_until": until}, only_sending=True)

    async def release(self, ids: list[int], not_before: datetime) -> None:
        """Hands claimed rows back unattempted (the sender is pausing or stopping)."""
        if ids:
            await self._set(ids, {"status": "pending", "not_before": not_before, "lease_until": None}, True)

    async def save_payload(self, id: int, payload: dict[str, Any]) -> None:
        """Records progress inside a message (parts of a long text already sent)."""
        await self._set([id], {"payload": payload}, only_sending=True)

    async def mark_sent(self, id: int, payload: dict[str, Any] | None = None) -> None:
        """Records a delivery; `payload`, if given, replaces the row's (with the ids of the messages sent)."""
        values: dict[str, Any] = {
            "status": "sent", "sent_at": utcnow(), "lease_until": None, "attempts": OutboxRow.attempts + 1,
        }
        if payload is not None:
            values["payload"] = payload
        # it was delivered, whatever else happened to the row meanwhile
        await self._set([id], values, only_sending=False)

    async def sent_messages(self, key: str, chat_id: int) -> list[int]:
        """The Telegram ids of the messages an earlier row sent to this chat (none if unsent or not recorded)."""
        row = (
            await self.s.execute(
                select(OutboxRow.payload).where(
                    OutboxRow.dedupe_key == key, OutboxRow.chat_id == chat_id, OutboxRow.status == "sent"
                )
            )
        ).scalar_one_or_none()
        ids = row.get(MESSAGE_IDS) if isinstance(row, dict) else None
        return [int(i) for i in ids] if isinstance(ids, list) else []

    async def mark_retry(self, id: int, not_before: datetime, error: str | None = None) -> None:
        values: dict[str, Any] = {
            "status": "pending",
            "not_before": not_before,
            "lease_until": None,
            "attempts": OutboxRow.attempts + 1,
        }
        if error is not None:
            values["error"] = error[:500]
        await self._set([id], values, only_sending=True)

    async def mark_blocked(self, id: int) -> None:
        """The chat refuses the bot (403): this row and every other unsent row for that chat are given up."""
        # Writes first, no read before them: on SQLite a read that later turns into a write can fail at once.
        same_chat = select(OutboxRow.chat_id).where(OutboxRow.id == id).scalar_subquery()
        await self.s.execute(
            update(OutboxRow)
            .where(OutboxRow.chat_id == same_chat, OutboxRow.status == "pending")
            .values(status="blocked")
            .execution_options(synchronize_session=False)
        )
        await self._set(
            [id], {"status": "blocked", "lease_until": None, "attempts": OutboxRow.attempts + 1}, only_sending=True
        )

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """A group became a supergroup: its messages not yet sent go to the new id; how many."""
        result = await self.s.execute(
            update(OutboxRow)
            .where(OutboxRow.chat_id == old_chat_id, OutboxRow.status.in_(("pending", "sending")))
            .values(chat_id=new_chat_id)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def mark_failed(self, id: int, error: str) -> None:
        await self._set(
            [id],
            {"status": "failed", "error": error[:500], "lease_until": None, "attempts": OutboxRow.attempts + 1},
            only_sending=True,
        )

    async def _set(self, ids: list[int], values: dict[str, Any], only_sending: bool) -> None:
        where: list[ColumnElement[bool]] = [OutboxRow.id.in_(ids)]
        if only_sending:
            where.append(OutboxRow.status == "sending")  # never undo another sender's "sent"
        await self.s.execute(
            update(OutboxRow).where(*where).values(**values).execution_options(synchronize_session=False)
        )

    async def pending_count(self, kind: str | None = None) -> int:
        """Rows not yet settled: pending (due or not) and being sent."""
        q = select(func.count()).select_from(OutboxRow).where(OutboxRow.status.in_(WAITING))
        if kind is not None:
            q = q.where(OutboxRow.kind == kind)
        return int(await self.s.scalar(q) or 0)

    async def counts(self, kind: str | None = None) -> dict[str, int]:
        """Rows by status, for /healthz, the CLI and tests."""
        q = select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
        if kind is not None:
            q = q.where(OutboxRow.kind == kind)
        return {status: int(n) for status, n in (await self.s.execute(q)).all()}
