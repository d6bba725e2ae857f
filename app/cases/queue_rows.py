"""How the queue columns code a case summary (enum positions, times as integer microseconds since EPOCH),
and `RowBatch`: summaries as column arrays, ready for `QueueColumns.put_batch`.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import Sequence

import numpy as np

from app.cases.summary import CaseSummary
from app.platform.enums import TERMINAL_STATUSES, Priority, Source, Stage, Status

STATUS_ORDER = {s: i for i, s in enumerate(Status)}
PRIORITY_ORDER = {p: i for i, p in enumerate(Priority)}
SOURCE_ORDER = {s: i for i, s in enumerate(Source)}
STAGE_ORDER = {s: i for i, s in enumerate(Stage)}
# indexed by a status column: whether that status is active
ACTIVE_BY_STATUS = np.array([s not in TERMINAL_STATUSES for s in Status])
NO_TIME = np.iinfo(np.int64).min  # a missing timestamp in the microsecond columns (numpy's NaT)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # the microsecond columns count from EPOCH
MICROSECOND = timedelta(microseconds=1)


def to_us(value: datetime | None) -> int:
    """Microseconds since the epoch, exactly (a float timestamp loses the last digits)."""
    return NO_TIME if value is None else (value - EPOCH) // MICROSECOND


def from_us(value: int) -> datetime | None:
    return None if value == NO_TIME else EPOCH + timedelta(microseconds=int(value))


def _stored_times_us(values: Sequence[str | None]) -> np.ndarray:
    """The cache's fixed-width UTC texts ("2026-11-23T02:00:00.000000+00:00") as microseconds, parsed by
    numpy in one call; anything in another form goes through datetime.fromisoformat."""
    if {v[26:] for v in values if v is not None} <= {"+00:00"} and {len(v) for v in values if v} <= {32}:
        return np.array([v[:26] if v else "NaT" for v in values], dtype="datetime64[us]").astype(np.int64)
    return np.array([NO_TIME if v is None else to_us(datetime.fromisoformat(v)) for v in values], np.int64)


@dataclass
class RowBatch:
    """Summaries as column arrays, ready for `QueueColumns.put_batch` (built on a worker thread from the
    cache's raw summary rows, so the GUI thread only assigns arrays)."""

    ids: np.ndarray              # S36
    number: list[str | None]
    provisional: list[str | None]
    status: np.ndarray
    priority: np.ndarray
    source: np.ndarray
    stage: np.ndarray
    category: list[str]
    unit: list[str | None]
    grid: list[str | None]
    lat: np.ndarray
    lon: np.ndarray
    created: np.ndarray          # microseconds
    updated: np.ndarray
    due: np.ndarray              # microseconds, NO_TIME for none
    escalation: np.ndarray
    returns: np.ndarray
    pending: np.ndarray
    version: np.ndarray          # -1 for none

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, keep: list[int]) -> RowBatch:
        return RowBatch(*(_take(getattr(self, f.name), keep) for f in fields(RowBatch)))

    def unique(self) -> RowBatch:
        """The batch with each id once, the last of each winning (as `QueueColumns.put_batch` keeps it)."""
        if len(np.unique(self.ids)) == len(self.ids):
            return self
        last = {bytes(k): i for i, k in enumerate(self.ids)}
        return self.take(sorted(last.values()))

    @classmethod
    def from_rows(cls, rows: Sequence[tuple]) -> RowBatch:
        """From raw rows in `app.cache.case_rows.SUMMARY_COLUMNS` order (`LocalCache.summary_rows`)."""
        if not rows:
            return cls.from_summaries([])
        (ids, number, provisional, status, priority, category, unit, grid, lat, lon, source, created, updated,
         due, stage, escalation, returns, pending, version) = zip(*rows)
        # StrEnum keys: the module's orders find a row's plain text values as they are
        status_code, priority_code, source_code, stage_code = STATUS_ORDER, PRIORITY_ORDER, SOURCE_ORDER, STAGE_ORDER
        return cls(np.array(ids, "S36"), list(number), list(provisional),
                   np.array([status_code[v] for v in status], np.int8),
                   np.array([priority_code[v] for v in priority], np.int8),
                   np.array([source_code[v] for v in source], np.int8),
                   np.array([-1 if v is None else stage_code[v] for v in stage], np.int8),
                   list(category), list(unit), list(grid), np.array(lat, np.float64), np.array(lon, np.float64),
                   _stored_times_us(created), _stored_times_us(updated), _stored_times_us(due),
                   np.array(escalation, np.int32), np.array(returns, np.int32), np.array(pending, bool),
                   np.array([-1 if v is None else v for v in version], np.int64))

    @classmethod
    def from_coded_rows(cls, rows: Sequence[tuple]) -> RowBatch:
        """From `LocalCache.summary_rows(coded=True)` rows (enum positions, integer microseconds).
        Raises ValueError for a row the SQL could not code (a time in another form, an unknown value)."""
        if not rows:
            return cls.from_summaries([])
        (ids, number, provisional, status, priority, category, unit, grid, lat, lon, source, created, updated,
         due, stage, escalation, returns, pending, version) = zip(*rows)
        times = [np.array(created, np.int64), np.array(updated, np.int64),
                 np.array([NO_TIME if v is None else v for v in due], np.int64)]
        if any(np.any(t == -1) for t in times) or None in status or None in priority or None in source:
            raise ValueError("a summary row the SQL could not code")
        return cls(np.array(ids, "S36"), list(number), list(provisional), np.array(status, np.int8),
                   np.array(priority, np.int8), np.array(source, np.int8),
                   np.array([-1 if v is None else v for v in stage], np.int8), list(category), list(unit),
                   list(grid), np.array(lat, np.float64), np.array(lon, np.float64), *times,
                   np.array(escalation, np.int32), np.array(returns, np.int32), np.array(pending, bool),
                   np.array([-1 if v is None else v for v in version], np.int64))

    @classmethod
    def from_columns(cls, row: tuple) -> RowBatch:
        """From `LocalCache.summary_columns()`: one row of per-column concatenations. Raises ValueError
        when a column does not hold one value per case (a value the SQL could not code)."""
        if not row or not row[0]:
            return cls.from_summaries([])
        n = row[0]
        ids = np.frombuffer(row[1].encode("ascii"), "S36")

        def texts(i: int, none: bool = True) -> list:
            values = row[i].split("\x1f")
            return [v or None for v in values] if none else values

        def numbers(i: int, dtype) -> np.ndarray:
            text = row[i]
            if not text:
                return np.zeros(0, dtype)
            if np.dtype(dtype).kind == "f":
                return np.array(text.split(","), dtype)
            # integers: parsed in C, once the text is known to hold n items (100,000 str objects otherwise)
            if text.count(",") != n - 1 or ",," in text or text[0] == "," or text[-1] == ",":
                raise ValueError("a summary column the SQL could not code")
            return np.fromstring(text, dtype=np.int64, sep=",").astype(dtype, copy=False)

        batch = cls(ids, texts(2), texts(3), numbers(4, np.int8), numbers(5, np.int8), numbers(11, np.int8),
                    numbers(15, np.int8), texts(6, none=False), texts(7), texts(8), numbers(9, np.float64),
                    numbers(10, np.float64), numbers(12, np.int64), numbers(13, np.int64), numbers(14, np.int64),
                    numbers(16, np.int32), numbers(17, np.int32), numbers(18, np.int64).astype(bool),
                    numbers(19, np.int64))
        if any(len(getattr(batch, f.name)) != n for f in fields(cls)):
            raise ValueError("a summary column the SQL could not code")
        if np.any(batch.created == -1) or np.any(batch.updated == -1) or np.any(batch.due == -1):
            raise ValueError("a time the SQL could not code")
        return batch

    @classmethod
    def from_summaries(cls, summaries: Sequence[CaseSummary]) -> RowBatch:
        s = list(summaries)
        return cls(np.array([str(x.id) for x in s], "S36"), [x.number for x in s],
                   [x.provisional_number for x in s], np.array([STATUS_ORDER[x.status] for x in s], np.int8),
                   np.array([PRIORITY_ORDER[x.priority] for x in s], np.int8),
                   np.array([SOURCE_ORDER[x.source] for x in s], np.int8),
                   np.array([-1 if x.stage is None else STAGE_ORDER[x.stage] for x in s], np.int8),
                   [x.category_code for x in s], [x.unit_id for x in s], [x.grid_code for x in s],
                   np.array([x.lat for x in s], np.float64), np.array([x.lon for x in s], np.float64),
                   np.array([to_us(x.created_at) for x in s], np.int64),
                   np.array([to_us(x.updated_at) for x in s], np.int64),
                   np.array([to_us(x.due_at) for x in s], np.int64),
                   np.array([x.escalation_level for x in s], np.int32),
                   np.array([x.return_count for x in s], np.int32), np.array([x.pending for x in s], bool),
                   np.array([-1 if x.server_version is None else x.server_version for x in s], np.int64))


@dataclass
class BatchPrep:
    """What `QueueColumns.put_batch` would otherwise work out per case on the GUI thread, done beforehand
    on the worker that read the batch: the numbers as UTF-8 arrays, and each coded column (unit, category,
    grid) as its distinct texts plus every case's index into them (a handful of texts for 1,000 cases)."""

    size: int
    number: np.ndarray
    provisional: np.ndarray
    coded: dict[str, tuple[list, np.ndarray]]


def _distinct(values: Sequence) -> tuple[list, np.ndarray]:
    index: dict = {}
    at = [index.setdefault(v, len(index)) for v in values]
    return list(index), np.array(at, np.int64)


def prepare(batch: RowBatch) -> BatchPrep:
    """`BatchPrep` of a batch whose ids are each there once (`RowBatch.unique()`); worker thread."""
    return BatchPrep(len(batch), utf8([v or "" for v in batch.number]),
                     utf8([v or "" for v in batch.provisional]),
                     {kind: _distinct(getattr(batch, kind)) for kind in ("unit", "category", "grid")})


def utf8(texts: Sequence[str]) -> np.ndarray:
    """Texts as a numpy bytes array (b"" for none), as the columns store them."""
    return np.array([t.encode() for t in texts], "S") if len(texts) else np.zeros(0, "S1")


def _take(value, keep: list[int]):
    return value[keep] if isinstance(value, np.ndarray) else [value[i] for i in keep]
