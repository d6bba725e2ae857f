"""What the case queue shows, without Qt: saved views, free-text matching, stage countdowns, duplicate
detection for the hotline form, and a columnar copy of the queue rows for fast filtering and sorting.

Every rule has a per-summary form (`in_view`, `matches_text`) that states it plainly and a vectorised
form over `QueueColumns` (`view_mask`, `QueueColumns.text_mask`) that the 100,000-row queue uses; the
tests check that the two agree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Callable, Iterable
from uuid import UUID

import numpy as np

from app.cache.models import CaseSummary
from app.case import Case
from app.enums import TERMINAL_STATUSES, Priority, Source, Status
from app.geo import haversine_m
from app.i18n import QT_TRANSLATE_NOOP, translate

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
    involved: frozenset[UUID] = frozenset()  # cases whose history names the user (see `involves`)
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
_ACTIVE_LUT = np.array([s not in TERMINAL_STATUSES for s in Status])
_SUSPENDED = STATUS_ORDER[Status.SUSPENDED]
_NO_DUE = np.inf

SORT_KEYS = ("number", "priority", "category", "grid", "status", "unit", "due", "source", "age", "pending")
_STRING_KEYS = {"number", "category", "grid", "unit"}


class QueueColumns:
    """The queue's summaries in slots, with numpy columns for vectorised views and sorting.

    A slot is a row's place in storage; it never changes while the case is held (removal leaves a dead
    slot, reused by later additions), so other code may keep slots as stable row handles."""

    def __init__(self, haystack: Callable[[CaseSummary], str] | None = None):
        self._haystack = haystack or (lambda s: s.display_number)
        self.summaries: list[CaseSummary | None] = []
        self.slot_of: dict[UUID, int] = {}
        self.extra_text: dict[UUID, str] = {}
        self._hay: list[str] = []
        self._free: list[int] = []
        self._cap = 0
        self._n = 0
        self._ids: dict[str, dict[str, int]] = {"unit": {}, "category": {}}
        self.alive = np.zeros(0, bool)
        self.status = np.zeros(0, np.int8)
        self.priority = np.zeros(0, np.int8)
        self.source = np.zeros(0, np.int8)
        self.due = np.zeros(0, np.float64)
        self.created = np.zeros(0, np.float64)
        self.escalation = np.zeros(0, np.int32)
        self.pending = np.zeros(0, bool)
        self.unit = np.zeros(0, np.int32)
        self.category = np.zeros(0, np.int32)
        self._str: dict[str, list[str]] = {key: [] for key in _STRING_KEYS}  # string sort keys per slot
        self._strings: dict[str, np.ndarray] = {}  # the same as numpy arrays, built when first sorted

    _NUMERIC = ("alive", "status", "priority", "source", "due", "created", "escalation", "pending", "unit",
                "category")

    def __len__(self) -> int:
        return len(self.slot_of)

    @property
    def size(self) -> int:
        """Slots in use or dead (the length of every column)."""
        return self._n

    def _grow(self, need: int) -> None:
        if need <= self._cap:
            return
        cap = max(need, 2 * self._cap, 1024)
        for name in self._NUMERIC:
            old = getattr(self, name)
            new = np.zeros(cap, old.dtype)
            new[:len(old)] = old
            setattr(self, name, new)
        self._cap = cap

    def _code(self, kind: str, value: str | None) -> int:
        if value is None:
            return -1
        table = self._ids[kind]
        code = table.get(value)
        if code is None:
            code = table[value] = len(table)
        return code

    def codes(self, kind: str, values: Iterable[str]) -> np.ndarray:
        table = self._ids[kind]
        return np.array([table[v] for v in values if v in table], np.int32)

    def put(self, s: CaseSummary) -> tuple[int, bool]:
        """Add or replace a summary; returns (slot, added)."""
        slot = self.slot_of.get(s.id)
        added = slot is None
        if added:
            if self._free:
                slot = self._free.pop()
            else:
                slot = self._n
                self._grow(slot + 1)
                self._n += 1
                self.summaries.append(None)
                self._hay.append("")
                for values in self._str.values():
                    values.append("")
                self._strings.clear()
            self.slot_of[s.id] = slot
        self.summaries[slot] = s
        self.alive[slot] = True
        self.status[slot] = STATUS_ORDER[s.status]
        self.priority[slot] = PRIORITY_ORDER[s.priority]
        self.source[slot] = SOURCE_ORDER[s.source]
        if s.due_at is None:
            self.due[slot] = _NO_DUE
        elif s.status == Status.SUSPENDED:
            self.due[slot] = 1e15 + s.due_at.timestamp()  # clock stopped: after every running deadline
        else:
            self.due[slot] = s.due_at.timestamp()
        self.created[slot] = s.created_at.timestamp()
        self.escalation[slot] = s.escalation_level
        self.pending[slot] = s.pending
        self.unit[slot] = self._code("unit", s.unit_id)
        self.category[slot] = self._code("category", s.category_code)
        self._hay[slot] = self._row_text(s)
        for key, values in self._str.items():
            self._set_string(key, values, slot, self._string_key(key, s))
        return slot, added

    def _set_string(self, key: str, values: list[str], slot: int, value: str) -> None:
        if values[slot] == value:
            return
        values[slot] = value
        cached = self._strings.get(key)
        if cached is not None:
            if len(value) <= cached.itemsize // 4:
                cached[slot] = value
            else:  # wider than the array's strings: rebuild when next sorted
                del self._strings[key]

    def remove(self, case_id: UUID) -> int | None:
        slot = self.slot_of.pop(case_id, None)
        if slot is None:
            return None
        self.summaries[slot] = None
        self.alive[slot] = False
        self._hay[slot] = ""
        for key, values in self._str.items():
            self._set_string(key, values, slot, "")
        self.extra_text.pop(case_id, None)
        self._free.append(slot)
        return slot

    def set_extra_text(self, texts: dict[UUID, str]) -> None:
        """Free text the summaries lack (description, address…), by case id."""
        for case_id, text in texts.items():
            self.extra_text[case_id] = text
            slot = self.slot_of.get(case_id)
            if slot is not None:
                self._hay[slot] = self._row_text(self.summaries[slot])  # type: ignore[arg-type]

    def rebuild_text(self, haystack: Callable[[CaseSummary], str] | None = None) -> None:
        """Recompute every row's search text (e.g. after a language or reference data change)."""
        if haystack is not None:
            self._haystack = haystack
        for slot, s in enumerate(self.summaries):
            if s is not None:
                self._hay[slot] = self._row_text(s)

    def _row_text(self, s: CaseSummary) -> str:
        extra = self.extra_text.get(s.id, "")
        return fold(f"{self._haystack(s)}\x1f{extra}")

    # ------------------------------------------------------------------ vectorised queries

    def view_mask(self, view: View, ctx: ViewContext) -> np.ndarray:
        n = self._n
        alive = self.alive[:n]
        status = self.status[:n]
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
            return active & (status != _SUSPENDED) & (self.due[:n] < ctx.now.timestamp())
        if view == View.ESCALATED:
            return active & (self.escalation[:n] > 0)
        if view == View.RETURNED:
            return alive & (status == STATUS_ORDER[Status.RETURNED])
        if view == View.AWAITING_VERIFICATION:
            return alive & ((status == STATUS_ORDER[Status.HANDLED]) | (status == STATUS_ORDER[Status.VERIFYING]))
        if view == View.MINE:
            if ctx.unit_ids:
                return active & np.isin(self.unit[:n], self.codes("unit", ctx.unit_ids))
            mine = np.zeros(n, bool)
            slots = [self.slot_of[i] for i in ctx.involved if i in self.slot_of]
            mine[slots] = True
            return active & mine
        if view == View.EMERGENCY:
            return active & (np.isin(self.category[:n], self.codes("category", ctx.emergency_codes))
                             | (self.priority[:n] == PRIORITY_ORDER[Priority.URGENT]))
        raise ValueError(f"unknown view {view!r}")

    def text_mask(self, query: str) -> np.ndarray | None:
        """Rows whose text holds every token of `query`; None for an empty query (everything matches)."""
        tokens = query_tokens(query)
        if not tokens:
            return None
        hay = self._hay
        first = tokens[0]
        hits = [i for i, h in enumerate(hay) if first in h]
        for t in tokens[1:]:  # narrow down: later tokens only look at rows that still match
            hits = [i for i in hits if t in hay[i]]
        mask = np.zeros(self._n, bool)
        mask[hits] = True
        return mask

    def row_text(self, slot: int) -> str:
        return self._hay[slot]

    # ------------------------------------------------------------------ sorting

    def sort_keys(self, key: str) -> np.ndarray:
        """One sort key per slot for `key` (one of SORT_KEYS); strings compare by code point."""
        n = self._n
        if key in _STRING_KEYS:
            cached = self._strings.get(key)
            if cached is None or len(cached) != n:
                cached = np.array(self._str[key] or [""], dtype=str)[:n]
                self._strings[key] = cached
            return cached
        if key == "age":
            return -self.created[:n]
        return self._numeric_key(key)[:n]

    def _numeric_key(self, key: str) -> np.ndarray:
        return {"priority": self.priority, "status": self.status, "due": self.due, "source": self.source,
                "pending": self.pending}[key]

    @staticmethod
    def _string_key(key: str, s: CaseSummary | None) -> str:
        if s is None:
            return ""
        if key == "number":
            return s.display_number
        if key == "category":
            return s.category_code
        if key == "grid":
            return s.grid_code or ""
        return s.unit_id or ""

    def key_of(self, key: str, slot: int):
        """The Python value of one slot's sort key, comparing exactly as `sort_keys` does."""
        if key in _STRING_KEYS:
            return self._str[key][slot]
        if key == "age":
            return -float(self.created[slot])
        return self._numeric_key(key)[slot].item()

    def ordered(self, mask: np.ndarray, key: str, descending: bool = False) -> list[int]:
        """The slots where `mask` is true, sorted by (key, slot); reversed when descending."""
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            return []
        keys = self.sort_keys(key)[idx]
        order = idx[np.argsort(keys, kind="stable")]
        if descending:
            order = order[::-1]
        return order.tolist()
