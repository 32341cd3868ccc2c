"""What can be wrong with a consultation file: each problem with its place, and the error that lists them.

Apart from dialogues.loader, which reads the file with PyYAML: a bot that only checks an upload's size or catches
the error does not import the YAML parser until a file is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogues.text import Inline, Msg, _, english

MAX_FILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file. `path` is the field as pydantic names it, counted from 0
    (`questions[0].services[3].today`), for programs; `place` names it as a person would (service 4, "Libraries",
    today) and `message` says plainly what is wrong, both in the catalogue's words."""

    path: str
    line: int | None
    message: Msg
    place: Inline = ""

    def said(self) -> Msg:
        """The problem as one line for the person who sent the file."""
        if self.line and self.place:
            return _("line {line}, {place}: {problem}", line=self.line, place=self.place, problem=self.message)
        if self.line:
            return _("line {line}: {problem}", line=self.line, problem=self.message)
        if self.place:
            return _("{place}: {problem}", place=self.place, problem=self.message)
        return self.message

    def __str__(self) -> str:  # for logs and test failures; people are shown said(), in their language
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path or '(file)'}: {english(self.message)}"


class ConsultationFileError(Exception):
    """The file is not a valid consultation; `problems` lists each one with its place."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
