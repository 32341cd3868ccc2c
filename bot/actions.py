"""Button data codec: a compact action, the screen sequence, and an HMAC bound to the chat, in at most 64 bytes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from dialogues.screens import Action

MAX_BYTES = 64
SIG_CHARS = 11  # 66 bits of HMAC-SHA256: guessing is hopeless, and it leaves room for the action
# The buttons signed for each of the chats pressed most recently: a board edited after a press has the same
# buttons with the same screen number, so they are signed once per screen, not again on every press (at about
# 5 kB a chat, 2,000 chats cover the press-release peak's residents in a few MB).
SIGNED_CHATS = 2_000
_NAME = re.compile(r"^[a-z]{1,4}(\.[a-z]{1,4})?$")  # the journey's own, or a question type's "code.verb"


class BadButton(Exception):
    """The data was forged, damaged, or signed for another chat."""


@dataclass(frozen=True)
class Pressed:
    action: Action
    seq: int


class ActionCodec:
    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("the button signing key must be at least 16 bytes")
        self._key = key
        # The key is absorbed once; each signature copies that state (a board signs some 40 buttons a press).
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)
        self._signed: OrderedDict[int, tuple[int, dict[Action, str]]] = OrderedDict()  # chat -> (seq, data)

    def _sig(self, chat_id: int, body: str) -> str:
        h = self._keyed.copy()
        h.update(f"{chat_id}|{body}".encode())
        return base64.urlsafe_b64encode(h.digest()).decode()[:SIG_CHARS]

    def pack(self, chat_id: int, action: Action, seq: int) -> str:
        return self.packer(chat_id, seq)(action)

    def packer(self, chat_id: int, seq: int) -> Callable[[Action], str]:
        """Packs one screen's buttons: those signed before for this chat and screen number are not signed again."""
        signed = self._signed.get(chat_id)
        if signed is None or signed[0] != seq:
            signed = self._signed[chat_id] = (seq, {})
            if len(self._signed) > SIGNED_CHATS:
                self._signed.popitem(last=False)
        else:
            self._signed.move_to_end(chat_id)
        known = signed[1]

        def pack(action: Action) -> str:
            data = known.get(action)
            if data is None:
                data = known[action] = self._pack(chat_id, action, seq)
            return data

        return pack

    def _pack(self, chat_id: int, action: Action, seq: int) -> str:
        if not _NAME.match(action.name):
            raise ValueError(f"bad action name {action.name!r}")
        body = f"{action.name}:{'.'.join(str(a) for a in action.args)}:{seq}"
        data = f"{body}:{self._sig(chat_id, body)}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"button data over {MAX_BYTES} bytes: {data!r}")
        return data

    @staticmethod
    def claimed_name(data: str) -> str:
        """The action name button data claims, unchecked: only for choosing how to handle it, never to trust."""
        return data.split(":", 1)[0]

    def unpack(self, chat_id: int, data: str) -> Pressed:
        try:
            name, args, seq, sig = data.split(":")
            body = f"{name}:{args}:{seq}"
            if not hmac.compare_digest(sig, self._sig(chat_id, body)):
                raise BadButton("signature does not match")
            return Pressed(Action(name, tuple(int(a) for a in args.split(".")) if args else ()), int(seq))
        except (ValueError, TypeError) as e:
            raise BadButton(str(e)) from e


def derive_key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"moot:{purpose}:{secret}".encode()).digest()
