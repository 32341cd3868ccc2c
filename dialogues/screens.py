"""Transport-neutral screens: HTML text, buttons carrying compact actions, charts and documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape


@dataclass(frozen=True)
class Action:
    """What a button does: a short name and small integer arguments, small enough for 64 bytes."""

    name: str
    args: tuple[int, ...] = ()


@dataclass(frozen=True)
class Button:
    label: str
    action: Action | None = None
    url: str | None = None


@dataclass(frozen=True)
class Chart:
    """Data for a bar chart; bot/charts.py draws it. Series are (name, values in label order)."""

    title: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    unit: str = "p"


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass
class Screen:
    """One message. `edit` replaces the message a button was pressed on instead of sending anew."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    chart: Chart | None = None
    document: Document | None = None
    edit: bool = False


def h(text: object) -> str:
    """Escapes text for Telegram's HTML parse mode; everything a resident or file wrote goes through it."""
    return escape(str(text), quote=False)


def pence(n: float) -> str:
    return f"{n:g}p" if isinstance(n, int) or float(n).is_integer() else f"{n:.1f}p"
