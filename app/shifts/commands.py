"""Commands on feed entities other than cases (the handover's notes and its signature).

Like case commands (`app.cases.commands`), each has a client-generated `command_id`: the console queues it
durably (`app.cache.entity_outbox`), the engine sends it until the server answers, and the server applies
it exactly once and answers a retry with the stored answer (`POST /api/entity-commands`). They are a
separate kind because they act on no case: the case outbox, its rebasing and its conflicts stay as
they are.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.cases.commands import problems
from app.platform.edge_types import Text, Time

log = logging.getLogger(__name__)

MAX_BATCH = 100  # commands in one POST /api/entity-commands
HANDOVER = "handover"
SET_NOTES = "set_notes"
SIGN = "sign"


class SetNotesPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notes: Text = Field(max_length=20_000)


class SignPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="the hash of the version reviewed")
    remarks: Text = Field(default="", max_length=4000, description="the incoming lead's remarks on taking over")


PAYLOADS: dict[str, type[BaseModel]] = {SET_NOTES: SetNotesPayload, SIGN: SignPayload}


class EntityCommand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command_id: UUID
    kind: Literal["handover"]
    entity_id: Text = Field(min_length=1, max_length=64)  # the shift id for a handover
    action: Literal["set_notes", "sign"]
    payload: dict[str, Any]
    issued_at: Time                                       # the console's clock
    offline: bool = False
    console_id: Text | None = Field(default=None, max_length=64)


class _StoredEntityCommand(BaseModel):
    """`EntityCommand`'s shape without the edge rules (see `stored_entity_command`)."""

    command_id: UUID
    kind: str
    entity_id: str
    action: str
    payload: dict[str, Any]
    issued_at: datetime
    offline: bool = False
    console_id: str | None = None


def stored_entity_command(data: dict[str, Any]) -> EntityCommand:
    """An entity command read back from the console's entity outbox; one queued before today's edge
    rules is taken as stored, for the server to answer (as `app.cases.commands.stored_command`)."""
    try:
        return EntityCommand.model_validate(data)
    except ValidationError as exc:
        log.warning("queued entity command %s breaks the current rules, sent as stored: %s",
                    data.get("command_id"), problems(exc))
        return EntityCommand.model_construct(**_StoredEntityCommand.model_validate(data).model_dump())


class EntityCommandBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commands: list[EntityCommand] = Field(min_length=1, max_length=MAX_BATCH)


class EntityCommandResult(BaseModel):
    model_config = ConfigDict(extra="ignore")

    command_id: UUID | None  # null only for a batch item whose own id is missing or not a UUID
    status: Literal["accepted", "rejected"]
    reason: str | None = None
    message: str | None = None
    data: dict[str, Any] | None = None   # the entity after the command; a refusal: only if the caller may read it


class EntityBatchResult(BaseModel):
    model_config = ConfigDict(extra="ignore")

    results: list[EntityCommandResult]
    server_time: datetime
