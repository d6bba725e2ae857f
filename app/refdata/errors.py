"""The reference-data error, and where in a file or bundle a record came from.

Every problem raises :class:`RefDataError` whose message starts with the file and the place in it
(``"categories.csv, line 7: ..."``, ``"grids.geojson, feature 3: ..."``, ``"units.json, item 2: ..."``)
and then says what is wrong; :class:`Src` builds those located errors for a list of records.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RefDataError", "Src"]


class RefDataError(ValueError):
    """Bad or inconsistent reference data, or a lookup of an unknown key.

    ``file`` and ``where`` (e.g. ``"line 7"``) are set for problems found in a file or bundle;
    ``problem`` is the bare description.
    """

    def __init__(self, problem: str, *, file: str | None = None, where: str | None = None) -> None:
        self.problem = problem
        self.file = file
        self.where = where
        prefix = ", ".join(p for p in (file, where) if p)
        super().__init__(f"{prefix}: {problem}" if prefix else problem)


@dataclass(frozen=True)
class Src:
    """Where a list of records came from: a file name and one location string per record."""

    file: str
    locs: tuple[str, ...]

    def at(self, index: int) -> str:
        return self.locs[index] if 0 <= index < len(self.locs) else f"item {index}"

    def error(self, index: int | None, problem: str) -> RefDataError:
        return RefDataError(problem, file=self.file, where=None if index is None else self.at(index))

    @classmethod
    def items(cls, file: str, n: int, label: str = "item") -> Src:
        return cls(file, tuple(f"{label} {i}" for i in range(n)))
