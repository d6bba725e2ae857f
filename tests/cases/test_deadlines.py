"""Deadlines before decisions: the preview of an approved extension (full and partial) agrees with the
workflow, and says how far working time moves the deadline on the clock; a suspension may carry a
resume-at time, which must lie ahead."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.cases.deadlines import extension_preview
from app.cases.workflow import Actor, WorkflowError, apply, new_command
from app.platform import times
from app.platform.enums import Action, Role, Status

OPERATOR = Actor("operator1", Role.OPERATOR)
LEAD = Actor("lead1", Role.SHIFT_LEAD)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def city():
    times.set_city_zone(SHANGHAI)


def extension_requested(refdata, due_local: datetime, minutes: int = 240):
    """A dispatched case whose handling deadline is `due_local` (Shanghai) with `minutes` of working time
    requested."""
    at = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)
    payload = {"source": "hotline", "category_code": "C0101", "description": "x", "location": {"lat": 30.0, "lon": 120.0}}
    case = apply(None, new_command(uuid.uuid4(), Action.CREATE, payload, at), OPERATOR, refdata, at)
    for action, body in ((Action.REGISTER, {}), (Action.DISPATCH, {"unit_id": "roads"})):
        case = apply(case, new_command(case.id, action, body, at), OPERATOR, refdata, at)
    handler = Actor("handler_roads", Role.UNIT_HANDLER, "roads")
    case = apply(case, new_command(case.id, Action.REQUEST_EXTENSION,
                                   {"minutes": minutes, "working": True, "reason": "parts"}, at), handler, refdata, at)
    return case.model_copy(update={"due_at": due_local.astimezone(timezone.utc)})


def test_four_working_hours_from_monday_1600_end_tuesday_1100(refdata):
    # Working periods 08:30–12:00 and 14:00–17:30. From Monday 16:00: 1 h 30 min to 17:30, then 2 h 30 min
    # from Tuesday 08:30 → Tuesday 11:00; on the clock that is 19 h later.
    case = extension_requested(refdata, datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI))
    preview = extension_preview(case, refdata)
    assert preview.new_due == datetime(2026, 11, 24, 11, 0, tzinfo=SHANGHAI)
    assert preview.moved_by == timedelta(hours=19)
    assert preview.text() == ("New deadline 2026-11-24 11:00 (was 2026-11-23 16:00): 4 h of working time move it "
                              "by 19 h on the clock; nights, breaks and days off do not count.")
    now = datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)
    approved = apply(case, new_command(case.id, Action.APPROVE_EXTENSION, {}, now), LEAD, refdata, now)
    assert approved.due_at == preview.new_due  # the preview is what the workflow does


def test_partial_approval_grants_fewer_minutes(refdata):
    case = extension_requested(refdata, datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI))
    preview = extension_preview(case, refdata, minutes=60)  # 1 h from 16:00 → 17:00 the same day
    assert preview.new_due == datetime(2026, 11, 23, 17, 0, tzinfo=SHANGHAI) and preview.requested == 240
    now = datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)
    approved = apply(case, new_command(case.id, Action.APPROVE_EXTENSION, {"minutes": 60}, now), LEAD, refdata, now)
    assert approved.due_at == preview.new_due and approved.extension is None
    event = approved.events[-1]
    assert event.payload["minutes"] == 60 and event.payload["requested_minutes"] == 240
    with pytest.raises(WorkflowError) as refused:
        apply(case, new_command(case.id, Action.APPROVE_EXTENSION, {"minutes": 241}, now), LEAD, refdata, now)
    assert refused.value.code == "invalid_payload" and "240 requested" in refused.value.message


def test_suspension_takes_a_resume_at_time_ahead(refdata):
    case = extension_requested(refdata, datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI))
    now = datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)
    later = now + timedelta(days=2)
    suspended = apply(case, new_command(case.id, Action.SUSPEND, {"reason": "rain", "resume_at": later.isoformat()},
                                        now), LEAD, refdata, now)
    assert suspended.status == Status.SUSPENDED and suspended.resume_at == later
    assert datetime.fromisoformat(suspended.events[-1].payload["resume_at"]) == later
    resumed = apply(suspended, new_command(case.id, Action.RESUME, {}, now + timedelta(hours=1)), LEAD, refdata,
                    now + timedelta(hours=1))
    assert resumed.resume_at is None
    with pytest.raises(WorkflowError) as refused:
        apply(case, new_command(case.id, Action.SUSPEND, {"reason": "rain", "resume_at": now.isoformat()}, now),
              LEAD, refdata, now)
    assert refused.value.code == "invalid_payload" and "resume_at" in refused.value.message
    plain = apply(case, new_command(case.id, Action.SUSPEND, {"reason": "rain"}, now), LEAD, refdata, now)
    assert plain.resume_at is None
