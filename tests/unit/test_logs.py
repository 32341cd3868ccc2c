"""Secrets never reach the logs: the token in Bot API URLs is redacted, and HTTP libraries are kept quiet."""

from __future__ import annotations

import logging

import pytest

from bot.config import load_config
from bot.logs import Redact, setup


def test_the_token_is_redacted_from_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    token = "123456:AAExampleSecretToken"
    logger = logging.getLogger("moot.test")
    redact = Redact([token])
    logger.addFilter(redact)
    try:
        with caplog.at_level(logging.INFO, logger="moot.test"):
            logger.info("POST https://api.telegram.org/bot%s/getUpdates", token)
    finally:
        logger.removeFilter(redact)
    assert token not in caplog.text and "bot<secret>/getUpdates" in caplog.text


def test_setup_quietens_httpx_which_logs_urls() -> None:
    setup(load_config(None, {"MOOT_TELEGRAM__TOKEN": "123456:AAExampleSecretToken"}))
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
