"""Reads a consultation file (YAML) and explains every problem by field path and line number."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from dialogues.problems import MAX_FILE_BYTES, ConsultationFileError, Problem
from dialogues.schema import CODE_PATTERN, KEY_PATTERN, Consultation, Invalid
from dialogues.text import Inline, Msg, Span, _, english, ngettext

__all__ = ["MAX_FILE_BYTES", "ConsultationFileError", "Problem", "parse_consultation"]


class _Loader(yaml.SafeLoader):
    """SafeLoader whose values that cannot be built (a 5,000-digit number, the date 2024-13-45) are YAML errors
    with a line, like every other mistake in the file, rather than bare ValueErrors."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as e:
            shown = str(node.value)[:30] + ("…" if len(str(node.value)) > 30 else "")
            kind = str(node.tag).rsplit(":", 1)[-1]
            message = {
                "int": _("{value} cannot be read as a whole number", value=shown),
                "float": _("{value} cannot be read as a number", value=shown),
                "timestamp": _("{value} is not a date that exists (write it as 2026-12-05)", value=shown),
            }.get(kind, _("{value} cannot be read", value=shown))
            raise _Unreadable(message, node.start_mark) from e


class _Unreadable(yaml.constructor.ConstructorError):
    """A value YAML recognised but could not build, said in the catalogue's words."""

    def __init__(self, message: Msg, mark: yaml.Mark):
        super().__init__(None, None, english(message), mark)
        self.message = message


_OPENS = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken, yaml.FlowMappingStartToken,
          yaml.FlowSequenceStartToken)
_CLOSES = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _too_deep(text: str, limit: int = 50) -> Problem:
    """Names the line where nesting passes `limit` (the scanner is not recursive, unlike the composer)."""
    depth, line = 0, None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            depth += isinstance(token, _OPENS) - isinstance(token, _CLOSES)
            if depth > limit:
                line = token.start_mark.line + 1
                break
    except yaml.YAMLError:
        pass
    return Problem("", line or 1, _("lists or mappings are nested too deeply (more than {limit} levels)", limit=limit))


def _item(field: str, index: int, node: yaml.Node) -> Inline:
    """An entry of a list as a person counts it, from 1, with its name where it has one: service 4 “Libraries”."""
    kind = field[:-1] if field.endswith("s") and not field.endswith("ss") else field
    if isinstance(node, yaml.MappingNode):
        for want in ("name", "title", "label", "key"):
            for k, v in node.value:
                if k.value == want and isinstance(v, yaml.MappingNode) and v.value:  # {en: ..., cy: ...}
                    v = v.value[0][1]  # the first language's, the file's default
                if k.value == want and isinstance(v, yaml.ScalarNode) and str(v.value).strip():
                    name = str(v.value).strip()
                    name = name if len(name) <= 40 else name[:39] + "…"
                    return _("{kind} {n} “{name}”", kind=kind, n=index + 1, name=name)
    return _("{kind} {n}", kind=kind, n=index + 1)


def _joined(parts: list[Inline]) -> Inline:
    out: list[Inline] = []
    for p in parts:
        out += [" › ", p] if out else [p]
    return Span(*out) if len(out) != 1 else out[0]


def _duplicates(node: yaml.Node | None) -> list[Problem]:
    """Keys given twice in one mapping: YAML keeps only the last, which silently loses the first."""
    problems: list[Problem] = []
    todo: list[tuple[yaml.Node | None, str, list[Inline]]] = [(node, "", [])]
    seen_nodes: set[int] = set()
    while todo:
        node, path, place = todo.pop()
        if id(node) in seen_nodes:
            continue  # an alias: the same node again (and "billion laughs" files would never end)
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    where = f"{path}.{k.value}" if path else k.value
                    if k.value in seen and k.value != "<<":
                        twice = _("given twice in the same place (keep one)")
                        problems.append(Problem(where, k.start_mark.line + 1, twice, _joined([*place, k.value])))
                    seen.add(k.value)
                    todo.append((v, where, [*place, k.value]))
        elif isinstance(node, yaml.SequenceNode):
            field = path.rsplit(".", 1)[-1].split("[", 1)[0]
            for i, v in enumerate(node.value):
                todo.append((v, f"{path}[{i}]", [*place[:-1], _item(field, i, v)] if place else [str(i + 1)]))
    return sorted(problems, key=lambda p: p.line or 0)


def _tags() -> frozenset[str]:
    """The question types' names: pydantic adds the discriminator to union locations, which the file does not hold."""
    from dialogues.questions.base import registered

    return frozenset(t.name for t in registered())


def _locate(node: yaml.Node | None, loc: tuple[int | str, ...]) -> tuple[int | None, Inline]:
    """Walks the YAML node tree along a pydantic error location to the line that holds it and names the place as a
    person would: `questions[0].services[3].today` is question 1 “pound” › service 4 “Libraries” › today."""
    tags = _tags()
    line = node.start_mark.line + 1 if node is not None else None
    place: list[Inline] = []
    field = ""
    walking = True
    for part in loc:
        if isinstance(part, str) and part in tags and not (
            isinstance(node, yaml.MappingNode) and any(k.value == part for k, _v in node.value)
        ):
            continue
        if isinstance(part, int):
            if walking and isinstance(node, yaml.SequenceNode) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
                item = _item(field, part, node)
            else:
                walking = False
                item = _item(field, part, yaml.ScalarNode("", ""))
            place = [*place[:-1], item] if place else [item]
            continue
        field = str(part)
        place.append(field)
        if walking and isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == part:
                    line, node = k.start_mark.line + 1, v
                    break
            else:
                walking = False
        else:
            walking = False
    return line, (_joined(place) if place else "")


def _path(loc: tuple[int | str, ...]) -> str:
    tags = _tags()
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in tags:
            continue  # the discriminator tag pydantic adds to union locations
        else:
            out += f".{part}" if out else str(part)
    return out


def _shape(pattern: str) -> Msg:
    if pattern == KEY_PATTERN or pattern.endswith(KEY_PATTERN):
        return _("may hold only lower-case letters, digits and _ (at most 32 of them), such as adult_social_care")
    if pattern == CODE_PATTERN:
        return _("may hold only letters, digits, - and _ (at most 40 of them), such as council-pound")
    return _("is not written in the form this field needs")


def _plainly(err: Any) -> Msg:
    """A pydantic error said plainly, in the catalogue's words rather than the library's."""
    kind, ctx = err["type"], err.get("ctx") or {}
    given = err.get("input")
    if kind in ("value_error", "assertion_error"):
        e = ctx.get("error")
        if isinstance(e, Invalid):
            return e.message
        return _("{problem}", problem=str(err["msg"]).removeprefix("Value error, "))
    if kind == "missing":
        return _("this field is needed, and the file does not give it")
    if kind == "extra_forbidden":
        return _("this is not a field here (check its spelling)")
    bound = ctx.get("ge", ctx.get("le", ctx.get("gt", ctx.get("lt"))))
    limit: int | float | str = bound if isinstance(bound, int | float) else str(bound)
    said = {
        "greater_than_equal": lambda: _("must be {limit} or more", limit=limit),
        "less_than_equal": lambda: _("must be {limit} or less", limit=limit),
        "greater_than": lambda: _("must be more than {limit}", limit=limit),
        "less_than": lambda: _("must be less than {limit}", limit=limit),
        "int_type": lambda: _("must be a whole number, such as 5"),
        "int_parsing": lambda: _("must be a whole number, such as 5"),
        "int_from_float": lambda: _("must be a whole number, such as 5"),
        "float_type": lambda: _("must be a number, such as 2.5"),
        "float_parsing": lambda: _("must be a number, such as 2.5"),
        "bool_type": lambda: _("must be true or false"),
        "bool_parsing": lambda: _("must be true or false"),
        "string_type": lambda: _("must be text"),
        "list_type": lambda: _("must be a list: one entry per line, each starting with “- ”"),
        "dict_type": lambda: _("must be a group of fields, each on its own line as “name: value”"),
        "model_type": lambda: _("must be a group of fields, each on its own line as “name: value”"),
        "model_attributes_type": lambda: _("must be a group of fields, each on its own line as “name: value”"),
        "string_pattern_mismatch": lambda: _shape(str(ctx.get("pattern", ""))),
        "literal_error": lambda: _("must be {expected}", expected=str(ctx.get("expected", ""))),
        "union_tag_invalid": lambda: _(
            "there is no question type “{type}”; the types are {types}",
            type=str(ctx.get("tag", "")), types=", ".join(sorted(_tags())),
        ),
        "union_tag_not_found": lambda: _("says no type: give one of {types}", types=", ".join(sorted(_tags()))),
    }
    if kind == "string_too_short":
        n = int(ctx.get("min_length", 1))
        return _("must not be empty") if n <= 1 else ngettext(
            "must be at least {n} character long", "must be at least {n} characters long", n)
    if kind == "string_too_long":
        n = int(ctx.get("max_length", 0))
        return ngettext("is {length} characters long; at most {n} is allowed",
                        "is {length} characters long; at most {n} are allowed", n,
                        length=len(given) if isinstance(given, str) else 0)
    if kind == "too_short":
        n = int(ctx.get("min_length", 1))
        return ngettext("needs at least {n} entry", "needs at least {n} entries", n)
    if kind == "too_long":
        n = int(ctx.get("max_length", 0))
        return ngettext("may have at most {n} entry", "may have at most {n} entries", n)
    if kind in said:
        return said[kind]()
    return _("{problem}", problem=str(err["msg"]))


def parse_consultation(text: str | bytes) -> Consultation:
    """Parses and validates a consultation file, or raises ConsultationFileError naming every problem."""
    too_large = Problem("", None, _("the file is larger than {limit} KB", limit=MAX_FILE_BYTES // 1024))
    if len(text) > MAX_FILE_BYTES or (isinstance(text, str) and len(text.encode("utf-8")) > MAX_FILE_BYTES):
        raise ConsultationFileError([too_large])
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            not_text = _("the file is not UTF-8 text ({reason}); save it as UTF-8 and send it again", reason=e.reason)
            raise ConsultationFileError([Problem("", None, not_text)]) from e
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if twice := _duplicates(node):  # before constructing, which folds "<<" merges into the mapping
            raise ConsultationFileError(twice)
        data = loader.construct_document(node) if node is not None else None
    except RecursionError as e:
        raise ConsultationFileError([_too_deep(text)]) from e
    except yaml.reader.ReaderError as e:  # a character YAML does not allow, such as NUL
        at = text[: e.position].count("\n") + 1
        bad = _("not valid YAML: the character #x{code} is not allowed here", code=f"{e.character:04x}")
        raise ConsultationFileError([Problem("", at, bad)]) from e
    except _Unreadable as e:
        mark = e.problem_mark
        raise ConsultationFileError([Problem("", mark.line + 1 if mark else None, e.message)]) from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(e, "problem", None) or str(e)
        context, context_mark = getattr(e, "context", None), getattr(e, "context_mark", None)
        if context and context_mark is not None and context_mark.line + 1 != line:
            # An unclosed bracket is found lines later; name where it was opened too.
            bad = _("not valid YAML: {reason} ({context} on line {opened})", reason=reason, context=context,
                    opened=context_mark.line + 1)
        else:
            bad = _("not valid YAML: {reason}", reason=reason)
        raise ConsultationFileError([Problem("", line, bad)]) from e
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        expected = _("expected a group of fields such as code:, title:, questions:")
        raise ConsultationFileError([Problem("", 1, expected)])
    try:
        return Consultation.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors(include_url=False):
            loc = tuple(err["loc"])
            line, place = _locate(node, loc)
            problems.append(Problem(_path(loc), line, _plainly(err), place))
        raise ConsultationFileError(problems) from e
