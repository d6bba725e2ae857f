"""The demo city's follow-up work: shift leads issue supervision orders (督办) on slow cases, units reply,
leads accept or reject the replies; colleagues call reporters back after closure (回访), some reporters are
dissatisfied and a lead reopens some of those. Through the same command path as everything else.

Part of the work is left to the human at the console: orders addressed to units and callbacks of about a
third of the closed citizen cases stay open, so the console's queues have something to do (and to go
overdue) from the first minute.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.cases import callbacks, supervision, workflow
from app.cases.case import Case
from app.cases.commands import CommandResult
from app.platform.enums import (
    CITIZEN_SOURCES,
    Action,
    OrderLevel,
    Role,
    Satisfaction,
    Status,
)
from db.cases import CaseRow
from server.cases.supervision import cases_with_orders

if TYPE_CHECKING:
    from server.demo.city import CitySimulator

log = logging.getLogger(__name__)

ORDER_CHANCE = 0.05           # of a step on a dispatched or in-progress case: a lead orders the unit instead
_LEVELS = [(OrderLevel.ORDINARY, 60), (OrderLevel.URGENT, 30), (OrderLevel.LEADER, 10)]
_ANSWERS = [(Satisfaction.SATISFIED, 60), (Satisfaction.BASICALLY_SATISFIED, 22), (Satisfaction.DISSATISFIED, 18)]
_ORDER_TEXTS = ["请于今日内反馈处置进展", "市民多次来电，请加快处置", "请说明超期原因并明确完成时限"]
_REPLIES = ["已安排人员到场处置，预计今日完成", "材料已到位，明日上午完成", "已与相关单位协调，正在处置"]
_DISSATISFIED = ["问题没有彻底解决", "处置后又出现同样问题", "处理态度敷衍"]
REOPEN_CHANCE = 0.6
CLOSED_WINDOW = 300           # closed cases looked at per tick, newest first


def left_to_the_console(case: Case) -> bool:
    """About a third of the follow-up work waits for the human at the console."""
    return case.id.int % 3 == 1


def maybe_issue_order(sim: CitySimulator, case: Case, now: datetime) -> CommandResult | None:
    """Sometimes a lead issues an order on a case at the unit, instead of the case's next step."""
    if case.status not in (Status.DISPATCHED, Status.IN_PROGRESS) or not case.unit_id or supervision.open_orders(case):
        return None
    if sim.rng.random() >= ORDER_CHANCE:
        return None
    level = sim.rng.choices([lv for lv, _ in _LEVELS], [w for _, w in _LEVELS])[0]
    return sim._step(sim._user(Role.SHIFT_LEAD), case, Action.ISSUE_ORDER,
                     {"unit_id": case.unit_id, "level": str(level), "text": sim.rng.choice(_ORDER_TEXTS)}, now)


def step(sim: CitySimulator, case: Case, now: datetime) -> CommandResult | None:
    """The next follow-up step of a case, if the city takes one."""
    r = sim.rng.random()
    for order in supervision.open_orders(case):
        handler = sim._handler(order.unit_id)
        if (order.state == supervision.OPEN and not left_to_the_console(case)
                and workflow.in_scope(case, handler.actor, sim.refdata)):  # a case moved on since: a new order
            return sim._step(handler, case, Action.REPLY_ORDER,
                             {"order_id": str(order.id), "text": sim.rng.choice(_REPLIES)}, now)
        if order.state == supervision.REPLIED:
            lead = sim._user(Role.SHIFT_LEAD)
            if r < 0.8:
                return sim._step(lead, case, Action.ACCEPT_ORDER_REPLY, {"order_id": str(order.id)}, now)
            return sim._step(lead, case, Action.REJECT_ORDER_REPLY,
                             {"order_id": str(order.id), "reason": "反馈不具体，请明确完成时限"}, now)
    if callbacks.callback_open(case) and not left_to_the_console(case):
        if r < 0.15:
            payload: dict = {"reached": False, "note": "无人接听"}
        else:
            answer = sim.rng.choices([a for a, _ in _ANSWERS], [w for _, w in _ANSWERS])[0]
            note = sim.rng.choice(_DISSATISFIED) if answer == Satisfaction.DISSATISFIED else ""
            payload = {"reached": True, "satisfaction": str(answer), "note": note}
        # one reporter a call: the case's own first, then each merged repeat's (a master has several)
        reporter = callbacks.to_call(case)[0]
        if reporter.report_id is not None:
            payload["report_id"] = str(reporter.report_id)
        return sim._step(sim._user(Role.OPERATOR), case, Action.RECORD_CALLBACK, payload, now)
    if callbacks.awaiting_lead(case) and r < REOPEN_CHANCE:
        if r < REOPEN_CHANCE / 3:  # the work was done as the standard asks: the lead declines, saying why
            return sim._step(sim._user(Role.SHIFT_LEAD), case, Action.DECLINE_REOPEN,
                             {"reason": "经核查已按标准处置完毕，向市民解释说明"}, now)
        return sim._step(sim._user(Role.SHIFT_LEAD), case, Action.REOPEN,
                         {"reason": f"回访不满意：{case.callback.note if case.callback else ''}"}, now)
    return None


def pending_cases(sim: CitySimulator) -> list[Case]:
    """Cases with open orders, and recently closed citizen cases (callbacks, dissatisfied reporters)."""
    with sim.db.reader() as session:
        ordered = [c for c in cases_with_orders(session) if supervision.open_orders(c)]
        closed = session.execute(
            select(CaseRow.data).where(CaseRow.status == str(Status.CLOSED))
            .order_by(CaseRow.updated_at.desc()).limit(CLOSED_WINDOW)).scalars().all()
    citizen = [Case.model_validate(d) for d in closed if d.get("source") in CITIZEN_SOURCES]
    return ordered + [c for c in citizen if callbacks.due_callback(c) and c.id not in {o.id for o in ordered}]


def tick(sim: CitySimulator, now: datetime) -> None:
    for case in pending_cases(sim):
        key = ("follow-up", case.id, case.version)
        due = sim._next_due.setdefault(key, case.updated_at + sim._delay(Status.HANDLED) * 2)
        if now >= due:
            step(sim, case, now)
            sim._next_due.pop(key, None)


def play_history(sim: CitySimulator, case: Case, at: datetime, now: datetime) -> None:
    """The follow-ups of a backlog case, at past times (up to a few steps)."""
    for _ in range(4):
        at = at + timedelta(minutes=sim.rng.uniform(10, 180))
        if at >= now:
            return
        result = step(sim, case, at)
        if result is None or result.status != "accepted" or result.case is None:
            return
        case = result.case
