"""Overdue co-handling tasks on the server: the sweep that escalates every co-task past its deadline to its
co-unit's parent (`co_overdue`, issued by the system, once per task), as the automatic escalation does for
the lead unit's overdue handling stage (`server.cases.escalation`).

The escalation is a case command like any other: in the ledger, the audit trail and the feed, so the
consoles of the co-unit and of its parent see it. Its command id is derived from the case, the co-unit and
the task's dispatch time, so every server process sweeping the same database issues the same command and
the idempotency record keeps it to one; a co-unit removed and added again has a new task, escalated anew.

Joint cases are found through the ledger (`case_events.action = 'add_co_unit'`, on its action index) among
the cases whose co-tasks may still move: few beside all cases.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.cases import joint
from app.cases.case import Case, CoTask
from app.cases.commands import Command, CommandResult
from app.cases.workflow import JOINT_OPEN
from app.platform.enums import Action
from db.cases import CaseEventRow, CaseRow
from server.cases.commands import Hook, system_command_id
from server.cases.system_sweep import apply_due

log = logging.getLogger(__name__)


def open_joint_cases(session: Session) -> list[Case]:
    """The cases that were given a co-handling unit and whose co-tasks may still move, oldest first."""
    joint_ids = select(CaseEventRow.case_id).where(CaseEventRow.action == str(Action.ADD_CO_UNIT)).distinct()
    rows = session.execute(select(CaseRow.data).where(CaseRow.id.in_(joint_ids),
                                                      CaseRow.status.in_([str(s) for s in JOINT_OPEN]))
                           .order_by(CaseRow.created_at, CaseRow.id)).scalars()
    return [Case.model_validate(data) for data in rows]


def overdue_command(case: Case, task: CoTask, now: datetime) -> Command:
    key = f"co_overdue:{task.unit_id}:{task.dispatched_at.isoformat()}"
    return Command(command_id=system_command_id(case.id, key), case_id=case.id, action=Action.CO_OVERDUE,
                   payload={"unit_id": task.unit_id}, issued_at=now, console_id="server")


def escalate_overdue_co_tasks(reader: sessionmaker[Session], writer: sessionmaker[Session], refdata,
                              now_fn: Callable[[], datetime], *,
                              before_commit: Hook | None = None) -> list[CommandResult]:
    """One sweep: escalate the co-tasks that fell overdue since the last; return the answers."""
    now = now_fn()

    def due(session: Session) -> list[Command]:
        return [overdue_command(case, task, now) for case in open_joint_cases(session)
                for task in case.co_tasks if joint.escalation_due(task, now)]

    def accepted(command: Command, result: CommandResult) -> None:
        log.info("escalated the overdue co-handling task of %s on %s", command.payload["unit_id"],
                 result.case.display_number if result.case else command.case_id)

    return apply_due(reader, writer, refdata, now_fn, due, before_commit=before_commit, accepted=accepted)
