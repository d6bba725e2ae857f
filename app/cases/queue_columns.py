"""The queue's summaries as numpy columns, one slot per case, for the vectorised views, search and sorting
of the 100,000-row queue (`QueueColumns`; its views and search are `app.cases.queue_queries`), and
`load_columns`, which reads a cache into them.
"""
from __future__ import annotations

import sqlite3
from typing import Any, Callable, Iterable, Sequence
from uuid import UUID

import numpy as np

from app.cases import numbers
from app.cases.queue_codes import Codes
from app.cases.queue_queries import ColumnQueries
from app.cases.queue_rows import (
    NO_TIME,
    STATUS_ORDER,
    BatchPrep,
    RowBatch,
    from_us,
    utf8,
)
from app.cases.queue_slots import SlotIndex, Summaries
from app.cases.search import fold, fold_texts
from app.cases.summary import CaseSummary
from app.platform.enums import Priority, Source, Stage, Status

_STATUSES, _PRIORITIES, _SOURCES, _STAGES = list(Status), list(Priority), list(Source), list(Stage)
_SUSPENDED = STATUS_ORDER[Status.SUSPENDED]
_NO_DUE = np.inf

SORT_KEYS = ("number", "priority", "category", "grid", "status", "unit", "due", "source", "age", "pending")
_CODED_KEYS = {"category": "category", "grid": "grid", "unit": "unit"}  # sorted by the rank of their text


class QueueColumns(ColumnQueries):
    """The queue's summaries in slots, as numpy columns only (no Python object per case), for vectorised
    views, search and sorting.

    A slot is a row's place in storage; it never changes while the case is held (removal leaves a dead
    slot, reused by later additions), so other code may keep slots as stable row handles.
    `summaries[slot]` rebuilds a slot's CaseSummary; `slot_of` maps case ids to slots.

    Search text of a row: its number and provisional number, its category and grid (code, and with
    `names` (the reference data) both their names, matched once per distinct code), the free text set
    with `set_extra_text` (description, address, reporter), and, when given, `haystack(summary)`."""

    _NUMERIC = {"alive": bool, "status": np.int8, "priority": np.int8, "source": np.int8, "stage": np.int8,
                "due": np.float64, "due_us": np.int64, "created": np.int64, "updated": np.int64,
                "escalation": np.int32, "returns": np.int32, "pending": bool, "version": np.int64,
                "unit": np.int32, "category": np.int32, "grid": np.int32, "lat": np.float64, "lon": np.float64,
                "involved": bool, "has_text": bool}
    _STRINGS = ("ids", "number", "provisional")

    def __init__(self, haystack: Callable[[CaseSummary], str] | None = None, names: Any = None):
        self._haystack = haystack
        self._names = names
        self._cap = 0
        self._n = 0
        self._live = 0
        self._free: list[int] = []
        self._codes = {"unit": Codes("unit"), "category": Codes("category"), "grid": Codes("grid")}
        for name, dtype in self._NUMERIC.items():
            setattr(self, name, np.zeros(0, dtype))
        self.ids = np.zeros(0, "S36")
        self.number = np.zeros(0, "S1")       # UTF-8, b"" for none
        self.provisional = np.zeros(0, "S1")
        self._extra: list[bytes] = []      # folded free text per slot
        # joint cases only (a few): slot → ((co-handling unit, its task's state), …)
        self.co_units: dict[int, tuple[tuple[str, str], ...]] = {}
        self._custom: list[bytes] | None = [] if haystack is not None else None
        self.slot_of = SlotIndex(self)
        self.summaries = Summaries(self)

    def __len__(self) -> int:
        return self._live

    @property
    def size(self) -> int:
        """Slots in use or dead (the length of every column)."""
        return self._n

    @property
    def texts_indexed(self) -> int:
        """Live cases whose free text has been set."""
        n = self._n
        return int(np.count_nonzero(self.has_text[:n] & self.alive[:n]))

    def nbytes(self) -> int:
        """Bytes held by the columns and texts (for diagnostics)."""
        arrays = [getattr(self, name) for name in (*self._NUMERIC, *self._STRINGS)]
        return sum(a.nbytes for a in arrays) + sum(len(b) + 33 for b in self._extra)

    def _grow(self, need: int) -> None:
        if need <= self._cap:
            return
        self._resize(max(need, self._cap + self._cap // 4, 1024))  # a quarter more: 100k cases, ~25k spare

    def _resize(self, cap: int) -> None:
        for name in (*self._NUMERIC, *self._STRINGS):
            old = getattr(self, name)
            new = np.zeros(cap, old.dtype)
            keep = min(len(old), cap)
            new[:keep] = old[:keep]
            setattr(self, name, new)
        self._cap = cap

    def _set_strings(self, name: str, slots: np.ndarray, values: list[bytes] | np.ndarray) -> None:
        array = getattr(self, name)
        values = np.asarray(values, "S") if len(values) else np.zeros(0, "S1")
        if values.itemsize > array.itemsize:
            array = array.astype(f"S{max(values.itemsize, 2 * array.itemsize)}")
            setattr(self, name, array)
        array[slots] = values

    def codes(self, kind: str, values: Iterable[str]) -> np.ndarray:
        index = self._codes[kind].index
        return np.array([index[v] for v in values if v in index], np.int32)

    # ------------------------------------------------------------------ writing

    def put(self, s: CaseSummary) -> tuple[int, bool]:
        """Add or replace one summary; returns (slot, added)."""
        slots, added = self.put_batch(RowBatch.from_summaries([s]), [s])
        return int(slots[0]), bool(added[0])

    def put_many(self, summaries: Sequence[CaseSummary]) -> tuple[np.ndarray, np.ndarray]:
        summaries = list(summaries)
        return self.put_batch(RowBatch.from_summaries(summaries), summaries)

    def load_rows(self, chunks: Iterable[Sequence[tuple]], *, coded: bool = False) -> None:
        """Fill empty columns from raw summary rows, a chunk at a time (`LocalCache.summary_rows()`:
        unique ids, so no look-ups; the id index is sorted once at the end)."""
        if self._live or self._n:
            raise ValueError("load_rows fills empty columns only; use put_batch to update")
        convert = RowBatch.from_coded_rows if coded else RowBatch.from_rows
        for rows in chunks:
            self.put_batch(convert(rows), fresh=True)
        self._resize(self._n + max(1024, self._n // 50))  # no growth spare beyond a day's new cases
        self.slot_of.resort()

    def put_batch(self, b: RowBatch, summaries: Sequence[CaseSummary] | None = None, *,
                  fresh: bool = False, unique: bool = False, found: np.ndarray | None = None,
                  prep: BatchPrep | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Add or replace the batch's cases (a later duplicate id wins); returns (slots, added) arrays.
        `fresh`: the caller knows every id is new and unique (a bulk load; call `slot_of.resort()` after);
        `unique`: the caller knows each id is there once (`RowBatch.unique()`, done on a worker thread);
        `found`: with `unique`, the ids' current slots (`slot_of.find_many(b.ids)`), when the caller has them;
        `prep`: the batch's `prepare(b)`, done on that worker thread too."""
        if not (fresh or unique) and len(np.unique(b.ids)) != len(b.ids):  # keep the last of each id
            last = {bytes(k): i for i, k in enumerate(b.ids)}
            keep = sorted(last.values())
            b = b.take(keep)
            summaries = None if summaries is None else [summaries[i] for i in keep]
            prep = None
        if prep is not None and prep.size != len(b):
            prep = None
        if fresh:
            slots = np.full(len(b), -1, np.int64)
        elif unique and found is not None:
            slots = np.array(found, np.int64)
        else:
            slots = self.slot_of.find_many(b.ids)
        added = slots < 0
        if added.any():
            new_at = np.flatnonzero(added)
            reuse = min(len(self._free), len(new_at))
            taken = [self._free.pop() for _ in range(reuse)]
            start = self._n
            self._grow(start + len(new_at) - reuse)
            self._n = start + len(new_at) - reuse
            new_slots = np.concatenate([np.array(taken, np.int64), np.arange(start, self._n, dtype=np.int64)])
            slots[new_at] = new_slots
            grow = self._n - len(self._extra)
            if grow > 0:
                self._extra.extend([b""] * grow)
                if self._custom is not None:
                    self._custom.extend([b""] * grow)
            self.has_text[new_slots] = False
            self.involved[new_slots] = False
            self._live += len(new_at)
        self.summaries.forget(slots)
        self.alive[slots] = True
        self.ids[slots] = b.ids
        self.status[slots] = b.status
        self.priority[slots] = b.priority
        self.source[slots] = b.source
        self.stage[slots] = b.stage
        self.created[slots] = b.created
        self.updated[slots] = b.updated
        self.due_us[slots] = b.due
        ts = b.due / 1e6
        self.due[slots] = np.where(b.due == NO_TIME, _NO_DUE, np.where(b.status == _SUSPENDED, 1e15 + ts, ts))
        self.escalation[slots] = b.escalation
        self.returns[slots] = b.returns
        self.pending[slots] = b.pending
        self.version[slots] = b.version
        self.lat[slots] = b.lat
        self.lon[slots] = b.lon
        for kind, values in (("unit", b.unit), ("category", b.category), ("grid", b.grid)):
            getattr(self, kind)[slots] = (self._codes[kind].codes(values) if prep is None
                                          else self._codes[kind].codes_of(*prep.coded[kind]))
        self._set_strings("number", slots, utf8([v or "" for v in b.number]) if prep is None else prep.number)
        self._set_strings("provisional", slots,
                          utf8([v or "" for v in b.provisional]) if prep is None else prep.provisional)
        if not fresh:
            for slot in np.flatnonzero(added).tolist():
                self.slot_of.added(bytes(b.ids[slot]), int(slots[slot]))
        if self._custom is not None:
            haystack, custom = self._haystack, self._custom
            for k, slot in enumerate(slots.tolist()):
                s = summaries[k] if summaries is not None else self.summaries[slot]
                custom[slot] = fold(haystack(s)).encode()
        return slots, added

    def remove(self, case_id: UUID) -> int | None:
        key = SlotIndex.key(case_id)
        slot = self.slot_of.find(key)
        if slot is None:
            return None
        self.slot_of.dropped(key)
        self.summaries.forget([slot])
        self.alive[slot] = False
        self.involved[slot] = False
        self.has_text[slot] = False
        self.co_units.pop(slot, None)
        self._extra[slot] = b""
        if self._custom is not None:
            self._custom[slot] = b""
        self._free.append(slot)
        self._live -= 1
        return slot

    def set_extra_text(self, texts: dict[UUID, str]) -> None:
        """Free text the summaries lack (description, address…), by case id."""
        ids = list(texts)
        self.set_folded_text([self.slot_of.get(i) for i in ids], fold_texts(texts[i] for i in ids))

    def set_folded_text(self, slots: Sequence[int | None], folded: Sequence[bytes]) -> None:
        """`set_extra_text` with the folding done beforehand (`fold_texts`, on a worker thread)."""
        extra = self._extra
        if isinstance(slots, np.ndarray):
            slots = slots.tolist()  # Python ints: a numpy scalar as a list index costs several times more
        held = []
        for slot, text in zip(slots, folded):
            if slot is not None and slot >= 0:
                extra[slot] = text
                held.append(slot)
        self.has_text[held] = True

    def set_involved(self, slots: Sequence[int] | np.ndarray, value: bool = True) -> None:
        """Mark slots as "my cases" (history names the user) or not."""
        slots = np.asarray(slots, np.int64)
        self.involved[slots[slots >= 0]] = value

    def set_co_units(self, slots: Sequence[int] | np.ndarray, values: Sequence[tuple[tuple[str, str], ...]]) -> list[int]:
        """Set the co-handling units of slots (an empty tuple: not a joint case); returns the slots whose
        co-units changed, for the views to redraw."""
        changed = []
        for slot, value in zip(np.asarray(slots, np.int64).tolist(), values):
            if slot < 0 or self.co_units.get(slot, ()) == value:
                continue
            if value:
                self.co_units[slot] = value
            else:
                del self.co_units[slot]
            changed.append(slot)
        return changed

    def co_handled_by(self, unit_ids: Iterable[str]) -> list[int]:
        """Slots of joint cases where one of `unit_ids` has a co-handling task."""
        units = set(unit_ids)
        return [slot for slot, tasks in self.co_units.items() if any(unit in units for unit, _ in tasks)]

    def rebuild_text(self, haystack: Callable[[CaseSummary], str] | None = None, names: Any = None) -> None:
        """The names changed (language, reference data): match them anew; with `haystack`, recompute it."""
        if names is not None:
            self._names = names
        for codes in self._codes.values():
            codes.forget_names()
        if haystack is not None:
            self._haystack = haystack
            self._custom = [b""] * self._n
            for slot in np.flatnonzero(self.alive[:self._n]).tolist():
                self._custom[slot] = fold(haystack(self.summaries[slot])).encode()

    def _summary(self, slot: int) -> CaseSummary | None:
        if not self.alive[slot]:
            return None
        codes = self._codes
        stage = int(self.stage[slot])
        version = int(self.version[slot])
        return CaseSummary(
            UUID(self.ids[slot].decode()), self.number[slot].decode() or None,
            self.provisional[slot].decode() or None, _STATUSES[self.status[slot]], _PRIORITIES[self.priority[slot]],
            codes["category"].value(int(self.category[slot])), codes["unit"].value(int(self.unit[slot])),
            codes["grid"].value(int(self.grid[slot])), float(self.lat[slot]), float(self.lon[slot]),
            _SOURCES[self.source[slot]], from_us(self.created[slot]), from_us(self.updated[slot]),
            from_us(self.due_us[slot]), None if stage < 0 else _STAGES[stage], int(self.escalation[slot]),
            int(self.returns[slot]), bool(self.pending[slot]), None if version < 0 else version)

    def display_numbers(self, slots: np.ndarray | None = None) -> np.ndarray:
        """`CaseSummary.display_number` of slots (all, or the given ones) as UTF-8: the number, else the
        provisional number, else the first 8 characters of the id. Derived, not stored."""
        pick = (lambda a: a[:self._n]) if slots is None else (lambda a: a[np.asarray(slots, np.int64)])
        number, provisional = pick(self.number), pick(self.provisional)
        shown = np.where(number != b"", number, np.where(provisional != b"", provisional, pick(self.ids).astype("S8")))
        waiting = np.flatnonzero((number == b"") & (provisional != b""))  # not numbered yet: few, offline ones
        if waiting.size:  # `P·5C9C2A-1 (offline)` (app.cases.numbers)
            texts = [numbers.provisional_text(p.decode()).encode() for p in provisional[waiting].tolist()]
            shown = shown.astype(f"S{max(shown.dtype.itemsize, *map(len, texts))}")
            shown[waiting] = texts
        return shown

    def code_value(self, kind: str, slot: int) -> str | None:
        """A slot's unit id, category code or grid code."""
        return self._codes[kind].value(int(getattr(self, kind)[slot]))

    # ------------------------------------------------------------------ sorting

    def sort_keys(self, key: str) -> np.ndarray:
        """One sort key per slot for `key` (one of SORT_KEYS); texts compare by code point."""
        n = self._n
        if key == "number":
            return self.display_numbers()
        if key in _CODED_KEYS:
            return self._codes[key].rank()[getattr(self, key)[:n] + 1]
        if key == "age":
            return -self.created[:n]
        return self._numeric_key(key)[:n]

    def _numeric_key(self, key: str) -> np.ndarray:
        return {"priority": self.priority, "status": self.status, "due": self.due, "source": self.source,
                "pending": self.pending}[key]

    def key_of(self, key: str, slot: int):
        """The Python value of one slot's sort key, comparing exactly as `sort_keys` does."""
        if key == "number":
            return bytes(self.number[slot] or self.provisional[slot] or self.ids[slot][:8])
        if key in _CODED_KEYS:
            return int(self._codes[key].rank()[int(getattr(self, key)[slot]) + 1])
        if key == "age":
            return -int(self.created[slot])
        return self._numeric_key(key)[slot].item()

    def ordered(self, mask: np.ndarray, key: str, descending: bool = False) -> list[int]:
        """The slots where `mask` is true, sorted by (key, slot); reversed when descending."""
        return self.ordered_array(mask, key, descending).tolist()

    def ordered_array(self, mask: np.ndarray, key: str, descending: bool = False) -> np.ndarray:
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            return idx
        keys = self.sort_keys(key)[idx]
        order = idx[np.argsort(keys, kind="stable")]
        return order[::-1] if descending else order


def load_columns(cache: Any, names: Any = None) -> QueueColumns:
    """Every case of `cache` as QueueColumns (worker thread): from the coded summary rows when the cache
    offers them (`LocalCache.summary_rows`), from the plain rows if a row would not code, else from
    `cache.summaries()`."""
    rows = getattr(cache, "summary_rows", None)
    cols = QueueColumns(names=names)
    if not callable(rows):
        cols.put_many(cache.summaries())
        return cols
    together = getattr(cache, "summary_columns", None)
    if callable(together):
        try:
            cols.put_batch(RowBatch.from_columns(together()), fresh=True)
            cols._resize(cols.size + max(1024, cols.size // 50))
            cols.slot_of.resort()
            return cols
        except (ValueError, sqlite3.OperationalError):  # read row by row below
            cols = QueueColumns(names=names)
    try:
        cols.load_rows(rows(coded=True), coded=True)
    except (ValueError, sqlite3.OperationalError):  # a time in another form, or an SQLite before 3.38
        cols = QueueColumns(names=names)
        cols.load_rows(rows())
    return cols
