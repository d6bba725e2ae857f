"""The one loop of every sweep that issues the server's own case commands (automatic escalation, overdue
supervision orders, overdue co-handling tasks): skip the commands answered before (their ids are derived
from what they are about, `server.cases.system_ids`, so every server process issues the same ones), apply
the rest one at a time, and return the answers."""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.cases.commands import Command, CommandResult
from db.cases import CommandRow
from server.cases.commands import Hook, apply_command
from server.platform.auth import SYSTEM_USER

log = logging.getLogger(__name__)


def apply_due(reader: sessionmaker[Session], writer: sessionmaker[Session], refdata, now_fn: Callable,
              find_due: Callable[[Session], list[Command]], *, before_commit: Hook | None = None,
              accepted: Callable[[Command, CommandResult], None] | None = None) -> list[CommandResult]:
    """`find_due(session)` lists the commands due now (read in one session); each not answered before is
    applied as the system; `accepted(command, result)` is told of each one the workflow took."""
    with reader() as session:
        due = find_due(session)
        if not due:
            return []
        answered = set(session.execute(
            select(CommandRow.command_id).where(CommandRow.command_id.in_([c.command_id for c in due]))).scalars())
    results = []
    for command in due:
        if command.command_id in answered:
            continue
        result = apply_command(writer, SYSTEM_USER, command, refdata, now_fn, before_commit=before_commit)
        if result.status == "accepted" and accepted is not None:
            accepted(command, result)
        results.append(result)
    return results
