"""The handover's commands: its notes and its signature, an entity kind of `app.platform.entity_commands`.

A lead writes and signs offline: each is queued durably by the console (`app.cache.entity_outbox`), sent
through the one command endpoint and applied exactly once by the server (`server.shifts.commands`).
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.platform.edge_types import Text
from app.platform.entity_commands import EntityKind

HANDOVER = "handover"
SET_NOTES = "set_notes"
SIGN = "sign"
NOTES_MAX = 20_000


class SetNotesPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notes: Text = Field(max_length=NOTES_MAX)


class SignPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="the hash of the version reviewed")
    remarks: Text = Field(default="", max_length=4000, description="the incoming lead's remarks on taking over")


HANDOVER_KIND = EntityKind(HANDOVER, {SET_NOTES: SetNotesPayload, SIGN: SignPayload})
