"""Tables: consultations, versions, rounds, residents, consents, participations, answers, answers about residents
(ward, age band), the bot's ledgers and settings, statements and reactions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow


class ConsultationRow(Base):
    __tablename__ = "consultations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VersionRow(Base):
    """One loaded file; answers stay attached to the version they answered."""

    __tablename__ = "consultation_versions"
    __table_args__ = (UniqueConstraint("consultation_id", "version"), UniqueConstraint("consultation_id", "sha256"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class RoundRow(Base):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("consultation_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft|scheduled|open|closed
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # How often it was reopened after closing: each reopening announces and publishes again, under new keys.
    reopens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ResidentRow(Base):
    __tablename__ = "residents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # false once the resident blocked the bot
    inactive_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The language they read in (a catalogue's code: "en", "cy"), chosen when they agreed or with /language.
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)


class ConsentRow(Base):
    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("resident_id", "consultation_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("consultation_versions.id"))
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)


class ParticipationRow(Base):
    """A resident's journey through one round; `state` is dialogues.journey.Progress as JSON."""

    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("resident_id", "round_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("consultation_versions.id"))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AnswerRow(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("participation_id", "question_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(48))
    value: Mapped[Any] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)  # the language it was given in
    review: Mapped[str | None] = mapped_column(String(16), nullable=True)  # comments: pending|approved|rejected
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ProfileAnswerRow(Base):
    """A resident's answer to a question about themselves (ward, age band): one per consultation, not per round."""

    __tablename__ = "profile_answers"
    __table_args__ = (UniqueConstraint("resident_id", "consultation_id", "question_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(48))
    value: Mapped[Any] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcessedUpdateRow(Base):
    """Update ids already handled: Telegram delivers at least once."""

    __tablename__ = "processed_updates"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RoleRow(Base):
    __tablename__ = "roles"
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)  # facilitator|officer
    granted_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: the system or the CLI
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200), default="")
    allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SettingRow(Base):
    """What the bot learnt about itself and keeps for the command line: its Telegram username, from getMe."""

    __tablename__ = "bot_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupRow(Base):
    __tablename__ = "groups"
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    linked_by: Mapped[int] = mapped_column(BigInteger)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # False once the bot was removed from the group: nothing is posted there until it is added back.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class JobRow(Base):
    """A timed open, reminder or close: the truth the scheduler is re-armed from."""

    __tablename__ = "scheduled_jobs"
    __table_args__ = (UniqueConstraint("round_id", "kind", "due_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # open|remind|close, or report (how a broadcast went)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|done|cancelled|missed
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The facilitator who scheduled it, told when it runs; for a report, whom it goes to.
    requested_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # a report: what to count


class OutboxRow(Base):
    """A message to send once: announcements, reminders, results. `dedupe_key` makes enqueueing idempotent."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|failed|blocked
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class StatementRow(Base):
    """A statement residents react to: the council's (from the file) or a resident's, moderated first."""

    __tablename__ = "statements"
    __table_args__ = (
        UniqueConstraint("consultation_id", "question_key", "seed_key"),
        Index("ix_statements_question", "consultation_id", "question_key", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    question_key: Mapped[str] = mapped_column(String(48))
    text: Mapped[str] = mapped_column(Text)
    cost: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # a project idea's estimate, in pounds
    # The resident who wrote it (None: the council's, or its author erased their data after others reacted).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"), nullable=True)
    seed_key: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the file's statements: its text's hash
    round_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|approved|rejected|merged
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it was rejected, as the author was told
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("statements.id", ondelete="SET NULL"), nullable=True)
    like_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the closest statement when it was sent
    likeness: Mapped[float | None] = mapped_column(Float, nullable=True)
    reactions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # how many reacted to it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ReactionRow(Base):
    """A resident's reaction to a statement: +1 agree, -1 disagree, 0 pass; a later one replaces it."""

    __tablename__ = "reactions"
    __table_args__ = (UniqueConstraint("statement_id", "resident_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    reaction: Mapped[int] = mapped_column(SmallInteger)
    round_number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatementFollowerRow(Base):
    """A resident who asked to be told when a new statement opens for reactions on a question."""

    __tablename__ = "statement_followers"
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(48), primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SendLogRow(Base):
    """Bot API sends of the last minute or two, when several workers share Telegram's limits (bot/shared_limits.py):
    one row per send, stamped when it started and when its call returned (by the database's clock)."""

    __tablename__ = "send_log"
    __table_args__ = (Index("ix_send_log_chat", "chat_id", "started_at"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # a group's; None: counted overall only
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
