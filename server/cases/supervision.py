"""Supervision orders on the server: finding the cases that carry orders, and the sweep that marks every order
whose deadline passed without a reply (`order_overdue`, issued by the system, once per order and deadline).

The mark is a case command like any other: in the ledger, the audit trail and the feed, so every console
alerts on it. Its command id is derived from the order and its deadline, so every server process sweeping
the same database issues the same command and the idempotency record keeps it to one (as the automatic
escalation does, `server.cases.escalation`); a rejected reply sends the order back with the mark cleared,
and a later sweep marks it again under a new id.

Orders are found through the ledger (`case_events.action = 'issue_order'`, on its action index): orders are
few beside cases, and the cases' JSON cannot be searched portably for them.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.cases import supervision
from app.cases.case import Case, SupervisionOrder
from app.cases.commands import Command, CommandResult
from app.platform.enums import Action
from db.cases import CaseEventRow, CaseRow
from server.cases.commands import Hook, system_command_id
from server.cases.system_sweep import apply_due

log = logging.getLogger(__name__)


def cases_with_orders(session: Session) -> list[Case]:
    """Every case that was ever given a supervision order, oldest first."""
    ordered = select(CaseEventRow.case_id).where(CaseEventRow.action == str(Action.ISSUE_ORDER)).distinct()
    rows = session.execute(select(CaseRow.data).where(CaseRow.id.in_(ordered))
                           .order_by(CaseRow.created_at, CaseRow.id)).scalars()
    return [Case.model_validate(data) for data in rows]


def overdue_command(case: Case, order: SupervisionOrder, now: datetime) -> Command:
    key = f"order_overdue:{order.id}:{order.due_at.isoformat()}:{order.rejections}"
    return Command(command_id=system_command_id(case.id, key), case_id=case.id, action=Action.ORDER_OVERDUE,
                   payload={"order_id": str(order.id)}, issued_at=now, console_id="server")


def mark_overdue_orders(reader: sessionmaker[Session], writer: sessionmaker[Session], refdata,
                        now_fn: Callable[[], datetime], *, before_commit: Hook | None = None) -> list[CommandResult]:
    """One sweep: mark the orders that fell overdue since the last; return the answers."""
    now = now_fn()

    def due(session: Session) -> list[Command]:
        return [overdue_command(case, order, now) for case in cases_with_orders(session)
                for order in case.orders if supervision.overdue_alert_due(order, now)]

    def accepted(command: Command, result: CommandResult) -> None:
        log.info("supervision order overdue on case %s", result.case.display_number if result.case else command.case_id)

    return apply_due(reader, writer, refdata, now_fn, due, before_commit=before_commit, accepted=accepted)
