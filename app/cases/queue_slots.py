"""Two read-only views over the slots of `QueueColumns`: `SlotIndex` (case id → slot) and `Summaries`
(slot → CaseSummary, rebuilt on demand)."""
from __future__ import annotations

from typing import Iterable, Iterator, Protocol
from uuid import UUID

import numpy as np

from app.cases.summary import CaseSummary


class _Columns(Protocol):
    """What the two views read of `QueueColumns` (a protocol, so this module need not import the one that
    builds them)."""

    alive: np.ndarray
    ids: np.ndarray
    _live: int

    @property
    def size(self) -> int: ...

    def _summary(self, slot: int) -> CaseSummary | None: ...


class SlotIndex:
    """Case id → slot over the `ids` column, without a Python object per case: a sorted copy of the ids
    (binary search) plus a dict of the ids added since it was sorted. Behaves as a read-only mapping."""

    RESORT = 4096

    def __init__(self, cols: _Columns):
        self._cols = cols
        self._sorted = np.zeros(0, "S36")
        self._slots = np.zeros(0, np.int32)
        self._recent: dict[bytes, int] = {}

    @staticmethod
    def key(case_id: UUID | str) -> bytes:
        return str(case_id).encode()

    def find(self, key: bytes) -> int | None:
        slot = self._recent.get(key)
        if slot is not None:
            return slot
        i = int(np.searchsorted(self._sorted, key))
        if i < len(self._sorted) and self._sorted[i] == key:
            slot = int(self._slots[i])
            cols = self._cols
            if cols.alive[slot] and cols.ids[slot] == key:  # a reused slot holds another id now
                return slot
        return None

    def find_many(self, keys: np.ndarray, hint: np.ndarray | None = None) -> np.ndarray:
        """Slots of `keys` (an S36 array); -1 where absent. `hint`: the slots a worker thread found for them
        earlier (`hint_many`); those still holding their id are taken as they are, the rest looked up."""
        if hint is not None and len(hint) == len(keys):
            cols = self._cols
            hint = np.asarray(hint, np.int64)
            out = np.where((hint >= 0) & (hint < cols.size), hint, 0)
            held = (hint >= 0) & (hint < cols.size) & cols.alive[out] & (cols.ids[out] == keys)
            out[~held] = -1
            redo = np.flatnonzero(~held)
            if len(redo):  # new cases (absent when read), or slots that moved since: few
                out[redo] = self.find_many(keys[redo])
            return out
        out = np.full(len(keys), -1, np.int64)
        if len(self._sorted) and len(keys):
            pos = np.minimum(np.searchsorted(self._sorted, keys), len(self._sorted) - 1)
            slots = self._slots[pos].astype(np.int64)
            cols = self._cols
            ok = (self._sorted[pos] == keys) & cols.alive[slots] & (cols.ids[slots] == keys)
            out[ok] = slots[ok]
        if self._recent:
            for i in np.flatnonzero(out < 0).tolist():
                out[i] = self._recent.get(bytes(keys[i]), -1)
        return out

    def hint_many(self, keys: np.ndarray) -> np.ndarray | None:
        """`find_many` from a worker thread, while the GUI thread may be changing the columns: a guess for
        `find_many(keys, hint)` to check (None when the columns changed under it)."""
        try:
            return self.find_many(keys)
        except (IndexError, ValueError, RuntimeError):  # arrays replaced between two reads
            return None

    def added(self, key: bytes, slot: int) -> None:
        self._recent[key] = slot
        if len(self._recent) > self.RESORT:
            self.resort()

    def dropped(self, key: bytes) -> None:
        self._recent.pop(key, None)  # a sorted entry stays; `find` checks the slot still holds the id

    def resort(self) -> None:
        cols = self._cols
        live = np.flatnonzero(cols.alive[:cols.size])
        ids = cols.ids[live]
        order = np.argsort(ids, kind="stable")
        self._sorted, self._slots = ids[order], live[order].astype(np.int32)
        self._recent = {}

    # the mapping interface (tests and callers that think of it as a dict)
    def get(self, case_id, default=None):
        slot = self.find(self.key(case_id))
        return default if slot is None else slot

    def __getitem__(self, case_id) -> int:
        slot = self.find(self.key(case_id))
        if slot is None:
            raise KeyError(case_id)
        return slot

    def __contains__(self, case_id) -> bool:
        return self.find(self.key(case_id)) is not None

    def __len__(self) -> int:
        return self._cols._live

    def __iter__(self) -> Iterator[UUID]:
        cols = self._cols
        for slot in np.flatnonzero(cols.alive[:cols.size]).tolist():
            yield UUID(cols.ids[slot].decode())


class Summaries:
    """`cols.summaries[slot]`: the CaseSummary of a slot (None for a dead one), rebuilt from the columns
    on demand; the few thousand last asked for (the rows on screen) are kept."""

    KEEP = 8192

    def __init__(self, cols: _Columns):
        self._cols = cols
        self._kept: dict[int, CaseSummary] = {}

    def __len__(self) -> int:
        return self._cols.size

    def __getitem__(self, slot) -> CaseSummary | None:
        slot = int(slot)
        s = self._kept.get(slot)
        if s is None:
            if not 0 <= slot < self._cols.size:
                raise IndexError(slot)
            s = self._cols._summary(slot)
            if s is None:
                return None
            if len(self._kept) >= self.KEEP:
                self._kept.clear()
            self._kept[slot] = s
        return s

    def __iter__(self) -> Iterator[CaseSummary | None]:
        for slot in range(self._cols.size):
            yield self[slot]

    def forget(self, slots: Iterable[int] | np.ndarray) -> None:
        kept = self._kept
        if not kept:
            return
        slots = slots.tolist() if isinstance(slots, np.ndarray) else [int(s) for s in slots]
        for slot in kept.keys() & set(slots):  # a batch's 1,000 slots, of which few are on screen
            del kept[slot]
