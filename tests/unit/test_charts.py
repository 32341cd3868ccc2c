"""Charts at a phone's width: legible text, labels in the order the words beside them list them, units on the axis,
and a line of text saying what each shows, in the photo's caption."""

from __future__ import annotations

import io
import struct

from bot.actions import ActionCodec
from bot.charts import DPI, SMALL, TEXT, WIDTH, bar_chart, bars_figure, dots_figure
from bot.content import Render
from bot.i18n import translations
from bot.render import Renderer
from dialogues.questions import of
from dialogues.schema import AllocationQuestion, Consultation
from tests.integration.export_seed import example, pound
from tests.unit.example import pence_tally

PHONE = 360  # pixels a Telegram photo is shown across on a phone


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", png[16:24])
    return w, h


def pound_question() -> tuple[Consultation, AllocationQuestion]:
    spec = example()
    q = next(q for q in spec.questions if isinstance(q, AllocationQuestion))
    return spec, q


def test_text_is_legible_when_the_chart_is_shown_360_pixels_wide() -> None:
    spec, q = pound_question()
    chart = of(q).intro(spec, q)[0].chart
    assert chart is not None
    png = bar_chart(chart, Render(translations("en")))
    width, height = png_size(png)
    assert abs(width - WIDTH * DPI) < 0.1 * WIDTH * DPI  # drawn for a phone: about 720 pixels, shown at 360
    scale = PHONE / width
    assert SMALL * DPI / 72 * scale >= 11  # the smallest text is at least 11 pixels high on the phone
    assert TEXT * DPI / 72 * scale >= 12
    assert height < 4 * width  # not a strip too tall to take in


def test_bars_come_in_the_charts_order_top_to_bottom_with_units_on_the_axis() -> None:
    labels = ["Zebra crossings", "Adult social care and very long names", "Bins"]
    fig = bars_figure("T", labels, [("Today", [5, 30, 2]), ("Residents' average", [6, 29.5, 3])], "p", "pence")
    fig.canvas.draw()
    ax = fig.axes[0]
    ticks = ax.get_yticklabels()
    assert [t.get_text().replace("\n", " ") for t in ticks] == labels  # long ones wrap, none is cut
    tops = [t.get_window_extent().y0 for t in ticks]
    assert tops == sorted(tops, reverse=True)  # the first label is drawn highest
    assert ax.get_xlabel() == "pence"
    values = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert values and all(v.endswith("p") for v in values)
    assert all(float(t.get_fontsize()) >= TEXT for t in ticks)


def test_how_views_moved_lists_the_labels_in_order_with_a_legend_of_rounds() -> None:
    fig = dots_figure("Moved", ["A", "B"], [("Today", [1, 2]), ("Think again (n=12)", [3, 4])], "p", "pence")
    fig.canvas.draw()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B"]
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["Today", "Think again (n=12)"]


def test_todays_split_is_charted_in_the_order_its_words_list_it() -> None:
    spec, q = pound_question()
    chart_screen, words = of(q).intro(spec, q)[:2]
    chart = chart_screen.chart
    assert chart is not None
    r = Render(translations("en"), html=False)
    text = r.body(words.body)
    positions = [text.index(name) for name in chart.labels]
    assert positions == sorted(positions)  # the words sort by today's pence: so does the chart
    values = list(chart.series[0][1])
    assert values == sorted(values, reverse=True)


def test_the_results_chart_follows_the_results_words_and_says_what_it_shows() -> None:
    spec, q = pound_question()
    t = of(q)
    figures = pence_tally(spec.services, [pound(housing=15), pound(), pound(adult_social_care=40)])
    chart = t.chart(spec, q, figures, "Title")
    assert chart is not None and chart.alt is not None
    r = Render(translations("en"), html=False)
    words = "\n".join(r.text(x) for line in t.result_lines(spec, q, figures) for x in line)
    listed = [words.index(f"{name}: ") for name in chart.labels]
    assert listed == sorted(listed)
    alt = r.text(chart.alt)
    assert alt.startswith("Average of 3 residents")
    assert "Housing 8.3p (5p)" in alt  # every service, with the figure the bar shows


def test_the_photo_caption_carries_the_charts_text_alternative() -> None:
    spec, q = pound_question()
    screen = of(q).intro(spec, q)[0]
    assert screen.chart is not None and screen.chart.alt is not None
    parts = Renderer(ActionCodec(b"k" * 32)).parts(screen)
    assert parts[0].media
    caption = parts[0].text
    assert "Today, of each £1: Adult social care 34p; Children" in caption
    assert caption.index("Today, of each £1") > caption.index("today")  # after the heading
    assert len(caption) <= 1024


def test_a_chart_is_a_png_in_memory() -> None:
    png = bars_figure("T", ["A"], [("S", [1.0])], "%", "percent")
    buf = io.BytesIO()
    png.savefig(buf, format="png")
    assert buf.getvalue().startswith(b"\x89PNG")
