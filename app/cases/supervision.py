"""Supervision orders (督办单): a lead's written order to a unit about a case, with its own level, deadline,
the unit's written reply and the lead's acceptance or rejection of it.

An order is a record on the case (`Case.orders`), changed only by case actions, so it travels the one
command pipeline: queued offline, applied once, audited, in the feed. `app.cases.workflow` holds the rules
(who, from which status) and calls `apply` here for what an action does to the order.

- issue (shift lead): to a unit that can see the case (the case's unit or one above it: the one scope
  rule), so the unit can read and answer it; due at the given time or after the level's default limit.
- reply (a handler *of the addressed unit*): only while the order waits for a reply.
- accept / reject the reply (shift lead): only while a reply waits; a rejection (with a reason) sends the
  order back to the unit, with its deadline unchanged.
- overdue (the system, once per order and deadline): the server's sweep marks an order whose deadline
  passed without a reply, so every console alerts on it and the ledger says when it fell overdue.
Orders outlive the case's status: an order on a closed case stays open until its reply is accepted.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from app.cases.case import Case, SupervisionOrder
from app.cases.commands import (
    IssueOrderPayload,
    OrderDecisionPayload,
    OrderReplyPayload,
)
from app.platform import scope
from app.platform.enums import Action, OrderLevel, Role
from app.refdata import timelimits

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

ACTIONS = frozenset({Action.ISSUE_ORDER, Action.REPLY_ORDER, Action.ACCEPT_ORDER_REPLY,
                     Action.REJECT_ORDER_REPLY, Action.ORDER_OVERDUE})
OPEN, REPLIED, ACCEPTED = "open", "replied", "accepted"
# The default limit of an order without its own deadline: leader-level orders run on calendar time.
URGENT_MINUTES = 4 * 60
LEADER_MINUTES = 2 * 60


class Refused(Exception):
    """What an order action may not do; the workflow raises it as its WorkflowError (same code)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def default_limit(level: OrderLevel, refdata: RefData) -> timelimits.Limit:
    if level == OrderLevel.LEADER:
        return timelimits.Limit(LEADER_MINUTES, False)
    if level == OrderLevel.URGENT:
        return timelimits.Limit(URGENT_MINUTES, True)
    return timelimits.Limit(refdata.policy.calendar.minutes_per_day(), True)  # one working day


# ---- guards of the rule table (the case alone: which buttons to offer) ----------------------------------

def has_unit_guard(case: Case) -> str | None:
    return None if case.unit_id else "the case is with no unit an order could go to"


def awaiting_reply_guard(case: Case) -> str | None:
    return None if any(o.state == OPEN for o in case.orders) else "no supervision order waits for a reply"


def awaiting_decision_guard(case: Case) -> str | None:
    return None if any(o.state == REPLIED for o in case.orders) else "no order reply waits for a decision"


# ---- reading -------------------------------------------------------------------------------------------

def open_orders(case: Case) -> list[SupervisionOrder]:
    """Orders not accepted yet: waiting for the unit's reply or for the lead's decision."""
    return [o for o in case.orders if o.state != ACCEPTED]


def is_overdue(order: SupervisionOrder, now: datetime) -> bool:
    """Past its deadline with no reply (a reply waiting for the lead is the center's turn, not the unit's)."""
    return order.state == OPEN and now > order.due_at


def overdue_alert_due(order: SupervisionOrder, now: datetime) -> bool:
    """Overdue and not yet marked so for this deadline (the server's sweep marks it once)."""
    return is_overdue(order, now) and order.overdue_marked_at is None


def orders_for(case: Case, actor_role: Role, unit_id: str | None) -> list[SupervisionOrder]:
    """The orders this user acts on: a unit handler its own unit's waiting orders; the desk every open one."""
    if actor_role == Role.UNIT_HANDLER:
        return [o for o in case.orders if o.state == OPEN and o.unit_id == unit_id]
    return open_orders(case)


def counts(cases: Iterable[Case], now: datetime) -> dict[str, int]:
    """Open orders by what they wait for, and how many are overdue (the queue's header)."""
    out = {"open": 0, "replied": 0, "overdue": 0}
    for case in cases:
        for order in case.orders:
            if order.state == OPEN:
                out["open"] += 1
                out["overdue"] += is_overdue(order, now)
            elif order.state == REPLIED:
                out["replied"] += 1
    return out


# ---- applying ------------------------------------------------------------------------------------------

def _find(case: Case, order_id: UUID) -> SupervisionOrder:
    for order in case.orders:
        if order.id == order_id:
            return order
    raise Refused("no_such_order", f"case {case.display_number} has no supervision order {order_id}")


def _replace(case: Case, order: SupervisionOrder) -> tuple[SupervisionOrder, ...]:
    return tuple(order if o.id == order.id else o for o in case.orders)


def apply(case: Case, action: Action, payload: Any, actor_name: str, actor_role: Role, actor_unit: str | None,
          refdata: RefData, now: datetime, command_id: UUID) -> tuple[dict, dict]:
    """(changes to the case, extra event payload) of one order action; raises Refused."""
    if action == Action.ISSUE_ORDER:
        assert isinstance(payload, IssueOrderPayload)
        return _issue(case, payload, actor_name, refdata, now, command_id)
    if action == Action.ORDER_OVERDUE:
        order = _find(case, payload.order_id)
        if not is_overdue(order, now):
            raise Refused("precondition", f"order {order.number} of case {case.display_number} is not overdue")
        if order.overdue_marked_at is not None:
            raise Refused("precondition", f"order {order.number} of case {case.display_number} is already "
                                          f"marked overdue")
        order = order.model_copy(update={"overdue_marked_at": now})
        return {"orders": _replace(case, order)}, {"number": order.number, "unit_id": order.unit_id,
                                                   "due_at": order.due_at.isoformat()}
    order = _find(case, payload.order_id)
    extra = {"number": order.number, "unit_id": order.unit_id}
    if action == Action.REPLY_ORDER:
        assert isinstance(payload, OrderReplyPayload)
        if actor_unit != order.unit_id:
            raise Refused("wrong_unit", f"order {order.number} of case {case.display_number} is addressed to unit "
                                        f"'{order.unit_id}', not to unit '{actor_unit or 'none'}'")
        if order.state != OPEN:
            raise Refused("precondition", f"order {order.number} of case {case.display_number} is '{order.state}': "
                                          f"it does not wait for a reply")
        order = order.model_copy(update={"state": REPLIED, "reply": payload.text, "replied_by": actor_name,
                                         "replied_at": now})
        return {"orders": _replace(case, order)}, extra
    assert isinstance(payload, OrderDecisionPayload)
    if order.state != REPLIED:
        raise Refused("precondition", f"order {order.number} of case {case.display_number} is '{order.state}': "
                                      f"no reply waits for a decision")
    if action == Action.ACCEPT_ORDER_REPLY:
        order = order.model_copy(update={"state": ACCEPTED, "decided_by": actor_name, "decided_at": now})
    else:
        if not payload.reason.strip():
            raise Refused("invalid_payload", "payload.reason: a rejected reply needs a reason")
        # Back to the unit: the deadline stands, and an overdue order is marked overdue again if still late.
        order = order.model_copy(update={"state": OPEN, "rejections": order.rejections + 1,
                                         "rejection_reason": payload.reason, "decided_by": actor_name,
                                         "decided_at": now, "overdue_marked_at": None})
    return {"orders": _replace(case, order)}, extra


def _issue(case: Case, payload: IssueOrderPayload, actor_name: str, refdata: RefData, now: datetime,
           command_id: UUID) -> tuple[dict, dict]:
    if not refdata.has_unit(payload.unit_id):
        raise Refused("unknown_unit", f"unknown member unit '{payload.unit_id}'")
    if not scope.sees_case(case, Role.UNIT_HANDLER, payload.unit_id, refdata):
        raise Refused("unit_not_responsible",
                      f"unit '{payload.unit_id}' cannot see case {case.display_number} (it is with "
                      f"'{case.unit_id or 'no unit'}'): an order goes to the case's unit or a unit above it")
    if payload.due_at is not None:
        due = payload.due_at
        if due <= now:
            raise Refused("invalid_payload", f"payload.due_at: {due.isoformat()} is not in the future")
    else:
        due = timelimits.deadline(now, default_limit(payload.level, refdata), refdata.policy.calendar)
    order = SupervisionOrder(id=command_id, number=len(case.orders) + 1, level=payload.level,
                             unit_id=payload.unit_id, text=payload.text, issued_by=actor_name, issued_at=now,
                             due_at=due)
    return ({"orders": (*case.orders, order)},
            {"order_id": str(order.id), "number": order.number, "due_at": due.isoformat()})

