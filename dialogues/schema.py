"""The consultation file's shape: services, questions of every type, rounds, privacy notice (pydantic).

Every text a person reads is a `Text`: a plain string (the file's first language) or one per language
(`title: {en: The Council Pound, cy: Y Bunt Gyngor}`); the file declares its `languages:`, and a text missing in
one of them is a problem at its own line. A question type makes a field translatable by typing it `Text` (with
`Limit(min, max)` for its length in every language) and nothing else."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated, Any, Literal, Union

from babel import Locale, UnknownLocaleError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import core_schema

from dialogues.text import Localised, Msg, _, english, ngettext

CODE_PATTERN = r"^[A-Za-z0-9_-]{1,40}$"
KEY_PATTERN = r"^[a-z0-9_]{1,32}$"


def slug(text: str) -> str:
    """A stable key from a display name: 'Adult social care' -> 'adult_social_care'."""
    s = re.sub(r"[^a-z0-9]+", "_", re.sub(r"['’]", "", text.lower())).strip("_")
    if not s:  # a name with no Latin letters or digits: a stable key of its own, not one every such name shares
        s = "item_" + hashlib.blake2s(text.encode(), digest_size=4).hexdigest()
    return s[:32]


class Invalid(ValueError):
    """A problem a check finds in the file, in the catalogue's words (pydantic keeps the exception, so the loader
    shows the message translated; its English text is the exception's own, for logs)."""

    def __init__(self, message: Msg):
        super().__init__(english(message))
        self.message = message


LANGUAGE_PATTERN = r"^[a-z]{2,3}$"
# The languages of the file being read (its `languages:`, the default first), for the texts inside it.
LANGUAGES: ContextVar[tuple[str, ...]] = ContextVar("moot_consultation_languages", default=("en",))


def language_name(code: str) -> str:
    try:
        return f"{Locale.parse(code).get_display_name('en')} ({code})"
    except (UnknownLocaleError, ValueError):
        return code


def _text(value: object) -> Localised:
    languages = LANGUAGES.get()
    if isinstance(value, Localised):
        return value
    if isinstance(value, str):
        texts = {languages[0]: value.strip()}
    elif isinstance(value, Mapping):
        texts = {}
        for k, v in value.items():
            if str(k) not in languages:
                raise Invalid(_("'{language}' is not one of the file's languages ({languages}); add it to "
                                "languages: or remove it here", language=str(k), languages=", ".join(languages)))
            if not isinstance(v, str):
                raise Invalid(_("the {language} text must be text", language=str(k)))
            texts[str(k)] = v.strip()
    else:
        raise Invalid(_("expected a text, or one per language like {form}",
                        form="{" + ", ".join(f"{x}: …" for x in languages) + "}"))
    if any(texts.values()):
        missing = [x for x in languages if not texts.get(x)]
        if missing:
            raise Invalid(_("no {languages} text: give it as {form}",
                            languages=" or ".join(language_name(x) for x in missing),
                            form="{" + ", ".join(f"{x}: …" for x in languages) + "}"))
    return Localised(texts, languages[0])


def _dump(value: str) -> object:
    if isinstance(value, Localised) and len(value.texts) > 1:
        return dict(value.texts)
    return str(value)


# A text a person reads, in each of the file's languages. As a str it is the default language's text.
Text = Annotated[Localised, PlainValidator(_text), PlainSerializer(_dump, return_type=Any)]


@dataclass(frozen=True)
class Limit:
    """A Text's length in characters, checked in every language (Welsh runs longer than English)."""

    min_length: int = 0
    max_length: int = 10_000

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def _check(self, value: Localised) -> Localised:
        several = len(value.texts) > 1
        for language, text in (value.texts.items() if isinstance(value, Localised) else [("", str(value))]):
            if len(text) < self.min_length and (self.min_length > 0):
                raise Invalid(_("must not be empty") if self.min_length == 1 else ngettext(
                    "must be at least {n} character long", "must be at least {n} characters long", self.min_length))
            if len(text) > self.max_length:
                if several:
                    raise Invalid(ngettext(
                        "the {language} text is {length} characters long; at most {n} is allowed",
                        "the {language} text is {length} characters long; at most {n} are allowed", self.max_length,
                        language=language, length=len(text)))
                raise Invalid(ngettext("is {length} characters long; at most {n} is allowed",
                                       "is {length} characters long; at most {n} are allowed", self.max_length,
                                       length=len(text)))
        if self.min_length > 0 and not str(value):
            raise Invalid(_("must not be empty"))
        return value


def texts_of(x: str) -> tuple[str, ...]:
    """A content text in every language it has (a plain str: itself), for matching what someone typed."""
    return x.variants() if isinstance(x, Localised) else (x,)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Privacy(Strict):
    notice: Annotated[Text, Limit(20, 2500)]
    retention: Annotated[Text, Limit(0, 500)] = Localised("")
    contact: Annotated[Text, Limit(0, 200)] = Localised("")


class Consequence(Strict):
    """What a service's pence would mean at one level, as a budget simulator says it: at 3p or less, "two of eight
    libraries close". A level is every whole penny from `at_least` to `at_most`."""

    at_least: int = Field(default=0, ge=0, le=100)
    at_most: int = Field(default=100, ge=0, le=100)
    text: Annotated[Text, Limit(1, 200)]

    @model_validator(mode="after")
    def _order(self) -> Consequence:
        if self.at_least > self.at_most:
            raise Invalid(_("at_least ({low}p) is more than at_most ({high}p)", low=self.at_least, high=self.at_most))
        return self

    def covers(self, pence: int) -> bool:
        return self.at_least <= pence <= self.at_most

    def span(self) -> Msg:
        """The level in words: "3p or less", "4p to 5p", "6p or more"."""
        return pence_span(self.at_least, self.at_most)


def pence_span(low: int, high: int) -> Msg:
    """Every whole penny from `low` to `high`, in words."""
    if low == high:
        return _("{pence}p", pence=low)
    if low == 0 and high < 100:
        return _("{pence}p or less", pence=high)
    if high == 100 and low > 0:
        return _("{pence}p or more", pence=low)
    return _("{low}p to {high}p", low=low, high=high)


class Service(Strict):
    key: str = Field(default="", pattern=r"^$|" + KEY_PATTERN)
    name: Annotated[Text, Limit(1, 40)]
    today: int = Field(ge=0, le=100, description="pence of today's council pound")
    description: Annotated[Text, Limit(0, 300)] = Localised("")
    min: int = Field(default=0, ge=0, le=100)
    max: int = Field(default=100, ge=0, le=100)
    consequences: list[Consequence] = Field(default=[], max_length=10)

    @field_validator("consequences")
    @classmethod
    def _levels(cls, v: list[Consequence], info: ValidationInfo) -> list[Consequence]:
        # Checked on the field, so a problem is reported at the service's `consequences:` and its line (the place
        # names the service). Levels must cover every penny a resident may give it (its min to its max), each
        # penny exactly once.
        if not v:
            return v
        low, high = info.data.get("min", 0), info.data.get("max", 100)
        if low > high:
            return v  # min above max is reported on its own
        every = pence_span(low, high)
        levels = sorted(v, key=lambda c: (c.at_least, c.at_most))
        for c in levels:
            if c.at_most < low or c.at_least > high:
                raise Invalid(_("the level {level} can never be chosen: this service takes {pence}", level=c.span(),
                                pence=every))
        if levels[0].at_least > low:
            raise Invalid(_("no level covers {gap}; the levels must cover {pence}, each amount once",
                            gap=pence_span(low, levels[0].at_least - 1), pence=every))
        for before, after in pairwise(levels):
            if after.at_least <= before.at_most:
                raise Invalid(_("the levels {first} and {second} overlap ({both} is in both); give each amount one "
                                "level", first=before.span(), second=after.span(),
                                both=pence_span(after.at_least, min(before.at_most, after.at_most))))
            if after.at_least > before.at_most + 1:
                gap = pence_span(before.at_most + 1, after.at_least - 1)
                raise Invalid(_("no level covers {gap}: it falls between the levels {first} and {second}; the levels "
                                "must cover {pence}, each amount once", gap=gap, first=before.span(),
                                second=after.span(), pence=every))
        if levels[-1].at_most < high:
            raise Invalid(_("no level covers {gap}; the levels must cover {pence}, each amount once",
                            gap=pence_span(levels[-1].at_most + 1, high), pence=every))
        return levels

    def consequence(self, pence: int) -> Consequence | None:
        """What the service's pence would mean, if the file says (None below its min or without consequences)."""
        return next((c for c in self.consequences if c.covers(pence)), None)

    @model_validator(mode="after")
    def _key_and_bounds(self) -> Service:
        if not self.key:
            object.__setattr__(self, "key", slug(self.name))
        if self.min > self.max:
            raise Invalid(_("its min ({min}p) is more than its max ({max}p)", min=self.min, max=self.max))
        return self


class Option(Strict):
    key: str = Field(default="", pattern=r"^$|" + KEY_PATTERN)
    label: Annotated[Text, Limit(1, 60)]

    @model_validator(mode="after")
    def _key(self) -> Option:
        if not self.key:
            object.__setattr__(self, "key", slug(self.label))
        return self


def _options(value: object) -> object:
    # A plain list of strings is the friendly form; expand it to Option objects.
    if isinstance(value, list):  # a per-language label ({en: …, cy: …}) is a label too, not an Option's fields
        return [{"label": v} if isinstance(v, str) or (isinstance(v, dict) and "label" not in v) else v
                for v in value]
    return value


class Comment(Strict):
    """The optional "why?" after a question: any type can ask for one."""

    prompt: Annotated[Text, Limit(0, 300)] = Localised("")  # "" asks the catalogue's "Why did you share it…?"
    max_length: int = Field(default=1000, ge=10, le=3500)


class QuestionBase(Strict):
    """What every question has, whatever its type (each type's model adds `type: Literal[...]` and its own)."""

    key: str = Field(default="", pattern=r"^$|" + KEY_PATTERN)
    prompt: Annotated[Text, Limit(1, 600)]
    help: Annotated[Text, Limit(0, 600)] = Localised("")
    required: bool = True
    comment: Comment | None = None

    @property
    def type_name(self) -> str:
        return str(getattr(self, "type", ""))


class AllocationQuestion(QuestionBase):
    type: Literal["allocation"]
    total: Literal[100] = 100
    steps: list[int] = Field(default=[1, 5], min_length=1, max_length=2)
    today_intro: Annotated[Text, Limit(0, 600)] = Localised("")

    @field_validator("steps")
    @classmethod
    def _steps(cls, v: list[int]) -> list[int]:
        if any(s < 1 or s > 25 for s in v):
            raise Invalid(_("each step must be from 1 to 25 pence"))
        if len(set(v)) != len(v):
            raise Invalid(_("the steps must be different from each other"))
        return sorted(v)


class RatingQuestion(QuestionBase):
    type: Literal["rating"]
    scale_min: int = Field(default=1, ge=0, le=1)
    scale_max: int = Field(default=5, ge=2, le=10)
    min_label: Annotated[Text, Limit(0, 40)] = Localised("")
    max_label: Annotated[Text, Limit(0, 40)] = Localised("")


class SingleChoiceQuestion(QuestionBase):
    type: Literal["single_choice"]
    options: list[Option] = Field(min_length=2, max_length=12)
    _expand = field_validator("options", mode="before")(_options)


class MultipleChoiceQuestion(QuestionBase):
    type: Literal["multiple_choice"]
    options: list[Option] = Field(min_length=2, max_length=12)
    max_choices: int = Field(default=0, ge=0, le=12, description="0 means any number")
    _expand = field_validator("options", mode="before")(_options)

    @model_validator(mode="after")
    def _max(self) -> MultipleChoiceQuestion:
        if self.max_choices > len(self.options):
            raise Invalid(_("max_choices is {max_choices}, more than the {n} options there are",
                            max_choices=self.max_choices, n=len(self.options)))
        return self


class RankingQuestion(QuestionBase):
    type: Literal["ranking"]
    options: list[Option] = Field(min_length=2, max_length=8)
    _expand = field_validator("options", mode="before")(_options)


class FreeTextQuestion(QuestionBase):
    type: Literal["free_text"]
    max_length: int = Field(default=1000, ge=10, le=3500)


Question = QuestionBase  # a question of any registered type; only the type's own module knows its fields
# Checks of a question against the whole consultation, by type name (a type registers its own).
QUESTION_CHECKS: dict[str, Callable[[Consultation, Any], list[Msg]]] = {}


class RoundSpec(Strict):
    title: Annotated[Text, Limit(1, 80)]
    description: Annotated[Text, Limit(0, 600)] = Localised("")
    deliberation: bool = Field(default=False, description="show the previous round's results and comments first")


class Consultation(Strict):
    code: str = Field(pattern=CODE_PATTERN)
    # The languages its texts are given in, the default first (a plain string in the file is the default's).
    languages: list[Annotated[str, Field(pattern=LANGUAGE_PATTERN)]] = Field(default=["en"], min_length=1,
                                                                              max_length=8)
    title: Annotated[Text, Limit(3, 100)]
    organiser: Annotated[Text, Limit(2, 100)]
    purpose: Annotated[Text, Limit(10, 1200)]
    minutes: int = Field(ge=1, le=120, description="about how long it takes")
    figures_note: Annotated[Text, Limit(0, 300)] = Localised("")
    results_note: Annotated[Text, Limit(0, 600)] = Localised("")
    privacy: Privacy
    services: list[Service] = Field(default=[], max_length=12)
    questions: list[QuestionBase] = Field(min_length=1, max_length=30)  # made the registered types by accept()
    rounds: list[RoundSpec] = Field(default=[], max_length=5)

    @model_validator(mode="wrap")
    @classmethod
    def _in_its_languages(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """Reads the file's texts knowing its languages (declared before any text needs them)."""
        given = data.get("languages") if isinstance(data, dict) else None
        ok = isinstance(given, list) and given and all(isinstance(x, str) and re.match(LANGUAGE_PATTERN, x)
                                                       for x in given)
        token = LANGUAGES.set(tuple(dict.fromkeys(given)) if ok and isinstance(given, list) else ("en",))
        try:
            return handler(data)
        finally:
            LANGUAGES.reset(token)

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: list[str]) -> list[str]:
        _unique(v, lambda k: _("{language} is listed twice under languages:", language=k))
        return v

    @field_validator("rounds", mode="before")
    @classmethod
    def _rounds_given(cls, v: object) -> object:
        # Only a value the file gives is checked here: leaving `rounds:` out means one round called Round 1.
        if isinstance(v, list) and not v:
            raise Invalid(_("list at least one round, or leave rounds: out for a single round called Round 1"))
        return v

    @field_validator("services")
    @classmethod
    def _services(cls, v: list[Service]) -> list[Service]:
        # Checked on the field, not the model, so a problem is reported at `services:` and its line.
        if not v:
            return v
        _unique([s.name.lower() for s in v], lambda k: _(
            "two services are called “{name}”: each service needs a name of its own",
            name=next(s.name for s in v if s.name.lower() == k)))
        # after the names, since a key made from a name repeats when the name does
        _unique([s.key for s in v], lambda k: _(
            "two services have the key {key}: give one of them a key: of its own", key=k))
        today = sum(s.today for s in v)
        if today != 100:
            raise Invalid(_("the services' today pence add up to {today}p; they must add up to 100p", today=today))
        if sum(s.min for s in v) > 100:
            raise Invalid(_("the services' min pence add up to {total}p, more than 100p", total=sum(s.min for s in v)))
        if sum(s.max for s in v) < 100:
            raise Invalid(_("the services' max pence add up to {total}p, less than 100p", total=sum(s.max for s in v)))
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Consultation:
        # Keys of questions default to their position so a file needs no ids.
        fixed = []
        for i, q in enumerate(self.questions):
            if not q.key:
                q = q.model_copy(update={"key": f"q{i + 1}"})
            fixed.append(q)
        object.__setattr__(self, "questions", fixed)
        _unique([q.key for q in self.questions], lambda k: _(
            "two questions have the key {key}: give one of them a key: of its own", key=k))
        for q in self.questions:
            check = QUESTION_CHECKS.get(q.type_name)
            problems = check(self, q) if check else []
            if problems:
                raise problems[0] if isinstance(problems[0], Invalid) else Invalid(_("{problem}", problem=problems[0]))
        if not self.rounds:
            object.__setattr__(self, "rounds", [RoundSpec(title=Localised("Round 1"))])
        return self

    def question(self, key: str) -> Question:
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)

    def service_names(self) -> dict[str, str]:
        return {s.key: s.name for s in self.services}


def _unique(keys: list[str], what: Callable[[str], Msg]) -> None:
    seen: set[str] = set()
    for k in keys:
        if k in seen:
            raise Invalid(what(k))
        seen.add(k)


def accept(models: list[type[QuestionBase]]) -> None:
    """Lets the consultation file hold questions of these types, told apart by `type:` (each model's Literal)."""
    union: Any = models[0] if len(models) == 1 else Annotated[Union[tuple(models)], Field(discriminator="type")]  # noqa: UP007
    Consultation.model_fields["questions"] = FieldInfo.from_annotation(list[union])
    Consultation.model_fields["questions"].metadata.extend(
        FieldInfo(annotation=list[QuestionBase], min_length=1, max_length=30).metadata
    )
    Consultation.model_rebuild(force=True)


from dialogues import questions as _questions  # noqa: E402,F401  - registers the question types, which import this module
