"""Reads a consultation file (YAML) and explains every problem by field path and line number."""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from pydantic import ValidationError

from dialogues.schema import Consultation

MAX_FILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path or '(file)'}: {self.message}"


class ConsultationFileError(Exception):
    """The file is not a valid consultation; `problems` lists each one with its place."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Loader(yaml.SafeLoader):
    """SafeLoader whose values that cannot be built (a 5,000-digit number, the date 2024-13-45) are YAML errors
    with a line, like every other mistake in the file, rather than bare ValueErrors."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as e:
            kind = {"int": "a whole number", "float": "a number", "timestamp": "a date"}.get(
                str(node.tag).rsplit(":", 1)[-1], "a value"
            )
            why = f" ({e})" if len(str(e)) <= 60 else ""
            shown = str(node.value)[:30] + ("…" if len(str(node.value)) > 30 else "")
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {shown} as {kind}{why}", node.start_mark
            ) from e


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
    return Problem("", line or 1, f"lists or mappings are nested too deeply (more than {limit} levels)")


def _duplicates(node: yaml.Node | None) -> list[Problem]:
    """Keys given twice in one mapping: YAML keeps only the last, which silently loses the first."""
    problems: list[Problem] = []
    todo, seen_nodes = [(node, "")], set()
    while todo:
        node, path = todo.pop()
        if id(node) in seen_nodes:
            continue  # an alias: the same node again (and "billion laughs" files would never end)
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in seen and k.value != "<<":
                        where = f"{path}.{k.value}" if path else k.value
                        problems.append(Problem(where, k.start_mark.line + 1, "given twice (keep one)"))
                    seen.add(k.value)
                    todo.append((v, f"{path}.{k.value}" if path else k.value))
        elif isinstance(node, yaml.SequenceNode):
            todo += [(v, f"{path}[{i}]") for i, v in enumerate(node.value)]
    return sorted(problems, key=lambda p: p.line or 0)


_TAGS = frozenset({"allocation", "rating", "single_choice", "multiple_choice", "ranking", "free_text"})


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Walks the YAML node tree along a pydantic error location to the line that holds it."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if part in _TAGS and isinstance(node, yaml.MappingNode) and all(k.value != part for k, _ in node.value):
            continue  # the discriminator tag pydantic adds to union locations is not in the file
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == part:
                    line, node = k.start_mark.line + 1, v
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _TAGS:
            continue  # the discriminator tag pydantic adds to union locations
        else:
            out += f".{part}" if out else str(part)
    return out


def parse_consultation(text: str | bytes) -> Consultation:
    """Parses and validates a consultation file, or raises ConsultationFileError naming every problem."""
    too_large = Problem("", None, f"file is larger than {MAX_FILE_BYTES // 1024} KB")
    if len(text) > MAX_FILE_BYTES or (isinstance(text, str) and len(text.encode("utf-8")) > MAX_FILE_BYTES):
        raise ConsultationFileError([too_large])
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise ConsultationFileError([Problem("", None, f"file is not UTF-8 text ({e.reason})")]) from e
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
        raise ConsultationFileError([Problem("", at, f"not valid YAML: character #x{e.character:04x}: "
                                                       f"{e.reason}")]) from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(e, "problem", None) or str(e)
        context, context_mark = getattr(e, "context", None), getattr(e, "context_mark", None)
        if context and context_mark is not None and context_mark.line + 1 != line:
            # An unclosed bracket is found lines later; name where it was opened too.
            reason += f" ({context} on line {context_mark.line + 1})"
        raise ConsultationFileError([Problem("", line, f"not valid YAML: {reason}")]) from e
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        expected = "expected a mapping of fields such as code:, title:, questions:"
        raise ConsultationFileError([Problem("", 1, expected)])
    try:
        return Consultation.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors(include_url=False):
            loc = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown field (check its spelling)"
            problems.append(Problem(_path(loc), _line_of(node, loc), msg))
        raise ConsultationFileError(problems) from e
