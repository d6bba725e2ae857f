"""Arrival on site (到场): the case records when the person sent to it got there — the member unit's crew
for a dispatched case, the inspector for a verification or an on-site check.

Recorded by the `arrive` action of the one state machine: pressed by the unit handler or the inspector
(CLI/API), or taken by the system when their device comes within `ARRIVAL_RADIUS_M` of the case
(`server.avl.arrivals`). The status does not change; the event's `at` is the arrival time, its payload
says whose trip it ends (`who`: `unit` or `inspector`) and, from a device, which one. A trip is one per
dispatch (or reassignment, owner decision, failed verification sending the crew back) and one per
verification or check sent: a second arrival on the same trip is refused (`already_arrived`).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from app.cases.actors import Actor, WorkflowError
from app.cases.case import Case
from app.platform import scope
from app.platform.enums import Action, Role, Status

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

ARRIVAL_RADIUS_M = 100.0
UNIT, INSPECTOR = "unit", "inspector"
SOURCES = frozenset({Status.REPORTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.VERIFYING})
# the events that send someone to the case (a new trip)
UNIT_TRIPS = frozenset({Action.DISPATCH, Action.REASSIGN, Action.DECIDE_OWNER, Action.VERIFY_FAIL})
INSPECTOR_TRIPS = frozenset({Action.SEND_VERIFY, Action.SEND_CHECK})


def trip_of(case: Case) -> str | None:
    """Whose trip is under way on the case now: `unit`, `inspector`, or None (nobody is on the way)."""
    if case.status in (Status.DISPATCHED, Status.IN_PROGRESS):
        return UNIT
    if case.status == Status.VERIFYING:
        return INSPECTOR if case.verification != "passed" else None  # the verdict is in: nobody goes
    if case.status == Status.REPORTED and case.check is not None and case.check.result is None:
        return INSPECTOR
    return None


def traveller(case: Case) -> str | None:
    """The inspector on the way (verification or check), if that is the trip."""
    if trip_of(case) != INSPECTOR:
        return None
    return case.inspector if case.status == Status.VERIFYING else case.check.inspector if case.check else None


def trip_start(case: Case, who: str) -> datetime | None:
    """When the current trip of `who` began (the last event that sent them)."""
    kinds = UNIT_TRIPS if who == UNIT else INSPECTOR_TRIPS
    return next((ev.at for ev in reversed(case.events) if ev.action in kinds), None)


def arrived_at(case: Case, who: str | None = None) -> datetime | None:
    """The arrival time of the current trip (None: not arrived yet, or no trip)."""
    who = who or trip_of(case)
    if who is None:
        return None
    start = trip_start(case, who)
    for ev in reversed(case.events):
        if start is not None and ev.at < start:
            break
        if ev.action == Action.ARRIVE and ev.payload.get("who") == who:
            return ev.at
    return None


def guard(case: Case) -> str | None:
    who = trip_of(case)
    if who is None:
        return "nobody is on the way to the case"
    if arrived_at(case, who) is not None:
        return "the arrival on site is recorded already"
    return None


def _name(case: Case) -> str:
    return f"case {case.display_number} ({case.id}, '{case.status}')"


def actor_refusal(case: Case, action: Action, actor: Actor, refdata: RefData) -> WorkflowError | None:
    """A unit handler reports its crew's arrival on a dispatched case; an inspector their own arrival at
    the verification or check sent to them."""
    if action != Action.ARRIVE:
        return None
    who = trip_of(case)
    if actor.role == Role.UNIT_HANDLER and who == UNIT and not scope.sees(
            scope.visible_units(actor.role, actor.unit_id, refdata), case.unit_id or scope.NO_UNIT):
        return WorkflowError("wrong_unit", f"{actor.role} '{actor.username}' may not 'arrive' at {_name(case)}: "
                                           f"it is unit '{case.unit_id}''s to handle (a co-handling unit has its "
                                           f"own task)")
    if actor.role == Role.UNIT_HANDLER and who == INSPECTOR:
        return WorkflowError("wrong_trip", f"{actor.role} '{actor.username}' may not 'arrive' at {_name(case)}: "
                                           f"an inspector is on the way, not the unit's crew")
    if actor.role == Role.INSPECTOR:
        if who == UNIT:
            return WorkflowError("wrong_trip", f"inspector '{actor.username}' may not 'arrive' at {_name(case)}: "
                                               f"the unit's crew is on the way, not an inspector")
        sent_to = traveller(case)
        if sent_to is not None and sent_to != actor.username:
            return WorkflowError("wrong_inspector", f"inspector '{actor.username}' may not 'arrive' at "
                                                    f"{_name(case)}: it was sent to '{sent_to}'")
    return None


def event_payload(case: Case, payload, actor: Actor) -> dict:
    """The arrive event's payload: whose trip, and from which device (the system's detection)."""
    out = {"who": trip_of(case)}
    if payload.device_id is not None:
        out |= {"device_id": payload.device_id, "distance_m": payload.distance_m}
    return out
