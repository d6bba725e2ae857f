"""Command batches on the wire: the envelope `POST /api/commands` reads, and the answer to a batch that
holds commands of several kinds.

The case commands themselves, their payloads and their answers (`Command`, `CommandBatch`, `CommandResult`,
`BatchResult`) are `app.cases.commands`, and the commands on other entities (`EntityCommand`,
`EntityCommandResult`) are `app.platform.entity_commands`: the domain's commands and the wire's at once
(the console queues exactly what it sends, and the server applies exactly what it reads). A case on the
wire is `app.cases.case.Case`. The server reads the envelope first and each item on its own
(`server.platform.batch_items`), so that one bad command is answered rejected instead of refusing the batch.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from app.cases.commands import MAX_BATCH, CommandResult
from app.platform.entity_commands import CASE_KIND, EntityCommandResult
from app.wire.base import Answer, Request

ITEMS = "each a command object; one that does not fit the command schema is answered rejected on its own"


class CommandEnvelope(Request):
    commands: list[Any] = Field(
        min_length=1, max_length=MAX_BATCH,
        description="Commands in the order they were issued, each a JSON object: a case command (`Command`, "
                    "no `kind` or kind `case`) or a command on another kind of entity (`EntityCommand`, with "
                    f"its `kind`); {ITEMS}")


class CommandsAnswer(Answer):
    """One result per command, in batch order, each of its kind's shape (`CommandResult` for a case command,
    `EntityCommandResult` for any other kind). A batch of case commands only is answered as
    `app.cases.commands.BatchResult`, the same bytes as ever."""

    model_config = ConfigDict(frozen=False)

    results: list[CommandResult | EntityCommandResult]
    server_time: datetime


def kind_of(item: Any) -> str:
    """The kind a batch item claims: `kind` when it names one, else a case command (whose own schema then
    judges it)."""
    if isinstance(item, dict):
        kind = item.get("kind", CASE_KIND)
        return kind if isinstance(kind, str) else "invalid"
    return CASE_KIND
