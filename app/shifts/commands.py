"""Commands on feed entities other than cases (issue 5: the handover's notes and its signature).

Like case commands (`app.cases.commands`), each has a client-generated `command_id`: the console queues it
durably (`app.cache.entity_outbox`), the engine sends it until the server answers, and the server applies
it exactly once and answers a retry with the stored answer (`POST /api/entity-commands`). They are a
separate kind because they act on no case: the case outbox, its rebasing and its conflicts stay as
they are.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

HANDOVER = "handover"
SET_NOTES = "set_notes"
SIGN = "sign"


class SetNotesPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notes: str = Field(max_length=20_000)


class SignPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="the hash of the version reviewed")


PAYLOADS: dict[str, type[BaseModel]] = {SET_NOTES: SetNotesPayload, SIGN: SignPayload}


class EntityCommand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command_id: UUID
    kind: Literal["handover"]
    entity_id: str = Field(min_length=1, max_length=64)   # the shift id for a handover
    action: Literal["set_notes", "sign"]
    payload: dict[str, Any]
    issued_at: datetime                                   # the console's clock
    offline: bool = False
    console_id: str | None = Field(default=None, max_length=64)


class EntityCommandBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commands: list[EntityCommand] = Field(min_length=1, max_length=100)


class EntityCommandResult(BaseModel):
    model_config = ConfigDict(extra="ignore")

    command_id: UUID
    status: Literal["accepted", "rejected"]
    reason: str | None = None
    message: str | None = None
    data: dict[str, Any] | None = None   # the entity after the command; a refusal: only if the caller may read it


class EntityBatchResult(BaseModel):
    model_config = ConfigDict(extra="ignore")

    results: list[EntityCommandResult]
    server_time: datetime
