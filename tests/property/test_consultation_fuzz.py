"""Consultation files fuzzed from the valid example (issue 7, "Hostile input").

Whatever a facilitator's editor does to examples/council-pound.yaml (a line dropped, doubled or swapped, a
number turned into words or into something huge, a key misspelt, a stray character, a file cut short) and
whatever shape of data ends up in it, the loader either returns a valid Consultation or raises
ConsultationFileError whose every problem names a field path or a line and says something. Never any
other exception; and the command line prints the problems with their lines, exit code 1, no traceback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dialogues.loader import ConsultationFileError, parse_consultation
from dialogues.schema import Consultation
from tests.unit.example import said

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "council-pound.yaml"
TEXT = EXAMPLE.read_text(encoding="utf-8")
LINES = TEXT.splitlines(keepends=True)
DATA = yaml.safe_load(TEXT)
FUZZ = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)  # fmt: skip

NUMBER = re.compile(r"(?<![\w.])-?\d+(?![\w.])")
KEY = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_]\w*)(\s*:)", re.MULTILINE)
NOT_A_NUMBER = [
    '"eight"', "eight", "-5", "-1", "0", "1.5", "1e3", "9" * 40, "9" * 5000, ".inf", "-.inf", ".nan", "null",
    "~", "[]", "{}", "true", "yes", "0x1F", "0o17", "1_000", "2024-13-45", "2024-01-01", "12:30:00", "!!str 5",
    "!!binary aGk=", "&a 3", "*nowhere", "'", '"', "[1, 2", "{a: 1",
]  # fmt: skip
JUNK = ["\t", "\x00", "\x1b", "\ufeff", "\u202e", ":", "-", "#", "&", "*", "!", "|", ">", "%", "@", "`", "'",
        '"', "{", "}", "[", "]", ",", "?", "\n", "\r", "\u2028", "\x85", "é", "🙂"]  # fmt: skip


def must_be_clear(text: str | bytes) -> Consultation | None:
    """The property: a Consultation, or problems that each say where and what; any other exception fails."""
    try:
        return parse_consultation(text)
    except ConsultationFileError as e:
        assert e.problems, "an error with no problems in it"
        lines = (text if isinstance(text, str) else text.decode("utf-8", "replace")).count("\n") + 2
        for p in e.problems:
            assert said(p.message).strip(), f"a problem with no message: {p!r}"
            assert p.path or p.line, f"a problem that names neither a field nor a line: {p!r}"
            assert p.line is None or 1 <= p.line <= lines, f"line {p.line} of a {lines}-line file: {p!r}"
            assert "Traceback" not in said(p.said()) and 'File "' not in said(p.said()), p
        return None


def test_the_example_itself_is_valid() -> None:
    assert isinstance(must_be_clear(TEXT), Consultation)


# ---- edits of the text --------------------------------------------------------------------------------------
def _drop(lines: list[str], i: int, _: Any) -> list[str]:
    return lines[:i] + lines[i + 1 :]


def _duplicate(lines: list[str], i: int, _: Any) -> list[str]:
    return lines[: i + 1] + lines[i:]


def _swap(lines: list[str], i: int, j: int) -> list[str]:
    out = list(lines)
    j %= len(out)
    out[i], out[j] = out[j], out[i]
    return out


def _renumber(lines: list[str], i: int, pick: Any) -> list[str]:
    k, new = pick
    text = "".join(lines)
    found = list(NUMBER.finditer(text))
    if not found:
        return lines
    m = found[k % len(found)]
    return (text[: m.start()] + new + text[m.end() :]).splitlines(keepends=True)


def _rename(lines: list[str], i: int, pick: Any) -> list[str]:
    k, new = pick
    text = "".join(lines)
    found = list(KEY.finditer(text))
    if not found:
        return lines
    m = found[k % len(found)]
    return (text[: m.start(2)] + new + text[m.end(2) :]).splitlines(keepends=True)


def _insert(lines: list[str], i: int, pick: Any) -> list[str]:
    k, char = pick
    line = lines[i]
    at = k % (len(line) + 1)
    return [*lines[:i], line[:at] + char + line[at:], *lines[i + 1 :]]


def _truncate(lines: list[str], i: int, k: Any) -> list[str]:
    text = "".join(lines)
    return [text[: k % (len(text) + 1)]]


def _indent(lines: list[str], i: int, k: Any) -> list[str]:
    line = lines[i]
    changed = " " * (k % 5) + line.lstrip(" ") if k % 2 else line[min(k % 4, len(line) - len(line.lstrip(" "))) :]
    return [*lines[:i], changed, *lines[i + 1 :]]


def _replace_value(lines: list[str], i: int, new: Any) -> list[str]:
    line = lines[i]
    head, colon, _ = line.partition(": ")
    return [*lines[:i], (head + colon + new + "\n") if colon else new + "\n", *lines[i + 1 :]]


EDITS = {
    "drop a line": (_drop, st.none()),
    "duplicate a line": (_duplicate, st.none()),
    "swap two lines": (_swap, st.integers(0, 10**6)),
    "change a number": (_renumber, st.tuples(st.integers(0, 10**6), st.sampled_from(NOT_A_NUMBER))),
    "rename a key": (_rename, st.tuples(st.integers(0, 10**6), st.text(max_size=12) | st.sampled_from(
        ["Code", "titel", "question", "servics", "min", "max", "type", "key", "[/x]", "[bold]", "<<", "?"]))),
    "insert a character": (_insert, st.tuples(st.integers(0, 10**6), st.sampled_from(JUNK) | st.characters())),
    "truncate": (_truncate, st.integers(0, 10**6)),
    "indent": (_indent, st.integers(0, 10**6)),
    "replace a value": (_replace_value, st.sampled_from(NOT_A_NUMBER) | st.text(max_size=30)),
}  # fmt: skip
edit = st.sampled_from(sorted(EDITS)).flatmap(
    lambda name: st.tuples(st.just(name), st.integers(0, 10**6), EDITS[name][1])
)


def apply(edits: list[tuple[str, int, Any]]) -> str:
    lines = list(LINES)
    for name, i, arg in edits:
        if not lines:
            break
        lines = EDITS[name][0](lines, i % len(lines), arg)
    return "".join(lines)


@FUZZ
@given(st.lists(edit, min_size=1, max_size=3))
@example([("change a number", 0, (7, "9" * 5000))])  # more digits than Python will turn into an int
@example([("change a number", 0, (7, "2024-13-45"))])  # a date that does not exist
@example([("rename a key", 0, (3, "[/x]"))])  # rich markup in a key: must not trip up the command line
@example([("insert a character", 4, (0, "\x00"))])
@example([("duplicate a line", 5, None)])  # the same key twice: YAML would silently keep the second
@example([("truncate", 0, 0), ("rename a key", 0, (0, ""))])  # nothing left to edit
def test_edited_files_are_loaded_or_clearly_refused(edits: list[tuple[str, int, Any]]) -> None:
    text = apply(edits)
    must_be_clear(text)
    must_be_clear(text.encode("utf-8", "surrogatepass"))


# ---- random structured edits of the parsed file, dumped back to YAML --------------------------------------
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(10**30), 10**30), st.floats(allow_nan=True),
    st.text(max_size=40), st.sampled_from(["", " ", "x" * 5000, "council-pound", "allocation", "rating"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
    max_leaves=12,
)


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _places(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _places(v, (*path, i))
    return out


PLACES = _places(DATA)[1:]


def _structured(data: Any, path: tuple[Any, ...], how: str, value: Any, other: int) -> None:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "set":
        parent[last] = value
    elif how == "rename" and isinstance(parent, dict):
        parent[value if isinstance(value, str | int) else str(value)] = parent.pop(last)
    elif how == "duplicate" and isinstance(parent, list):
        parent.insert(last, parent[last])
    elif how == "empty":
        parent[last] = type(parent[last])() if isinstance(parent[last], list | dict | str) else None
    elif how == "swap" and isinstance(parent, list):
        j = other % len(parent)
        parent[last], parent[j] = parent[j], parent[last]
    elif how == "wrap":
        parent[last] = [parent[last]]


structured = st.tuples(
    st.sampled_from(PLACES),
    st.sampled_from(["delete", "set", "set", "rename", "duplicate", "empty", "swap", "wrap"]),
    values,
    st.integers(0, 100),
)


@FUZZ
@given(st.lists(structured, min_size=1, max_size=3))
def test_structurally_edited_files_are_loaded_or_clearly_refused(changes: list[tuple[Any, ...]]) -> None:
    data = yaml.safe_load(TEXT)
    for path, how, value, other in changes:
        try:
            _structured(data, path, how, value, other)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or reshaped that place
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    must_be_clear(text)


@pytest.mark.parametrize("field", ["code", "title", "organiser", "purpose", "minutes", "privacy", "questions"])
def test_a_missing_required_field_is_named(field: str) -> None:
    data = yaml.safe_load(TEXT)
    del data[field]
    with pytest.raises(ConsultationFileError) as refused:
        parse_consultation(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    assert [p.path for p in refused.value.problems] == [field]


def test_a_wrong_nested_value_is_named_with_its_line() -> None:
    text = TEXT.replace("    scale_max: 5\n", "    scale_max: five\n")
    line = text.splitlines().index("    scale_max: five") + 1
    with pytest.raises(ConsultationFileError) as refused:
        parse_consultation(text)
    [p] = refused.value.problems
    assert (p.path, p.line) == ("questions[1].scale_max", line)


# ---- the command line ---------------------------------------------------------------------------------------
BROKEN = {
    "unclosed.yaml": TEXT.replace("steps: [1, 5]", "steps: [1, 5"),
    "words.yaml": TEXT.replace("minutes: 8", "minutes: eight"),
    "misspelt.yaml": TEXT.replace("organiser:", "organizer:"),
    "markup.yaml": TEXT.replace("minutes: 8", "minutes: 8\n'[/bold]': x\n'[red]': y"),
    "huge.yaml": TEXT.replace("today: 34", "today: " + "9" * 5000),
    "no-such-date.yaml": TEXT.replace("minutes: 8", "minutes: 2024-13-45"),
    "nested.yaml": TEXT.replace("minutes: 8", "minutes: " + "[" * 500 + "]" * 500),
    "twice.yaml": TEXT + "\ncode: another-code\n",
}


def _clear_refusal(output: str, name: str) -> None:
    assert "Traceback" not in output and 'File "' not in output and "Error:" not in output, output
    assert re.search(rf"{re.escape(name)} has \d+ problems?:", output), output
    assert re.search(r"^\s+line \d+[:,] ", output, re.MULTILINE), output


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_validate_prints_each_problem_with_its_line(name: str, tmp_path: Path) -> None:
    from bot.cli import app

    path = tmp_path / name
    path.write_text(BROKEN[name], encoding="utf-8")
    result = CliRunner().invoke(app, ["consultation", "validate", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    _clear_refusal(result.output, name)


def test_validate_in_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "markup.yaml"
    path.write_text(BROKEN["markup.yaml"], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "consultation", "validate", str(path)],
        capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"},
        cwd=Path(__file__).parent.parent.parent,
    )  # fmt: skip
    assert done.returncode == 1, done
    _clear_refusal(done.stdout + done.stderr, "markup.yaml")
    assert "line " in done.stderr and "[/bold]" in done.stderr, done.stderr
