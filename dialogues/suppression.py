"""Small-cell suppression with complementary suppression: which cells of a breakdown to withhold so that no count
under the minimum can be read, not even by taking the shown cells from a shown total."""

from __future__ import annotations

from collections.abc import Sequence


def hidden(counts: Sequence[int], minimum: int) -> list[bool]:
    """For cells that together make up a shown total (every ward, and "no answer", of one round), which to hide.

    Primary: a cell of 1 to minimum-1 residents. Complementary: while the hidden cells add up to fewer than the
    minimum (one hidden cell alone could be worked out as the total minus the others), the smallest shown cell is
    hidden too. Empty cells stay shown (there is no one in them to single out) unless needed as a complement; when
    the total itself is under the minimum every cell is hidden."""
    n = len(counts)
    hide = [0 < c < minimum for c in counts]
    if sum(counts) < minimum:
        return [True] * n
    while any(hide) and sum(c for c, h in zip(counts, hide, strict=True) if h) < minimum:
        shown = [i for i in range(n) if not hide[i]]
        if not shown:
            break
        # the smallest non-empty shown cell first: an empty one adds no one to the hidden total
        hide[min(shown, key=lambda i: (counts[i] == 0, counts[i]))] = True
    return hide
