"""The distinct texts of one queue column (category codes, unit ids, grid codes) as small integer codes."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from app.cases.search import fold


class Codes:
    """A small table of the distinct texts of one column (categories, units, grids): a code per text,
    the texts' sort ranks, and which codes a search token matches (code, Chinese and English name)."""

    def __init__(self, kind: str):
        self.kind = kind
        self.values: list[str] = []
        self.index: dict[str | None, int] = {None: -1}
        self._rank: np.ndarray | None = None
        self._folded: list[str] | None = None

    def codes(self, values: Sequence[str | None]) -> list[int]:
        index = self.index
        if not index.keys() >= set(values):  # texts not seen before (every one, at the first load): few distinct
            for value in dict.fromkeys(values):  # in order of first appearance
                if value not in index:
                    self.code(value)
        return list(map(index.__getitem__, values))

    def codes_of(self, distinct: Sequence[str | None], at: np.ndarray) -> np.ndarray:
        """`codes` of values given as their distinct texts and each value's index into them
        (`app.cases.queue_rows.BatchPrep`): only the few distinct texts are looked up."""
        return np.array(self.codes(distinct), np.int32)[at] if len(at) else np.zeros(0, np.int32)

    def code(self, value: str | None) -> int:
        if value is None:
            return -1
        code = self.index.get(value)
        if code is None:
            code = self.index[value] = len(self.values)
            self.values.append(value)
            self._rank = self._folded = None
        return code

    def value(self, code: int) -> str | None:
        return None if code < 0 else self.values[code]

    def rank(self) -> np.ndarray:
        """rank[code + 1] = the text's place in code-point order (code -1, no value, ranks first as "")."""
        if self._rank is None:
            rank = np.empty(len(self.values) + 1, np.int32)
            rank[0] = -1
            rank[1 + np.argsort(np.array(self.values or [""], dtype=str)[:len(self.values)], kind="stable")] = \
                np.arange(len(self.values), dtype=np.int32)
            self._rank = rank
        return self._rank

    def forget_names(self) -> None:
        self._folded = None

    def matching(self, token: str, names: Any) -> np.ndarray:
        """Codes whose text (the code itself and, with reference data, both names) holds `token`."""
        if self._folded is None:
            folded = []
            for value in self.values:
                parts = [value]
                if names is not None:
                    try:
                        item = getattr(names, self.kind)(value)
                        parts += [item.name, item.name_en]
                    except Exception:  # not in the reference data (old data, another city): the code only
                        pass
                folded.append(fold("\x1f".join(p for p in parts if p)))
            self._folded = folded
        return np.array([i for i, text in enumerate(self._folded) if token in text], np.int32)
