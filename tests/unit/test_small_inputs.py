"""Small inputs that used to slip through: names with no Latin letters, invisible comments, an empty rounds list."""

from __future__ import annotations

import pytest

from dialogues.loader import ConsultationFileError, parse_consultation
from dialogues.questions.base import Refused
from dialogues.questions.free_text import check_length
from dialogues.schema import slug

FILE = """
code: cymraeg
title: Y Geiniog
organiser: Cyngor
purpose: Rhannwch eich ceiniog rhwng y gwasanaethau.
minutes: 5
privacy:
  notice: Your answers are kept until the report is published, then deleted.
services:
  - {name: "Ελληνικά", today: 50}
  - {name: "Русский", today: 50}
questions:
  - {type: allocation, prompt: Share it}
"""


def test_names_without_latin_letters_get_keys_of_their_own() -> None:
    assert slug("Ελληνικά") != slug("Русский") and slug("Ελληνικά") == slug("Ελληνικά")
    spec = parse_consultation(FILE.encode())
    assert len({s.key for s in spec.services}) == 2


def test_an_answer_of_only_invisible_characters_is_refused() -> None:
    assert isinstance(check_length("\u200b\u200d\u2060\ufeff", 100), Refused)
    assert check_length("ok\u200b", 100).value == "ok"  # type: ignore[union-attr]


def test_an_empty_rounds_list_is_refused_with_the_reason() -> None:
    with pytest.raises(ConsultationFileError) as e:
        parse_consultation((FILE + "rounds: []\n").encode())
    assert any("at least one round" in str(p) for p in e.value.problems)
    assert [r.title for r in parse_consultation(FILE.encode()).rounds] == ["Round 1"]
