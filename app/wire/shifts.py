"""Shifts, handover reports and emergency mode on the wire (`server.shifts.api`, `server.shifts.emergency_api`).

The server builds these answers as plain dicts (`server.shifts.shifts.shift_data`, `server.shifts.handover.
handover_data` and its report, `app.shifts.schedule.Slot.to_dict`), the same JSON the feed carries; the
models describe them exactly, and the API fuzzer checks every answer against them. The queued handover
commands are `app.shifts.commands` (the domain's commands and the wire's at once).
"""
from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool

from app.platform.edge_types import Text, Time
from app.platform.entity_commands import MAX_BATCH
from app.shifts.commands import NOTES_MAX
from app.wire.base import Answer, Request
from app.wire.cases import ITEMS


class EntityCommandEnvelope(Request):
    """What the deprecated `POST /api/entity-commands` reads (each item an
    `app.platform.entity_commands.EntityCommand`, read on its own: see `app.wire.cases.CommandEnvelope`)."""

    commands: list[Any] = Field(min_length=1, max_length=MAX_BATCH, description=f"Entity commands, {ITEMS}")


class OpenShiftRequest(Request):
    name: Text | None = Field(default=None, max_length=32, description="schedule slot; default: the current one")
    on_duty: list[Annotated[Text, Field(min_length=1, max_length=64)]] = Field(default_factory=list, max_length=500)


class CloseShiftRequest(Request):
    notes: Text = Field(default="", max_length=NOTES_MAX)


class NotesRequest(Request):
    notes: Text = Field(max_length=NOTES_MAX)


class SignRequest(Request):
    content_hash: Text = Field(pattern=r"^[0-9a-f]{64}$", description="content_hash of the version reviewed")


class Outage(Request):
    id: uuid.UUID
    started_at: Time
    ended_at: Time
    error: Text | None = Field(default=None, max_length=2000)


class OutagesRequest(Request):
    console_id: Text = Field(min_length=1, max_length=64)
    outages: list[Outage] = Field(min_length=1, max_length=500)


class EmergencyModeRequest(Request):
    on: StrictBool
    reason: Text = Field(min_length=1, max_length=2000)


class EmergencyMode(Answer):
    """The `emergency_mode` setting's value (also in the feed, kind `setting`)."""

    on: bool
    reason: str
    by: str
    at: str


class SettingAnswer(Answer):
    key: str
    value: EmergencyMode
    position: int


class SlotAnswer(Answer):
    name: str
    start: str = Field(description="HH:MM, city time zone")
    end: str = Field(description="HH:MM; at or before start: the slot runs past midnight")
    minutes: int


class ScheduleAnswer(Answer):
    time_zone: str
    shifts: list[SlotAnswer]


class ShiftAnswer(Answer):
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


class ShiftsAnswer(Answer):
    current: ShiftAnswer | None
    shifts: list[ShiftAnswer] = Field(description="newest first")


# ---- the handover report (server.shifts.handover.draft_report) ---------------------------------------------

class Window(Answer):
    start: str
    end: str


class Counts(Answer):
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
    open_tasks: int = Field(default=0, description="co-handling tasks and on-site checks still open at the end")


class CaseRef(Answer):
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


class AlarmItem(Answer):
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


class OpenOrder(Answer):
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


class OpenTask(CaseRef):
    kind: Literal["co_task", "check"] = Field(description="a co-handling unit's task, or an on-site check")
    task_unit_id: str | None = Field(description="the co-handling unit (co_task)")
    state: str = Field(description="co_task: dispatched or in_progress; check: sent")
    due_at: str | None
    overdue: bool
    inspector: str | None = Field(description="the inspector asked (check)")
    sent_at: str | None = None


class OpenTaskList(Answer):
    total: int
    overdue: int
    items: list[OpenTask] = Field(description="the overdue first, then by deadline; at most 200")


class OpenEscalationList(Answer):
    total: int
    items: list[OpenEscalation] = Field(description="at most 200")


class OpenOrderList(Answer):
    total: int
    overdue: int
    items: list[OpenOrder] = Field(description="the overdue first, then by deadline; at most 200")


class OverdueList(Answer):
    total: int
    items: list[OverdueCase] = Field(description="the oldest due first, at most 200")


class EscalatedList(Answer):
    total: int
    items: list[EscalatedCase]


class ReturnedList(Answer):
    total: int
    items: list[ReturnedCase]


class ExtensionList(Answer):
    total: int
    items: list[ExtensionRequest]


class FailedVerificationList(Answer):
    total: int
    items: list[FailedVerification]


class AlarmList(Answer):
    total: int
    items: list[AlarmItem]


class AwaitingDecision(Answer):
    extension_requests: ExtensionList
    verification_failures: FailedVerificationList


class ShiftAlarms(Answer):
    source: str = Field(description="the table the alarms were read from, or 'feed'")
    raised: AlarmList
    active: AlarmList


class EmergencyPeriod(Answer):
    start: str
    end: str | None = Field(description="null: still on at the end of the window")
    reason: str
    by: str
    started_before: bool = Field(description="already on when the window opened")
    ended_by: str | None = Field(default=None, description="present once the period ended")
    end_reason: str | None = Field(default=None, description="present once the period ended")


class OutagePeriod(Answer):
    console_id: str
    username: str
    start: str
    end: str
    minutes: float
    error: str | None


class EvaluationFigure(Answer):
    key: str
    kind: str
    label: str
    formula: str
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    p90: float | None = None


class PostEvaluation(Answer):
    post: str
    label: str
    figures: list[EvaluationFigure]


class ShiftEvaluation(Answer):
    """The shift window's rates (city-wide) and the center posts' own figures, with their formulas."""

    figures: list[EvaluationFigure]
    posts: list[PostEvaluation]


class DisputeCase(CaseRef):
    since: str
    return_count: int


class DisputeList(Answer):
    total: int
    items: list[DisputeCase]


class HandoverReport(Answer):
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
    open_tasks: OpenTaskList | None = Field(default=None, description="co-handling tasks and on-site checks "
                                                                      "still open (carried over)")
    returned: ReturnedList
    awaiting_decision: AwaitingDecision
    alarms: ShiftAlarms
    emergency: list[EmergencyPeriod]
    outages: list[OutagePeriod]
    evaluation: ShiftEvaluation | None = Field(default=None, description="absent in reports drafted before it")
    disputes: DisputeList | None = Field(default=None, description="open ownership disputes at the end")


class HandoverAnswer(Answer):
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
    signed_remarks: str = ""   # the incoming lead's, on signing
    shift: ShiftAnswer


class OutagesAnswer(Answer):
    stored: int
    duplicates: int
