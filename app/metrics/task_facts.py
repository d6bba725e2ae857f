"""The metric facts of the tasks inside a case: each co-handling unit's own task on a joint case, and the
on-site check before registration (`app.cases.joint`, `app.cases.onsite`).

A co-unit's task counts in that unit's figures exactly like a lead's handling does: its dispatch (the
desk adding it) in "dispatched", its return in "returns", its handled report in "handled" (with the time
from its dispatch) and its own deadline in the on-time handling rate — met when reported handled by it;
a task returned or removed before it was handled falls due for nobody. City-wide figures count the
co-tasks too (a handling report is a handling report).

The on-site check belongs to the intake post (受理): the case stays reported while the inspector goes, so
the report → register time already includes it; the check's own time (sent → confirmed) is its own
figure, "time_to_check", with the checks confirmed in the period as its count.

`app.metrics.figures` calls `case_task_facts` from `case_facts` and lists `FIGURES` after its own.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.platform.enums import Action
from app.platform.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from app.cases.case import Case

log = logging.getLogger(__name__)

CHECK = "check"  # an on-site check confirmed (seconds: sent → confirmed), the intake post's
# (key, kind, label, formula) of the figures this module adds, in the order they follow the others
FIGURES = (
    ("time_to_check", "duration", QT_TRANSLATE_NOOP("Metrics", "On-site check (核实)"),
     QT_TRANSLATE_NOOP("Metrics", "elapsed time from sending a reported case to an inspector for an on-site check "
                                  "to the inspector's confirmation, checks confirmed in the period (part of the "
                                  "report → register time, the intake post's)")),
)
DURATION_FIGURE_KIND = {"time_to_check": CHECK}

# (key, kind, unit, at, seconds, met) -> the caller's Fact
MakeFact = Callable[[str, str, "str | None", "datetime | None", "float | None", "bool | None"], Any]


@dataclass
class _CoRound:
    key: str
    unit_id: str
    start: datetime
    due: datetime | None
    done_at: datetime | None = None
    counted: bool = True  # False: returned or removed before it was handled


def _time(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            return None
        return dt if dt.tzinfo is not None else None
    return None


def case_task_facts(case: Case, make: MakeFact, kinds: dict[str, str]) -> list:
    """The facts of `case`'s co-tasks and on-site checks. `kinds`: the figures module's fact kinds
    (`dispatch`, `handled`, `return`, `handle_due`) by those names."""
    facts: list = []
    rounds: dict[str, _CoRound] = {}
    done: list[_CoRound] = []
    for ev in case.events:
        a, at, unit = ev.action, ev.at, ev.payload.get("unit_id")
        if a == Action.ADD_CO_UNIT and isinstance(unit, str):
            facts.append(make(f"j{ev.seq}", kinds["dispatch"], unit, at, None, None))
            rounds[unit] = _CoRound(f"k{ev.seq}", unit, at, _time(ev.payload.get("due_at")))
        elif a == Action.CO_RETURN and isinstance(unit, str):
            facts.append(make(f"j{ev.seq}", kinds["return"], unit, at, None, None))
            if (r := rounds.pop(unit, None)) is not None:
                r.counted = False
        elif a == Action.REMOVE_CO_UNIT and isinstance(unit, str):
            r = rounds.pop(unit, None)
            if r is not None and r.done_at is not None:
                done.append(r)  # handled before it was removed: its deadline still counts
        elif a == Action.CO_HANDLED and isinstance(unit, str) and (r := rounds.get(unit)) is not None:
            r.done_at = at
            facts.append(make(f"j{ev.seq}", kinds["handled"], unit, at, (at - r.start).total_seconds(), None))
        elif a == Action.CONFIRM_CHECK:
            sent = _time(ev.payload.get("sent_at"))
            facts.append(make(f"j{ev.seq}", CHECK, None, at, (at - sent).total_seconds() if sent else None, None))
    current = {t.unit_id: t.due_at for t in case.co_tasks}  # as moved by suspensions since it was given
    for r in rounds.values():
        r.due = current.get(r.unit_id, r.due)
    for r in [*done, *rounds.values()]:
        if r.counted and r.due is not None:
            facts.append(make(r.key, kinds["handle_due"], r.unit_id, r.due, None,
                              r.done_at is not None and r.done_at <= r.due))
    return facts
