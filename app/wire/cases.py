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
from typing import Any, Literal

from pydantic import ConfigDict, Field

from app.cases.commands import MAX_BATCH, CommandResult
from app.platform.entity_commands import CASE_KIND, EntityCommandResult
from app.wire.base import Answer, Request

ITEMS = "each a command object; one that does not fit the command schema is answered rejected on its own"

# `POST /api/commands?cases=newest`: which accepted answers carry their case (see `newest_cases_only`)
CaseSnapshots = Literal["all", "newest"]
CASES_QUERY = ("`all` (the default): every answer carries its case as it stood after its command. `newest`: "
               "an accepted answer carries its case only when no later answer of the batch carries a newer "
               "version of it (null otherwise); a refusal always carries its case")


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


def newest_cases_only(results: list[CommandResult]) -> list[CommandResult]:
    """`results` with the case left out of every accepted answer that a later answer of the batch carries a
    newer (or the same) version of: the answer to `?cases=newest`.

    A drained outbox sends a case's commands together, and each accepted answer carries the whole case as it
    stood after its command: five commands on a case are five snapshots, and a console keeps only the newest.
    Serialising, compressing, sending and parsing the other four was most of the answer's cost. A refusal
    keeps its case (the console records it with its conflict). The same rule as the console's own
    `app.sync.batch_answer.superseded_cases_dropped`, which an answer with every snapshot still goes through."""
    newest: dict[Any, int] = {}  # case id -> index of the result carrying its highest version
    for i, result in enumerate(results):
        case = result.case
        if case is not None:
            best = newest.get(case.id)
            if best is None or case.version >= results[best].case.version:
                newest[case.id] = i
    keep = set(newest.values())
    return [result.model_copy(update={"case": None})
            if i not in keep and result.status == "accepted" and result.case is not None else result
            for i, result in enumerate(results)]
