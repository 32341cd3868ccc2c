"""A catalogue compiled once is read again without Babel; a changed `.po` is compiled afresh, never read stale."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from bot.i18n import _compiled


def _po(folder: Path, translation: str) -> Path:
    po = folder / "cy" / "LC_MESSAGES" / "moot.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: cy\\n"\n\n'
        f'msgid "Reset"\nmsgstr "{translation}"\n',
        encoding="utf-8",
    )
    return po


def _reads(compiled: bytes) -> str:
    return gettext.GNUTranslations(io.BytesIO(compiled)).gettext("Reset")


def test_a_catalogue_is_compiled_once_and_again_when_its_po_changes(tmp_path: Path) -> None:
    po = _po(tmp_path, "Ailosod")
    assert _reads(_compiled(po)) == "Ailosod"
    kept = list(po.parent.glob(".moot-*.mo"))
    assert len(kept) == 1
    assert _reads(kept[0].read_bytes()) == "Ailosod"
    assert _reads(_compiled(po)) == "Ailosod"  # read back from the kept file

    _po(tmp_path, "Ailosod eto")  # a translator's correction
    assert _reads(_compiled(po)) == "Ailosod eto"
    assert len(list(po.parent.glob(".moot-*.mo"))) == 1  # the stale one is gone
