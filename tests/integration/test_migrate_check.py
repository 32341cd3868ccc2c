"""The start-up check that skips Alembic when the database is already at the newest revision."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from storage.migrate import alembic_config, head_revisions, stored_revisions, upgrade_async

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_heads_read_from_the_scripts_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert head_revisions() == frozenset(script.get_heads())


def test_scripts_this_reading_does_not_follow_leave_it_to_alembic(tmp_path: Path) -> None:
    (tmp_path / "0001_a.py").write_text('revision = "a"\ndown_revision = None\n')
    (tmp_path / "0002_b.py").write_text('revision = "b"\ndown_revision = "a"\n')
    (tmp_path / "__init__.py").write_text('revision = "ignored"\n')
    assert head_revisions(tmp_path) == frozenset({"b"})
    (tmp_path / "0003_c.py").write_text('revision: str = "c"\ndown_revision = ("a", "b")\n')
    assert head_revisions(tmp_path) == frozenset({"c"})
    (tmp_path / "0004_d.py").write_text('revision = "d"\ndown_revision = "c"\nbranch_labels = ("x",)\n')
    assert head_revisions(tmp_path) is None
    (tmp_path / "0004_d.py").write_text('revision = make()\ndown_revision = "c"\n')
    assert head_revisions(tmp_path) is None


async def test_a_fresh_database_is_migrated_and_then_found_at_the_newest_revision(database_url: str) -> None:
    assert await stored_revisions(database_url) is None
    await upgrade_async(database_url)
    assert await stored_revisions(database_url) == head_revisions()


async def test_a_start_at_the_newest_revision_does_not_import_alembic(database_url: str) -> None:
    await upgrade_async(database_url)
    check = ("import asyncio, sys; from storage.migrate import upgrade_async; "
             f"asyncio.run(upgrade_async({database_url!r})); print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
