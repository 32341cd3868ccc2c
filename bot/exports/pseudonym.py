"""Keyed pseudonyms for residents in exports: stable within a consultation, untraceable without the key."""

from __future__ import annotations

import hashlib
import hmac

from bot.content import Render
from bot.i18n import translations
from dialogues.text import Code, _

HEX_CHARS = 12  # 48 bits: collisions stay unlikely (about 1 in 50,000) even among 100,000 residents
NO_KEY = _(
    "Exports need a pseudonym key, and none is set. Set {variable} (or {key} under {section} in the config file) to "
    "a long random secret, e.g. the output of {command}, and keep it: changing it changes every resident's pseudonym.",
    variable=Code("MOOT_PRIVACY__PSEUDONYM_KEY"), key=Code("pseudonym_key"), section=Code("[privacy]"),
    command=Code("openssl rand -hex 32"),
)


class PseudonymKeyMissing(Exception):
    """The operator has not configured privacy.pseudonym_key, so no export may be made (str() says how, in English)."""

    def __init__(self) -> None:
        super().__init__(Render(translations(), html=False).text(NO_KEY))
        self.message = NO_KEY


class Pseudonyms:
    def __init__(self, key: str):
        if not key:
            raise PseudonymKeyMissing()
        self._key = key.encode()
        self._keyed = hmac.new(self._key, digestmod=hashlib.sha256)  # copied for each: half the cost of a new one

    def __call__(self, code: str, telegram_id: int) -> str:
        """'R-3fa9c21b0d4e' for one resident in one consultation."""
        mac = self._keyed.copy()
        mac.update(f"{code}:{telegram_id}".encode())
        return f"R-{mac.hexdigest()[:HEX_CHARS]}"
