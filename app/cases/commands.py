"""Commands a console sends, their per-action payloads, and the server's answer.

Every payload model forbids unknown fields, so a typo in a client is an error, not a silently ignored
field. `parse_payload` is the one place that maps an action to its payload schema.

These are the domain's commands and the wire's at once: the console queues exactly the `Command` it sends
and the server applies exactly the one it reads, so there is one definition of each (the envelope the
server reads first is `app.wire.cases.CommandEnvelope`).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.cases.case import Case, Location
from app.cases.object_codes import OBJECT_CODE_PATTERN
from app.platform.edge_types import Int64, Phone, Text, Time, problems
from app.platform.enums import Action, OrderLevel, Priority, Satisfaction, Source

log = logging.getLogger(__name__)

MAX_BATCH = 500  # commands in one POST /api/commands


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CreatePayload(_Payload):
    source: Source
    category_code: Text = Field(min_length=1, max_length=16)
    description: Text = Field(min_length=1, max_length=4000)
    location: Location
    priority: Priority | None = None  # None: the category's default
    reporter_name: Text = Field(default="", max_length=100)
    reporter_phone: Phone = Field(default="", max_length=40)
    attachments: tuple[Text, ...] = Field(default=(), max_length=20)
    alarm_id: Text | None = Field(default=None, max_length=64)
    provisional_number: Text | None = Field(default=None, max_length=40)
    object_code: Text | None = Field(default=None, max_length=24, pattern=OBJECT_CODE_PATTERN)  # a surveyed asset
    frame_url: Text | None = Field(default=None, max_length=2000)  # a detection's frame (app.detections)


class MergePayload(_Payload):
    """A repeat merged into its master (`app.cases.merging`): the master named by id, why in words."""

    master_id: UUID
    reason: Text = Field(min_length=1, max_length=2000)
    distance_m: float | None = Field(default=None, ge=0, le=1e7)  # the server's automatic check says how near


class EmptyPayload(_Payload):
    note: Text = Field(default="", max_length=2000)


class ReasonPayload(_Payload):
    reason: Text = Field(min_length=1, max_length=2000)


class DispatchPayload(_Payload):
    unit_id: Text = Field(min_length=1, max_length=64)
    note: Text = Field(default="", max_length=2000)


class HandledPayload(_Payload):
    note: Text = Field(min_length=1, max_length=4000)
    attachments: tuple[Text, ...] = Field(default=(), max_length=20)


class SendVerifyPayload(_Payload):
    inspector: Text | None = Field(default=None, max_length=64)
    note: Text = Field(default="", max_length=2000)


class VerifyPayload(_Payload):
    note: Text = Field(default="", max_length=2000)
    attachments: tuple[Text, ...] = Field(default=(), max_length=20)  # photo hashes (app.photos)


class VerifyFailPayload(_Payload):
    reason: Text = Field(min_length=1, max_length=2000)
    attachments: tuple[Text, ...] = Field(default=(), max_length=20)


class ExtensionPayload(_Payload):
    minutes: Int64 = Field(gt=0, le=60 * 24 * 90)
    working: bool = True
    reason: Text = Field(min_length=1, max_length=2000)


class ApproveExtensionPayload(_Payload):
    note: Text = Field(default="", max_length=2000)
    # Partial approval: grant fewer minutes than were asked for (None: all of them). The workflow
    # refuses more than the request.
    minutes: Int64 | None = Field(default=None, gt=0, le=60 * 24 * 90)


class SuspendPayload(_Payload):
    reason: Text = Field(min_length=1, max_length=2000)
    # When the case should resume: the lead's work queue lists it as due from then (a reminder; the
    # case is resumed by a lead, so the clock never restarts without someone looking at it).
    resume_at: Time | None = None


class EscalatePayload(_Payload):
    reason: Text = Field(min_length=1, max_length=2000)
    target_unit_id: Text | None = Field(default=None, max_length=64)  # None: the next level up
    automatic: bool = False


class DecideOwnerPayload(_Payload):
    unit_id: Text = Field(min_length=1, max_length=64)
    reason: Text = Field(min_length=1, max_length=2000)


class NotePayload(_Payload):
    text: Text = Field(min_length=1, max_length=4000)


class CoUnitPayload(_Payload):
    """Add a co-handling unit to a joint case (or remove one: `reason` then required by the workflow)."""

    unit_id: Text = Field(min_length=1, max_length=64)
    note: Text = Field(default="", max_length=2000)


class CoRemovePayload(_Payload):
    unit_id: Text = Field(min_length=1, max_length=64)
    reason: Text = Field(min_length=1, max_length=2000)


class CoTaskRefPayload(_Payload):
    unit_id: Text = Field(min_length=1, max_length=64)


class SendCheckPayload(_Payload):
    inspector: Text | None = Field(default=None, max_length=64)  # None: the inspector of the case's grid
    note: Text = Field(default="", max_length=2000)


class ConfirmCheckPayload(_Payload):
    found: bool  # the inspector found the problem on site (False: not there, the desk may void)
    note: Text = Field(default="", max_length=2000)
class IssueOrderPayload(_Payload):
    """A supervision order (督办): to `unit_id`, due at `due_at` (None: the level's default limit)."""

    unit_id: Text = Field(min_length=1, max_length=64)
    level: OrderLevel = OrderLevel.ORDINARY
    text: Text = Field(min_length=1, max_length=4000)
    due_at: Time | None = None


class OrderReplyPayload(_Payload):
    order_id: UUID
    text: Text = Field(min_length=1, max_length=4000)


class OrderDecisionPayload(_Payload):
    """The lead's acceptance (note optional) or rejection (`reason` required: checked by the workflow)."""

    order_id: UUID
    reason: Text = Field(default="", max_length=2000)


class OrderRefPayload(_Payload):
    order_id: UUID


class CallbackPayload(_Payload):
    reached: bool
    report_id: UUID | None = None  # a merged repeat whose reporter was called; None: the case's own reporter
    satisfaction: Satisfaction | None = None  # required when reached, absent when not
    note: Text = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _answer_when_reached(self) -> CallbackPayload:
        if self.reached and self.satisfaction is None:
            raise ValueError("satisfaction is required when the reporter was reached")
        if not self.reached and self.satisfaction is not None:
            raise ValueError("satisfaction must be empty when the reporter was not reached")
        return self


class ArrivePayload(_Payload):
    """Arrival on site (`app.cases.arrival`): from a device when the system saw it come near the case."""

    device_id: Text | None = Field(default=None, max_length=64)
    distance_m: float | None = Field(default=None, ge=0, le=100_000)


PAYLOAD_SCHEMAS: dict[Action, type[_Payload]] = {
    Action.CREATE: CreatePayload,
    Action.REGISTER: EmptyPayload,
    Action.MERGE: MergePayload,
    Action.UNMERGE: ReasonPayload,
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
    Action.APPROVE_EXTENSION: ApproveExtensionPayload,
    Action.DENY_EXTENSION: ReasonPayload,
    Action.SUSPEND: SuspendPayload,
    Action.RESUME: EmptyPayload,
    Action.ESCALATE: EscalatePayload,
    Action.REASSIGN: DispatchPayload,
    Action.NOTE: NotePayload,
    Action.DECIDE_OWNER: DecideOwnerPayload,
    Action.ADD_CO_UNIT: CoUnitPayload,
    Action.REMOVE_CO_UNIT: CoRemovePayload,
    Action.CO_ACCEPT: EmptyPayload,
    Action.CO_RETURN: ReasonPayload,
    Action.CO_HANDLED: HandledPayload,
    Action.CO_OVERDUE: CoTaskRefPayload,
    Action.SEND_CHECK: SendCheckPayload,
    Action.CONFIRM_CHECK: ConfirmCheckPayload,
    Action.ISSUE_ORDER: IssueOrderPayload,
    Action.REPLY_ORDER: OrderReplyPayload,
    Action.ACCEPT_ORDER_REPLY: OrderDecisionPayload,
    Action.REJECT_ORDER_REPLY: OrderDecisionPayload,
    Action.ORDER_OVERDUE: OrderRefPayload,
    Action.RECORD_CALLBACK: CallbackPayload,
    Action.REOPEN: ReasonPayload,
    Action.DECLINE_REOPEN: ReasonPayload,
    Action.ARRIVE: ArrivePayload,
}


class PayloadError(ValueError):
    """A command's payload does not fit its action; the message lists every field that was wrong."""


def parse_payload(action: Action, payload: dict[str, Any]) -> _Payload:
    schema = PAYLOAD_SCHEMAS[action]
    try:
        return schema.model_validate(payload)
    except ValidationError as exc:
        raise PayloadError(f"invalid payload for '{action}': {problems(exc, 'payload')}") from None


class Command(BaseModel):
    """One command as queued by a console and sent to the server. `command_id` makes it idempotent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    command_id: UUID
    case_id: UUID
    action: Action
    payload: dict[str, Any] = Field(default_factory=dict)  # validated per action: `parse_payload`
    issued_at: Time
    offline: bool = False
    console_id: Text | None = Field(default=None, max_length=64)


class _StoredCommand(BaseModel):
    """`Command`'s shape without the edge rules, for reading back what a console queued under older rules."""

    command_id: UUID
    case_id: UUID
    action: Action
    payload: dict[str, Any] = Field(default_factory=dict)
    issued_at: datetime
    offline: bool = False
    console_id: str | None = None


def stored_command(data: dict[str, Any]) -> Command:
    """A command read back from the console's own storage (outbox, conflicts). One queued before today's
    edge rules may break them (say, a NUL in its console id): it is taken as stored, so the server answers
    it (a rejection naming the field) instead of the outbox failing on it at every attempt."""
    try:
        return Command.model_validate(data)
    except ValidationError as exc:
        log.warning("queued command %s breaks the current rules, sent as stored: %s", data.get("command_id"),
                    problems(exc))
        return Command.model_construct(**_StoredCommand.model_validate(data).model_dump())


class CommandBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commands: list[Command] = Field(min_length=1, max_length=MAX_BATCH)


class CommandResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # null only in the rejection of a batch item whose own id (or case id) is missing or not a UUID
    command_id: UUID | None
    case_id: UUID | None
    status: Literal["accepted", "rejected"]
    version: int | None = None      # the case's version after this command (accepted)
    position: int | None = None     # the change's position in the feed (accepted)
    reason: str | None = None       # machine-readable rejection code
    message: str | None = None      # human-readable explanation
    case: Case | None = None        # the server's current case; a refusal carries it only if the caller may read it


class BatchResult(BaseModel):
    results: list[CommandResult]
    server_time: datetime
