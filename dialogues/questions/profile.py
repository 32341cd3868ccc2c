"""Questions about the resident (their ward or neighbourhood, age band and the other groups a council declares):
always optional, with "prefer not to say", answered once per consultation and kept apart from any round's answers;
results are broken down by them, weighted to their population shares, and /reach compares with those shares."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from dialogues.groups import Group, Grouping
from dialogues.questions.base import (
    CONSULTATION,
    NOT_HERE,
    Answered,
    Cell,
    Counts,
    Json,
    Line,
    QuestionType,
    Refused,
    Result,
    RoundOutcome,
    Tally,
    by_round,
    register,
)
from dialogues.questions.choice import match_option
from dialogues.report import INT, NOT_SHOWN, PERCENT, TEXT, Column, ReportTable
from dialogues.schema import (
    KEY_PATTERN,
    LANGUAGES,
    Consultation,
    Invalid,
    Limit,
    QuestionBase,
    Strict,
    Text,
    slug,
    texts_of,
)
from dialogues.screens import Button, Screen
from dialogues.suppression import hidden
from dialogues.text import Block, Em, Localised, Para, Span, _, join

PREFER_NOT = "_prefer_not"  # the stored answer of a resident who preferred not to say
DISTRICT = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?")
POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})?")  # outward code (the district), then the inward code
TOLERANCE = 1.0  # percentage points by which population shares may miss 100% (rounded published figures)


class ProfileGroup(Strict):
    """A ward, an age band, or another group a resident can say they belong to."""

    key: str = Field(default="", pattern=r"^$|" + KEY_PATTERN)
    label: Annotated[Text, Limit(1, 60)]
    population: float | None = Field(default=None, ge=0, le=100, description="percent of the population")
    postcodes: list[str] = Field(default=[], max_length=60, description="postcode districts in it, such as NE4")

    @field_validator("postcodes", mode="before")
    @classmethod
    def _districts(cls, v: object) -> object:
        if isinstance(v, str):
            v = v.replace(",", " ").split()
        if isinstance(v, list):
            out = []
            for d in v:
                d = str(d).replace(" ", "").upper()
                if not DISTRICT.fullmatch(d):
                    raise Invalid(_("“{district}” is not a postcode district (write the first half of a postcode: NE4)",
                                    district=d))
                out.append(d)
            return out
        return v

    @model_validator(mode="after")
    def _key(self) -> ProfileGroup:
        if not self.key:
            object.__setattr__(self, "key", slug(self.label))
        return self


class ProfileQuestion(QuestionBase):
    type: Literal["profile"]
    required: bool = False
    name: Annotated[Text, Limit(0, 40)] = Localised("")  # what the groups are called in tables: Ward, Age band
    options: list[ProfileGroup] = Field(min_length=2, max_length=40)
    # The file may word it; by default it is said in English and Welsh, the languages moot ships.
    prefer_not_to_say: Annotated[Text, Limit(1, 40)] = Localised(
        {"en": "Prefer not to say", "cy": "Mae'n well gen i beidio â dweud"}, "en")
    weight: bool = Field(default=True, description="weight results to the population shares, when they are given")
    population_source: Annotated[Text, Limit(0, 200)] = Localised("")

    @field_validator("options", mode="before")
    @classmethod
    def _plain(cls, v: object) -> object:
        return [{"label": o} if isinstance(o, str) else o for o in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _shares(self) -> ProfileQuestion:
        if "prefer_not_to_say" not in self.model_fields_set:
            # moot's own wording, kept to the file's languages: a file in English alone is saved and read back
            # without a Welsh text its `languages:` would refuse
            ours = self.prefer_not_to_say
            kept = {k: v for k, v in ours.texts.items() if k in LANGUAGES.get()} or {"en": ours.texts["en"]}
            default = LANGUAGES.get()[0] if LANGUAGES.get()[0] in kept else next(iter(kept))
            object.__setattr__(self, "prefer_not_to_say", Localised(kept, default))
        if self.required:
            raise Invalid(_("a question about residents (type: profile) is always optional: leave out `required`"))
        keys = [o.key for o in self.options]
        if PREFER_NOT in keys:
            raise Invalid(_("the option key “{key}” is kept for “prefer not to say”", key=PREFER_NOT))
        if len(set(keys)) != len(keys):
            raise Invalid(_("two options of the question “{question}” have the same key",
                            question=self.key or self.prompt[:30]))
        given = [o for o in self.options if o.population is not None]
        if not given:
            return self
        missing = [o.label for o in self.options if o.population is None]
        if missing:
            raise Invalid(_(
                "“{group}” has no population share, but other groups of this question have one: give every "
                "group its share of the population (in percent), or give none", group=missing[0]))
        zero = [o.label for o in self.options if o.population == 0]
        if zero:
            raise Invalid(_(
                "“{group}” has a population share of 0: results cannot be weighted to a group with no population; "
                "give its share, or remove the group", group=zero[0]))
        total = sum(o.population or 0 for o in self.options)
        if abs(total - 100) > TOLERANCE:
            raise Invalid(_("the population shares add up to {total:g}%, not 100%", total=total))
        return self


def district_of(text: str) -> str | None:
    """The postcode district (outward code) of a typed postcode or district: 'ne4 5pl' -> 'NE4'."""
    m = POSTCODE.fullmatch(re.sub(r"\s+", "", text.upper()))
    return m.group(1) if m else None


@dataclass(frozen=True)
class ProfileFigures:
    """Residents in each group, then those who preferred not to say; None where too few to show."""

    respondents: int
    counts: tuple[tuple[str, int | None], ...]


def _lines(figures: ProfileFigures) -> list[Line]:
    total = figures.respondents or 1
    return [
        (_("{label}: {count} ({share:.0f}%)", label=label, count=k, share=100 * k / total),)
        if k is not None
        else (_("{label}: {count}", label=label, count=NOT_SHOWN),)
        for label, k in figures.counts
    ]


class ProfileTally(Tally[str, ProfileFigures]):
    def __init__(self, q: ProfileQuestion):
        super().__init__()
        self.q = q
        self.counts = Counts()

    def add(self, answer: str, times: int = 1) -> None:
        self.counts.add(answer, times)
        self.respondents += times

    def figures(self) -> ProfileFigures:
        by_key = dict(self.counts.items())
        counts: list[tuple[str, int | None]] = [(o.label, by_key.get(o.key, 0)) for o in self.q.options]
        counts.append((self.q.prefer_not_to_say, by_key.get(PREFER_NOT, 0)))
        return ProfileFigures(self.respondents, tuple(counts))


class Profile(QuestionType[ProfileQuestion, str, str | None, ProfileFigures]):
    name = "profile"
    code = "pf"
    schema = ProfileQuestion
    verbs = frozenset({"o", "n"})  # an option, prefer not to say
    label = _("about you")
    kept = CONSULTATION

    def decode(self, c: Consultation, q: ProfileQuestion, raw: Json) -> str | None:
        ok = isinstance(raw, str) and (raw == PREFER_NOT or raw in {o.key for o in q.options})
        return raw if ok else None

    def _label(self, q: ProfileQuestion, answer: str) -> str:
        if answer == PREFER_NOT:
            return q.prefer_not_to_say
        return {o.key: o.label for o in q.options}.get(answer, answer)

    def describe(self, c: Consultation, q: ProfileQuestion, answer: str) -> list[Line]:
        return [(self._label(q, answer),)]

    def start(self, c: Consultation, q: ProfileQuestion, previous: str | None) -> str | None:
        return previous

    def draft_to_json(self, draft: str | None) -> Json:
        return {"value": draft} if draft is not None else {}

    def draft_from_json(self, c: Consultation, q: ProfileQuestion, raw: Json) -> str | None:
        value = raw.get("value") if isinstance(raw, dict) else None
        return self.decode(c, q, value) if value is not None else None

    def screen(self, c: Consultation, q: ProfileQuestion, head: Sequence[Block], draft: str | None) -> Screen:
        def button(label: str, key: str, verb: str, *args: int) -> Button:
            return Button(Span("✅ ", label) if key == draft else label, self.action(verb, *args))

        cells = [button(o.label, o.key, "o", i) for i, o in enumerate(q.options)]
        rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
        rows.append([button(q.prefer_not_to_say, PREFER_NOT, "n")])
        how = (
            _("Tap one, or type the first half of your postcode, such as NE4 (the postcode itself is not kept).")
            if any(o.postcodes for o in q.options)
            else _("Tap one.")
        )
        why = _("Optional: it helps the council see which areas and groups have taken part. You answer it once "
                "for this consultation and can change or delete it.")
        return Screen([*head, Para(how), Para(Em(why))], rows)

    def press(
        self, c: Consultation, q: ProfileQuestion, draft: str | None, verb: str, args: tuple[int, ...]
    ) -> Result[str, str | None]:
        if verb == "n" and not args:
            return Answered(PREFER_NOT)
        if verb != "o" or len(args) != 1 or not 0 <= args[0] < len(q.options):
            return Refused(NOT_HERE)
        return Answered(q.options[args[0]].key)

    def typed(self, c: Consultation, q: ProfileQuestion, draft: str | None, text: str) -> Result[str, str | None]:
        t = text.strip().lower()
        if len(t) >= 3 and any(said.lower().startswith(t) for said in texts_of(q.prefer_not_to_say)):
            return Answered(PREFER_NOT)
        i = match_option(q.options, text)  # type: ignore[arg-type]  # ProfileGroup has an Option's key and label
        if i is not None:
            return Answered(q.options[i].key)
        district = district_of(text) if any(o.postcodes for o in q.options) else None
        if district is not None:
            found = [o for o in q.options if district in o.postcodes]
            if len(found) == 1:
                return Answered(found[0].key)
            if found:
                return Refused(_("{district} covers more than one of them: {options}. Please tap yours.",
                                 district=district, options=Span(*join([o.label for o in found]))))
            return Refused(_("I don't know the postcode district {district}. Please tap one of the options, or "
                             "{prefer}.", district=district, prefer=q.prefer_not_to_say))
        listing = Span(*join([Span(f"{n}. ", o.label) for n, o in enumerate(q.options, 1)], "; "))
        return Refused(_("Please tap one of the options, or send its number: {options}.", options=listing))

    def tally(self, c: Consultation, q: ProfileQuestion) -> ProfileTally:
        return ProfileTally(q)

    def withheld(self, c: Consultation, q: ProfileQuestion, figures: ProfileFigures, minimum: int) -> ProfileFigures:
        counts = [k or 0 for _label, k in figures.counts]
        hide = hidden(counts, minimum)
        kept = tuple((label, None if h else k) for (label, k), h in zip(figures.counts, hide, strict=True))
        return ProfileFigures(figures.respondents, kept)

    def result_lines(self, c: Consultation, q: ProfileQuestion, figures: ProfileFigures) -> list[Line]:
        return _lines(figures)

    def summary(
        self, c: Consultation, q: ProfileQuestion, rounds: Sequence[RoundOutcome[ProfileFigures]]
    ) -> ReportTable:
        columns = [
            Column(_("Group"), TEXT, 40),
            Column(_("Residents"), INT, 11),
            Column(_("Share of those who answered"), PERCENT, 14),
            Column(_("Residents who answered"), INT, 12),
        ]
        return by_round(
            columns,
            rounds,
            lambda f, n: [
                (label, k, k / n if n else None, n) if k is not None else (label, NOT_SHOWN, NOT_SHOWN, n)
                for label, k in f.counts
            ],
        )

    def columns(self, c: Consultation, q: ProfileQuestion) -> list[Cell]:
        options = "; ".join([*(f"{o.label} ({o.key})" for o in q.options), f"{q.prefer_not_to_say} ({PREFER_NOT})"])
        values = _("the group the resident said, one of: {options}; kept once for the whole consultation, so the "
                   "same in each round", options=options)
        return [Cell(q.prompt, code=q.key, values=values)]

    def cell(self, c: Consultation, q: ProfileQuestion, answer: str) -> Any:
        return self._label(q, answer)

    def grouping(self, c: Consultation, q: ProfileQuestion) -> Grouping:
        groups = tuple(
            Group(o.key, o.label, o.population / 100 if o.population is not None else None) for o in q.options
        )
        weighted = q.weight and all(g.population is not None for g in groups)
        unstated = _("{prefer}, or no answer", prefer=q.prefer_not_to_say)
        return Grouping(q.key, q.name or q.key, groups, unstated, weighted, q.population_source)


PROFILE = register(Profile())
