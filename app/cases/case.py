"""The case: one urban problem travelling through the closed loop, with its full event history.

A Case is an immutable pydantic model: the workflow returns a new Case for every accepted action, so the
server, the console's cache and the CLI all serialise exactly the same JSON.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.platform.edge_types import Latitude, Longitude, Text
from app.cases.numbers import number_text
from app.platform.enums import Action, Priority, Role, Source, Stage, Status


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
    version: int = 0
    created_at: datetime
    updated_at: datetime
    events: tuple[CaseEvent, ...] = ()

    @property
    def display_number(self) -> str:
        return number_text(self.number, self.provisional_number, self.id)

    def is_overdue(self, now: datetime) -> bool:
        return self.due_at is not None and now > self.due_at
