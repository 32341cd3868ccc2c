"""The report's pieces that need no database: how its cells read, its language tag, its PDF's CSS strings and what
is left of residents' words without an emoji font."""

from __future__ import annotations

import io
from datetime import datetime

import matplotlib.pyplot as plt
import tinycss2
from hypothesis import given
from hypothesis import strategies as st

from bot.exports.pdf import css_string, without_emoji
from bot.exports.report import _png_size, cell_text, language_tag, once
from bot.exports.tables import DECIMAL, INT, PENCE1, PERCENT, TEXT, Column


def test_cells_read_as_a_council_writes_them() -> None:
    assert cell_text(0.8, Column("Sent", PERCENT)) == "80%"
    assert cell_text(34.25, Column("Mean", PENCE1)) == "34.2p"
    assert cell_text(7, Column("Today", PENCE1)) == "7p"
    assert cell_text(2.5, Column("Average", DECIMAL)) == "2.50"
    assert cell_text(3, Column("Round", INT)) == "3"
    assert cell_text(None, Column("Closed", TEXT)) == ""
    assert cell_text(datetime(2026, 12, 2, 9, 30), Column("Opened", TEXT)) == "02 Dec 2026"
    assert cell_text("<b>", Column("Service", TEXT)) == "<b>"  # escaped by the template, not here


def test_the_language_is_a_bcp47_tag() -> None:
    assert language_tag("en") == "en"
    assert language_tag("pt_BR") == "pt-BR"
    assert language_tag("cy") == "cy"
    assert language_tag("pseudo") == "x-pseudo"


def test_a_png_says_its_size() -> None:
    fig = plt.figure(figsize=(2, 1), dpi=100)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    assert _png_size(buf.getvalue()) == (200, 100)
    assert _png_size(b"not a png") == (0, 0)


def test_css_strings_escape_what_would_end_them() -> None:
    assert css_string('a "b" \\ c\nd') == '"a \\22 b\\22  \\5c  c\\a d"'


@given(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00")))
def test_a_css_string_reads_back_as_its_text_whatever_it_holds(text: str) -> None:
    tokens = [t for t in tinycss2.parse_component_value_list(css_string(text)) if t.type != "whitespace"]
    assert [(t.type, t.value) for t in tokens] == [("string", text)]


def test_emoji_are_dropped_and_letters_kept() -> None:
    assert without_emoji("Ŵ ŷ â 😀👍🏽 ok ☺ 👩‍👩‍👧") == "Ŵ ŷ â ok ☺"
    assert without_emoji("Diolch 🏴󠁧󠁢󠁷󠁬󠁳󠁿 yn fawr") == "Diolch yn fawr"


def test_a_comment_many_residents_wrote_is_quoted_once() -> None:
    said = ["Homes first.", "Buses!", "homes  first.", "Homes first.", "Parks."]
    assert once(said) == ["Homes first.", "Buses!", "Parks."]
