"""Button data and labels: signed for one chat and one screen, refused when forged, remembered per screen."""

from __future__ import annotations

import pytest

from bot.actions import SIGNED_CHATS, ActionCodec, BadButton, Pressed
from dialogues.screens import Action

KEY = b"k" * 32
PLUS_ONE = Action("al.d", (3, 1))


def test_a_button_comes_back_as_the_action_and_screen_it_was_signed_for() -> None:
    codec = ActionCodec(KEY)
    data = codec.pack(1001, PLUS_ONE, 7)
    assert codec.unpack(1001, data) == Pressed(PLUS_ONE, 7)


def test_another_chats_button_or_a_changed_one_is_refused() -> None:
    codec = ActionCodec(KEY)
    data = codec.pack(1001, PLUS_ONE, 7)
    with pytest.raises(BadButton):
        codec.unpack(1002, data)
    name, _args, seq, sig = data.split(":")
    with pytest.raises(BadButton):
        codec.unpack(1001, f"{name}:3.100:{seq}:{sig}")  # +100 instead of +1, same signature
    with pytest.raises(BadButton):
        codec.unpack(1001, "garbage")


def test_remembered_data_is_what_signing_afresh_gives_and_a_new_screen_is_signed_anew() -> None:
    remembered, fresh = ActionCodec(KEY), ActionCodec(KEY)
    first = remembered.pack(1001, PLUS_ONE, 7)
    assert remembered.pack(1001, PLUS_ONE, 7) == first == fresh.pack(1001, PLUS_ONE, 7)
    assert remembered.pack(1001, PLUS_ONE, 8) == fresh.pack(1001, PLUS_ONE, 8) != first
    assert remembered.unpack(1001, first) == Pressed(PLUS_ONE, 7)  # an older screen's data still reads (seq decides)


def test_the_chats_remembered_are_bounded() -> None:
    codec = ActionCodec(KEY)
    for chat in range(SIGNED_CHATS + 50):
        codec.pack(chat, PLUS_ONE, 1)
    assert len(codec._signed) == SIGNED_CHATS
    assert codec.unpack(0, codec.pack(0, PLUS_ONE, 1)) == Pressed(PLUS_ONE, 1)  # forgotten, signed again


def test_a_remembered_label_follows_a_corrected_translation() -> None:
    """Two versions of a file with the same English service name and different Welsh: each label its own."""
    from bot.render import Renderer
    from dialogues.text import Localised, Span, _

    renderer = Renderer(ActionCodec(KEY))
    old = Span(_("{pence}p", pence=3), " ", Localised({"en": "Libraries", "cy": "Llyfrgell"}))
    fixed = Span(_("{pence}p", pence=3), " ", Localised({"en": "Libraries", "cy": "Llyfrgelloedd"}))
    assert renderer.label(old, "cy") == "3c Llyfrgell"
    assert renderer.label(fixed, "cy") == "3c Llyfrgelloedd"
    assert renderer.label(fixed, "en") == "3p Libraries"
