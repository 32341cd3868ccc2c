"""The command line's rich consoles, made when first printed to: `moot run` prints nothing through them, so rich
(about 2 MB of a running bot) is imported only by the commands that do."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@cache
def console() -> Console:
    """Standard output."""
    from rich.console import Console

    return Console()


@cache
def err() -> Console:
    """Standard error."""
    from rich.console import Console

    return Console(stderr=True)


def escape(text: str) -> str:
    """Text shown as it is inside rich markup (rich.markup.escape)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)
