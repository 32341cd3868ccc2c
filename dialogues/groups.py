"""Groups residents are sorted into (wards, age bands and the other groups a council declares), with the share of
the population each group holds: what breakdowns, weighting and /reach work from."""

from __future__ import annotations

from dataclasses import dataclass

from dialogues.text import Inline

UNSTATED = "_unstated"  # residents who skipped the question or preferred not to say: one group of their own


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    population: float | None = None  # share of the population, 0-1; None when the file gives none


@dataclass(frozen=True)
class Grouping:
    """The groups one question sorts residents into, in the file's order. `weighted` when results are to be
    weighted to its population shares; `unstated` is how its "prefer not to say" and no answer read."""

    key: str  # the question's key
    title: Inline  # the question's prompt, or its short name
    groups: tuple[Group, ...]
    unstated: Inline
    weighted: bool = False
    source: str = ""  # where the population shares come from, in the council's words

    def label(self, key: str | None) -> Inline:
        if key is None or key == UNSTATED:
            return self.unstated
        return next((g.label for g in self.groups if g.key == key), key)

    @property
    def has_population(self) -> bool:
        return bool(self.groups) and all(g.population is not None for g in self.groups)

    def population(self) -> dict[str, float]:
        """Each group's population share (0-1) when every group has one, normalised to add up to exactly 1."""
        if not self.has_population:
            return {}
        total = sum(g.population or 0.0 for g in self.groups)
        return {g.key: (g.population or 0.0) / total for g in self.groups} if total > 0 else {}
