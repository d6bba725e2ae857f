"""Case command batches on the wire: the envelope `POST /api/commands` reads.

The commands themselves, their payloads and their answers (`Command`, `CommandBatch`, `CommandResult`,
`BatchResult`) are `app.cases.commands`: the domain's commands and the wire's at once (the console queues
exactly what it sends, and the server applies exactly what it reads). A case on the wire is
`app.cases.case.Case`. The server reads the envelope first and each item on its own
(`server.platform.batch_items`), so that one bad command is answered rejected instead of refusing the batch.
"""
from __future__ import annotations

from typing import Any

from pydantic import Field

from app.cases.commands import MAX_BATCH
from app.wire.base import Request

ITEMS = "each a command object; one that does not fit the command schema is answered rejected on its own"


class CommandEnvelope(Request):
    commands: list[Any] = Field(min_length=1, max_length=MAX_BATCH, description=f"Commands, {ITEMS}")
