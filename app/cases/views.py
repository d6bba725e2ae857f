"""What the case queue shows, without Qt: saved views, free-text matching, stage countdowns, duplicate
detection for the hotline form, and a columnar copy of the queue rows for fast filtering and sorting.

Every rule has a per-summary form (`in_view`, `matches_text`) that states it plainly and a vectorised
form over `QueueColumns` (`view_mask`, `QueueColumns.text_mask`) that the 100,000-row queue uses; the
tests check that the two agree.
"""
from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, Callable, Iterable, Iterator, Sequence
from uuid import UUID

import numpy as np

from app.cases.summary import CaseSummary
from app.cases.case import Case
from app.platform.enums import TERMINAL_STATUSES, Priority, Source, Stage, Status
from app.platform.geo import haversine_m
from app.platform.i18n import QT_TRANSLATE_NOOP, translate

# ---------------------------------------------------------------------------------------------- views


class View(StrEnum):
    ALL_ACTIVE = "all_active"
    TO_REGISTER = "to_register"
    TO_DISPATCH = "to_dispatch"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    RETURNED = "returned"
    AWAITING_VERIFICATION = "awaiting_verification"
    MINE = "mine"
    EMERGENCY = "emergency"
    ALL = "all"


_VIEW_TEXT = {  # (name, the rule in words: shown as a tooltip so a lead can check the count)
    View.ALL_ACTIVE: (QT_TRANSLATE_NOOP("CaseViews", "All active"),
                      QT_TRANSLATE_NOOP("CaseViews", "Every case that is neither closed nor voided")),
    View.TO_REGISTER: (QT_TRANSLATE_NOOP("CaseViews", "To register"),
                       QT_TRANSLATE_NOOP("CaseViews", "Status reported: awaiting registration or voiding")),
    View.TO_DISPATCH: (QT_TRANSLATE_NOOP("CaseViews", "To dispatch"),
                       QT_TRANSLATE_NOOP("CaseViews", "Status registered or returned")),
    View.OVERDUE: (QT_TRANSLATE_NOOP("CaseViews", "Overdue"),
                   QT_TRANSLATE_NOOP("CaseViews", "Active, not suspended, and the current stage's deadline "
                                                  "has passed")),
    View.ESCALATED: (QT_TRANSLATE_NOOP("CaseViews", "Escalated"),
                     QT_TRANSLATE_NOOP("CaseViews", "Active with escalation level 1 or higher")),
    View.RETURNED: (QT_TRANSLATE_NOOP("CaseViews", "Returned"),
                    QT_TRANSLATE_NOOP("CaseViews", "Status returned: a unit sent it back")),
    View.AWAITING_VERIFICATION: (QT_TRANSLATE_NOOP("CaseViews", "Awaiting verification"),
                                 QT_TRANSLATE_NOOP("CaseViews", "Status handled or verifying")),
    View.MINE: (QT_TRANSLATE_NOOP("CaseViews", "My cases"),
                QT_TRANSLATE_NOOP("CaseViews", "Active cases whose history names me (unit handlers: cases "
                                               "of my unit and its sub-units)")),
    View.EMERGENCY: (QT_TRANSLATE_NOOP("CaseViews", "Emergency"),
                     QT_TRANSLATE_NOOP("CaseViews", "Active urgent cases and cases in an emergency category "
                                                    "(shown in emergency mode)")),
    View.ALL: (QT_TRANSLATE_NOOP("CaseViews", "All cases"),
               QT_TRANSLATE_NOOP("CaseViews", "Every case in the cache, closed and voided included")),
}


def view_name(view: View) -> str:
    return translate("CaseViews", _VIEW_TEXT[view][0])


def view_rule(view: View) -> str:
    return translate("CaseViews", _VIEW_TEXT[view][1])


def views_for(emergency_mode: bool) -> list[View]:
    """The saved views in display order; the emergency view only while emergency mode is on."""
    return [v for v in View if v != View.EMERGENCY or emergency_mode]


@dataclass(frozen=True)
class ViewContext:
    """What the time- and user-dependent views need."""

    now: datetime
    unit_ids: frozenset[str] = frozenset()   # a unit handler's unit and its sub-units; empty for others
    involved: frozenset[UUID] = frozenset()  # cases whose history names the user (see `involves`);
    # QueueColumns also keeps this as its `involved` column, so the queue passes none here
    emergency_codes: frozenset[str] = frozenset()


def in_view(view: View, s: CaseSummary, ctx: ViewContext) -> bool:
    """The rule of each saved view, one summary at a time (the reference for `view_mask`)."""
    if view == View.ALL:
        return True
    active = s.status not in TERMINAL_STATUSES
    if view == View.ALL_ACTIVE:
        return active
    if view == View.TO_REGISTER:
        return s.status == Status.REPORTED
    if view == View.TO_DISPATCH:
        return s.status in (Status.REGISTERED, Status.RETURNED)
    if view == View.OVERDUE:
        return active and s.status != Status.SUSPENDED and s.due_at is not None and s.due_at < ctx.now
    if view == View.ESCALATED:
        return active and s.escalation_level > 0
    if view == View.RETURNED:
        return s.status == Status.RETURNED
    if view == View.AWAITING_VERIFICATION:
        return s.status in (Status.HANDLED, Status.VERIFYING)
    if view == View.MINE:
        if ctx.unit_ids:
            return active and s.unit_id in ctx.unit_ids
        return active and s.id in ctx.involved
    if view == View.EMERGENCY:  # 平急转换: emergency categories and every urgent case
        return active and (s.category_code in ctx.emergency_codes or s.priority == Priority.URGENT)
    raise ValueError(f"unknown view {view!r}")


def involves(case: Case, username: str) -> bool:
    """Whether `username` acted on the case or was sent to verify it ("my cases")."""
    return case.inspector == username or any(e.actor == username for e in case.events)


# ---------------------------------------------------------------------------------------------- text


def fold(text: str | None) -> str:
    """Case-insensitive, width-insensitive form used for searching (full-width digits match ASCII)."""
    if not text:
        return ""
    return text.casefold().translate(_FULL_WIDTH)


_FULL_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}


def query_tokens(query: str) -> list[str]:
    return fold(query).split()


def matches_text(query: str | list[str], *fields: str | None) -> bool:
    """Every whitespace-separated token of the query occurs in one of the fields (case-insensitive)."""
    tokens = query_tokens(query) if isinstance(query, str) else query
    if not tokens:
        return True
    hay = "\x1f".join(fold(f) for f in fields if f)
    return all(t in hay for t in tokens)


def case_text(case: Case) -> str:
    """The searchable free text of a full case that its summary lacks: description, address, reporter."""
    return "\x1f".join(x for x in (case.description, case.location.address, case.reporter_name,
                                   case.reporter_phone) if x)


# ---------------------------------------------------------------------------------------------- countdown


class Level(StrEnum):
    NONE = "none"          # no running deadline (closed, voided)
    PAUSED = "paused"      # suspended: the clock is stopped
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    OVERDUE = "overdue"


AMBER_FRACTION = 0.5    # amber once half of the stage's time is used up
RED_FRACTION = 0.2      # red in the last fifth
AMBER_SECONDS = 2 * 3600  # without a known stage length: amber under 2 hours,
RED_SECONDS = 30 * 60     # red under 30 minutes


@dataclass(frozen=True)
class Countdown:
    seconds_left: int | None  # negative when overdue; None without a deadline
    level: Level


def countdown(due_at: datetime | None, now: datetime, *, total_seconds: float | None = None,
              left: timedelta | None = None, paused: bool = False) -> Countdown:
    """Time left on the current stage and its colour.

    `left` overrides `due_at - now` (e.g. the working time left for a working-time limit); overdue is
    always `now > due_at`. With `total_seconds` (the stage's whole limit) the level is amber at or below
    AMBER_FRACTION of it and red at or below RED_FRACTION; without it, AMBER_SECONDS and RED_SECONDS."""
    if due_at is None:
        return Countdown(None, Level.NONE)
    seconds = (left if left is not None else due_at - now).total_seconds()
    if paused:
        return Countdown(int(seconds), Level.PAUSED)
    if now > due_at:
        return Countdown(min(int(math.floor(seconds)), 0), Level.OVERDUE)
    if total_seconds and total_seconds > 0:
        amber, red = AMBER_FRACTION * total_seconds, RED_FRACTION * total_seconds
    else:
        amber, red = AMBER_SECONDS, RED_SECONDS
    level = Level.RED if seconds <= red else Level.AMBER if seconds <= amber else Level.GREEN
    return Countdown(int(seconds), level)


# ---------------------------------------------------------------------------------------------- duplicates

DUPLICATE_RADIUS_M = 200.0
DUPLICATE_WINDOW = timedelta(hours=72)


@dataclass(frozen=True)
class Duplicate:
    summary: CaseSummary
    distance_m: float


def find_duplicates(summaries: Iterable[CaseSummary], category_code: str, lat: float, lon: float,
                    now: datetime, *, radius_m: float = DUPLICATE_RADIUS_M,
                    window: timedelta = DUPLICATE_WINDOW) -> list[Duplicate]:
    """Likely duplicates of a new report: same category, within `radius_m`, reported in the last
    `window`, neither closed nor voided; nearest first."""
    since = now - window
    # ~1.1e5 m per degree of latitude; a cheap box test first, haversine only for what is near.
    dlat = radius_m / 110_000 * 1.5
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    found = []
    for s in summaries:
        if (s.category_code != category_code or s.status in TERMINAL_STATUSES or s.created_at < since
                or abs(s.lat - lat) > dlat or abs(s.lon - lon) > dlon):
            continue
        d = haversine_m(lat, lon, s.lat, s.lon)
        if d <= radius_m:
            found.append(Duplicate(s, d))
    found.sort(key=lambda d: (d.distance_m, -d.summary.created_at.timestamp()))
    return found


# ---------------------------------------------------------------------------------------------- columns

STATUS_ORDER = {s: i for i, s in enumerate(Status)}
PRIORITY_ORDER = {p: i for i, p in enumerate(Priority)}
SOURCE_ORDER = {s: i for i, s in enumerate(Source)}
STAGE_ORDER = {s: i for i, s in enumerate(Stage)}
_STATUSES, _PRIORITIES, _SOURCES, _STAGES = list(Status), list(Priority), list(Source), list(Stage)
_ACTIVE_LUT = np.array([s not in TERMINAL_STATUSES for s in Status])
ACTIVE_BY_STATUS = _ACTIVE_LUT  # indexed by a status column: whether that status is active
_SUSPENDED = STATUS_ORDER[Status.SUSPENDED]
_NO_DUE = np.inf
NO_TIME = np.iinfo(np.int64).min  # a missing timestamp in the microsecond columns (numpy's NaT)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = timedelta(microseconds=1)
EPOCH, MICROSECOND = _EPOCH, _US  # the microsecond columns count from EPOCH

SORT_KEYS = ("number", "priority", "category", "grid", "status", "unit", "due", "source", "age", "pending")
_CODED_KEYS = {"category": "category", "grid": "grid", "unit": "unit"}  # sorted by the rank of their text


def _us(value: datetime | None) -> int:
    """Microseconds since the epoch, exactly (a float timestamp loses the last digits)."""
    return NO_TIME if value is None else (value - _EPOCH) // _US


def _from_us(value: int) -> datetime | None:
    return None if value == NO_TIME else _EPOCH + timedelta(microseconds=int(value))


def _stored_times_us(values: Sequence[str | None]) -> np.ndarray:
    """The cache's fixed-width UTC texts ("2026-11-23T02:00:00.000000+00:00") as microseconds, parsed by
    numpy in one call; anything in another form goes through datetime.fromisoformat."""
    if {v[26:] for v in values if v is not None} <= {"+00:00"} and {len(v) for v in values if v} <= {32}:
        return np.array([v[:26] if v else "NaT" for v in values], dtype="datetime64[us]").astype(np.int64)
    return np.array([NO_TIME if v is None else _us(datetime.fromisoformat(v)) for v in values], np.int64)


class _Codes:
    """A small table of the distinct texts of one column (categories, units, grids): a code per text,
    the texts' sort ranks, and which codes a search token matches (code, Chinese and English name)."""

    def __init__(self, kind: str):
        self.kind = kind
        self.values: list[str] = []
        self.index: dict[str | None, int] = {None: -1}
        self._rank: np.ndarray | None = None
        self._folded: list[str] | None = None

    def codes(self, values: Sequence[str | None]) -> list[int]:
        get = self.index.get
        out = [get(v, -2) for v in values]
        if -2 in out:  # texts not seen before
            out = [self.code(v) for v in values]
        return out

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


class _SlotIndex:
    """Case id → slot over the `ids` column, without a Python object per case: a sorted copy of the ids
    (binary search) plus a dict of the ids added since it was sorted. Behaves as a read-only mapping."""

    RESORT = 4096

    def __init__(self, cols: QueueColumns):
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

    def find_many(self, keys: np.ndarray) -> np.ndarray:
        """Slots of `keys` (an S36 array); -1 where absent."""
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


class _Summaries:
    """`cols.summaries[slot]`: the CaseSummary of a slot (None for a dead one), rebuilt from the columns
    on demand; the few thousand last asked for (the rows on screen) are kept."""

    KEEP = 8192

    def __init__(self, cols: QueueColumns):
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

    def forget(self, slots: Iterable[int]) -> None:
        kept = self._kept
        for slot in slots:
            kept.pop(int(slot), None)


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
            return np.array(row[i].split(","), dtype) if row[i] else np.zeros(0, dtype)

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
                   np.array([_us(x.created_at) for x in s], np.int64),
                   np.array([_us(x.updated_at) for x in s], np.int64),
                   np.array([_us(x.due_at) for x in s], np.int64),
                   np.array([x.escalation_level for x in s], np.int32),
                   np.array([x.return_count for x in s], np.int32), np.array([x.pending for x in s], bool),
                   np.array([-1 if x.server_version is None else x.server_version for x in s], np.int64))


def fold_texts(texts: Iterable[str]) -> list[bytes]:
    """Free texts in the form `QueueColumns` searches them (folded, UTF-8); for worker threads."""
    return [fold(t).encode() for t in texts]


class QueueColumns:
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
        self._codes = {"unit": _Codes("unit"), "category": _Codes("category"), "grid": _Codes("grid")}
        for name, dtype in self._NUMERIC.items():
            setattr(self, name, np.zeros(0, dtype))
        self.ids = np.zeros(0, "S36")
        self.number = np.zeros(0, "S1")       # UTF-8, b"" for none
        self.provisional = np.zeros(0, "S1")
        self._extra: list[bytes] = []      # folded free text per slot
        self._custom: list[bytes] | None = [] if haystack is not None else None
        self.slot_of = _SlotIndex(self)
        self.summaries = _Summaries(self)

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
                  fresh: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Add or replace the batch's cases (a later duplicate id wins); returns (slots, added) arrays.
        `fresh`: the caller knows every id is new and unique (a bulk load; call `slot_of.resort()` after)."""
        if not fresh and len(np.unique(b.ids)) != len(b.ids):  # keep the last of each id
            last = {bytes(k): i for i, k in enumerate(b.ids)}
            keep = sorted(last.values())
            b = b.take(keep)
            summaries = None if summaries is None else [summaries[i] for i in keep]
        slots = np.full(len(b), -1, np.int64) if fresh else self.slot_of.find_many(b.ids)
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
        self.summaries.forget(slots.tolist())
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
            getattr(self, kind)[slots] = self._codes[kind].codes(values)
        self._set_strings("number", slots, [(v or "").encode() for v in b.number])
        self._set_strings("provisional", slots, [(v or "").encode() for v in b.provisional])
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
        key = _SlotIndex.key(case_id)
        slot = self.slot_of.find(key)
        if slot is None:
            return None
        self.slot_of.dropped(key)
        self.summaries.forget([slot])
        self.alive[slot] = False
        self.involved[slot] = False
        self.has_text[slot] = False
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
        for slot, text in zip(slots, folded):
            if slot is not None and slot >= 0:
                extra[slot] = text
                self.has_text[slot] = True

    def set_involved(self, slots: Sequence[int] | np.ndarray, value: bool = True) -> None:
        """Mark slots as "my cases" (history names the user) or not."""
        slots = np.asarray(slots, np.int64)
        self.involved[slots[slots >= 0]] = value

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
            _SOURCES[self.source[slot]], _from_us(self.created[slot]), _from_us(self.updated[slot]),
            _from_us(self.due_us[slot]), None if stage < 0 else _STAGES[stage], int(self.escalation[slot]),
            int(self.returns[slot]), bool(self.pending[slot]), None if version < 0 else version)

    def display_numbers(self, slots: np.ndarray | None = None) -> np.ndarray:
        """`CaseSummary.display_number` of slots (all, or the given ones) as UTF-8: the number, else the
        provisional number, else the first 8 characters of the id. Derived, not stored."""
        pick = (lambda a: a[:self._n]) if slots is None else (lambda a: a[np.asarray(slots, np.int64)])
        number, provisional = pick(self.number), pick(self.provisional)
        return np.where(number != b"", number, np.where(provisional != b"", provisional, pick(self.ids).astype("S8")))

    def code_value(self, kind: str, slot: int) -> str | None:
        """A slot's unit id, category code or grid code."""
        return self._codes[kind].value(int(getattr(self, kind)[slot]))

    # ------------------------------------------------------------------ vectorised queries

    def view_mask(self, view: View, ctx: ViewContext, slots: np.ndarray | None = None) -> np.ndarray:
        """Which slots (all, or the given ones) the view shows."""
        pick = (lambda a: a[:self._n]) if slots is None else (lambda a: a[np.asarray(slots, np.int64)])
        alive = pick(self.alive)
        status = pick(self.status)
        if view == View.ALL:
            return alive.copy()
        active = alive & _ACTIVE_LUT[status]
        if view == View.ALL_ACTIVE:
            return active
        if view == View.TO_REGISTER:
            return alive & (status == STATUS_ORDER[Status.REPORTED])
        if view == View.TO_DISPATCH:
            return alive & ((status == STATUS_ORDER[Status.REGISTERED]) | (status == STATUS_ORDER[Status.RETURNED]))
        if view == View.OVERDUE:
            return active & (status != _SUSPENDED) & (pick(self.due) < ctx.now.timestamp())
        if view == View.ESCALATED:
            return active & (pick(self.escalation) > 0)
        if view == View.RETURNED:
            return alive & (status == STATUS_ORDER[Status.RETURNED])
        if view == View.AWAITING_VERIFICATION:
            return alive & ((status == STATUS_ORDER[Status.HANDLED]) | (status == STATUS_ORDER[Status.VERIFYING]))
        if view == View.MINE:
            if ctx.unit_ids:
                return active & np.isin(pick(self.unit), self.codes("unit", ctx.unit_ids))
            mine = self.involved[:self._n].copy()  # the "involved" column, plus any ids the context names
            if ctx.involved:
                found = [self.slot_of.get(i) for i in ctx.involved]
                mine[[s for s in found if s is not None]] = True
            return active & (mine if slots is None else mine[np.asarray(slots, np.int64)])
        if view == View.EMERGENCY:
            return active & (np.isin(pick(self.category), self.codes("category", ctx.emergency_codes))
                             | (pick(self.priority) == PRIORITY_ORDER[Priority.URGENT]))
        raise ValueError(f"unknown view {view!r}")

    def _token_hits(self, token: str, slots: np.ndarray | None, candidates: np.ndarray | None) -> np.ndarray:
        """Which of `slots` (None: every slot) hold `token` somewhere; the free text (a Python scan) is only
        looked at where `candidates` (a mask over the same rows) is still true."""
        tb = token.encode()
        pick = (lambda a: a[:self._n]) if slots is None else (lambda a: a[slots])
        # numbers are ASCII (the server's and the console's provisional ones): lower() is their fold()
        hits = np.strings.find(np.strings.lower(self.display_numbers(slots)), tb) >= 0
        provisional = pick(self.provisional)
        has = provisional != b""
        if has.any():
            hits[has] |= np.strings.find(np.strings.lower(provisional[has]), tb) >= 0
        for kind in ("category", "grid"):
            matching = self._codes[kind].matching(token, self._names)
            if len(matching):
                hits |= np.isin(pick(getattr(self, kind)), matching)
        rest = ~hits if candidates is None else candidates & ~hits
        for texts, held in ((self._custom, None), (self._extra, pick(self.has_text))):
            if texts is None:
                continue
            where = np.flatnonzero(rest if held is None else rest & held)  # free text only where there is some
            if not len(where):
                continue
            if slots is None:
                found = [i for i in where.tolist() if tb in texts[i]]
            else:
                found = [k for k, slot in zip(where.tolist(), slots[where].tolist()) if tb in texts[slot]]
            hits[found] = True
            rest[found] = False
        return hits

    def text_mask(self, query: str) -> np.ndarray | None:
        """Rows whose text holds every token of `query`; None for an empty query (everything matches)."""
        tokens = query_tokens(query)
        if not tokens:
            return None
        mask = None
        for token in tokens:  # narrow down: later tokens scan free text only where the row still matches
            hits = self._token_hits(token, None, mask)
            mask = hits if mask is None else mask & hits
        return mask

    def text_matches(self, tokens: list[str], slots: np.ndarray) -> np.ndarray:
        """`text_mask` for the given slots only (a sync batch's rows)."""
        slots = np.asarray(slots, np.int64)
        mask = np.ones(len(slots), bool)
        for token in tokens:
            mask &= self._token_hits(token, slots, mask)
        return mask

    def row_text(self, slot: int) -> str:
        """The searchable text held for one slot (diagnostics)."""
        parts = [self.display_numbers([slot])[0], self.provisional[slot], self._extra[slot]] + (
            [self._custom[slot]] if self._custom else [])
        return "\x1f".join(p.decode() for p in parts if p)

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


def _take(value, keep: list[int]):
    return value[keep] if isinstance(value, np.ndarray) else [value[i] for i in keep]


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
