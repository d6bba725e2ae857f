"""The answers of the shift and handover endpoints (`server.shifts.api`), as models for the OpenAPI schema.

The endpoints build these answers as plain dicts (`server.shifts.shifts.shift_data`, `server.shifts.handover.
handover_data` and its report, `app.shifts.schedule.Slot.to_dict`), the same JSON the feed carries;
the models describe them exactly (no field left out, none added), and the API fuzzer checks every
answer against them.
"""
from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlotAnswer(_Answer):
    name: str
    start: str = Field(description="HH:MM, city time zone")
    end: str = Field(description="HH:MM; at or before start: the slot runs past midnight")
    minutes: int


class ScheduleAnswer(_Answer):
    time_zone: str
    shifts: list[SlotAnswer]


class ShiftAnswer(_Answer):
    """A shift (also the feed's kind `shift`)."""

    id: uuid.UUID
    name: str
    scheduled_start: str
    scheduled_end: str
    lead: str
    on_duty: list[str]
    opened_at: str
    opened_by: str
    closed_at: str | None
    closed_by: str | None
    status: Literal["open", "closed"]
    version: int


class ShiftsAnswer(_Answer):
    current: ShiftAnswer | None
    shifts: list[ShiftAnswer] = Field(description="newest first")


# ---- the handover report (server.shifts.handover.draft_report) ---------------------------------------------

class Window(_Answer):
    start: str
    end: str


class Counts(_Answer):
    opened: int
    registered: int
    dispatched: int
    handled: int
    closed: int
    voided: int
    returned: int
    escalated: int
    verification_failures: int
    still_open: int
    # carried over from every earlier shift (absent from reports drafted before they were)
    open_escalations: int = Field(default=0, description="escalated cases still open at the end")
    open_orders: int = Field(default=0, description="supervision orders not accepted yet at the end")
    overdue_orders: int = Field(default=0, description="of which past their deadline without a reply")


class CaseRef(_Answer):
    case_id: uuid.UUID
    number: str | None
    status: str
    unit_id: str | None
    category_code: str
    priority: str


class OverdueCase(CaseRef):
    due_at: str | None
    stage: str | None
    escalation_level: int


class EscalatedCase(CaseRef):
    at: str
    actor: str
    automatic: bool
    reason: str
    escalated_to: str | None
    escalation_level: int


class ReturnedCase(CaseRef):
    at: str
    actor: str
    reason: str
    returned_by_unit: str | None
    return_count: int


class ExtensionRequest(CaseRef):
    minutes: int
    working: bool
    reason: str
    requested_by: str
    requested_at: str


class FailedVerification(CaseRef):
    at: str
    actor: str
    reason: str
    rework_count: int


class AlarmItem(_Answer):
    id: str | None
    sensor_id: str | None
    kind: str | None
    level: str | None
    state: str | None
    raised_at: str
    cleared_at: str | None
    value: float | None
    peak_value: float | None
    message: str | None
    acknowledged_by: str | None
    case_id: str | None


class OpenEscalation(CaseRef):
    escalated_to: str | None
    escalation_level: int
    due_at: str | None


class OpenOrder(_Answer):
    case_id: uuid.UUID
    number: str | None
    status: str
    order_number: int
    order_id: uuid.UUID
    level: Literal["ordinary", "urgent", "leader"]
    unit_id: str
    state: Literal["open", "replied"] = Field(description="waiting for the unit's reply, or for the lead's decision")
    issued_by: str
    issued_at: str
    due_at: str
    overdue: bool
    text: str
    reply: str | None


class OpenEscalationList(_Answer):
    total: int
    items: list[OpenEscalation] = Field(description="at most 200")


class OpenOrderList(_Answer):
    total: int
    overdue: int
    items: list[OpenOrder] = Field(description="the overdue first, then by deadline; at most 200")


class OverdueList(_Answer):
    total: int
    items: list[OverdueCase] = Field(description="the oldest due first, at most 200")


class EscalatedList(_Answer):
    total: int
    items: list[EscalatedCase]


class ReturnedList(_Answer):
    total: int
    items: list[ReturnedCase]


class ExtensionList(_Answer):
    total: int
    items: list[ExtensionRequest]


class FailedVerificationList(_Answer):
    total: int
    items: list[FailedVerification]


class AlarmList(_Answer):
    total: int
    items: list[AlarmItem]


class AwaitingDecision(_Answer):
    extension_requests: ExtensionList
    verification_failures: FailedVerificationList


class ShiftAlarms(_Answer):
    source: str = Field(description="the table the alarms were read from, or 'feed'")
    raised: AlarmList
    active: AlarmList


class EmergencyPeriod(_Answer):
    start: str
    end: str | None = Field(description="null: still on at the end of the window")
    reason: str
    by: str
    started_before: bool = Field(description="already on when the window opened")
    ended_by: str | None = Field(default=None, description="present once the period ended")
    end_reason: str | None = Field(default=None, description="present once the period ended")


class OutagePeriod(_Answer):
    console_id: str
    username: str
    start: str
    end: str
    minutes: float
    error: str | None


class HandoverReport(_Answer):
    format: int
    window: Window
    generated_at: str
    counts: Counts
    open_by_status: dict[str, int]
    overdue: OverdueList
    escalated: EscalatedList
    open_escalations: OpenEscalationList | None = Field(
        default=None, description="escalated cases still open at the end, whenever escalated")
    open_orders: OpenOrderList | None = Field(default=None, description="supervision orders not accepted yet")
    returned: ReturnedList
    awaiting_decision: AwaitingDecision
    alarms: ShiftAlarms
    emergency: list[EmergencyPeriod]
    outages: list[OutagePeriod]


class HandoverAnswer(_Answer):
    """A shift's handover report (also the feed's kind `handover`)."""

    shift_id: uuid.UUID
    status: Literal["draft", "signed"]
    version: int
    content_hash: str
    report: HandoverReport
    notes: str
    outgoing_lead: str
    drafted_at: str
    updated_at: str
    signed_by: str | None
    signed_at: str | None
    signed_client_time: str | None
    signed_offline: bool
    shift: ShiftAnswer


class OutagesAnswer(_Answer):
    stored: int
    duplicates: int
