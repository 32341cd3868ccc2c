"""Runs Alembic migrations from code (`moot db upgrade`, and on start for SQLite).

On start the database's revision is first compared with the migration scripts' newest, without Alembic: a bot
started on a database already at the newest revision (the usual start) never imports Alembic, Mako, Pygments or
the migration scripts, which would otherwise stay in its memory for as long as it runs (about 10 MB). Whenever the
two differ, or either cannot be read plainly, Alembic upgrades exactly as before.
"""

from __future__ import annotations

import ast
import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).parent / "migrations"
# Which files in versions/ Alembic reads as migration scripts (alembic.script.base._only_source_rev_file).
_SCRIPT = re.compile(r"(?!\.\#|__init__)(.*\.py)$")
_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def head_revisions(versions: Path = HERE / "versions") -> frozenset[str] | None:
    """The revisions no script revises (Alembic's heads), read from the scripts' text without running them; None
    when a script is not the plain kind this reading follows (no literal revision, branch labels, dependencies)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in sorted(p for p in versions.iterdir() if p.is_file() and _SCRIPT.match(p.name)):
        found = _assignments(path)
        if found is None:
            return None
        revision, down = found.get("revision"), found.get("down_revision")
        if not isinstance(revision, str) or found.get("branch_labels") or found.get("depends_on"):
            return None
        if isinstance(down, str):
            revised.add(down)
        elif isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
            revised.update(down)
        elif down is not None:
            return None
        revisions.add(revision)
    heads = frozenset(revisions - revised)
    return heads or None


def _assignments(path: Path) -> dict[str, object] | None:
    """A script's module-level revision, down_revision, branch_labels and depends_on, where they are literals."""
    found: dict[str, object] = {}
    try:
        tree = ast.parse(path.read_bytes(), str(path))
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in _NAMES:
                found[target.id] = ast.literal_eval(value)
    except (OSError, SyntaxError, ValueError, TypeError):
        return None
    return found


async def stored_revisions(url: str) -> frozenset[str] | None:
    """The revisions the database says it is at (its alembic_version rows); None if it has none or cannot say."""
    from sqlalchemy import inspect

    from storage.engine import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            if not await conn.run_sync(lambda c: inspect(c).has_table("alembic_version")):
                return None
            rows = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception:  # whatever the trouble, Alembic meets it next and reports it as it always has
        return None
    finally:
        await engine.dispose()
    return frozenset(str(r) for r in rows) or None


async def upgrade_async(url: str) -> None:
    heads = head_revisions()
    if heads is not None and await stored_revisions(url) == heads:
        return  # at the newest revision: what Alembic would do is nothing
    # env.py runs its own event loop, so it needs a thread of its own when called from inside a loop.
    await asyncio.to_thread(upgrade, url)


def revision(url: str, message: str) -> None:
    from alembic import command

    command.revision(alembic_config(url), message=message, autogenerate=True)
