"""The consultation file: the example validates, and every malformed file is explained by path and line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogues.loader import MAX_FILE_BYTES, ConsultationFileError, Problem, parse_consultation
from dialogues.schema import AllocationQuestion, MultipleChoiceQuestion, RatingQuestion, slug
from tests.unit.example import EXAMPLE, EXAMPLE_TEXT, line_of, said


def problems_of(text: str | bytes) -> list[Problem]:
    with pytest.raises(ConsultationFileError) as info:
        parse_consultation(text)
    problems = info.value.problems
    assert problems, "an error must name at least one problem"
    return problems


def only(problems: list[Problem], path: str) -> Problem:
    found = [p for p in problems if p.path == path]
    assert found, f"no problem at {path!r} in {problems}"
    return found[0]


def message(p: Problem) -> str:
    """What is wrong, as an English reader is told it."""
    return said(p.message)


def shown(p: Problem) -> str:
    """The whole line the facilitator reads: line, place and what is wrong."""
    return said(p.said())


def assert_readable(problems: list[Problem]) -> None:
    for p in problems:
        text = shown(p)
        assert message(p) and message(p)[0].isalpha(), text
        for noise in ("Value error", "pydantic", "http", "Traceback", "input_value", "type=", "Input should",
                      "Field required", "[0]", "[1]"):
            assert noise not in text, text


# The example


def test_the_example_validates() -> None:
    c = EXAMPLE
    assert c.code == "council-pound"
    assert len(c.services) == 10
    assert sum(s.today for s in c.services) == 100
    assert c.services[1].key == "childrens_services"  # the apostrophe is dropped, not turned into _
    assert [q.key for q in c.questions] == [
        "pound", "satisfaction", "council_tax", "priorities", "savings", "anything_else",
    ]
    pound = c.question("pound")
    assert isinstance(pound, AllocationQuestion) and pound.steps == [1, 5] and pound.comment is not None
    rating = c.question("satisfaction")
    assert isinstance(rating, RatingQuestion) and (rating.scale_min, rating.scale_max) == (1, 5)
    priorities = c.question("priorities")
    assert isinstance(priorities, MultipleChoiceQuestion) and priorities.max_choices == 3
    assert c.question("anything_else").required is False
    assert [r.deliberation for r in c.rounds] == [False, True]


def test_the_example_validates_from_bytes_with_a_bom() -> None:
    c = parse_consultation(b"\xef\xbb\xbf" + EXAMPLE_TEXT.encode("utf-8"))
    assert c == EXAMPLE


def test_slug_makes_stable_keys() -> None:
    assert slug("Adult social care") == "adult_social_care"
    assert slug("Don't know") == "dont_know"
    assert slug("Up to 3%") == "up_to_3"
    assert slug("!!!").startswith("item_") and slug("!!!") == slug("!!!") != slug("???")


def test_missing_rounds_default_to_one() -> None:
    text = EXAMPLE_TEXT[: EXAMPLE_TEXT.index("rounds:")]
    assert [r.title for r in parse_consultation(text).rounds] == ["Round 1"]


# Unknown and misspelt fields


def test_a_misspelt_top_level_field_is_named_with_its_line() -> None:
    text = EXAMPLE_TEXT.replace("title:\n  en: The Council Pound", "titel:\n  en: The Council Pound")
    problems = problems_of(text)
    p = only(problems, "titel")
    assert p.line == line_of(text, "titel:")
    assert "not a field" in message(p) and "spelling" in message(p)
    assert shown(p).startswith(f"line {p.line}, titel: ")
    assert message(only(problems, "title")) == "this field is needed, and the file does not give it"
    assert_readable(problems)


def test_a_misspelt_field_inside_a_question_is_named_by_its_path() -> None:
    text = EXAMPLE_TEXT.replace("    scale_max: 5", "    scale_mxa: 5")
    p = only(problems_of(text), "questions[1].scale_mxa")
    assert p.line == line_of(text, "scale_mxa")


def test_a_misspelt_field_inside_a_service_is_named_by_its_path() -> None:
    text = EXAMPLE_TEXT.replace("    description:\n      en: Road repairs", "    descripton:\n      en: Road repairs")
    p = only(problems_of(text), "services[4].descripton")
    assert p.line == line_of(text, "descripton")


def test_an_unknown_question_type_is_named() -> None:
    text = EXAMPLE_TEXT.replace("type: rating", "type: stars")
    problems = problems_of(text)
    p = only(problems, "questions[1]")
    assert "stars" in message(p) and "rating" in message(p)
    assert shown(p).startswith(f"line {p.line}, question 2 “satisfaction”: there is no question type “stars”")
    assert p.line == line_of(text, "key: satisfaction")
    assert_readable(problems)


# Wrong types and values


def test_a_wrong_type_is_named_with_its_line() -> None:
    text = EXAMPLE_TEXT.replace("minutes: 8", "minutes: eight")
    problems = problems_of(text)
    p = only(problems, "minutes")
    assert p.line == line_of(text, "minutes: eight")
    assert message(p) == "must be a whole number, such as 5"
    assert shown(p) == f"line {p.line}, minutes: must be a whole number, such as 5"
    assert_readable(problems)


def test_a_wrong_type_inside_a_question_is_named_with_its_line() -> None:
    text = EXAMPLE_TEXT.replace("    scale_max: 5", "    scale_max: many")
    problems = problems_of(text)
    p = only(problems, "questions[1].scale_max")
    assert p.line == line_of(text, "scale_max: many")
    assert_readable(problems)


def test_a_value_out_of_range_is_named() -> None:
    text = EXAMPLE_TEXT.replace("    steps: [1, 5]", "    steps: [1, 50]")
    p = only(problems_of(text), "questions[0].steps")
    assert "from 1 to 25" in message(p)
    assert p.line == line_of(text, "steps: [1, 50]")


def test_today_pence_not_adding_up_to_100_is_named_at_services() -> None:
    text = EXAMPLE_TEXT.replace("    today: 34", "    today: 33")
    problems = problems_of(text)
    p = only(problems, "services")
    assert p.line == line_of(text, "services:")
    assert shown(p) == f"line {p.line}, services: the services' today pence add up to 99p; they must add up to 100p"
    assert_readable(problems)


def test_a_service_with_min_above_max_is_named() -> None:
    text = EXAMPLE_TEXT.replace("    min: 5\n", "    min: 5\n    max: 4\n")
    p = only(problems_of(text), "services[1]")
    assert shown(p) == f"line {p.line}, service 2 “Children's services”: its min (5p) is more than its max (4p)"
    assert p.line == line_of(text, "name: {en: Children's services")


def test_max_choices_above_the_options_is_named() -> None:
    text = EXAMPLE_TEXT.replace("max_choices: 3", "max_choices: 9")
    p = only(problems_of(text), "questions[3]")
    assert "max_choices is 9, more than the" in message(p)


def test_duplicate_service_names_are_refused() -> None:
    text = EXAMPLE_TEXT.replace("name: {en: Housing,", "name: {en: Parks and leisure,", 1).replace(
        "name: {en: Parks and leisure, cy: Parciau a hamdden}", "name: {en: Parks and Leisure, cy: Parciau a hamdden}"
    )
    p = only(problems_of(text), "services")
    assert message(p) == "two services are called “Parks and leisure”: each service needs a name of its own"


def test_several_problems_are_all_reported() -> None:
    text = EXAMPLE_TEXT.replace("minutes: 8", "minutes: eight").replace(
        "    scale_max: 5", "    scale_max: many"
    )
    problems = problems_of(text)
    assert {"minutes", "questions[1].scale_max"} <= {p.path for p in problems}
    with pytest.raises(ConsultationFileError) as info:
        parse_consultation(text)
    assert len(str(info.value).splitlines()) == len(problems)


def test_a_service_is_counted_from_1_and_named_and_its_problem_said_plainly() -> None:
    # Libraries is the fourth service in the example file; a negative today is refused in plain words.
    text = EXAMPLE_TEXT.replace("    today: 4\n", "    today: -4\n", 1)
    problems = problems_of(text)
    p = next(p for p in problems if p.path.endswith(".today"))
    index = int(p.path.split("[")[1].split("]")[0])
    name = EXAMPLE.services[index].name
    assert shown(p) == f"line {p.line}, service {index + 1} “{name}” › today: must be 0 or more"
    assert_readable(problems)


def test_a_text_too_long_says_how_long_it_is_and_what_is_allowed() -> None:
    text = EXAMPLE_TEXT.replace("  en: The Council Pound", "  en: " + "Pound " * 30)
    p = only(problems_of(text), "title")
    assert message(p) == "the en text is 179 characters long; at most 100 are allowed"


def test_a_bad_key_says_which_letters_it_may_hold() -> None:
    text = EXAMPLE_TEXT.replace("key: satisfaction", "key: Satisfaction!")
    p = only(problems_of(text), "questions[1].key")
    assert shown(p).startswith(f"line {p.line}, question 2 “Satisfaction!” › key: may hold only lower-case letters")


def test_a_problem_in_a_question_s_option_names_the_question_and_the_option() -> None:
    text = EXAMPLE_TEXT.replace("type: ranking", "type: ranking\n    bogus: 1")
    p = next(p for p in problems_of(text) if p.path.endswith("bogus"))
    assert shown(p).startswith(f"line {p.line}, question ") and "› bogus: this is not a field here" in shown(p)


def test_the_problems_are_catalogue_messages_a_welsh_reader_would_get_translated() -> None:
    from bot.catalogue import extract

    known = {m if isinstance(m, str) else m[0] for m, _file, _line, _notes in extract()}
    text = EXAMPLE_TEXT.replace("minutes: 8", "minutes: eight").replace("    today: 34", "    today: 33")
    for p in problems_of(text):
        assert p.message.singular in known, p.message


# Not a consultation file at all


def test_bad_yaml_syntax_names_its_line() -> None:
    text = EXAMPLE_TEXT.replace("  en: The Council Pound", "  en: The: Council Pound")
    [p] = problems_of(text)
    assert p.line == line_of(text, "en: The: Council")
    assert message(p).startswith("not valid YAML: ")
    assert_readable([p])


def test_an_unclosed_bracket_names_where_it_was_opened() -> None:
    text = EXAMPLE_TEXT.replace("minutes: 8", "minutes: [8")
    [p] = problems_of(text)
    opened = line_of(text, "minutes: [8")
    assert p.line in (opened, opened + 1)
    assert f"line {opened}" in shown(p)


def test_non_utf8_bytes_are_refused() -> None:
    [p] = problems_of(b"code: caf\xe9\n" + EXAMPLE_TEXT.encode("utf-8"))
    assert "not UTF-8" in message(p)
    assert p.line is None and shown(p).startswith("the file is not UTF-8 text")


@pytest.mark.parametrize("as_bytes", [True, False])
def test_a_file_that_is_too_large_is_refused(as_bytes: bool) -> None:
    text = EXAMPLE_TEXT + "#" * MAX_FILE_BYTES
    [p] = problems_of(text.encode("utf-8") if as_bytes else text)
    assert "larger than 256 KB" in message(p)


@pytest.mark.parametrize("text", ["- code: x\n- title: y\n", "", "just a sentence\n", "42\n"])
def test_anything_but_a_mapping_is_refused(text: str) -> None:
    [p] = problems_of(text)
    assert p.line == 1
    assert "expected a group of fields" in message(p)


# Whatever the input, the loader explains instead of crashing


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=300))
def test_random_input_is_explained_never_crashes(text: str | bytes) -> None:
    try:
        parse_consultation(text)
    except ConsultationFileError as e:
        assert e.problems
        assert all(message(p).strip() for p in e.problems)


_LINES = EXAMPLE_TEXT.splitlines(keepends=True)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(_LINES) - 1), st.sampled_from(["", "  x: 1\n", "bad: [\n", "- 7\n", "\t\n"]))
def test_a_damaged_example_is_explained_within_the_file(index: int, replacement: str) -> None:
    text = "".join(_LINES[:index]) + replacement + "".join(_LINES[index + 1 :])
    try:
        parse_consultation(text)
    except ConsultationFileError as e:
        n_lines = len(text.splitlines()) + 1
        for p in e.problems:
            assert p.line is None or 1 <= p.line <= n_lines, p


# Texts in each of the file's languages


def test_a_text_missing_in_a_declared_language_is_named_with_its_line() -> None:
    welsh = "      cy: Pa mor fodlon ydych chi â gwasanaethau'r cyngor yn gyffredinol?\n"
    assert welsh in EXAMPLE_TEXT
    text = EXAMPLE_TEXT.replace(welsh, "").replace("  - {en: Jobs and skills, cy: Swyddi a sgiliau}",
                                                  "  - Jobs and skills")
    problems = problems_of(text)
    prompt = only(problems, "questions[1].prompt")
    assert prompt.line == line_of(text, "How satisfied are you") - 1  # the line of `prompt:`
    assert "no Welsh (cy) text" in message(prompt) and "{en: …, cy: …}" in message(prompt)
    option = only(problems, "questions[3].options[4].label")
    assert option.line == line_of(text, "  - Jobs and skills")
    assert {p.path for p in problems} == {"questions[1].prompt", "questions[3].options[4].label"}
    assert_readable(problems)


def test_a_language_the_file_does_not_declare_and_a_too_long_translation_are_named() -> None:
    text = EXAMPLE_TEXT.replace("  cy: Punt y Cyngor", "  cy: Punt y Cyngor\n  fr: La livre du conseil").replace(
        "cy: Tai}", "cy: Tai cymdeithasol a chymorth i bobl ddigartref ym mhob rhan o'r ddinas}")
    problems = problems_of(text)
    assert "'fr' is not one of the file's languages (en, cy)" in message(only(problems, "title"))
    assert message(only(problems, "services[5].name")) == "the cy text is 69 characters long; at most 40 are allowed"


def test_texts_read_in_each_language_and_survive_storing() -> None:
    c = parse_consultation(EXAMPLE_TEXT)
    assert c.languages == ["en", "cy"]
    assert str(c.title) == "The Council Pound" and c.title.in_language("cy") == "Punt y Cyngor"
    assert [s.key for s in c.services][:2] == ["adult_social_care", "childrens_services"]  # keys from the English
    again = type(c).model_validate(c.model_dump(mode="json"))
    assert again == c and again.services[7].name.in_language("cy") == "Llyfrgelloedd a diwylliant"


def test_a_file_in_one_language_is_all_plain_strings() -> None:
    english = EXAMPLE_TEXT.replace("languages: [en, cy]\n", "")
    problems = problems_of(english)
    assert problems and all("'cy' is not one of the file's languages (en)" in message(p) for p in problems)
