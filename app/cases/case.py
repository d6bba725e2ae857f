"""The case: one urban problem travelling through the closed loop, with its full event history.

A Case is an immutable pydantic model: the workflow returns a new Case for every accepted action, so the
server, the console's cache and the CLI all serialise exactly the same JSON.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.cases.numbers import number_text
from app.platform.edge_types import Latitude, Longitude, Text
from app.platform.enums import (
    Action,
    OrderLevel,
    Priority,
    Role,
    Satisfaction,
    Source,
    Stage,
    Status,
)


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lat: Latitude
    lon: Longitude
    address: Text = Field(default="", max_length=300)
    grid_code: Text | None = Field(default=None, pattern=r"^\d{14}$")


class Extension(BaseModel):
    """A pending extension request (延期申请)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    minutes: int
    working: bool
    reason: str
    requested_by: str
    requested_at: datetime


class OwnerDecision(BaseModel):
    """A lead's decision of an ownership dispute (权属争议): the owner and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit_id: str
    reason: str
    decided_by: str
    decided_at: datetime


class CoTask(BaseModel):
    """One co-handling unit's own task on a joint case (协办): its deadline, acceptance and handled report.
    The lead unit's task is the case itself (`Case.unit_id`, status, deadlines)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit_id: str
    status: str = "dispatched"             # dispatched | in_progress | handled (`app.cases.joint`)
    dispatched_at: datetime
    due_at: datetime
    due_working: bool = False
    accepted_at: datetime | None = None
    handled_at: datetime | None = None
    note: str = ""
    escalated_at: datetime | None = None   # the system found the task past its deadline (`co_overdue`)…
    escalated_to: str | None = None        # …and escalated it to the co-unit's parent (None: the center)


class OnSiteCheck(BaseModel):
    """An on-site check (核实) of a reported case, asked of an inspector before it is registered."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    inspector: str
    sent_by: str
    sent_at: datetime
    confirmed_at: datetime | None = None
    result: str | None = None              # None (pending) | "confirmed" | "not_found"
    note: str = ""
class SupervisionOrder(BaseModel):
    """A supervision order (督办单): a lead's written order to a unit about the case, with its own level and
    deadline, the unit's written reply and the lead's decision on it. `state`: `open` waits for the unit's
    reply (again after a rejected one), `replied` waits for the lead, `accepted` is done."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: UUID                               # the issuing command's id: the same on every console
    number: int                            # 1, 2, … within the case
    level: OrderLevel
    unit_id: str
    text: str
    issued_by: str
    issued_at: datetime
    due_at: datetime
    state: Literal["open", "replied", "accepted"] = "open"
    reply: str | None = None
    replied_by: str | None = None
    replied_at: datetime | None = None
    rejections: int = 0
    rejection_reason: str | None = None    # the lead's reason for the last rejected reply
    decided_by: str | None = None
    decided_at: datetime | None = None
    overdue_marked_at: datetime | None = None  # when the server's sweep found it past its deadline unanswered


class Callback(BaseModel):
    """The callback (回访) of the reporter after the case was closed: the last attempt."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: datetime
    by: str
    reached: bool
    satisfaction: Satisfaction | None = None  # None when not reached
    note: str = ""
    attempts: int = 1
    declined_at: datetime | None = None   # a lead decided not to reopen for a dissatisfied reporter…
    declined_by: str | None = None
    decline_reason: str = ""              # …and why (told to the reporter)


class ReportCallback(Callback):
    """The callback of one more reporter of a master case: the reporter of a repeat merged into it
    (`report_id`, the repeat's case; `number`, its number). The master's own reporter's is `Case.callback`."""

    report_id: UUID
    number: str | None = None


class CaseEvent(BaseModel):
    """One accepted action in a case's history. `at` is the server's clock (or the console's while
    pending); `client_time` is the clock of the console that issued it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int
    action: Action
    actor: str
    actor_role: Role
    at: datetime
    client_time: datetime | None = None
    offline: bool = False
    console_id: str | None = None
    command_id: UUID | None = None
    from_status: Status | None = None
    to_status: Status
    payload: dict[str, Any] = Field(default_factory=dict)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: UUID
    number: str | None = None              # server-assigned, e.g. 2026-000123
    provisional_number: str | None = None  # given by a console while offline
    source: Source
    category_code: str
    description: str
    location: Location
    priority: Priority
    status: Status
    unit_id: str | None = None             # responsible member unit
    escalation_level: int = 0
    escalated_to: str | None = None        # unit the case was escalated to (督办)
    return_count: int = 0
    rework_count: int = 0
    verification: str | None = None        # None | "passed" | "failed" (current round)
    inspector: str | None = None           # who was sent to verify
    reporter_name: str = ""
    reporter_phone: str = ""
    alarm_id: str | None = None
    object_code: str | None = None         # the component's object code (app.cases.object_codes)
    attachments: tuple[str, ...] = ()
    # Deadlines: the current stage's due time, and every stage's due/finished time for metrics.
    stage: Stage | None = None
    stage_started_at: datetime | None = None
    due_at: datetime | None = None
    due_working: bool = False
    deadlines: dict[Stage, datetime] = Field(default_factory=dict)
    finished: dict[Stage, datetime] = Field(default_factory=dict)
    extension: Extension | None = None
    suspended_at: datetime | None = None
    resume_at: datetime | None = None   # a suspension's planned end: the lead is reminded from then
    suspended_from: Status | None = None
    dispute_since: datetime | None = None          # in the dispute queue since (app.cases.disputes)
    owner_decision: OwnerDecision | None = None    # a lead decided the owner; no more returns
    co_tasks: tuple[CoTask, ...] = ()      # joint handling: the co-handling units' tasks (主办 is `unit_id`)
    check: OnSiteCheck | None = None       # the latest on-site check before registration (核实)
    orders: tuple[SupervisionOrder, ...] = ()  # supervision orders, oldest first (app.cases.supervision)
    callback: Callback | None = None           # the callback after the current closure (app.cases.callbacks)
    report_callbacks: tuple[ReportCallback, ...] = ()  # …of the merged repeats' reporters, one per reporter
    # repeats (app.cases.merging): a merged repeat points at its master; the master's reports are the cases
    # that point at it. `merged_from` is the status an unmerge returns to.
    merged_into: UUID | None = None
    merged_number: str | None = None       # the master's number, told to this case's reporter
    merged_from: Status | None = None
    frame_url: str | None = None           # a detection's frame (video AI, drone): the picture it was seen in
    version: int = 0
    created_at: datetime
    updated_at: datetime
    events: tuple[CaseEvent, ...] = ()

    @property
    def display_number(self) -> str:
        return number_text(self.number, self.provisional_number, self.id)

    def is_overdue(self, now: datetime) -> bool:
        return self.due_at is not None and now > self.due_at
