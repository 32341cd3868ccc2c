"""A participatory-budgeting election as a pabulib `.pb` file (pabulib.org/format), so anyone can re-run it.

The file has three sections, META (key;value), PROJECTS and VOTES, each a semicolon-separated table under a header
line; fields with a semicolon or a double quote are quoted as CSV quotes them. Pure: the caller gives the figures.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Vote = tuple[tuple[str, ...], tuple[int, ...]]  # the projects a voter chose, and their points (empty for approval)


@dataclass
class PbElection:
    """One ballot's election, filled with votes as they stream past, then written as text.

    `meta` is what the question knows (budget, vote type, currency...), in the order pabulib lists its fields;
    the writer adds description, dates and counts. `projects` are rows under `project_columns`. `vote` reads one
    decoded answer as a Vote, or None when it chose nothing (pabulib holds no empty votes)."""

    meta: dict[str, str]
    project_columns: tuple[str, ...]
    projects: list[tuple[Any, ...]]
    vote: Callable[[Any], Vote | None]
    points: bool = False  # cumulative ballots: VOTES has a `points` column
    votes: list[tuple[str, Vote]] = field(default_factory=list)

    def add(self, voter_id: str, answer: Any) -> None:
        v = self.vote(answer)
        if v is not None and v[0]:
            self.votes.append((voter_id, v))

    def text(self, head: Sequence[tuple[str, str]], tail: Sequence[tuple[str, str]] = ()) -> str:
        """The file: `head` META fields first (description, country, unit, instance), then the counts, the question's
        own fields and `tail` (dates, comment), as pabulib orders them."""
        out = io.StringIO(newline="")
        w = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        out.write("META\n")
        w.writerow(["key", "value"])
        counts = [("num_projects", str(len(self.projects))), ("num_votes", str(len(self.votes)))]
        for k, v in [*head, *counts, *self.meta.items(), *tail]:
            w.writerow([k, v])
        out.write("PROJECTS\n")
        w.writerow(self.project_columns)
        for row in self.projects:
            w.writerow(row)
        out.write("VOTES\n")
        w.writerow(["voter_id", "vote", "points"] if self.points else ["voter_id", "vote"])
        for voter_id, (chosen, points) in self.votes:
            row = [voter_id, ",".join(chosen)]
            if self.points:
                row.append(",".join(str(p) for p in points))
            w.writerow(row)
        return out.getvalue()
