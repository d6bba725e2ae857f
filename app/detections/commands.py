"""The review queue's commands: an operator confirms a pending detection (the case it became, created by the
same console just before through the case pipeline, with the frame attached) or rejects it with a reason.
An entity kind of `app.platform.entity_commands`: queued durably, applied once by `server.detections.commands`."""
from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.platform.edge_types import Text
from app.platform.entity_commands import EntityKind

DETECTION = "detection"
CONFIRM = "confirm"
REJECT = "reject"

# Reasons offered in the console; any other text may be written.
REJECT_REASONS = ("false_positive", "not_a_problem", "outside_jurisdiction", "already_handled")


class ConfirmPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: UUID = Field(description="the case the operator opened for it (sent before, in the case outbox)")
    note: Text = Field(default="", max_length=2000)


class RejectPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=2000)


DETECTION_KIND = EntityKind(DETECTION, {CONFIRM: ConfirmPayload, REJECT: RejectPayload})
