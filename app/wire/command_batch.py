"""The answer to a command batch that holds commands of several kinds (`POST /api/commands`): one result
per command, in batch order, each of its kind's shape (`app.cases.commands.CommandResult` for a case
command, `app.platform.entity_commands.EntityCommandResult` for any other kind). A batch of case commands
only is answered as `app.cases.commands.BatchResult`, the same bytes as ever."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.cases.commands import MAX_BATCH, CommandResult
from app.platform.entity_commands import CASE_KIND, EntityCommandResult


class CommandsAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    results: list[CommandResult | EntityCommandResult]
    server_time: datetime


class CommandEnvelope(BaseModel):
    """What the server reads of a batch before it reads each command on its own."""

    model_config = ConfigDict(extra="forbid")

    commands: list[Any] = Field(
        min_length=1, max_length=MAX_BATCH,
        description="Commands in the order they were issued, each a JSON object: a case command "
                    "(`Command`, no `kind` or kind `case`) or a command on another kind of entity "
                    "(`EntityCommand`, with its `kind`). One that does not fit its schema is answered "
                    "rejected on its own.")


def kind_of(item: Any) -> str:
    """The kind a batch item claims: `kind` when it names one, else a case command (whose own schema then
    judges it)."""
    if isinstance(item, dict):
        kind = item.get("kind", CASE_KIND)
        return kind if isinstance(kind, str) else "invalid"
    return CASE_KIND
