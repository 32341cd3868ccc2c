"""The resident journey as a state machine: a full walk through the example, and random events."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from dialogues import allocation as rules
from dialogues.journey import Outcome, Press, Progress, RoundContext, Typed, begin, handle, resume, why_key
from dialogues.questions import of
from dialogues.schema import AllocationQuestion
from dialogues.screens import Action, Screen
from tests.unit.example import EXAMPLE, RANKING, SERVICES, html, said

CTX = RoundContext(number=1, title="Share your pound", closes="Friday 5 December, 17:00")
LIB = [s.name for s in SERVICES].index("Libraries and culture")
ADULT = 0


def actions(screens: list[Screen]) -> list[Action]:
    return [b.action for s in screens for row in s.buttons for b in row if b.action is not None]


def texts(out: Outcome) -> str:
    return "\n".join(html(s) for s in out.screens)


def toast(out: Outcome) -> str | None:
    return None if out.toast is None else said(out.toast)


def labels(screen: Screen) -> list[str]:
    return [said(b.label) for row in screen.buttons for b in row]


def sends_new_buttons(out: Outcome) -> bool:
    """A new message whose buttons replace the current one's (a suggestion aside leaves them live)."""
    return any(s.buttons and not s.edit and not s.aside for s in out.screens)


def check_saves(saves: dict[str, Any]) -> None:
    """Every answer the journey saves passes its question's own check."""
    for key, value in saves.items():
        if key.endswith(".why"):
            q = EXAMPLE.question(key.removesuffix(".why"))
            assert isinstance(q, AllocationQuestion) and q.comment is not None
            assert isinstance(value, str) and value == value.strip() and 1 <= len(value) <= q.comment.max_length
            continue
        q = EXAMPLE.question(key)
        if value is None:
            assert not q.required, f"skipped required question {key}"
        else:
            assert of(q).decode(EXAMPLE, q, value) is not None, (key, value)
            if isinstance(q, AllocationQuestion):  # a pound decodes whatever it holds; a saved one is also valid
                assert rules.problems(EXAMPLE.services, value) == [], (key, value)


class Resident:
    """Drives the journey as the services would: keep progress, apply saves, check seq after each event."""

    def __init__(self, ctx: RoundContext = CTX, answers: dict[str, Any] | None = None) -> None:
        self.ctx = ctx
        self.answers: dict[str, Any] = dict(answers or {})
        self.progress = Progress()

    def _apply(self, out: Outcome, before: int) -> Outcome:
        assert out.progress.seq == before + (1 if sends_new_buttons(out) else 0)
        check_saves(out.saves)
        for k, v in out.saves.items():
            if v is None:
                self.answers.pop(k, None)
            else:
                self.answers[k] = v
        json.dumps(out.progress.to_json())  # it is persisted as JSON
        assert Progress.from_json(json.loads(json.dumps(out.progress.to_json()))) == out.progress
        self.progress = out.progress
        return out

    def begin(self) -> Outcome:
        return self._apply(begin(EXAMPLE, self.ctx, self.answers), 0)

    def event(self, event: Press | Typed) -> Outcome:
        before = self.progress.seq
        snapshot = self.progress.to_json()
        out = handle(EXAMPLE, self.ctx, self.progress, self.answers, event)
        assert self.progress.to_json() == snapshot, "handle must not change the progress it was given"
        return self._apply(out, before)

    def press(self, name: str, *args: int) -> Outcome:
        return self.event(Press(Action(name, args)))

    def type(self, text: str) -> Outcome:
        return self.event(Typed(text))


def test_a_full_walk_through_the_example() -> None:
    r = Resident()

    # Today's split: a chart, then each service in words with a Next button.
    out = r.begin()
    assert r.progress.step == "intro" and r.progress.seq == 1
    chart_screen, words = out.screens
    assert chart_screen.chart is not None and chart_screen.chart.labels[0] == "Adult social care"
    assert chart_screen.chart.series[0][1][0] == 34.0
    assert "34p</b> Adult social care" in html(words) and actions([words]) == [Action("go")]

    out = r.type("hello?")
    assert "tap <b>Next</b>" in texts(out) and not out.saves and r.progress.seq == 1
    out = r.press("go")
    assert r.progress.step == "ask" and r.progress.seq == 2
    assert out.screens[0].edit and not out.screens[0].buttons
    assert Action("al.d", (LIB, 5)) in actions(out.screens) and Action("al.s") in actions(out.screens)

    # The allocation is edited in place: same message, same seq.
    out = r.press("al.d", LIB, 5)
    [screen] = out.screens
    assert screen.edit and "Libraries and culture: <b>5p</b>" in html(screen)
    assert "Left to allocate: 95p" in html(screen)
    assert r.progress.seq == 2 and not out.saves

    # Submit is refused until all 100p are shared.
    out = r.press("al.s")
    assert out.alert and out.toast is not None and "95p left" in said(out.toast)
    assert not out.screens and not out.saves and r.progress.seq == 2

    # Typed lines change the board in place and a short note says what changed; no new board is sent.
    out = r.type("Adult social care 40\nchildren's: 20p")
    assert r.progress.seq == 2
    board, note = out.screens
    assert board.edit and board.buttons and "Left to allocate: 35p" in html(board)
    assert not note.edit and not note.buttons and "Set Adult social care 40p, Children's services 20p." in html(note)
    assert not out.saves

    # Typed text that cannot be read gets a clear message and saves nothing; a near miss offers the service.
    for text, expected in [("Housing two", "whole number of pence"),
                           ("Librarys 3", "Did you mean Libraries and culture?")]:
        out = r.type(text)
        assert expected in texts(out) and not out.saves and r.progress.seq == 2
    (offer,) = [b for s in out.screens for row in s.buttons for b in row]
    assert said(offer.label) == "Yes: Libraries and culture 3p"
    assert r.progress.draft["pence"]["housing"] == 0
    out = r.press(offer.action.name, *offer.action.args)
    assert r.progress.draft["pence"]["libraries_and_culture"] == 3 and "Left to allocate: 37p" in html(out.screens[0])

    # The board may go over 100p for a while, saying by how much; Submit waits until it is exactly 100p.
    out = r.type("Housing 50")
    assert "13p over" in html(out.screens[0]) and "Submit (13p over)" in [said(b.label) for row in
                                                                        out.screens[0].buttons for b in row]
    out = r.press("al.s")
    assert out.alert and "13p more than 100p" in said(out.toast)

    out = r.press("al.t")
    assert out.screens[0].edit and "All 100p shared" in html(out.screens[0])
    out = r.press("al.d", LIB, 1)
    assert not out.alert and "1p over" in html(out.screens[0])
    r.press("al.d", ADULT, -5)
    out = r.press("al.d", LIB, 5)
    assert r.progress.draft["pence"]["libraries_and_culture"] == 9 and "1p over" in html(out.screens[0])
    out = r.press("al.d", LIB, -1)
    assert r.progress.draft["pence"]["libraries_and_culture"] == 8 and "All 100p shared" in html(out.screens[0])
    assert r.progress.seq == 2

    # Submitting saves at once and asks why.
    out = r.press("al.s")
    assert out.saves == {"pound": {**{s.key: s.today for s in SERVICES}, "adult_social_care": 29,
                                   "libraries_and_culture": 8}}
    assert r.progress.step == "why" and r.progress.seq == 3
    assert out.screens[0].edit and "✅" in html(out.screens[0])
    assert "Libraries and culture: 8p" in html(out.screens[0])
    assert "Why did you share it this way?" in html(out.screens[1]) and actions(out.screens) == [Action("sk")]

    out = r.type("  Libraries matter to <everyone>  ")
    assert out.saves == {why_key("pound"): "Libraries matter to <everyone>"}
    assert "&lt;everyone&gt;" in html(out.screens[0]) and out.screens[0].edit
    assert r.progress.step == "ask" and r.progress.index == 1 and r.progress.seq == 4

    # Rating: typed text where a number is expected is explained; "4" is saved.
    out = r.type("four")
    assert "whole number from 1 to 5" in texts(out) and not out.saves and r.progress.seq == 4
    out = r.type("9")
    assert "from 1 to 5" in texts(out) and not out.saves
    out = r.press("sk")
    assert toast(out) == "This question needs an answer." and not out.saves
    out = r.type("4")
    assert out.saves == {"satisfaction": 4} and r.progress.index == 2 and r.progress.seq == 5
    assert "4 out of 5" in html(out.screens[0])

    # Single choice by button.
    out = r.press("ch.o", 2)
    assert out.saves == {"council_tax": "up_to_5"} and r.progress.index == 3

    # Multiple choice: ticking edits in place, a fourth tick is refused.
    for i in (0, 2, 3):
        out = r.press("mc.t", i)
        assert out.screens[0].edit and not out.saves
    out = r.press("mc.t", 5)
    assert not out.alert and out.toast is not None and "up to 3" in said(out.toast) and not out.screens
    r.press("mc.t", 0)
    r.press("mc.t", 5)
    out = r.press("mc.d")
    assert out.saves == {"priorities": ["support_for_older_people", "affordable_housing", "tackling_climate_change"]}
    assert r.progress.index == 4 and r.progress.seq == 7

    # Ranking with an undo.
    keys = [o.key for o in RANKING.options]
    r.press("rk.p", 3)
    r.press("rk.p", 0)
    out = r.press("rk.u")
    assert r.progress.draft["picks"] == [3] and out.screens[0].edit
    r.press("rk.p", 1)
    out = r.press("rk.p", 2)
    assert r.progress.draft["picks"] == [3, 1, 2, 0] and actions(out.screens)[0] == Action("rk.c")
    out = r.press("rk.c")
    assert out.saves == {"savings": [keys[3], keys[1], keys[2], keys[0]]} and r.progress.seq == 8

    # The optional free text, not answered before, is skipped (nothing to keep or clear), and the summary follows.
    assert Action("sk") in actions(out.screens) and Action("clr") not in actions(out.screens)
    assert "Skip" in labels(out.screens[-1])
    out = r.press("sk")
    assert not out.saves and "Skipped" in html(out.screens[0])
    assert r.progress.step == "summary" and r.progress.seq == 9
    summary = html(out.screens[-1])
    for shown in ("Libraries and culture: 8p", "Why: “Libraries matter to &lt;everyone&gt;”", "4 out of 5",
                  "Up to 5%", "Support for older people, Affordable housing", "Move more services online ›",
                  "<i>no answer</i>"):
        assert shown in summary, shown
    assert Action("cg", (5,)) in actions(out.screens) and Action("fin") in actions(out.screens)

    # Changing an answer goes back to the summary.
    out = r.press("cg", 1)
    assert r.progress.step == "ask" and r.progress.index == 1 and r.progress.back_to_summary
    out = r.press("rt.v", 2)
    assert out.saves == {"satisfaction": 2}
    assert r.progress.step == "summary" and not r.progress.back_to_summary
    assert "2 out of 5" in html(out.screens[-1]) and r.answers["council_tax"] == "up_to_5"

    # Finishing thanks the resident and says when the round closes.
    out = r.press("fin")
    assert out.finished_now and r.progress.step == "done" and r.progress.finished
    thanks = html(out.screens[-1])
    assert "Thank you" in thanks and "Friday 5 December, 17:00" in thanks and "/erase" in thanks
    assert out.screens[0].edit
    out = r.press("fin")
    assert toast(out) == "Your answers are already saved." and not out.finished_now
    out = r.type("anything")
    assert "Thanks!" in texts(out) and not out.saves

    out = r.press("sum")
    assert r.progress.step == "summary" and "✅ Done" in labels(out.screens[-1])
    out = r.press("fin")
    assert not out.finished_now and r.progress.step == "done"
    assert set(r.answers) == {"pound", "pound.why", "satisfaction", "council_tax", "priorities", "savings"}


def test_changing_the_allocation_from_the_summary_starts_from_the_saved_answer() -> None:
    answers = {"pound": {s.key: s.today for s in SERVICES}, "pound.why": "Because", "satisfaction": 3,
               "council_tax": "no_rise", "priorities": ["jobs_and_skills"], "savings": []}
    r = Resident(answers=answers)
    r.progress = Progress(step="summary", index=6, seq=7)
    out = r.press("cg", 0)
    assert r.progress.step == "ask" and r.progress.draft["pence"] == answers["pound"]
    assert "All 100p shared" in html(out.screens[0])
    out = r.press("al.s")
    assert r.progress.step == "why" and "Your earlier reason: “Because”" in html(out.screens[-1])
    out = r.press("sk")
    assert r.progress.step == "summary" and r.answers["pound.why"] == "Because"


def test_skip_keeps_a_saved_optional_answer_and_clear_removes_it() -> None:
    answers = {**FULL, "anything_else": "More buses"}
    r = Resident(answers=answers)
    r.progress = Progress(step="summary", index=6, seq=7)
    out = r.press("cg", 5)
    assert labels(out.screens[-1])[-2:] == ["Keep my answer", "Clear my answer"]
    assert actions(out.screens)[-2:] == [Action("sk"), Action("clr")]
    out = r.press("sk")
    assert not out.saves and r.answers["anything_else"] == "More buses"
    assert out.screens[0].edit and "“More buses”" in html(out.screens[0])
    assert r.progress.step == "summary" and "“More buses”" in html(out.screens[-1])

    r.press("cg", 5)
    out = r.press("clr")
    assert out.saves == {"anything_else": None} and "anything_else" not in r.answers
    assert out.screens[0].edit and "Your answer is cleared." in html(out.screens[0])
    assert r.progress.step == "summary" and "<i>no answer</i>" in html(out.screens[-1])

    out = r.press("cg", 5)
    assert "Skip" in labels(out.screens[-1]) and Action("clr") not in actions(out.screens)

    # A required question has neither: a forged Skip or Clear is refused and saves nothing.
    r.progress = Progress(step="summary", index=6, seq=r.progress.seq)
    out = r.press("cg", 1)
    assert Action("sk") not in actions(out.screens) and Action("clr") not in actions(out.screens)
    for name in ("sk", "clr"):
        out = r.press(name)
        assert toast(out) == "This question needs an answer." and not out.saves


def test_navigation_is_refused_mid_question_and_stale_buttons_expire() -> None:
    r = Resident()
    r.begin()
    r.press("go")
    for name in ("fin", "sum", "cg"):
        out = r.press(name, 0) if name == "cg" else r.press(name)
        assert toast(out) == "Please finish the current question first." and not out.screens
    r.progress = Progress(step="summary", index=6, seq=3)
    out = r.press("rt.v", 4)
    assert toast(out) == "This button has expired." and not out.saves and r.progress.seq == 3
    out = r.press("cg", 99)
    assert toast(out) == "This button has expired."


def test_a_second_round_starts_from_the_last_answer() -> None:
    last = {s.key: s.today for s in SERVICES}
    ctx = RoundContext(number=2, title="Think again", previous={"pound": last})
    r = Resident(ctx=ctx)
    out = r.begin()
    assert "your last answer is filled in" in html(out.screens[0])
    assert r.progress.step == "intro" and r.progress.draft["pence"] == last
    r.press("go")
    out = r.press("al.s")
    assert out.saves == {"pound": last}


def test_resume_shows_where_the_resident_left_off() -> None:
    assert resume(EXAMPLE, CTX, Progress(step="intro"), {}).screens[0].chart is not None
    out = resume(EXAMPLE, CTX, Progress(step="why", seq=4), {"pound.why": "x"})
    assert "Your earlier reason" in html(out.screens[0]) and out.progress.seq == 5
    out = resume(EXAMPLE, CTX, Progress(step="ask", index=2), {})
    assert Action("ch.o", (0,)) in actions(out.screens)
    assert "Your answers" in html(resume(EXAMPLE, CTX, Progress(step="summary", index=6), {}).screens[0])
    assert "Thank you" in html(resume(EXAMPLE, CTX, Progress(step="done", index=6), {}).screens[0])


def test_the_thanks_screen_without_a_closing_time() -> None:
    r = Resident(ctx=RoundContext())
    r.progress = Progress(step="summary", index=6)
    out = r.press("fin")
    assert "until the round closes on" not in texts(out)


# Random events never crash the journey nor save a bad answer

NAMES = ["go", "al.d", "al.i", "al.r", "al.t", "al.s", "rt.v", "ch.o", "mc.t", "mc.d", "rk.p", "rk.u", "rk.r", "rk.c",
         "sk", "clr", "cg", "fin", "sum", "zz", "", "al", "al.", "al.zz", "rt.d", ".v", "rt.v.v"]
ODD_TEXTS = [
    "4", "٤", "²", "--5", "-0", "1, 3", "1 and 3 and 3", "4 3 2 1", "4>3>2>1", "Libraries 12", "Librarys 3",
    "Adult social care 100", "Adult social care 10\nHousing 90", "Housing -3", "Housing 2.5", "Housing: 1e9",
    "x" * 5000, "9" * 5000, "Housing " + "9" * 5000, "Housing\n" * 3000, "🙂" * 2000, "\u202e\u0000\ufeff",
    "\x00\x1b\x7f", " ", "", "\n\n", "<b>bold</b> & more", "١٢ ٣", "Libraries 12\n" * 25, "a" * 4097,
]
FULL = {"pound": {s.key: s.today for s in SERVICES}, "pound.why": "Because", "satisfaction": 3,
        "council_tax": "no_rise", "priorities": ["jobs_and_skills"], "savings": [o.key for o in RANKING.options]}

events = st.one_of(
    st.builds(lambda n, a: Press(Action(n, tuple(a))), st.sampled_from(NAMES),
              st.lists(st.integers(-3, 12), max_size=3)),
    st.builds(Typed, st.sampled_from(ODD_TEXTS) | st.text(max_size=60)),
)
starts = st.one_of(
    st.just(None),  # begin
    st.builds(lambda i: Progress(step="ask", index=i), st.integers(0, len(EXAMPLE.questions) - 1)),
    st.sampled_from([Progress(step="intro"), Progress(step="why"), Progress(step="summary", index=6),
                     Progress(step="done", index=6, finished=True), Progress(step="ask", index=6)]),
)


@settings(max_examples=200, deadline=None)
@given(starts, st.booleans(), st.data())
def test_random_events_never_crash_nor_save_a_bad_answer(
    start: Progress | None, answered: bool, data: st.DataObject
) -> None:
    r = Resident(answers=FULL if answered else {})
    if start is None:
        shown = r.begin().screens
    else:
        r.progress = start
        shown = resume(EXAMPLE, CTX, start, r.answers).screens
    for _ in range(data.draw(st.integers(1, 40), label="length")):
        buttons = actions(shown)
        tap = bool(buttons) and data.draw(st.booleans(), label="tap a shown button")
        if tap:
            ev: Press | Typed = Press(data.draw(st.sampled_from(buttons)))
        else:
            ev = data.draw(events)
        out = r.event(ev)
        if out.screens:
            shown = out.screens
        p = r.progress
        assert p.step in {"intro", "ask", "why", "summary", "done"}
        assert 0 <= p.index <= len(EXAMPLE.questions)
        if pence := p.draft.get("pence"):
            assert all(0 <= pence.get(s.key, 0) <= s.max for s in SERVICES)  # the total may pass 100p until Submit
        for key in out.saves:
            event(f"saved {key}")
        event(f"reached {p.step} {p.index}")
