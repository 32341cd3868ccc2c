"""A participatory-budgeting election as a pabulib `.pb` file (pabulib.org/format), so anyone can re-run it.

The file has three sections, META (key;value), PROJECTS and VOTES, each a semicolon-separated table under a header
line; fields with a semicolon or a double quote are quoted as CSV quotes them. Pure: the caller gives the figures.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# META keys in the order pabulib lists them (its checker expects that order); keys not listed go last.
META_ORDER = (
    "description", "country", "unit", "district", "subunit", "instance", "num_projects", "num_votes", "budget",
    "vote_type", "rule", "date_begin", "date_end", "min_length", "max_length", "min_sum_cost", "max_sum_cost",
    "min_points", "max_points", "min_sum_points", "max_sum_points", "default_score", "min_project_cost",
    "max_project_cost", "language", "currency", "comment",
)
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

    def text(self, more: Mapping[str, str]) -> str:
        """The file, with `more` META fields (description, country, unit, instance, dates...) beside the question's
        own and the counts, all in pabulib's order."""
        out = io.StringIO(newline="")
        w = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        out.write("META\n")
        w.writerow(["key", "value"])
        meta = {**more, **self.meta, "num_projects": str(len(self.projects)), "num_votes": str(len(self.votes))}
        rank = {k: i for i, k in enumerate(META_ORDER)}
        for k in sorted(meta, key=lambda k: rank.get(k, len(rank))):
            w.writerow([k, meta[k]])
        out.write("PROJECTS\n")
        # Each project's votes (and points, on a cumulative ballot) as counted from VOTES, after its cost, where
        # pabulib puts them; a column no project fills is left out (pabulib refuses empty values).
        votes: dict[str, int] = {}
        score: dict[str, int] = {}
        for _voter, (chosen, points) in self.votes:
            for i, pid in enumerate(chosen):
                votes[pid] = votes.get(pid, 0) + 1
                score[pid] = score.get(pid, 0) + (points[i] if points else 1)
        filled = [i for i, c in enumerate(self.project_columns) if i < 2 or all(row[i] not in ("", None)
                                                                                for row in self.projects)]
        extra = ["votes", "score"] if self.points else ["votes"]
        w.writerow([*self.project_columns[:2], *extra, *(self.project_columns[i] for i in filled[2:])])
        for row in self.projects:
            pid = str(row[0])
            counted = [votes.get(pid, 0), score.get(pid, 0)] if self.points else [votes.get(pid, 0)]
            w.writerow([*row[:2], *counted, *(row[i] for i in filled[2:])])
        out.write("VOTES\n")
        w.writerow(["voter_id", "vote", "points"] if self.points else ["voter_id", "vote"])
        for voter_id, (chosen, points) in self.votes:
            line = [voter_id, ",".join(chosen)]
            if self.points:
                line.append(",".join(str(p) for p in points))
            w.writerow(line)
        return out.getvalue()
