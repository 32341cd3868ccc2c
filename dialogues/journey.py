"""The resident journey as a pure state machine: (progress, answers, event) -> (progress, screens, saves)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from dialogues.questions import Answered, Changed, Draft, Refused, kind
from dialogues.questions import free_text as text_kind
from dialogues.schema import AllocationQuestion, Consultation, Question
from dialogues.screens import Action, Button, Screen, h


@dataclass
class Progress:
    """Where one resident is in one round; persisted as JSON after every event."""

    step: str = "ask"  # intro (today's split) | ask | why (comment) | summary | done
    index: int = 0
    draft: Draft = field(default_factory=Draft)
    seq: int = 0  # bumped whenever a new message with buttons is sent; older buttons are stale
    anchor: int | None = None  # message id of the current message with buttons, kept by the services
    back_to_summary: bool = False
    finished: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Progress:
        d = dict(data)
        d["draft"] = Draft(**d.get("draft", {}))
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class RoundContext:
    number: int = 1
    title: str = "Round 1"
    closes: str | None = None  # already in the council's local time, e.g. "Friday 5 December, 17:00"
    previous: Mapping[str, Any] = field(default_factory=dict)  # answers from the resident's last round


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
    toast: str | None = None  # the small notice answering a button press
    alert: bool = False
    finished_now: bool = False


def why_key(question_key: str) -> str:
    return f"{question_key}.why"


def begin(c: Consultation, ctx: RoundContext, answers: Mapping[str, Any]) -> Outcome:
    """A resident who just agreed starts at the first question."""
    out = Outcome(Progress())
    _enter(c, ctx, out, answers, 0)
    return _finish(out)


def resume(c: Consultation, ctx: RoundContext, progress: Progress, answers: Mapping[str, Any]) -> Outcome:
    """Shows again where a resident left off, as fresh messages."""
    out = Outcome(_copy(progress))
    out.screens = _current(c, ctx, out.progress, answers)
    return _finish(out)


def handle(c: Consultation, ctx: RoundContext, progress: Progress, answers: Mapping[str, Any], event: Event) -> Outcome:
    out = Outcome(_copy(progress))
    p = out.progress
    q = c.questions[p.index] if p.index < len(c.questions) else None
    if isinstance(event, Press) and event.action.name in {"cg", "fin", "sum"}:
        _navigate(c, ctx, out, answers, event.action)
    elif p.step == "intro" and q is not None:
        if isinstance(event, Press) and event.action.name == "go":
            out.screens.append(Screen(_intro_text(c, q), edit=True))
            p.step = "ask"
            out.screens.append(_question(c, p, q))
        else:
            out.screens.append(Screen("When you're ready, tap <b>Next</b> above to share your 100p."))
    elif p.step == "ask" and q is not None:
        _ask(c, ctx, out, answers, q, event)
    elif p.step == "why" and isinstance(q, AllocationQuestion) and q.comment is not None:
        _why(c, ctx, out, answers, q, event)
    elif isinstance(event, Typed):
        out.screens.append(
            Screen("Thanks! Use the buttons above to change an answer, or send /start to see them again.")
        )
    else:
        out.toast, out.alert = "This button has expired.", False
    return _finish(out)


def _copy(p: Progress) -> Progress:
    return Progress.from_json(p.to_json())


def _finish(out: Outcome) -> Outcome:
    if any(s.buttons and not s.edit for s in out.screens):
        out.progress.seq += 1
    return out


def _with(answers: Mapping[str, Any], out: Outcome) -> dict[str, Any]:
    merged = dict(answers)
    merged.update(out.saves)
    return {k: v for k, v in merged.items() if v is not None}


def _question(c: Consultation, p: Progress, q: Question) -> Screen:
    s: Screen = kind(q.type).screen(c, q, p.index + 1, p.draft)
    if not q.required:
        s.buttons.append([Button("Skip", Action("sk"))])
    return s


def _intro_text(c: Consultation, q: Question) -> str:
    from dialogues.questions.allocation import today_screens

    assert isinstance(q, AllocationQuestion)
    return today_screens(c, q)[1].text


def _enter(c: Consultation, ctx: RoundContext, out: Outcome, answers: Mapping[str, Any], index: int) -> None:
    p = out.progress
    p.index = index
    q = c.questions[index]
    previous = answers.get(q.key, ctx.previous.get(q.key))
    p.draft = kind(q.type).start(c, q, previous)
    if isinstance(q, AllocationQuestion) and q.key not in answers:
        from dialogues.questions.allocation import today_screens

        p.step = "intro"
        out.screens.extend(today_screens(c, q))
        if q.key in ctx.previous:
            note = f"<b>{h(ctx.title)}</b>: your last answer is filled in. Keep it or change it."
            out.screens.insert(0, Screen(note))
    else:
        p.step = "ask"
        out.screens.append(_question(c, p, q))


def _settled(c: Consultation, q: Question, value: Any) -> Screen:
    return Screen(f"✅ <b>{h(q.prompt)}</b>\n{kind(q.type).describe(c, q, value)}", edit=True)


def _ask(
    c: Consultation, ctx: RoundContext, out: Outcome, answers: Mapping[str, Any], q: Question, event: Event
) -> None:
    p = out.progress
    handler = kind(q.type)
    if isinstance(event, Press) and event.action.name == "sk":
        if q.required:
            out.toast = "This question needs an answer."
            return
        out.saves[q.key] = None
        out.screens.append(Screen(f"⏭ <b>{h(q.prompt)}</b>\nSkipped.", edit=True))
        _next(c, ctx, out, answers)
        return
    if isinstance(event, Press):
        result = handler.press(c, q, p.draft, event.action)
    else:
        result = handler.typed(c, q, p.draft, event.text)
    if isinstance(result, Refused):
        if isinstance(event, Press):
            out.toast, out.alert = result.message, True
        else:
            out.screens.append(Screen(h(result.message)))
    elif isinstance(result, Changed):
        if isinstance(event, Press):
            p.draft = result.draft
            out.screens.append(_edit(_question(c, p, q)))
        else:
            old = _question(c, p, q)
            out.screens.append(Screen(old.text + "\n\n<i>(updated below)</i>", edit=True))
            p.draft = result.draft
            note = f"{h(result.note)}\n\n" if result.note else ""
            fresh = _question(c, p, q)
            out.screens.append(Screen(note + fresh.text, fresh.buttons))
    elif isinstance(result, Answered):
        out.saves[q.key] = result.value
        out.screens.append(_settled(c, q, result.value))
        if isinstance(q, AllocationQuestion) and q.comment is not None:
            p.step = "why"
            out.screens.append(_why_screen(q, answers))
        else:
            _next(c, ctx, out, answers)


def _edit(s: Screen) -> Screen:
    s.edit = True
    return s


def _why_screen(q: AllocationQuestion, answers: Mapping[str, Any]) -> Screen:
    assert q.comment is not None
    text = f"💬 {h(q.comment.prompt)}\n\nType a sentence or two as a message, or tap Skip."
    if answers.get(why_key(q.key)):
        text += f"\n\nYour earlier reason: “{h(str(answers[why_key(q.key)])[:300])}”"
    return Screen(text, [[Button("Skip", Action("sk"))]])


def _why(
    c: Consultation, ctx: RoundContext, out: Outcome, answers: Mapping[str, Any], q: AllocationQuestion, event: Event
) -> None:
    assert q.comment is not None
    if isinstance(event, Press):
        if event.action.name != "sk":
            out.toast = "This button has expired."
            return
        out.screens.append(Screen(f"💬 {h(q.comment.prompt)}\nSkipped.", edit=True))
    else:
        result = text_kind.check_length(event.text, q.comment.max_length)
        if isinstance(result, Refused):
            out.screens.append(Screen(h(result.message)))
            return
        assert isinstance(result, Answered)
        out.saves[why_key(q.key)] = result.value
        out.screens.append(Screen(f"💬 {h(q.comment.prompt)}\n“{h(result.value[:300])}”", edit=True))
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
    p.step, p.draft = "summary", Draft()
    out.screens.append(summary_screen(c, ctx, answers, finished=p.finished))


def summary_screen(c: Consultation, ctx: RoundContext, answers: Mapping[str, Any], finished: bool) -> Screen:
    lines = [f"<b>Your answers: {h(c.title)}</b>", ""]
    buttons: list[Button] = []
    for n, q in enumerate(c.questions, 1):
        value = answers.get(q.key)
        shown = kind(q.type).describe(c, q, value) if value is not None else "<i>no answer</i>"
        lines.append(f"<b>{n}. {h(q.prompt)}</b>\n{shown}")
        if answers.get(why_key(q.key)):
            lines.append(f"  Why: “{h(str(answers[why_key(q.key)])[:200])}”")
        buttons.append(Button(f"Change {n}", Action("cg", (n - 1,))))
    lines += ["", "You can change any answer until the round closes."]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append([Button("✅ That's all: send my answers" if not finished else "✅ Done", Action("fin"))])
    return Screen("\n".join(lines), rows)


def thanks_screen(c: Consultation, ctx: RoundContext) -> Screen:
    text = f"🙏 <b>Thank you!</b> Your answers to “{h(c.title)}” are saved."
    if ctx.closes:
        text += f"\n\nYou can change them until the round closes on {h(ctx.closes)}."
    if c.results_note:
        text += f"\n\n<b>What happens next:</b> {h(c.results_note)}"
    text += "\n\nSee what we hold about you with /mydata, or delete it with /erase."
    return Screen(text, [[Button("Review or change my answers", Action("sum"))]])


def _navigate(c: Consultation, ctx: RoundContext, out: Outcome, answers: Mapping[str, Any], action: Action) -> None:
    p = out.progress
    if p.step not in {"summary", "done"}:
        out.toast = "Please finish the current question first."
        return
    if action.name == "sum":
        _summary(c, ctx, out, answers)
    elif action.name == "fin":
        if p.step == "done":
            out.toast = "Your answers are already saved."
            return
        out.screens.append(Screen(summary_screen(c, ctx, answers, finished=True).text, edit=True))
        out.finished_now = not p.finished
        p.step, p.finished = "done", True
        out.screens.append(thanks_screen(c, ctx))
    elif action.name == "cg" and len(action.args) == 1 and 0 <= action.args[0] < len(c.questions):
        if p.step != "summary":
            out.toast = "This button has expired."
            return
        p.back_to_summary = True
        p.index = action.args[0]
        q = c.questions[p.index]
        p.draft = kind(q.type).start(c, q, answers.get(q.key))
        p.step = "ask"
        out.screens.append(_question(c, p, q))
    else:
        out.toast = "This button has expired."


def _current(c: Consultation, ctx: RoundContext, p: Progress, answers: Mapping[str, Any]) -> list[Screen]:
    if p.step == "done":
        return [thanks_screen(c, ctx)]
    if p.step == "summary" or p.index >= len(c.questions):
        return [summary_screen(c, ctx, answers, p.finished)]
    q = c.questions[p.index]
    if p.step == "intro" and isinstance(q, AllocationQuestion):
        from dialogues.questions.allocation import today_screens

        return today_screens(c, q)
    if p.step == "why" and isinstance(q, AllocationQuestion):
        return [_why_screen(q, answers)]
    return [_question(c, p, q)]
