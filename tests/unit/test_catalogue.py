"""The English catalogue holds every message the code can show, and every message can be formatted.

A new `_()` or `ngettext()` without `python -m bot.catalogue` afterwards fails here, naming the message."""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

from babel.messages.pofile import read_po

from bot import catalogue
from bot.i18n import DEFAULT, DOMAIN, translations
from bot.services.roles import REFUSED

PO = catalogue.po_path(DEFAULT)


def _committed() -> dict[str, str | tuple[str, ...]]:
    with PO.open("rb") as f:
        catalog = read_po(f, locale=DEFAULT, domain=DOMAIN)
    ids = [m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id]
    return {i if isinstance(i, str) else i[0]: i for i in ids}


def _fields(text: str) -> list[tuple[str | None, str | None, str | None]]:
    return [(name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(text)]


def _calls() -> Iterator[tuple[str, int, str, ast.Call]]:
    """Every `_(...)` and `ngettext(...)` call in the code the catalogue is made from."""
    for source in catalogue.SOURCES:
        for path in sorted((catalogue.ROOT / source).rglob("*.py")):
            if path.name.startswith("cli") or "migrations" in path.parts:
                continue
            where = str(path.relative_to(catalogue.ROOT))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"_", "ngettext"}:
                    yield where, node.lineno, node.func.id, node


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def test_every_message_in_the_code_is_in_the_english_catalogue() -> None:
    committed = _committed()
    missing, plural = [], []
    for message, where, lineno, _comments in catalogue.extract():
        key = message if isinstance(message, str) else message[0]
        if key not in committed:
            missing.append(f"{where}:{lineno}: {key!r}")
        elif isinstance(message, tuple) and committed[key] != message:
            plural.append(f"{where}:{lineno}: {message!r} is {committed[key]!r} in the catalogue")
    hint = "; run `python -m bot.catalogue` and commit bot/locales"
    assert not missing, f"{len(missing)} message(s) missing from {PO.name}{hint}:\n" + "\n".join(missing)
    assert not plural, "plural forms differ from the catalogue" + hint + ":\n" + "\n".join(plural)


def test_every_message_is_a_literal_with_named_placeholders_its_call_supplies() -> None:
    wrong: list[str] = []
    calls = list(_calls())
    singular_of_plural = {_literal(c.args[0]) for _w, _l, name, c in calls if name == "ngettext" and c.args}
    for where, lineno, name, call in calls:
        texts = [_literal(a) for a in (call.args[:2] if name == "ngettext" else call.args[:1])]
        if not texts or None in texts:
            wrong.append(f"{where}:{lineno}: {name}() needs its message as a string literal (not an f-string)")
            continue
        given = {k.arg for k in call.keywords}
        spread = None in given  # `**params`: what it holds is not known here
        if name == "ngettext":
            given.add("n")
        for text in texts:
            assert text is not None
            try:
                fields = _fields(text)
            except ValueError as e:
                wrong.append(f"{where}:{lineno}: {text!r} is not a format string: {e}")
                continue
            for field, spec, conv in fields:
                if field is None:
                    continue
                if not field.isidentifier():
                    wrong.append(f"{where}:{lineno}: {text!r}: {{{field}}} must be a name a translator can move")
                elif field not in given and not spread:
                    wrong.append(f"{where}:{lineno}: {text!r} has {{{field}}} but the call gives no {field}=")
                if conv is not None or (spec and "{" in spec):
                    wrong.append(f"{where}:{lineno}: {text!r}: {{{field}}} takes no conversion or nested field")
        if name == "_" and texts[0] in singular_of_plural:
            wrong.append(f"{where}:{lineno}: {texts[0]!r} is also ngettext()'s singular; gettext would not find it")
    assert not wrong, "\n".join(wrong)


def test_every_catalogue_message_formats() -> None:
    """What the renderer does with each message: str.format_map with its parameters (numbers where a spec asks)."""
    wrong = []
    for key, message in _committed().items():
        for text in (message,) if isinstance(message, str) else message:
            values = {name: 1.5 if spec else "x" for name, spec, _c in _fields(text) if name}
            try:
                text.format_map(values)
            except (KeyError, IndexError, ValueError) as e:
                wrong.append(f"{key!r}: {e}")
    assert not wrong, "\n".join(wrong)


def test_the_english_catalogue_reads_with_babel_and_translates() -> None:
    committed = _committed()
    assert REFUSED.singular in committed
    tr = translations(DEFAULT)
    assert type(tr).__name__ == "GNUTranslations"  # read from the .po, not the fallback
    assert tr.gettext(REFUSED.singular) == REFUSED.singular
    singular, plural = next(m for m in committed.values() if isinstance(m, tuple))
    assert (tr.ngettext(singular, plural, 1), tr.ngettext(singular, plural, 2)) == (singular, plural)


def test_the_operators_command_line_is_left_out() -> None:
    assert (catalogue.ROOT / "bot" / "cli.py").exists()
    assert not [where for _m, where, _l, _c in catalogue.extract() if Path(where).name.startswith("cli")]
