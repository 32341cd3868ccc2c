"""Configuration: a TOML file, overridden by MOOT_<SECTION>__<KEY> environment variables; secrets never printed."""

from __future__ import annotations

import contextlib
import json
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from bot.limits import EDITS_PER_SECOND


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TelegramConfig(Section):
    token: SecretStr = SecretStr("")
    api_base: str = "https://api.telegram.org"
    runtime: Literal["aiogram", "ptb"] = "aiogram"
    bot_username: str = ""  # filled from getMe at start when empty; used for deep links
    poll_timeout: int = Field(default=30, ge=0, le=50)


class DatabaseConfig(Section):
    url: str = "sqlite+aiosqlite:///moot.db"
    # PostgreSQL connections one process may hold (half kept open, half opened in a burst); `moot run --workers N`
    # gives each worker its share, so N workers together stay within this.
    connections: int = Field(default=40, ge=4, le=1000)


class RolesConfig(Section):
    admins: list[int] = []
    facilitators: list[int] = []
    officers: list[int] = []


class PrivacyConfig(Section):
    pseudonym_key: SecretStr = SecretStr("")
    button_key: SecretStr = SecretStr("")  # signs button data; derived from the token when empty


class ResultsConfig(Section):
    min_respondents: int = Field(default=10, ge=1)


class WebhookConfig(Section):
    url: str = ""  # the public https URL Telegram calls
    listen: str = "127.0.0.1"
    port: int = 8080
    path: str = "/telegram"
    secret_token: SecretStr = SecretStr("")


class OutboxConfig(Section):
    per_second: float = Field(default=29.0, gt=0, le=30)  # Telegram allows about 30 a second; one spare for replies
    per_group_per_minute: int = Field(default=20, ge=1, le=20)
    # Edits of a resident's board in answer to their press: a window of their own (bot/limits.py says why)
    edits_per_second: float = Field(default=EDITS_PER_SECOND, gt=0, le=1000)
    # Count the limits in the database (PostgreSQL), so that several processes share them; `moot run --workers N`
    # sets it for its workers. Off, each process counts its own sends.
    shared_budget: bool = False


class SchedulerConfig(Section):
    late_limit_hours: float = Field(default=24.0, ge=0)  # a job missed by more than this is not run late


class Config(Section):
    timezone: str = "Europe/London"
    language: str = "en"  # the catalogue people read (bot/locales/); "pseudo" marks every catalogue text
    # Group posts of a consultation in several languages go out in each; these first, in this order (["cy"]: Welsh
    # first, as the Welsh Language Standards ask of a council in Wales).
    languages_first: list[str] = []
    telegram: TelegramConfig = TelegramConfig()
    database: DatabaseConfig = DatabaseConfig()
    roles: RolesConfig = RolesConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    results: ResultsConfig = ResultsConfig()
    webhook: WebhookConfig = WebhookConfig()
    outbox: OutboxConfig = OutboxConfig()
    scheduler: SchedulerConfig = SchedulerConfig()


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith("MOOT_") or name == "MOOT_CONFIG":
            continue
        parts = name[5:].lower().split("__")
        if parts[0] not in Config.model_fields:
            continue  # other MOOT_* variables (MOOT_CONFIG, test settings) are not config keys
        value: Any = raw
        if raw[:1] in "[{" or raw in {"true", "false"}:
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(raw)
        node = out
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return out


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _merge(base[k], v)
        else:
            base[k] = v
    return base


def load_config(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """Reads the TOML file (if any), applies MOOT_* environment overrides, validates."""
    environ = dict(os.environ if environ is None else environ)
    data: dict[str, Any] = {}
    path = path or environ.get("MOOT_CONFIG")
    if path:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    # A list of ids in an environment variable may be written "1,2,3".
    over = _env_overrides(environ)
    for key in ("admins", "facilitators", "officers"):
        raw = over.get("roles", {}).get(key)
        if isinstance(raw, str):
            over["roles"][key] = [int(x) for x in raw.replace(" ", "").split(",") if x]
    return Config.model_validate(_merge(data, over))
