"""On site within the target (到场及时率): how often the crew or the inspector sent to a case got there in
time, from the `arrive` events of its history (`app.cases.arrival`).

on-site rate = trips whose target fell in the period and that arrived by it ÷ trips whose target fell in
the period. A trip is one dispatch of the case to a unit (also a reassignment, an owner decision, a failed
verification sending the crew back), or one verification or on-site check sent to an inspector; its
target is the trip's start + the category's `onsite_target_min` (15 minutes when the category sets none).
A trip ended before its target without anyone arriving (returned, reassigned, verified without a visit)
does not count; one still under way at its target counts as missed. Charged like the handling: a unit's
crew to that unit, an inspector's trip to the inspectors' post (no unit).

Facts (`kind` `onsite_due`, `at` = the target, `met`) join the other facts of `app.metrics.case_facts`, so
the server stores them in each command's transaction and the console counts them offline alike.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from app.platform.enums import Action
from app.platform.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from app.cases.case import Case
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

ONSITE_DUE = "onsite_due"
KINDS = (ONSITE_DUE,)
DEFAULT_TARGET_MIN = 15
FIGURE = ("onsite_rate", "rate", QT_TRANSLATE_NOOP("Metrics", "On site within target (到场及时率)"),
          QT_TRANSLATE_NOOP("Metrics", "trips to a case whose target fell in the period and that arrived by it ÷ "
                                       "trips whose target fell in the period; a trip starts with a dispatch (the "
                                       "unit's crew) or a verification or check sent (the inspector), its target "
                                       "is the start + the category's on-site minutes (15 by default); a trip ended "
                                       "before its target without an arrival is not counted"))
_UNIT_TRIPS = frozenset({Action.DISPATCH, Action.REASSIGN, Action.DECIDE_OWNER, Action.VERIFY_FAIL})
_INSPECTOR_TRIPS = frozenset({Action.SEND_VERIFY, Action.SEND_CHECK})
# events that end a trip without an arrival (the crew or the inspector no longer goes)
_UNIT_ENDS = frozenset({Action.RETURN, Action.REPORT_HANDLED, Action.SUSPEND, *_UNIT_TRIPS})
_INSPECTOR_ENDS = frozenset({Action.VERIFY_PASS, Action.VERIFY_FAIL, Action.CONFIRM_CHECK, *_INSPECTOR_TRIPS})


class OnsiteFact(NamedTuple):
    key: str
    kind: str
    unit_id: str | None
    at: datetime
    met: bool


def target(case: Case, refdata: RefData | None) -> timedelta:
    minutes = None
    if refdata is not None and refdata.has_category(case.category_code):
        minutes = refdata.category(case.category_code).onsite_target_min
    return timedelta(minutes=minutes or DEFAULT_TARGET_MIN)


def onsite_facts(case: Case, refdata: RefData | None) -> list[OnsiteFact]:
    """One fact per trip of the case (see the module docstring)."""
    limit = target(case, refdata)
    out: list[OnsiteFact] = []
    trips: dict[str, tuple[int, datetime, str | None]] = {}  # who -> (seq, start, unit)
    unit: str | None = case.unit_id
    for ev in case.events:
        a = ev.action
        if a in (Action.DISPATCH, Action.REASSIGN, Action.DECIDE_OWNER):
            unit = ev.payload.get("unit_id") or unit
        if a == Action.ARRIVE:
            who = ev.payload.get("who")
            if who in trips:
                seq, start, charged = trips.pop(who)
                out.append(OnsiteFact(f"os{seq}", ONSITE_DUE, charged, start + limit, ev.at <= start + limit))
            continue
        for who, ends in (("unit", _UNIT_ENDS), ("inspector", _INSPECTOR_ENDS)):
            if a in ends and who in trips:
                seq, start, charged = trips.pop(who)
                if ev.at >= start + limit:  # still on the way at the target: missed
                    out.append(OnsiteFact(f"os{seq}", ONSITE_DUE, charged, start + limit, False))
        if a in _UNIT_TRIPS:
            trips["unit"] = (ev.seq, ev.at, unit)
        elif a in _INSPECTOR_TRIPS:
            trips["inspector"] = (ev.seq, ev.at, None)
    for seq, start, charged in trips.values():  # under way: missed once the target passes
        out.append(OnsiteFact(f"os{seq}", ONSITE_DUE, charged, start + limit, False))
    return out
