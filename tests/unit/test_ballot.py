"""The participatory-budgeting ballot type: its three ballot kinds, refusals, the planted election's outcomes and
explanations (worked by hand in tests/planted_ballot.py), the exports' cells and table, file validation, and the
.pb file checked by pabulib-checker and read back by pabutools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogues.ballot import money
from dialogues.budgeting import Case
from dialogues.loader import ConsultationFileError, Problem, parse_consultation
from dialogues.questions import Answered, Changed, Refused, by_name
from dialogues.questions.ballot import BallotQuestion, BallotTally
from dialogues.questions.base import head
from dialogues.schema import Consultation
from dialogues.screens import Action, Screen
from tests import planted_ballot as planted
from tests.unit.example import PLAIN, described, said

ballot = by_name("ballot")
PLANTED = parse_consultation(planted.FILE)
EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "examples" / "parks-share.yaml"


def _q(c: Consultation) -> BallotQuestion:
    q = c.questions[0]
    assert isinstance(q, BallotQuestion)
    return q


FUND = _q(PLANTED)


def with_kind(kind: str, **more: Any) -> tuple[Consultation, BallotQuestion]:
    c = PLANTED.model_copy(update={"questions": [FUND.model_copy(update={"kind": kind, **more})]})
    return c, _q(c)


def refusal(result: Any) -> str:
    assert isinstance(result, Refused), result
    return said(result.message)


def text_of(screen: Screen) -> str:
    return PLAIN.body(screen.body)


def actions(screen: Screen) -> list[Action]:
    return [b.action for row in screen.buttons for b in row if b.action is not None]


def index(key: str) -> int:
    return [p.key for p in FUND.projects].index(key)


def planted_figures(q: BallotQuestion = FUND) -> Any:
    t = BallotTally(q)
    for times, keys in planted.BALLOTS:
        t.add(ballot.decode(PLANTED, q, list(keys)), times)
    return t.figures()


# --- the planted election, worked by hand ---------------------------------------------------------------------


def test_the_planted_election_has_the_hand_worked_outcomes() -> None:
    f = planted_figures()
    assert f.respondents == 20
    assert f.greedy.funded == planted.GREEDY and f.greedy.spent == 950
    assert f.shares.funded_by_equal_shares == planted.EQUAL_SHARES and f.shares.completion == planted.COMPLETION
    assert f.shares.spent == 950 and f.shares.left == 50
    assert f.shares.share == 62 and f.shares.steps == 24
    cases = {e.project: e.case for e in f.shares.explanations}
    assert cases == {"arena": Case.FUNDED_BY_EQUAL_SHARES, "cafe": Case.FUNDED_BY_EQUAL_SHARES,
                     "benches": Case.FUNDED_IN_COMPLETION, "gym": Case.SHARES_RAN_OUT,
                     "eco": Case.TOO_FEW_SUPPORTERS, "fountain": Case.WOULD_HAVE_FITTED}
    gym, eco, fountain = (f.shares.explanation(k) for k in ("gym", "eco", "fountain"))
    assert (gym.supporters_money, gym.cost) == (120, 300)
    assert (eco.needed_supporters, eco.supporters) == (5, 4)
    assert (fountain.unspent, fountain.equal_shares_case, fountain.needed_supporters) == (
        200, Case.TOO_FEW_SUPPORTERS, 2)


def test_the_group_post_shows_both_outcomes_and_why_each_project_won_or_lost() -> None:
    text = described(ballot.result_lines(PLANTED, FUND, planted_figures()))
    assert "20 residents voted on a budget of £1,000." in text
    assert "Equal Shares (with completion) funds Sports arena, Lakeside café, Park benches: £950, £50 left." in text
    assert "Greedy rule (most votes first) funds Park benches, Outdoor gym, Sports arena: £950, £50 left." in text
    lines = {line.split(" (")[0][2:]: line for line in text.splitlines() if line[:1] in "✅❌"}
    assert "Funded by Equal Shares: each supporter paid at most £50." in lines["Sports arena"]
    assert "Funded only in the completion step" in lines["Park benches"]
    assert "Supporters' shares ran out: they had £120 left of the £300 it costs." in lines["Outdoor gym"]
    assert "Too few supporters: it needed at least 5, and had 4." in lines["Eco garden"]
    assert "It would have fitted in the £200 Equal Shares left unspent" in lines["Drinking fountain"]
    assert "greedy: not funded, only £50 was left at its turn" in lines["Lakeside café"]
    assert lines["Lakeside café"].startswith("✅") and lines["Outdoor gym"].startswith("❌")


def test_the_chart_sets_the_two_outcomes_side_by_side() -> None:
    chart = ballot.chart(PLANTED, FUND, planted_figures(), "")
    shares = dict(zip(chart.labels, chart.series[0][1], strict=True))
    greedy = dict(zip(chart.labels, chart.series[1][1], strict=True))
    assert shares["Lakeside café"] == 30.0 and greedy["Lakeside café"] == 0.0
    assert shares["Outdoor gym"] == 0.0 and greedy["Outdoor gym"] == 30.0
    assert "Equal Shares funds Sports arena, Lakeside café, Park benches" in said(chart.alt)


# --- approval within the budget ---------------------------------------------------------------------------------


def test_ticking_shows_the_running_total_and_refuses_past_the_budget_with_how_much_to_remove() -> None:
    draft = ballot.start(PLANTED, FUND, None)
    for key in ("arena", "gym"):
        r = ballot.press(PLANTED, FUND, draft, "t", (index(key),))
        assert isinstance(r, Changed)
        draft = r.draft
    assert "Ticked: £800 of £1,000; £200 left." in text_of(ballot.screen(PLANTED, FUND, head(1, 1, FUND), draft))
    over = ballot.press(PLANTED, FUND, draft, "t", (index("cafe"),))
    assert refusal(over) == "That comes to £1,100, £100 over the £1,000 budget: untick projects worth £100 first."
    assert isinstance(over, Refused) and over.alert
    untick = ballot.press(PLANTED, FUND, draft, "t", (index("gym"),))
    assert isinstance(untick, Changed) and untick.draft == {"arena": 1}
    done = ballot.press(PLANTED, FUND, draft, "d", ())
    assert isinstance(done, Answered) and ballot.encode(PLANTED, FUND, done.value) == ["arena", "gym"]


def test_typed_numbers_and_titles_tick_projects_and_an_unknown_project_is_refused() -> None:
    r = ballot.typed(PLANTED, FUND, {}, "1, sports arena")  # the same project twice counts once
    assert isinstance(r, Changed) and r.draft == {"arena": 1}
    r = ballot.typed(PLANTED, FUND, {}, "2 3")
    assert isinstance(r, Changed) and r.draft == {"benches": 1, "gym": 1}
    assert refusal(ballot.typed(PLANTED, FUND, {}, "1, 4, 3")).startswith("That comes to £1,100, £100 over")
    assert refusal(ballot.typed(PLANTED, FUND, {}, "9")) == "There is no project 9: the projects are numbered 1 to 6."
    close = ballot.typed(PLANTED, FUND, {}, "lakeside cafe")
    assert refusal(close) == "I don't know a project called “lakeside cafe”. Did you mean Lakeside café?"
    assert isinstance(close, Refused) and close.offer is not None
    accepted = ballot.press(PLANTED, FUND, {}, close.offer[1].name.split(".")[1], close.offer[1].args)
    assert isinstance(accepted, Changed) and accepted.draft == {"cafe": 1}
    assert refusal(ballot.typed(PLANTED, FUND, {}, "the moon")).startswith("I don't know a project called “the moon”")


def test_forged_presses_change_nothing() -> None:
    for verb, args in [("t", (6,)), ("t", (-1,)), ("t", ()), ("p", (0, 1)), ("s", ()), ("x", ())]:
        assert refusal(ballot.press(PLANTED, FUND, {}, verb, args)) == "That button doesn't belong to this question."


def test_done_needs_a_tick() -> None:
    assert refusal(ballot.press(PLANTED, FUND, {}, "d", ())) == "Tick at least one project, then Done."


def test_stored_ballots_that_are_not_valid_do_not_decode() -> None:
    assert ballot.decode(PLANTED, FUND, ["arena", "cafe"]) == {"arena": 1, "cafe": 1}
    assert ballot.decode(PLANTED, FUND, ("arena",)) == {"arena": 1}  # as the database counts equal answers
    for raw in (["arena", "gym", "cafe"], ["swings"], ["arena", "arena"], {"arena": 1}, "arena", None):
        assert ballot.decode(PLANTED, FUND, raw) is None, raw


# --- free approval ------------------------------------------------------------------------------------------------


def test_free_approval_ticks_past_the_budget() -> None:
    c, q = with_kind("approval")
    r = ballot.typed(c, q, {}, "1, 2, 3, 4, 5, 6")
    assert isinstance(r, Changed) and len(r.draft) == 6
    assert "Ticked: 6 projects, £1,600." in text_of(ballot.screen(c, q, head(1, 1, q), r.draft))
    assert isinstance(ballot.press(c, q, r.draft, "d", ()), Answered)
    assert ballot.decode(c, q, list(planted.COSTS)) is not None


# --- cumulative points on the pound's board -----------------------------------------------------------------------


def test_points_are_shared_on_the_board_and_must_add_up() -> None:
    c, q = with_kind("points", points=5)
    draft: dict[str, int] = {}
    for _ in range(3):
        r = ballot.press(c, q, draft, "p", (index("cafe"), 1))
        assert isinstance(r, Changed)
        draft = r.draft
    assert draft == {"cafe": 3}
    screen = text_of(ballot.screen(c, q, head(1, 1, q), draft))
    assert "Lakeside café (£300): 3 points" in screen and "Left to share: 2 points" in screen
    assert refusal(ballot.press(c, q, draft, "s", ())) == "You have 2 points left to share."
    r = ballot.typed(c, q, draft, "Eco garden 2")
    assert isinstance(r, Changed) and r.draft == {"cafe": 3, "eco": 2}
    assert refusal(ballot.press(c, q, r.draft, "p", (index("arena"), 1))).startswith("All 5 points are shared")
    assert refusal(ballot.press(c, q, r.draft, "p", (index("arena"), -1))) == "Sports arena has no points to take away."
    over = ballot.typed(c, q, r.draft, "Sports arena 1")
    assert isinstance(over, Changed)
    assert refusal(ballot.press(c, q, over.draft, "s", ())) == "That is 1 point more than 5."
    done = ballot.press(c, q, r.draft, "s", ())
    assert isinstance(done, Answered) and ballot.encode(c, q, done.value) == {"cafe": 3, "eco": 2}
    assert refusal(ballot.typed(c, q, {}, "Eco garden 6")) == "Eco garden can have from 0 to 5 points."
    assert refusal(ballot.typed(c, q, {}, "Eco garden 1.5")).startswith("I couldn't read “Eco garden 1.5”")
    assert ballot.decode(c, q, {"cafe": 3, "eco": 1}) is None  # 4 points, not 5
    assert ballot.decode(c, q, {"cafe": 3, "swings": 2}) is None


def test_points_ballots_rank_the_greedy_rule_by_points() -> None:
    _c, q = with_kind("points", points=10)
    t = BallotTally(q)
    t.add({"gym": 10}, 3)  # 3 residents put all 10 points on the gym: 30 points, 3 supporters
    t.add({"arena": 5, "cafe": 5}, 4)  # 4 residents: 20 points each on the arena and the café, 4 supporters each
    f = t.figures()
    assert f.points == {"arena": 20, "benches": 0, "gym": 30, "cafe": 20, "eco": 0, "fountain": 0}
    # By points: gym £300 (£700 left), then café and arena tie on 20, the cheaper first: café £300 (£400 left);
    # the arena's £500 no longer fits. Counting supporters instead would fund the café and the arena, not the gym.
    assert f.greedy.funded == ("gym", "cafe")
    assert (f.supporters["arena"], f.supporters["gym"]) == (4, 3)


# --- exports ------------------------------------------------------------------------------------------------------


def test_export_cells_and_the_summary_table_carry_both_outcomes_and_the_reasons() -> None:
    assert len(ballot.columns(PLANTED, FUND)) == 7
    assert ballot.cells(PLANTED, FUND, {"arena": 1, "gym": 1}) == [1, 0, 1, 0, 0, 0, 800]
    assert ballot.cells(PLANTED, FUND, None) == [None] * 7
    from dialogues.questions import Outcome, RoundOutcome

    table = ballot.summary(PLANTED, FUND, [RoundOutcome(1, "Round 1", Outcome(20, planted_figures()))])
    headers = [said(c.header) for c in table.columns]
    rows = {r[1]: dict(zip(headers, r, strict=True)) for r in table.rows}
    gym = rows["Outdoor gym"]
    assert said(gym["Equal Shares (with completion)"]) == "not funded" and said(gym["Greedy rule"]) == "funded"
    assert said(gym["How (Equal Shares)"]) == "supporters' shares ran out"
    assert gym["Supporters' money left (GBP)"] == 120 and gym["Cost (GBP)"] == 300
    assert rows["Eco garden"]["Supporters needed at least"] == 5
    assert said(rows["Park benches"]["How (Equal Shares)"]) == "funded only in the completion step"
    assert said(rows["Drinking fountain"]["How (Equal Shares)"]) == "would have fitted in the unspent money"


def assert_valid(checker: Any, text: str) -> None:
    """pabulib-checker finds no error. Warnings it may give: no `selected` column (moot runs two rules, not one),
    and a project nobody chose (kept, so the file holds the whole election)."""
    results = checker.Checker().process_files([text])
    assert results["metadata"] == {"processed": 1, "valid": 1, "invalid": 0}, results
    assert results[1]["results"].get("errors", {}) == {}, results
    assert set(results[1]["results"].get("warnings", {})) <= {"missing selected field in projects",
                                                                  "project with no votes"}, results


def _pb_text(c: Consultation = PLANTED, q: BallotQuestion = FUND) -> str:
    e = ballot.pabulib(c, q)
    assert e is not None
    voter = 0
    for times, keys in planted.BALLOTS:
        for _ in range(times):
            voter += 1
            e.add(f"R{voter:04d}", ballot.decode(c, q, list(keys)))
    return e.text({"description": "The park fund", "country": "Worldwide", "unit": "Heaton Ward Council",
                   "instance": "2026", "date_begin": "01.12.2026", "date_end": "02.12.2026"})


def test_the_pb_file_passes_pabulib_checker() -> None:
    checker = pytest.importorskip("pabulib.checker")
    text = _pb_text()
    assert text.startswith("META\nkey;value\ndescription;The park fund\n")
    assert "\nVOTES\nvoter_id;vote\nR0001;1,2,3\n" in text
    assert_valid(checker, text)


def test_the_pb_file_of_a_points_ballot_passes_pabulib_checker() -> None:
    checker = pytest.importorskip("pabulib.checker")
    c, q = with_kind("points", points=5)
    e = ballot.pabulib(c, q)
    assert e is not None
    e.add("R1", {"cafe": 3, "eco": 2})
    e.add("R2", {"gym": 5})
    e.add("R3", {"arena": 1, "gym": 4})
    text = e.text({"description": "d", "country": "Worldwide", "unit": "u", "instance": "2026",
                   "date_begin": "2026", "date_end": "2026"})
    assert "\nvoter_id;vote;points\nR1;4,5;3,2\n" in text
    assert_valid(checker, text)


def test_the_pb_file_reads_back_in_pabutools_with_the_same_outcomes(tmp_path: Path) -> None:
    pytest.importorskip("pabutools.rules")
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare

    path = tmp_path / "park-fund.pb"
    path.write_text(_pb_text(), encoding="utf-8")
    instance, profile = parse_pabulib(str(path))
    assert instance.budget_limit == planted.BUDGET and len(profile) == 20
    costs = {p.name: int(p.cost) for p in instance}
    assert costs == {str(i + 1): c for i, c in enumerate(planted.COSTS.values())}
    ids = {str(i + 1): k for i, k in enumerate(planted.COSTS)}
    funded = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    assert {ids[p.name] for p in funded} == set(planted.GREEDY)


# --- the consultation file --------------------------------------------------------------------------------------


def test_the_parks_example_loads() -> None:
    c = parse_consultation(EXAMPLE_PATH.read_text(encoding="utf-8"))
    q = _q(c)
    assert (q.budget, q.kind, len(q.projects)) == (1_500_000, "within_budget", 8)
    assert money(q.budget, q.currency) == "£1,500,000"


def problems(text: str) -> list[Problem]:
    with pytest.raises(ConsultationFileError) as info:
        parse_consultation(text)
    return info.value.problems


def line(text: str, needle: str) -> int:
    return next(n for n, ln in enumerate(text.splitlines(), 1) if needle in ln)


def test_a_cost_of_zero_or_below_is_refused_with_its_field_and_line() -> None:
    for cost in ("0", "-100"):
        text = planted.FILE.replace("cost: 250", f"cost: {cost}")
        (p,) = problems(text)
        assert p.path == "questions[0].projects[4].cost"
        assert p.line == line(text, f"cost: {cost}")
        place = "question 1 “fund” › project 5 “Eco garden” › cost"
        assert said(p.said()) == f"line {p.line}, {place}: must be more than 0"


def test_a_budget_smaller_than_every_project_is_refused_at_the_budget() -> None:
    text = planted.FILE.replace("budget: 1000", "budget: 90")
    (p,) = problems(text)
    assert p.path == "questions[0].budget" and p.line == line(text, "budget: 90")
    assert said(p.message) == ("the budget (£90) is smaller than every project: the cheapest, “Drinking fountain”, "
                               "costs £100")


def test_projects_with_the_same_key_and_an_unknown_kind_are_refused() -> None:
    (p,) = problems(planted.FILE.replace("key: gym", "key: arena"))
    assert p.path == "questions[0].projects" and "two projects have the key arena" in said(p.message)
    (p,) = problems(planted.FILE.replace("kind: within_budget", "kind: ranked"))
    assert p.path == "questions[0].kind"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list(planted.COSTS)), max_size=8))
def test_any_ballot_answered_within_the_budget_decodes_back(keys: list[str]) -> None:
    draft: dict[str, int] = {}
    for k in keys:
        r = ballot.press(PLANTED, FUND, draft, "t", (index(k),))
        if isinstance(r, Changed):
            draft = r.draft
        else:  # refused only when it would pass the budget
            assert sum(planted.COSTS[x] for x in {*draft, k}) > planted.BUDGET
    assert sum(planted.COSTS[x] for x in draft) <= planted.BUDGET
    done = ballot.press(PLANTED, FUND, draft, "d", ())
    if draft:
        assert isinstance(done, Answered)
        assert ballot.decode(PLANTED, FUND, ballot.encode(PLANTED, FUND, done.value)) == done.value


def test_a_board_of_many_points_has_a_big_step_that_never_passes_the_total() -> None:
    c, q = with_kind("points", points=20)
    labels = [b.label for b in ballot.screen(c, q, head(1, 1, q), {}).buttons[0]]
    assert labels == ["−5", "−1", "0 · Sports arena", "+1", "+5"]
    r = ballot.press(c, q, {"cafe": 17}, "p", (index("eco"), 5))
    assert isinstance(r, Changed) and r.draft == {"cafe": 17, "eco": 3}  # only the 3 points left
    assert refusal(ballot.press(c, q, {}, "p", (index("eco"), 4))) == "That button doesn't belong to this question."
    assert refusal(ballot.typed(c, q, {}, "nonsense")).endswith("like “Sports arena 3”.")


def test_every_board_stays_within_telegrams_hundred_buttons() -> None:
    many = [{"key": f"p{i}", "title": f"Project {i}", "cost": 10} for i in range(30)]
    for kind, points in (("within_budget", 10), ("approval", 10), ("points", 10), ("points", 100)):
        q = BallotQuestion.model_validate({"type": "ballot", "prompt": "Which?", "kind": kind, "points": points,
                                           "budget": 100, "projects": many})
        screen = ballot.screen(PLANTED, q, head(1, 1, q), {})
        assert sum(len(row) for row in screen.buttons) <= 100, kind


def test_a_project_nobody_chose_lost_for_want_of_supporters_not_to_the_completion() -> None:
    t = BallotTally(FUND)
    t.add({"arena": 1}, 3)
    f = t.figures()
    fountain = f.shares.explanation("fountain")  # £100, within the £500 left, but nobody chose it
    assert fountain.case is Case.WOULD_HAVE_FITTED and fountain.supporters == 0
    assert said(ballot_why(fountain)) == "Too few supporters: nobody voted for it."


def ballot_why(e: Any) -> Any:
    from dialogues.ballot import why

    return why(e, "GBP")
