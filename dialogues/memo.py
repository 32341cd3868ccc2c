"""Values remembered per object, by identity: pieces of a screen that come back unchanged press after press."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class ByIdentity(Generic[K, V]):
    """`get(obj)` is `make(obj)`, made once per object while it is remembered.

    Keyed by `id(obj)` and holding the object itself, so its id cannot be reused for another while remembered;
    nothing about the object is hashed or compared, which is the point: a board's labels are nested texts whose
    hashing costs about what rendering them does. Everything is forgotten at once when `kept` are held."""

    def __init__(self, make: Callable[[K], V], kept: int) -> None:
        self.make = make
        self.kept = kept
        self._values: dict[int, tuple[K, V]] = {}

    def get(self, obj: K) -> V:
        held = self._values.get(id(obj))
        if held is not None and held[0] is obj:
            return held[1]
        value = self.make(obj)
        if len(self._values) >= self.kept:
            self._values.clear()
        self._values[id(obj)] = (obj, value)
        return value
