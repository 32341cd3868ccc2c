"""Logging for `moot run`: one format, quiet HTTP libraries, and secrets redacted from every line."""

from __future__ import annotations

import logging

from bot.config import Config


class Redact(logging.Filter):
    """Replaces secrets (the bot token appears in Bot API URLs) wherever they would be printed."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(s in message for s in self.secrets):
            for s in self.secrets:
                message = message.replace(s, "<secret>")
            record.msg, record.args = message, None
        return True


def setup(config: Config, verbose: bool = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    for noisy in ("httpx", "httpcore", "aiosqlite", "apscheduler.executors"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    secrets = [config.telegram.token.get_secret_value(), config.privacy.pseudonym_key.get_secret_value(),
               config.webhook.secret_token.get_secret_value(), config.privacy.button_key.get_secret_value()]
    redact = Redact(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
