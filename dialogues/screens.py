"""Transport-neutral screens: blocks of content, buttons carrying compact actions, charts and documents."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dialogues.text import Block, Inline, blocks


@dataclass(frozen=True)
class Action:
    """What a button does: a name (namespaced by whoever handles it) and small integer arguments, for 64 bytes."""

    name: str
    args: tuple[int, ...] = ()


@dataclass(frozen=True)
class Button:
    label: Inline
    action: Action | None = None
    url: str | None = None


@dataclass(frozen=True)
class Chart:
    """Data for a bar chart; bot/charts.py draws it. Series are (name, values in label order); labels are content,
    drawn top to bottom in the order the text beside the chart lists them. `alt` says what it shows in one line,
    for whoever cannot see the image (it goes in the photo's caption). `axis` names what the values are, when the
    unit's own name does not ("votes"; by default the unit's: "pence")."""

    title: Inline
    labels: tuple[str, ...]
    series: tuple[tuple[Inline, tuple[float, ...]], ...]
    unit: str = "p"
    alt: Inline | None = None
    axis: Inline | None = None


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass
class Screen:
    """One message (several if it is too long for one). `edit` replaces the message a button was pressed on.
    `aside` is a message beside the current one (a suggestion to accept): its buttons leave the current message's
    buttons live, and typed answers still change the current message."""

    body: tuple[Block, ...]
    buttons: list[list[Button]] = field(default_factory=list)
    chart: Chart | None = None
    document: Document | None = None
    edit: bool = False
    aside: bool = False

    def __init__(
        self,
        body: Block | Inline | Iterable[Block | Inline] | None = None,
        buttons: list[list[Button]] | None = None,
        chart: Chart | None = None,
        document: Document | None = None,
        edit: bool = False,
        aside: bool = False,
    ):
        self.body = blocks(body)
        self.buttons = buttons if buttons is not None else []
        self.chart = chart
        self.document = document
        self.edit = edit
        self.aside = aside


def pence(n: float) -> str:
    return f"{n:g}p" if isinstance(n, int) or float(n).is_integer() else f"{n:.1f}p"
