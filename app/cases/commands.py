"""Commands a console sends, their per-action payloads, and the server's answer.

Every payload model forbids unknown fields, so a typo in a client is an error, not a silently ignored
field. `parse_payload` is the one place that maps an action to its payload schema.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.cases.case import Case, Location
from app.platform.enums import Action, Priority, Source


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CreatePayload(_Payload):
    source: Source
    category_code: str = Field(min_length=1, max_length=16)
    description: str = Field(min_length=1, max_length=4000)
    location: Location
    priority: Priority | None = None  # None: the category's default
    reporter_name: str = Field(default="", max_length=100)
    reporter_phone: str = Field(default="", max_length=40)
    attachments: tuple[str, ...] = Field(default=(), max_length=20)
    alarm_id: str | None = Field(default=None, max_length=64)
    provisional_number: str | None = Field(default=None, max_length=40)


class EmptyPayload(_Payload):
    note: str = Field(default="", max_length=2000)


class ReasonPayload(_Payload):
    reason: str = Field(min_length=1, max_length=2000)


class DispatchPayload(_Payload):
    unit_id: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=2000)


class HandledPayload(_Payload):
    note: str = Field(min_length=1, max_length=4000)
    attachments: tuple[str, ...] = Field(default=(), max_length=20)


class SendVerifyPayload(_Payload):
    inspector: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=2000)


class VerifyPayload(_Payload):
    note: str = Field(default="", max_length=2000)


class VerifyFailPayload(_Payload):
    reason: str = Field(min_length=1, max_length=2000)


class ExtensionPayload(_Payload):
    minutes: int = Field(gt=0, le=60 * 24 * 90)
    working: bool = True
    reason: str = Field(min_length=1, max_length=2000)


class EscalatePayload(_Payload):
    reason: str = Field(min_length=1, max_length=2000)
    target_unit_id: str | None = Field(default=None, max_length=64)  # None: the next level up
    automatic: bool = False


class NotePayload(_Payload):
    text: str = Field(min_length=1, max_length=4000)


PAYLOAD_SCHEMAS: dict[Action, type[_Payload]] = {
    Action.CREATE: CreatePayload,
    Action.REGISTER: EmptyPayload,
    Action.VOID: ReasonPayload,
    Action.DISPATCH: DispatchPayload,
    Action.ACCEPT: EmptyPayload,
    Action.RETURN: ReasonPayload,
    Action.REPORT_HANDLED: HandledPayload,
    Action.SEND_VERIFY: SendVerifyPayload,
    Action.VERIFY_PASS: VerifyPayload,
    Action.VERIFY_FAIL: VerifyFailPayload,
    Action.CLOSE: EmptyPayload,
    Action.REQUEST_EXTENSION: ExtensionPayload,
    Action.APPROVE_EXTENSION: EmptyPayload,
    Action.DENY_EXTENSION: ReasonPayload,
    Action.SUSPEND: ReasonPayload,
    Action.RESUME: EmptyPayload,
    Action.ESCALATE: EscalatePayload,
    Action.REASSIGN: DispatchPayload,
    Action.NOTE: NotePayload,
}


class PayloadError(ValueError):
    """A command's payload does not fit its action; the message lists every field that was wrong."""


def parse_payload(action: Action, payload: dict[str, Any]) -> _Payload:
    schema = PAYLOAD_SCHEMAS[action]
    try:
        return schema.model_validate(payload)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'payload'}: {err['msg']}" for err in exc.errors()
        )
        raise PayloadError(f"invalid payload for '{action}': {problems}") from None


class Command(BaseModel):
    """One command as queued by a console and sent to the server. `command_id` makes it idempotent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    command_id: UUID
    case_id: UUID
    action: Action
    payload: dict[str, Any] = Field(default_factory=dict)
    issued_at: datetime
    offline: bool = False
    console_id: str | None = Field(default=None, max_length=64)


class CommandBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commands: list[Command] = Field(min_length=1, max_length=500)


class CommandResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command_id: UUID
    case_id: UUID
    status: Literal["accepted", "rejected"]
    version: int | None = None      # the case's version after this command (accepted)
    position: int | None = None     # the change's position in the feed (accepted)
    reason: str | None = None       # machine-readable rejection code
    message: str | None = None      # human-readable explanation
    case: Case | None = None        # the server's current case; a refusal carries it only if the caller may read it


class BatchResult(BaseModel):
    results: list[CommandResult]
    server_time: datetime
