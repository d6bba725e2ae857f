"""The case lifecycle: one table of rules (`app.cases.workflow_rules`) and one `apply` function, used
unchanged by the server (the authority), the console's cache (optimistic local apply) and the CLI.

Every action names the statuses it may start from and the roles that may take it. Anything else fails
with a WorkflowError naming the case, its status, the action and who tried it, so an operator (or a
conflicts list) can say exactly why a command was refused.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from uuid import UUID

from app.cases import (
    arrival,
    callbacks,
    disputes,
    joint,
    onsite,
    ownership,
    stage_clock,
    supervision,
)
from app.cases.actors import SYSTEM_ACTOR, Actor, WorkflowError  # noqa: F401 - the names callers use
from app.cases.case import Case, CaseEvent, Extension, OwnerDecision
from app.cases.commands import (
    ApproveExtensionPayload,
    Command,
    CreatePayload,
    DecideOwnerPayload,
    DispatchPayload,
    EscalatePayload,
    ExtensionPayload,
    HandledPayload,
    MergePayload,
    PayloadError,
    SendVerifyPayload,
    SuspendPayload,
    parse_payload,
)
from app.cases.evidence import require_photo
from app.cases.object_codes import object_code_problem
from app.cases.workflow_rules import (  # noqa: F401 - the rules' names callers read from here
    ACTIVE,
    AUTO_ESCALATE_RETURNS,
    DESK,
    JOINT_OPEN,
    RULES,
    Rule,
    _case_name,
    _who,
    allowed_actions,
    in_scope,
    refusal,
)
from app.platform.enums import (
    STAGE_OF_STATUS,
    Action,
    Role,
    Stage,
    Status,
)
from app.refdata import timelimits

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

S = Status
def _utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise WorkflowError("invalid_time", f"naive datetime {dt.isoformat()} (times must carry a zone)")
    return dt.astimezone(timezone.utc)


def _check_unit(unit_id: str, refdata: RefData) -> None:
    try:
        refdata.unit(unit_id)
    except Exception:  # RefDataError; keep the workflow's own vocabulary
        raise WorkflowError("unknown_unit", f"unknown member unit '{unit_id}'") from None


def _parent_or_root(unit_id: str | None, refdata: RefData) -> str | None:
    if unit_id is None:
        return refdata.root_unit_id
    ancestors = refdata.ancestors(unit_id)
    return ancestors[0] if ancestors else None


def _event(case: Case | None, command: Command, actor: Actor, now: datetime, to_status: Status,
           payload: dict, seq_offset: int = 1) -> CaseEvent:
    return CaseEvent(
        seq=(len(case.events) if case else 0) + seq_offset,
        action=command.action,
        actor=actor.username,
        actor_role=actor.role,
        at=now,
        client_time=command.issued_at,
        offline=command.offline,
        console_id=command.console_id,
        command_id=command.command_id,
        from_status=case.status if case else None,
        to_status=to_status,
        payload=payload,
    )


def apply(case: Case | None, command: Command, actor: Actor, refdata: RefData, now: datetime) -> Case:
    """Apply one command; return the new case (version + 1, one or two new events) or raise WorkflowError."""
    now = _utc(now)
    try:
        payload = parse_payload(command.action, command.payload)
    except PayloadError as exc:
        raise WorkflowError("invalid_payload", str(exc)) from None
    if (why := refusal(case, command.action, actor, refdata)) is not None:
        raise why
    if command.action == Action.CREATE:
        assert isinstance(payload, CreatePayload)
        return _create(command, payload, actor, refdata, now)
    assert case is not None
    rule = RULES[command.action]
    changes: dict = {}
    event_payload = payload.model_dump(mode="json", exclude_defaults=False)
    extra_events: list[CaseEvent] = []
    action = command.action
    target = rule.target

    if action == Action.REGISTER:
        changes |= stage_clock.finish_stage(case, now) | stage_clock.start_stage(case, Stage.DISPATCH, now, refdata)
    elif action == Action.VOID:
        changes |= {"stage": None, "due_at": None}
    elif action == Action.DECIDE_OWNER:
        assert isinstance(payload, DecideOwnerPayload)
        _check_unit(payload.unit_id, refdata)
        decision = OwnerDecision(unit_id=payload.unit_id, reason=payload.reason, decided_by=actor.username,
                                 decided_at=now)
        changes |= {"unit_id": payload.unit_id, "dispute_since": None, "owner_decision": decision}
        changes |= stage_clock.finish_stage(case, now) | stage_clock.start_stage(case, Stage.HANDLE, now, refdata)
    elif action in (Action.DISPATCH, Action.REASSIGN):
        assert isinstance(payload, DispatchPayload)
        _check_unit(payload.unit_id, refdata)
        if action == Action.REASSIGN and payload.unit_id == case.unit_id:
            raise WorkflowError("same_unit", f"{_case_name(case)} is already with unit '{payload.unit_id}'")
        joint.check_lead_unit(case, payload.unit_id)
        changes["unit_id"] = payload.unit_id
        if action == Action.DISPATCH:  # reassigning keeps the running handling deadline
            changes |= stage_clock.finish_stage(case, now) | stage_clock.start_stage(case, Stage.HANDLE, now, refdata)
    elif action == Action.ACCEPT:
        pass
    elif action == Action.RETURN:
        event_payload["unit_id"] = case.unit_id
        changes |= {"unit_id": None, "return_count": case.return_count + 1, "extension": None}
        changes |= stage_clock.start_stage(case, Stage.DISPATCH, now, refdata)
        if disputes.opens_dispute(case):  # to the dispute queue (app.cases.disputes)
            changes["dispute_since"] = now
            extra_events.append(CaseEvent(
                seq=len(case.events) + 2, action=Action.ESCALATE, actor=SYSTEM_ACTOR.username,
                actor_role=Role.SYSTEM, at=now, from_status=S.RETURNED, to_status=S.RETURNED,
                command_id=command.command_id,
                payload={"reason": disputes.DISPUTE_REASON.format(n=case.return_count + 1), "automatic": True,
                         "dispute": True}))
    elif action == Action.REPORT_HANDLED:
        assert isinstance(payload, HandledPayload)
        require_photo(case, action, payload.attachments, refdata)
        changes |= stage_clock.finish_stage(case, now) | stage_clock.start_stage(case, Stage.VERIFY, now, refdata)
        changes |= {"extension": None, "attachments": tuple(case.attachments) + tuple(payload.attachments)}
    elif action == Action.SEND_VERIFY:
        assert isinstance(payload, SendVerifyPayload)
        inspector = onsite.inspector_for(case, payload.inspector, refdata, required=False)
        event_payload["inspector"] = inspector
        changes |= {"inspector": inspector, "verification": None}
    elif action == Action.VERIFY_PASS:
        require_photo(case, action, payload.attachments, refdata)
        changes |= {"verification": "passed", "attachments": tuple(case.attachments) + tuple(payload.attachments)}
    elif action == Action.VERIFY_FAIL:  # rework (返工): back to the unit, against its original deadline
        changes |= {"verification": None, "rework_count": case.rework_count + 1,
                    "attachments": tuple(case.attachments) + tuple(payload.attachments)}
        changes |= stage_clock.resume_handling(case, now, refdata)
    elif action == Action.CLOSE:
        changes |= stage_clock.finish_stage(case, now) | {"stage": None, "due_at": None}
    elif action == Action.REQUEST_EXTENSION:
        assert isinstance(payload, ExtensionPayload)
        changes["extension"] = Extension(minutes=payload.minutes, working=payload.working, reason=payload.reason,
                                         requested_by=actor.username, requested_at=now)
    elif action == Action.APPROVE_EXTENSION:
        ext = case.extension
        assert ext is not None and case.due_at is not None and case.stage is not None
        assert isinstance(payload, ApproveExtensionPayload)
        granted = payload.minutes or ext.minutes  # fewer than asked: a partial approval
        if granted > ext.minutes:
            raise WorkflowError("invalid_payload", f"minutes: {granted} is more than the {ext.minutes} requested")
        due = timelimits.extend(case.due_at, timelimits.Limit(granted, ext.working), refdata.policy.calendar)
        deadlines = dict(case.deadlines)
        deadlines[case.stage] = due
        changes |= {"extension": None, "due_at": due, "deadlines": deadlines}
        event_payload |= {"minutes": granted, "requested_minutes": ext.minutes, "working": ext.working,
                          "new_due_at": due.isoformat()}
    elif action == Action.DENY_EXTENSION:
        changes["extension"] = None
    elif action == Action.SUSPEND:
        assert isinstance(payload, SuspendPayload)
        if payload.resume_at is not None and payload.resume_at <= now:
            raise WorkflowError("invalid_payload", f"resume_at: {payload.resume_at.isoformat()} is not in the future")
        changes |= {"suspended_at": now, "suspended_from": case.status, "resume_at": payload.resume_at}
    elif action == Action.RESUME:
        assert case.suspended_from is not None and case.suspended_at is not None
        target = case.suspended_from
        changes |= {"suspended_at": None, "suspended_from": None, "resume_at": None} | joint.resumed(case, now, refdata)
        if case.due_at is not None and case.stage is not None:
            due = timelimits.shift_for_suspension(case.due_at, case.suspended_at, now, case.due_working,
                                                  refdata.policy.calendar)
            deadlines = dict(case.deadlines)
            deadlines[case.stage] = due
            changes |= {"due_at": due, "deadlines": deadlines}
    elif action == Action.ESCALATE:
        assert isinstance(payload, EscalatePayload)
        if payload.automatic and actor.role != Role.SYSTEM:
            raise WorkflowError("forbidden_role", f"only the system escalates automatically, not {_who(actor)}")
        alerted = ownership.overdue_alert(case.stage) if payload.automatic else None
        if alerted is not None and payload.target_unit_id is None:
            # the center's (or the inspectors') own delay: alert its lead, no unit is involved
            event_payload |= {"alerted": str(alerted), "stage": str(case.stage)}
        elif payload.target_unit_id is not None:
            _check_unit(payload.target_unit_id, refdata)
            target_unit = payload.target_unit_id
        else:
            target_unit = _parent_or_root(case.escalated_to or case.unit_id, refdata)
            if target_unit is None or target_unit == case.escalated_to:
                raise WorkflowError("top_of_hierarchy",
                                    f"{_case_name(case)} is already at the top of the unit hierarchy")
        if alerted is None or payload.target_unit_id is not None:
            changes |= {"escalation_level": case.escalation_level + 1, "escalated_to": target_unit}
            event_payload["target_unit_id"] = target_unit
    elif action == Action.NOTE:
        pass
    elif action == Action.ARRIVE:
        event_payload = arrival.event_payload(case, payload, actor)
    elif action == Action.MERGE:
        assert isinstance(payload, MergePayload)
        if payload.master_id == case.id:
            raise WorkflowError("invalid_payload", f"master_id: {_case_name(case)} cannot be merged into itself")
        changes |= stage_clock.finish_stage(case, now) | {"stage": None, "due_at": None, "merged_into": payload.master_id,
                                               "merged_from": case.status}
    elif action == Action.UNMERGE:
        target = case.merged_from or S.REPORTED
        event_payload["master_id"] = str(case.merged_into) if case.merged_into else None
        changes |= {"merged_into": None, "merged_number": None, "merged_from": None}
        if (stage := STAGE_OF_STATUS.get(target)) is not None:  # its clock starts again where it stopped
            changes |= stage_clock.start_stage(case, stage, now, refdata)
    elif action in joint.ACTIONS:
        changes |= joint.apply(case, action, payload, actor, refdata, now, event_payload)
    elif action in onsite.ACTIONS:
        changes |= onsite.apply(case, action, payload, actor, refdata, now, event_payload)
    elif action in supervision.ACTIONS or action in callbacks.ACTIONS:
        try:
            if action in supervision.ACTIONS:
                more, extra = supervision.apply(case, action, payload, actor.username, actor.role, actor.unit_id,
                                                refdata, now, command.command_id)
            else:
                computed, more, extra = callbacks.apply(case, action, payload, actor.username, refdata, now)
                target = computed or target
        except supervision.Refused as exc:
            raise WorkflowError(exc.code, exc.message) from None
        changes |= more
        event_payload |= extra

    new_status = target or case.status
    event = _event(case, command, actor, now, new_status, event_payload)
    return case.model_copy(update=changes | {
        "status": new_status,
        "version": case.version + 1,
        "updated_at": now,
        "events": case.events + (event, *extra_events),
    })


def _create(command: Command, payload: CreatePayload, actor: Actor, refdata: RefData, now: datetime) -> Case:
    try:
        category = refdata.category(payload.category_code)
    except Exception:
        raise WorkflowError("unknown_category", f"unknown category '{payload.category_code}'") from None
    location = payload.location
    if location.grid_code is None:
        grid = refdata.grid_at(location.lat, location.lon)
        if grid is not None:
            location = location.model_copy(update={"grid_code": grid.code})
    else:
        try:
            refdata.grid(location.grid_code)
        except Exception:
            raise WorkflowError("unknown_grid", f"unknown grid '{location.grid_code}'") from None
    if payload.object_code is not None and \
            (why := object_code_problem(payload.object_code, category, location.grid_code)) is not None:
        raise WorkflowError("bad_object_code", why)
    base = Case(
        id=command.case_id,
        provisional_number=payload.provisional_number,
        source=payload.source,
        category_code=category.code,
        description=payload.description,
        location=location,
        priority=payload.priority or category.default_priority,
        status=S.REPORTED,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        alarm_id=payload.alarm_id,
        object_code=payload.object_code,
        attachments=payload.attachments,
        frame_url=payload.frame_url,
        created_at=now,
        updated_at=now,
    )
    base = base.model_copy(update=stage_clock.start_stage(base, Stage.REGISTER, now, refdata))
    event = _event(None, command, actor, now, S.REPORTED, payload.model_dump(mode="json"))
    return base.model_copy(update={"version": 1, "events": (event,)})


def new_command(case_id: UUID, action: Action, payload: dict, issued_at: datetime, *, command_id: UUID | None = None,
                offline: bool = False, console_id: str | None = None) -> Command:
    """Build a command with a fresh client-generated id (the idempotency key)."""
    import uuid

    return Command(command_id=command_id or uuid.uuid4(), case_id=case_id, action=action, payload=payload,
                   issued_at=issued_at, offline=offline, console_id=console_id)
