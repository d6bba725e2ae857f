"""The queue's vectorised queries over its columns (`ColumnQueries`, part of `app.cases.queue_columns.QueueColumns`):
which slots a saved view shows, and which hold every token of a search. They read the columns only, never a
Python object per case, so a 100,000-row queue filters in one pass."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import numpy as np

from app.cases.queue_rows import ACTIVE_BY_STATUS, PRIORITY_ORDER, STATUS_ORDER
from app.cases.saved_views import View, ViewContext
from app.cases.search import query_tokens
from app.platform.enums import Priority, Status

if TYPE_CHECKING:
    from app.cases.queue_columns import QueueColumns

_SUSPENDED = STATUS_ORDER[Status.SUSPENDED]


class Picked:
    """The columns of some slots (or of all) for the views, each picked the first time a view reads it."""

    def __init__(self, cols: QueueColumns, slots: np.ndarray | None):
        self.cols = cols
        self.slots = None if slots is None else np.asarray(slots, np.int64)
        n = cols.size
        self.pick = (lambda a: a[:n]) if slots is None else (lambda a: a[self.slots])

    def __getattr__(self, name: str) -> np.ndarray:  # only for the names not picked yet
        if name == "active":
            value = self.alive & ACTIVE_BY_STATUS[self.status]
        else:
            value = self.pick(getattr(self.cols, name))
        setattr(self, name, value)
        return value


class ColumnQueries:
    """`QueueColumns`' views and search. Uses its columns, codes and text stores only."""

    def view_mask(self: QueueColumns, view: View, ctx: ViewContext, slots: np.ndarray | None = None) -> np.ndarray:
        """Which slots (all, or the given ones) the view shows."""
        return self._view_mask(view, ctx, Picked(self, slots))

    def picked(self: QueueColumns, slots: np.ndarray) -> Picked:
        """The columns of `slots`, each picked once when first read (for `view_counts` and more)."""
        return Picked(self, slots)

    def view_counts(self: QueueColumns, views: Iterable[View], ctx: ViewContext,
                    slots: np.ndarray | Picked) -> dict[View, int]:
        """How many of `slots` each view shows (a batch's share of the counts): each column picked once for
        all the views."""
        picked = slots if isinstance(slots, Picked) else Picked(self, slots)
        return {v: int(np.count_nonzero(self._view_mask(v, ctx, picked))) for v in views}

    def _view_mask(self: QueueColumns, view: View, ctx: ViewContext, picked: Picked) -> np.ndarray:
        slots = picked.slots
        alive = picked.alive
        status = picked.status
        if view == View.ALL:
            return alive.copy()
        active = picked.active
        if view == View.ALL_ACTIVE:
            return active.copy()
        if view == View.TO_REGISTER:
            return alive & (status == STATUS_ORDER[Status.REPORTED])
        if view == View.TO_DISPATCH:
            return alive & ((status == STATUS_ORDER[Status.REGISTERED]) | (status == STATUS_ORDER[Status.RETURNED]))
        if view == View.OVERDUE:
            return active & (status != _SUSPENDED) & (picked.due < ctx.now.timestamp())
        if view == View.ESCALATED:
            return active & (picked.escalation > 0)
        if view == View.RETURNED:
            return alive & (status == STATUS_ORDER[Status.RETURNED])
        if view == View.AWAITING_VERIFICATION:
            return alive & ((status == STATUS_ORDER[Status.HANDLED]) | (status == STATUS_ORDER[Status.VERIFYING]))
        if view == View.MINE:
            if ctx.unit_ids:
                # a unit's cases: those it leads, and the joint cases it co-handles (its own task)
                ours = np.isin(picked.unit, self.codes("unit", ctx.unit_ids))
                co = self.co_handled_by(ctx.unit_ids)
                if co:
                    if slots is None:
                        ours[co] = True
                    else:
                        ours |= np.isin(slots, co)
                return active & ours
            mine = picked.involved  # the "involved" column, plus any ids the context names
            if ctx.involved:
                found = [s for s in (self.slot_of.get(i) for i in ctx.involved) if s is not None]
                if slots is None:
                    mine = mine.copy()
                    mine[found] = True
                else:
                    mine = mine | np.isin(slots, found)
            return active & mine
        if view == View.EMERGENCY:
            return active & (np.isin(picked.category, self.codes("category", ctx.emergency_codes))
                             | (picked.priority == PRIORITY_ORDER[Priority.URGENT]))
        raise ValueError(f"unknown view {view!r}")

    def _token_hits(self: QueueColumns, token: str, slots: np.ndarray | None, candidates: np.ndarray | None) -> np.ndarray:
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

    def text_mask(self: QueueColumns, query: str) -> np.ndarray | None:
        """Rows whose text holds every token of `query`; None for an empty query (everything matches)."""
        tokens = query_tokens(query)
        if not tokens:
            return None
        mask = None
        for token in tokens:  # narrow down: later tokens scan free text only where the row still matches
            hits = self._token_hits(token, None, mask)
            mask = hits if mask is None else mask & hits
        return mask

    def text_matches(self: QueueColumns, tokens: list[str], slots: np.ndarray) -> np.ndarray:
        """`text_mask` for the given slots only (a sync batch's rows)."""
        slots = np.asarray(slots, np.int64)
        mask = np.ones(len(slots), bool)
        for token in tokens:
            mask &= self._token_hits(token, slots, mask)
        return mask

    def row_text(self: QueueColumns, slot: int) -> str:
        """The searchable text held for one slot (diagnostics)."""
        parts = [self.display_numbers([slot])[0], self.provisional[slot], self._extra[slot]] + (
            [self._custom[slot]] if self._custom else [])
        return "\x1f".join(p.decode() for p in parts if p)
