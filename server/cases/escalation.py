"""Automatic escalation (督办): the server escalates every case whose current stage is overdue, once per
stage, as the system actor — to whoever owns the late stage (`app.cases.ownership`): an overdue register or
dispatch stage alerts the shift lead (the center does not escalate to itself), an overdue handling stage
goes up the unit hierarchy, an overdue verification alerts the inspectors' lead. `workflow.apply` decides
the target from the stage; the reason written here names it for the history.

The command id is derived from the case and the start of its stage, so every server process sweeping
the same database issues the *same* command and the idempotency record keeps it to one escalation. A
refused escalation (e.g. the case is already at the top of the hierarchy) is stored too and not retried
for that stage.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.cases import ownership
from app.cases.case import Case
from app.cases.commands import Command, CommandResult
from app.cases.stage_clock import auto_escalation_due
from app.platform.enums import Action, Status
from db.cases import CaseRow
from server.cases.commands import Hook, system_command_id
from server.cases.system_sweep import apply_due

log = logging.getLogger(__name__)

_NOT_ESCALATED = (Status.CLOSED, Status.VOIDED, Status.MERGED, Status.SUSPENDED)


def escalation_command(case: Case, now: datetime) -> Command:
    started = case.stage_started_at or case.created_at
    due = case.due_at.isoformat() if case.due_at else "?"
    return Command(
        command_id=system_command_id(case.id, f"auto_escalate:{started.isoformat()}"),
        case_id=case.id,
        action=Action.ESCALATE,
        payload={"reason": f"stage '{case.stage}' overdue (due {due}): {_whom(case)}", "automatic": True},
        issued_at=now,
        console_id="server",
    )


def _whom(case: Case) -> str:
    alerted = ownership.overdue_alert(case.stage)
    return f"alerting the {alerted.value.replace('_', ' ')}" if alerted is not None else "up the unit hierarchy"


def overdue_cases(session: Session, now: datetime) -> list[Case]:
    rows = session.execute(
        select(CaseRow.data).where(CaseRow.due_at < now, CaseRow.status.not_in([str(s) for s in _NOT_ESCALATED]))
    ).scalars()
    return [Case.model_validate(data) for data in rows]


def escalate_overdue(reader: sessionmaker[Session], writer: sessionmaker[Session], refdata,
                     now_fn: Callable[[], datetime], *, before_commit: Hook | None = None) -> list[CommandResult]:
    """One sweep: issue the automatic escalations that are due now; return their answers."""
    now = now_fn()

    def due(session: Session) -> list[Command]:
        return [escalation_command(case, now) for case in overdue_cases(session, now) if auto_escalation_due(case, now)]

    def accepted(command: Command, result: CommandResult) -> None:
        log.info("escalated overdue case %s", result.case.display_number if result.case else command.case_id)

    return apply_due(reader, writer, refdata, now_fn, due, before_commit=before_commit, accepted=accepted)
