"""The Welsh catalogue: complete, its placeholders and commands the English ones, its six plural forms CLDR's.

A message added to the code and run through `python -m bot.catalogue` arrives in the Welsh file untranslated, and
the first test here names it until someone translates it."""

from __future__ import annotations

import re
import string
from typing import get_args

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from pydantic import BaseModel

from bot import catalogue
from bot.i18n import DOMAIN, translations
from dialogues.questions import registered
from dialogues.schema import Consultation

CY = catalogue.po_path("cy")
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")
COMMAND = re.compile(r"(?<![\w/])/[a-z]+")


def _welsh() -> Catalog:
    with CY.open("rb") as f:
        return read_po(f, locale="cy", domain=DOMAIN)


def _english() -> Catalog:
    with catalogue.po_path("en").open("rb") as f:
        return read_po(f, locale="en", domain=DOMAIN)


def _fields(text: str) -> dict[str, str]:
    return {name: spec or "" for _lit, name, spec, _c in string.Formatter().parse(text) if name is not None}


def test_every_english_message_has_a_welsh_translation() -> None:
    welsh = _welsh()
    missing = [m.id for m in _english() if m.id and m.id not in welsh]
    todo = catalogue.untranslated(welsh)
    assert not missing, f"{len(missing)} message(s) not in {CY.name}: run `python -m bot.catalogue`: {missing[:5]}"
    assert not todo, f"{len(todo)} Welsh message(s) to translate (or to confirm, if fuzzy):\n" + "\n".join(todo)


def test_welsh_keeps_every_placeholder_and_command_of_the_english() -> None:
    wrong: list[str] = []
    for m in _welsh():
        if not m.id:
            continue
        sources = (m.id,) if isinstance(m.id, str) else tuple(m.id)
        forms = (m.string,) if isinstance(m.string, str) else tuple(m.string)
        english: dict[str, str] = {}
        for s in sources:
            english |= _fields(s)
        commands = set().union(*(COMMAND.findall(s) for s in sources))
        for form in forms:
            welsh = _fields(form)
            # A plural form may spell its number out ("dwy rownd") and leave {n} out; nothing else may go.
            needed = {k for k in english if not (k == "n" and len(sources) == 2)}
            if set(welsh) - set(english) or needed - set(welsh):
                wrong.append(f"{sources[0]!r}: placeholders {sorted(english)} but {form!r} has {sorted(welsh)}")
            elif any(welsh[k] != english[k] for k in welsh):
                wrong.append(f"{sources[0]!r}: {form!r} changes a number format")
            if commands - set(COMMAND.findall(form)):
                wrong.append(f"{sources[0]!r}: {form!r} lacks the command(s) {sorted(commands)}")
    assert not wrong, "\n".join(wrong)


def test_the_welsh_plural_rule_is_cldrs_six_categories() -> None:
    """Babel's get_plural('cy') gives five forms; the header is chosen to be CLDR's six, in CLDR's order."""
    welsh = _welsh()
    assert welsh.num_plurals == 6
    tr = translations("cy")
    cldr = Locale.parse("cy").plural_form
    for n in range(0, 250):
        assert tr.plural(n) == CLDR_ORDER.index(cldr(n)), n  # type: ignore[attr-defined]


def test_ngettext_in_welsh_for_0_1_2_3_4_6_7() -> None:
    tr = translations("cy")
    said = {n: tr.ngettext("{n} round", "{n} rounds", n).format(n=n) for n in (0, 1, 2, 3, 4, 6, 7)}
    assert said == {0: "dim rowndiau", 1: "un rownd", 2: "dwy rownd", 3: "tair rownd", 4: "4 rownd",
                    6: "chwe rownd", 7: "7 rownd"}
    minutes = "It takes about {n} minute, in a private chat with me; nobody in this group sees your answers. " \
              "Results will be posted here when the round closes."
    plural = minutes.replace("{n} minute", "{n} minutes")
    assert [tr.ngettext(minutes, plural, n).split(",")[0].format(n=n) for n in (1, 2, 3, 6, 7)] == [
        "Mae'n cymryd tua munud", "Mae'n cymryd tua dau funud", "Mae'n cymryd tua thri munud",
        "Mae'n cymryd tua chwe munud", "Mae'n cymryd tua 7 munud"]


def test_the_catalogue_tool_adds_a_new_english_message_to_welsh_untranslated() -> None:
    pot = catalogue.template()
    pot.add("A message nobody has translated yet", locations=[("bot/new.py", 1)])
    pot.add(("{n} new thing", "{n} new things"), locations=[("bot/new.py", 2)])
    welsh = catalogue.build("cy", pot)  # what `python -m bot.catalogue` would write, left unwritten
    assert catalogue.untranslated(welsh) == ["A message nobody has translated yet", "{n} new thing"]
    assert welsh.num_plurals == 6
    assert welsh["Skip"].string == "Hepgor"  # translations already made are kept


def test_an_untranslated_or_fuzzy_message_is_caught() -> None:
    welsh = _welsh()
    welsh["Skip"].string = ""
    welsh["Reset"].flags.add("fuzzy")
    assert set(catalogue.untranslated(welsh)) == {"Reset", "Skip"}


def _plain_text_fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[str]:
    """Fields of a consultation-file model, and the models inside it, typed as a bare `str` (not Text)."""
    if model in seen:
        return []
    seen.add(model)
    out = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if annotation is str and name not in NOT_WORDS:
            out.append(f"{model.__name__}.{name}")
        for inner in get_args(annotation) or (annotation,):
            for leaf in get_args(inner) or (inner,):
                if isinstance(leaf, type) and issubclass(leaf, BaseModel):
                    out += _plain_text_fields(leaf, seen)
    return out


# identifiers, not words a person reads (currency is an ISO code; country only goes into the .pb file)
NOT_WORDS = {"key", "code", "type", "currency", "country"}


def test_every_text_of_the_consultation_file_is_translatable() -> None:
    """Every registered question type (and the file around it) types what people read as schema.Text, so a text
    can be given in each of the file's languages and a missing one is named. A new type with a bare `str` prompt,
    label or description fails here."""
    seen: set[type[BaseModel]] = set()
    plain = _plain_text_fields(Consultation, seen)
    for t in registered():
        plain += _plain_text_fields(t.schema, seen)
    assert not plain, "type these as Annotated[Text, Limit(min, max)] (dialogues/schema.py): " + ", ".join(plain)
