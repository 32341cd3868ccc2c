"""A ranking question's results: the Borda count and the instant-runoff count from the same tally, in words, as a
chart of the stages, and in the export's table; the tally keeps each distinct order once."""

from __future__ import annotations

import itertools
import random

from bot.charts import bar_chart
from dialogues.borda import borda
from dialogues.questions import Outcome, RoundOutcome, of
from dialogues.questions.ranking import RankingFigures, RankingTally
from dialogues.ranked import instant_runoff
from dialogues.schema import RankingQuestion
from dialogues.text import Lines
from tests.unit.example import EXAMPLE, PLAIN

PARK = RankingQuestion(type="ranking", key="park", prompt="What should the park get first?",
                       options=["Playground", "Pond", "Paths"])
# The election worked by hand in tests/unit/test_borda.py: Borda puts Pond first, instant-runoff Playground.
PARK_ORDERS = [(["playground", "pond", "paths"], 4), (["paths", "pond", "playground"], 3),
               (["pond", "playground", "paths"], 2)]


def park_figures() -> RankingFigures:
    t = of(PARK).tally(EXAMPLE, PARK)
    for order, n in PARK_ORDERS:
        t.add(order, n)
    f: RankingFigures = t.figures()
    return f


def test_the_group_post_gives_both_counts_and_every_stage() -> None:
    text = PLAIN.block(Lines(of(PARK).result_lines(EXAMPLE, PARK, park_figures())))
    assert "1. Pond: 11 points (average place 1.8)" in text
    assert "2. Playground: 10 points (average place 1.9)" in text
    assert "Playground wins at stage 2, with 6 of 9 votes." in text
    assert "Stage 1: Playground 4, Paths 3, Pond 2. Pond has fewest and is out." in text
    assert "Pond has fewest and is out. Its votes went to: Playground 2." in text
    assert "Stage 2: Playground 6, Paths 3. Playground has more than half of the 9 votes, and wins." in text
    assert "The two counts disagree: the Borda count puts Pond first, instant-runoff Playground." in text


def test_a_tie_settled_by_the_question_order_is_said() -> None:
    # Two residents each put a different option first; the third option nobody: it goes first (fewest, no tie).
    # Then Playground 1, Pond 1: tied now and at stage 1, so the one listed later on the question (Pond) goes.
    t = of(PARK).tally(EXAMPLE, PARK)
    t.add(["playground", "paths", "pond"])
    t.add(["pond", "paths", "playground"])
    text = PLAIN.block(Lines(of(PARK).result_lines(EXAMPLE, PARK, t.figures())))
    assert "Stage 1: Playground 1, Pond 1, Paths 0. Paths has fewest and is out." in text
    said = "Pond is out (tied for fewest at every stage; of the tied options it is listed last on the question)."
    assert said in text
    assert "Playground wins at stage 3" in text


def test_the_chart_shows_each_stage_winner_on_top_and_says_it_in_words() -> None:
    f = park_figures()
    chart = of(PARK).chart(EXAMPLE, PARK, f, PARK.prompt)
    assert chart is not None
    assert chart.labels == ("Playground", "Paths", "Pond")  # the winner, still in at the end, then the first out
    assert [values for _name, values in chart.series] == [(4.0, 3.0, 2.0), (6.0, 3.0, 0.0)]
    assert [PLAIN.text(name) for name, _values in chart.series] == ["Stage 1", "Stage 2"]
    assert PLAIN.text(chart.alt) == ("Stage 1: Playground 4, Paths 3, Pond 2; Pond is out, its votes to Playground 2. "
                                     "Stage 2: Playground 6, Paths 3; Playground wins.")
    assert bar_chart(chart, PLAIN)[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_export_table_has_both_counts_and_the_stages() -> None:
    f = park_figures()
    t = of(PARK).summary(EXAMPLE, PARK, [RoundOutcome(1, "Round 1", Outcome(9, f)), RoundOutcome(2, "Again",
                                                                                                   Outcome(1, None))])
    headers = [PLAIN.text(c.header) for c in t.columns]
    assert headers[:6] == ["Round", "Option", "Average position (1 = first)", "Overall rank (Borda count)",
                           "Borda points", "First places"]
    assert headers[6:9] == [f"Instant-runoff stage {k} (votes)" for k in (1, 2, 3)]
    rows = [[v if isinstance(v, int | float | None) else PLAIN.text(v) for v in row] for row in t.rows]
    assert rows[0] == [1, "Pond", 1.78, 1, 11, 2, 2, None, None, "out at stage 1; its votes went to: Playground 2", 9]
    assert rows[1] == [1, "Playground", 1.89, 2, 10, 4, 4, 6, None, "wins at stage 2", 9]
    assert rows[2][-2] == "still in when the count ended"
    assert rows[3][:2] == [2, "not shown"]
    assert t.note is not None and "listed last on the question goes out" in PLAIN.text(t.note)


def test_the_tally_counts_like_the_pure_rules_and_keeps_each_order_once() -> None:
    q = EXAMPLE.question("savings")
    assert isinstance(q, RankingQuestion)
    keys = [o.key for o in q.options]
    rnd = random.Random(15)
    t = of(q).tally(EXAMPLE, q)
    assert isinstance(t, RankingTally)
    ballots = []
    for _ in range(3000):
        order = rnd.sample(keys, len(keys))
        ballots.append(order)
        t.add(order)
    f = t.figures()
    assert len(t.counts.counted) <= len(list(itertools.permutations(keys)))  # 24 orders, not 3,000 ballots
    index = {k: str(i) for i, k in enumerate(keys)}
    as_index = [[index[k] for k in b] for b in ballots]
    assert f.runoff == instant_runoff(list(index.values()), as_index)
    assert f.borda == borda(list(index.values()), as_index)
