"""The resident journey as a pure state machine: (progress, answers, event) -> (progress, screens, saves).

It knows the steps every question goes through (an optional intro, the question, an optional "why?" comment,
the summary) and nothing of any question type: each type's module draws its screen and reads its presses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialogues.questions import Answered, AnyType, Changed, Effect, Refused, of
from dialogues.questions import base as question_types
from dialogues.questions.free_text import check_length, quoted
from dialogues.schema import Consultation, Question
from dialogues.screens import Action, Button, Screen
from dialogues.text import Block, Em, Inline, Lines, Para, Strong, _

# The journey's own buttons; each question type registers its own, namespaced by the type ("al.d", "rt.v").
GO, SKIP, CLEAR, CHANGE, FINISH, SUMMARY = "go", "sk", "clr", "cg", "fin", "sum"
ACTIONS = frozenset({GO, SKIP, CLEAR, CHANGE, FINISH, SUMMARY})
EXPIRED_TOAST = _("This button has expired.")
# Kept for a question asked once per consultation (a ward) that the resident skipped, so a later round does not ask
# again; it is no answer (no such question's type decodes it), so nothing counts it and the summary offers Change.
SKIPPED = {"skipped": True}


def actions() -> frozenset[str]:
    """Every action a resident's journey answers: its own and every registered question type's."""
    types = question_types.actions()
    if _ALL and _ALL[0][0] is types:
        return _ALL[0][1]
    _ALL[:] = [(types, ACTIONS | types)]
    return _ALL[0][1]


_ALL: list[tuple[frozenset[str], frozenset[str]]] = []


@dataclass
class Progress:
    """Where one resident is in one round; persisted as JSON after every event."""

    step: str = "ask"  # intro (before the question) | ask | why (comment) | summary | done
    index: int = 0
    draft: dict[str, Any] = field(default_factory=dict)  # the current question's draft, as its type stores it
    seq: int = 0  # bumped whenever a new message with buttons is sent; older buttons are stale
    anchor: int | None = None  # message id of the current message with buttons, kept by the services
    back_to_summary: bool = False
    finished: bool = False

    def to_json(self) -> dict[str, Any]:
        # By hand, not dataclasses.asdict: every press saves it, and asdict's generic deep copy was a tenth of
        # the journey's time.
        return {name: _copied(getattr(self, name)) for name in _PROGRESS_FIELDS}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Progress:
        d = dict(data)
        if not isinstance(d.get("draft"), dict):
            d["draft"] = {}
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


_PROGRESS_FIELDS = tuple(Progress.__dataclass_fields__)


def _copied(value: Any) -> Any:
    """A JSON value copied all the way down, so the copy shares no dict or list with the original."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_copied(v) for v in value)
    return value


@dataclass(frozen=True)
class RoundContext:
    number: int = 1
    title: str = "Round 1"
    closes: str | None = None  # already in the council's local time, e.g. "Friday 5 December, 17:00"
    previous: Mapping[str, Any] = field(default_factory=dict)  # answers from the resident's last round
    live: Mapping[str, Any] = field(default_factory=dict)  # question key -> what its type's keeper read just now


@dataclass(frozen=True)
class Press:
    action: Action


@dataclass(frozen=True)
class Typed:
    text: str


Event = Press | Typed


@dataclass
class Outcome:
    progress: Progress
    screens: list[Screen] = field(default_factory=list)
    saves: dict[str, Any] = field(default_factory=dict)  # question key -> answer; None deletes
    effects: list[tuple[str, Effect]] = field(default_factory=list)  # question key, change to the type's own rows
    toast: Inline | None = None  # the small notice answering a button press
    alert: bool = False
    finished_now: bool = False


def why_key(question_key: str) -> str:
    return f"{question_key}.why"


def begin(c: Consultation, ctx: RoundContext, answers: Mapping[str, Any], first_seq: int = 0) -> Outcome:
    """A resident who just agreed starts at the first question. `first_seq` numbers this participation's screens
    apart from any other's: button data signs the chat and the screen number, so two rounds' boards numbered alike
    would carry the same data, and a press on round 1's message would act on round 2."""
    out = Outcome(Progress(seq=first_seq))
    _enter(c, ctx, out, answers, 0)
    return _finish(out)


def redraw(c: Consultation, ctx: RoundContext, progress: Progress, answers: Mapping[str, Any]) -> list[Screen]:
    """The current question's screen as an edit of its own message: after a press that was applied but whose
    answer never reached the resident (a crash between the commit and the edit), so they see what is saved."""
    if progress.step != "ask" or progress.index >= len(c.questions):
        return []
    s = _question(c, ctx, progress, c.questions[progress.index], answers)
    s.edit = True
    return [s]


def resume(c: Consultation, ctx: RoundContext, progress: Progress, answers: Mapping[str, Any]) -> Outcome:
    """Shows again where a resident left off, as fresh messages."""
    out = Outcome(_copy(progress))
    out.screens = _current(c, ctx, out.progress, answers)
    return _finish(out)


def handle(c: Consultation, ctx: RoundContext, progress: Progress, answers: Mapping[str, Any], event: Event) -> Outcome:
    out = Outcome(_copy(progress))
    p = out.progress
    q = c.questions[p.index] if p.index < len(c.questions) else None
    if isinstance(event, Press) and event.action.name in {CHANGE, FINISH, SUMMARY}:
        _navigate(c, ctx, out, answers, event.action)
    elif p.step == "intro" and q is not None:
        if isinstance(event, Press) and event.action.name == GO:
            intro = of(q).intro(c, q)
            if intro:
                out.screens.append(Screen(intro[-1].body, edit=True))
            p.step = "ask"
            out.screens.append(_question(c, ctx, p, q, answers))
        else:
            out.screens.append(Screen(_("When you're ready, tap {next} above.", next=Strong(_("Next")))))
    elif p.step == "ask" and q is not None:
        _ask(c, ctx, out, answers, q, event)
    elif p.step == "why" and q is not None and q.comment is not None:
        _why(c, ctx, out, answers, q, event)
    elif isinstance(event, Typed):
        out.screens.append(
            Screen(_("Thanks! Use the buttons above to change an answer, or send /start to see them again."))
        )
    else:
        out.toast, out.alert = EXPIRED_TOAST, False
    return _finish(out)


def _copy(p: Progress) -> Progress:
    return Progress.from_json(p.to_json())


def _finish(out: Outcome) -> Outcome:
    if any(s.buttons and not s.edit and not s.aside for s in out.screens):
        out.progress.seq += 1
    return out


def _with(answers: Mapping[str, Any], out: Outcome) -> dict[str, Any]:
    merged = dict(answers)
    merged.update(out.saves)
    return {k: v for k, v in merged.items() if v is not None}


def question_head(c: Consultation, q: Question, number: int) -> list[Block]:
    return question_types.head(number, len(c.questions), q)


def type_of(ctx: RoundContext, q: Question) -> AnyType:
    """The question's type, seeing what its keeper read for this resident if it keeps rows of its own."""
    t = of(q)
    return t.bound(ctx.live[q.key]) if q.key in ctx.live else t


def _question(c: Consultation, ctx: RoundContext, p: Progress, q: Question, answers: Mapping[str, Any]) -> Screen:
    t = type_of(ctx, q)
    s = t.screen(c, q, question_head(c, q, p.index + 1), t.draft_from_json(c, q, p.draft))
    if not q.required:
        saved = _held(c, q, answers)
        # Skip never deletes a saved answer; clearing one is its own button.
        row = [Button(_("Keep my answer") if saved else _("Skip"), Action(SKIP))]
        if saved:
            row.append(Button(_("Clear my answer"), Action(CLEAR)))
        s.buttons.append(row)
    return s


def _asked_already(c: Consultation, answers: Mapping[str, Any], index: int) -> int:
    """The first question from `index` on to ask: one whose answer is kept for the whole consultation (a ward, an
    age band) and already held is not asked again (the summary still offers to change it)."""
    while index < len(c.questions):
        q = c.questions[index]
        if not (of(q).kept == question_types.CONSULTATION and q.key in answers):
            break
        index += 1
    return index


def _enter(c: Consultation, ctx: RoundContext, out: Outcome, answers: Mapping[str, Any], index: int) -> None:
    p = out.progress
    index = _asked_already(c, answers, index)
    if index >= len(c.questions):
        _summary(c, ctx, out, answers)
        return
    p.index = index
    q = c.questions[index]
    t = type_of(ctx, q)
    previous = _decoded(c, q, t, answers.get(q.key, ctx.previous.get(q.key)))
    p.draft = t.draft_to_json(t.start(c, q, previous))
    intro = t.intro(c, q) if q.key not in answers else []
    if intro:
        p.step = "intro"
        out.screens.extend(intro)
        if q.key in ctx.previous:
            note = _("{round}: your last answer is filled in. Keep it or change it.", round=Strong(ctx.title))
            out.screens.insert(0, Screen(note))
    else:
        p.step = "ask"
        out.screens.append(_question(c, ctx, p, q, answers))


def _decoded(c: Consultation, q: Question, t: AnyType, raw: Any) -> Any:
    return None if raw is None else t.decode(c, q, raw)


def _held(c: Consultation, q: Question, answers: Mapping[str, Any]) -> bool:
    """Whether the resident has an answer to the question (not merely a skip that is kept)."""
    return _decoded(c, q, of(q), answers.get(q.key)) is not None


def _settled(c: Consultation, q: Question, value: Any) -> Screen:
    return Screen([Lines([("✅ ", Strong(q.prompt)), *of(q).describe(c, q, value)])], edit=True)


def _ask(
    c: Consultation, ctx: RoundContext, out: Outcome, answers: Mapping[str, Any], q: Question, event: Event
) -> None:
    p = out.progress
    t = type_of(ctx, q)
    if isinstance(event, Press) and event.action.name in {SKIP, CLEAR}:
        if q.required:
            out.toast = _("This question needs an answer.")
            return
        if event.action.name == CLEAR:
            out.saves[q.key] = None
            out.screens.append(Screen(Lines([("🗑 ", Strong(q.prompt)), (_("Your answer is cleared."),)]), edit=True))
        elif _held(c, q, answers):
            out.screens.append(_settled(c, q, _decoded(c, q, t, answers[q.key])))
        else:
            out.screens.append(Screen(Lines([("⏭ ", Strong(q.prompt)), (_("Skipped."),)]), edit=True))
            if t.kept == question_types.CONSULTATION and q.key not in answers:
                out.saves[q.key] = SKIPPED
        _next(c, ctx, out, answers)
        return
    draft = t.draft_from_json(c, q, p.draft)
    if isinstance(event, Press):
        code, _dot, verb = event.action.name.partition(".")
        if code != t.code or verb not in t.verbs:
            out.toast, out.alert = EXPIRED_TOAST, False
            return
        result = t.press(c, q, draft, verb, event.action.args)
    else:
        result = t.typed(c, q, draft, event.text)
    if not isinstance(result, Refused):
        out.effects += [(q.key, e) for e in result.effects]
    if isinstance(result, Refused):
        if isinstance(event, Press):
            out.toast, out.alert = result.message, result.alert
        else:
            offer = [[Button(result.offer[0], result.offer[1])]] if result.offer else []
            out.screens.append(Screen(result.message, offer, aside=True))
    elif isinstance(result, Changed):
        if isinstance(event, Press):
            p.draft = t.draft_to_json(result.draft)
            s = _question(c, ctx, p, q, answers)
            s.edit = True
            out.screens.append(s)
            if result.note is not None:  # a press's note is the toast answering it
                out.toast = result.note
        else:
            # Typed text changes the question's message in place, and a short line says what changed: a
            # resident who types ten lines gets ten short notes, not ten copies of the whole board.
            p.draft = t.draft_to_json(result.draft)
            s = _question(c, ctx, p, q, answers)
            s.edit = True
            out.screens.append(s)
            out.screens.append(Screen(result.note if result.note is not None else _("Updated above.")))
    elif isinstance(result, Answered):
        out.saves[q.key] = t.encode(c, q, result.value)
        out.screens.append(_settled(c, q, result.value))
        if q.comment is not None:
            p.step = "why"
            out.screens.append(_why_screen(q, answers))
        else:
            _next(c, ctx, out, answers)


WHY = _("Why did you share it this way? (optional)")


def why_prompt(q: Question) -> Inline:
    """The "why?" question: the file's own words, or the catalogue's in the reader's language."""
    assert q.comment is not None
    return q.comment.prompt or WHY


def _why_screen(q: Question, answers: Mapping[str, Any]) -> Screen:
    assert q.comment is not None
    body: list[Block] = [Para("💬 ", why_prompt(q)), Para(_("Type a sentence or two as a message, or tap Skip."))]
    if answers.get(why_key(q.key)):
        body.append(Para(_("Your earlier reason: {reason}", reason=quoted(str(answers[why_key(q.key)]), 300))))
    return Screen(body, [[Button(_("Skip"), Action(SKIP))]])


def _why(
    c: Consultation, ctx: RoundContext, out: Outcome, answers: Mapping[str, Any], q: Question, event: Event
) -> None:
    assert q.comment is not None
    if isinstance(event, Press):
        if event.action.name != SKIP:
            out.toast = EXPIRED_TOAST
            return
        out.screens.append(Screen(Lines([("💬 ", why_prompt(q)), (_("Skipped."),)]), edit=True))
    else:
        result = check_length(event.text, q.comment.max_length)
        if isinstance(result, Refused):
            out.screens.append(Screen(result.message))
            return
        assert isinstance(result, Answered)
        out.saves[why_key(q.key)] = result.value
        out.screens.append(Screen(Lines([("💬 ", why_prompt(q)), (quoted(result.value, 300),)]), edit=True))
    _next(c, ctx, out, answers)


def _next(c: Consultation, ctx: RoundContext, out: Outcome, answers: Mapping[str, Any]) -> None:
    p = out.progress
    if p.back_to_summary or p.index + 1 >= len(c.questions):
        p.back_to_summary = False
        _summary(c, ctx, out, _with(answers, out))
    else:
        _enter(c, ctx, out, _with(answers, out), p.index + 1)


def _summary(c: Consultation, ctx: RoundContext, out: Outcome, answers: Mapping[str, Any]) -> None:
    p = out.progress
    p.step, p.draft = "summary", {}
    out.screens.append(summary_screen(c, ctx, answers, finished=p.finished))


def answer_lines(c: Consultation, q: Question, answers: Mapping[str, Any]) -> list[tuple[Inline, ...]]:
    """How a resident's answer to a question reads back to them, with their "why?" if they gave one."""
    t = of(q)
    value = _decoded(c, q, t, answers.get(q.key))
    lines: list[tuple[Inline, ...]] = list(t.describe(c, q, value)) if value is not None else [(Em(_("no answer")),)]
    if answers.get(why_key(q.key)):
        lines.append(("  ", _("Why: {reason}", reason=quoted(str(answers[why_key(q.key)])))))
    return lines


def summary_screen(c: Consultation, ctx: RoundContext, answers: Mapping[str, Any], finished: bool) -> Screen:
    body: list[Block] = [Para(Strong(_("Your answers: {title}", title=c.title)))]
    buttons: list[Button] = []
    for n, q in enumerate(c.questions, 1):
        body.append(Lines([(Strong(f"{n}. ", q.prompt),), *answer_lines(c, q, answers)]))
        buttons.append(Button(_("Change {number}", number=n), Action(CHANGE, (n - 1,))))
    body.append(Para(_("You can change any answer until the round closes.")))
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append([Button(_("✅ That's all: send my answers") if not finished else _("✅ Done"), Action(FINISH))])
    return Screen(body, rows)


def thanks_screen(c: Consultation, ctx: RoundContext) -> Screen:
    saved = _("Your answers to “{title}” are saved.", title=c.title)
    body: list[Block] = [Para("🙏 ", Strong(_("Thank you!")), " ", saved)]
    if ctx.closes:
        body.append(Para(_("You can change them until the round closes on {closes}.", closes=ctx.closes)))
    if c.results_note:
        body.append(Para(Strong(_("What happens next:")), " ", c.results_note))
    body.append(Para(_("See what we hold about you with /mydata, or delete it with /erase.")))
    return Screen(body, [[Button(_("Review or change my answers"), Action(SUMMARY))]])


def _navigate(c: Consultation, ctx: RoundContext, out: Outcome, answers: Mapping[str, Any], action: Action) -> None:
    p = out.progress
    if p.step not in {"summary", "done"}:
        out.toast = _("Please finish the current question first.")
        return
    if action.name == SUMMARY:
        _summary(c, ctx, out, answers)
    elif action.name == FINISH:
        if p.step == "done":
            out.toast = _("Your answers are already saved.")
            return
        out.screens.append(Screen(summary_screen(c, ctx, answers, finished=True).body, edit=True))
        out.finished_now = not p.finished
        p.step, p.finished = "done", True
        out.screens.append(thanks_screen(c, ctx))
    elif action.name == CHANGE and len(action.args) == 1 and 0 <= action.args[0] < len(c.questions):
        if p.step != "summary":
            out.toast = EXPIRED_TOAST
            return
        p.back_to_summary = True
        p.index = action.args[0]
        q = c.questions[p.index]
        t = type_of(ctx, q)
        p.draft = t.draft_to_json(t.start(c, q, _decoded(c, q, t, answers.get(q.key))))
        p.step = "ask"
        out.screens.append(_question(c, ctx, p, q, answers))
    else:
        out.toast = EXPIRED_TOAST


def _current(c: Consultation, ctx: RoundContext, p: Progress, answers: Mapping[str, Any]) -> list[Screen]:
    if p.step == "done":
        return [thanks_screen(c, ctx)]
    if p.step == "summary" or p.index >= len(c.questions):
        return [summary_screen(c, ctx, answers, p.finished)]
    q = c.questions[p.index]
    if p.step == "intro":
        intro = of(q).intro(c, q)
        if intro:
            return intro
    if p.step == "why" and q.comment is not None:
        return [_why_screen(q, answers)]
    return [_question(c, ctx, p, q, answers)]


def why_screen(q: Question) -> Screen:
    """The "why?" screen as a resident first sees it (for the preview)."""
    return _why_screen(q, {})
