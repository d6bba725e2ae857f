"""The callback figures of master cases with several reporters, worked by hand (docs/evaluation.md,
"Callbacks with several reporters"). Built with the workflow alone; the server's closure list of merged
reporters (`server.cases.reporters`) is written into each closing event as the server does.

One day, three cases closed (category C0101, unit water_supply):
- M1: its own hotline reporter and two merged repeats R1, R2. Calls: own reached, satisfied; R1 not reached
  (one attempt); R2 reached, dissatisfied.
- M2: its own hotline reporter and one repeat R3. Calls: own satisfied; R3 satisfied.
- M3: a grid inspector's case (nobody of its own to call) with one citizen repeat R4, not called yet.
By hand:
- callback rate: closures due a callback = M1, M2, M3 = 3 (M3 through its repeat); every reporter called at
  least once = M1 (own, R1, R2 all attempted), M2 = 2 → 2/3.
- satisfaction rate: closures with a reporter reached = M1 (own, R2), M2 (own, R3) = 2; of which every
  reached reporter satisfied = M2 (M1's R2 is dissatisfied) = 1 → 1/2.
  Counting callbacks one by one instead would give 3 satisfied of 4 reached (3/4): a dissatisfied
  reporter of a problem would be outweighed by the others of the same problem.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from app.cases import callbacks
from app.cases.workflow import Actor, WorkflowError, apply, new_command
from app.metrics import figures as m
from app.metrics import satisfaction

DAY = date(2026, 11, 23)
AS_OF = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
B = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
M = timedelta(minutes=1)
LOOP = [("operator1", "register", {}), ("operator1", "dispatch", {"unit_id": "water_supply"}),
        ("handler_water_supply", "accept", {}), ("handler_water_supply", "report_handled", {"note": "fixed"}),
        ("operator1", "send_verify", {"inspector": "inspector1"}), ("inspector1", "verify_pass", {}),
        ("lead1", "close", {})]
R = {name: uuid.uuid5(uuid.NAMESPACE_URL, f"onegrid-test-reporters-{name}") for name in ("R1", "R2", "R3", "R4")}


def _closed(refdata, name: str, source: str, reports: list[str], start: datetime):
    users = {u.username: Actor(u.username, u.role, u.unit_id) for u in refdata.users}
    lat, lon = refdata.grids[0].centroid
    payload = {"category_code": "C0101", "description": "cover missing", "priority": "urgent", "source": source,
               "location": {"lat": lat, "lon": lon}}
    if source == "hotline":
        payload["reporter_phone"] = "13800138000"
    case_id = uuid.uuid5(uuid.NAMESPACE_URL, f"onegrid-test-reporters-{name}")
    at = start
    case = apply(None, new_command(case_id, "create", payload, at), users["operator1"], refdata, at)
    for user, action, body in LOOP:
        at += M
        case = apply(case, new_command(case.id, action, body, at), users[user], refdata, at)
    closing = case.events[-1]
    stamped = closing.model_copy(update={"payload": {**closing.payload, callbacks.REPORTS_KEY: [
        {"case_id": str(R[r]), "number": f"2026-9{r[1]}"} for r in reports]}})
    return case.model_copy(update={"events": case.events[:-1] + (stamped,)}), users, at


def _call(refdata, case, users, at, report: str | None, reached: bool, satisfaction: str | None = None):
    body: dict = {"reached": reached}
    if satisfaction:
        body["satisfaction"] = satisfaction
    if report:
        body["report_id"] = str(R[report])
    return apply(case, new_command(case.id, "record_callback", body, at), users["operator1"], refdata, at)


def _day(refdata):
    m1, users, at = _closed(refdata, "M1", "hotline", ["R1", "R2"], B)
    m1 = _call(refdata, m1, users, at + M, None, True, "satisfied")
    m1 = _call(refdata, m1, users, at + 2 * M, "R1", False)
    m1 = _call(refdata, m1, users, at + 3 * M, "R2", True, "dissatisfied")
    m2, users, at = _closed(refdata, "M2", "hotline", ["R3"], B + 30 * M)
    m2 = _call(refdata, m2, users, at + M, None, True, "satisfied")
    m2 = _call(refdata, m2, users, at + 2 * M, "R3", True, "satisfied")
    m3, users, at = _closed(refdata, "M3", "grid_inspector", ["R4"], B + 60 * M)
    return m1, m2, m3


def test_hand_worked_rates_with_several_reporters(refdata):
    rep = m.compute_offline(list(_day(refdata)), refdata, DAY, DAY, None, True, AS_OF)
    assert (rep.figure("callback_rate").numerator, rep.figure("callback_rate").denominator) == (2, 3)
    assert (rep.figure("satisfaction_rate").numerator, rep.figure("satisfaction_rate").denominator) == (1, 2)


def test_facts_per_closure(refdata):
    m1, m2, m3 = _day(refdata)
    assert [(f.kind, f.met) for f in satisfaction.callback_facts(m1)] == [("cb_due", True), ("cb_reached", False)]
    assert [(f.kind, f.met) for f in satisfaction.callback_facts(m2)] == [("cb_due", True), ("cb_reached", True)]
    assert [(f.kind, f.met) for f in satisfaction.callback_facts(m3)] == [("cb_due", False)]
    # the reached fact is counted at the closure's latest reached call
    reached = satisfaction.callback_facts(m1)[1]
    assert reached.at == m1.events[-1].at


def test_the_task_and_its_refusals_on_the_core(refdata):
    m1, m2, m3 = _day(refdata)
    assert [r.report_id for r in callbacks.to_call(m1)] == [R["R1"]]  # not reached: tried again
    assert callbacks.counts([m1, m2, m3]) == {"waiting": 2, "retry": 1, "dissatisfied": 1}  # M1: R2 waits for a lead
    assert callbacks.awaiting_lead(m1) and not callbacks.callback_open(m2)
    users = {u.username: Actor(u.username, u.role, u.unit_id) for u in refdata.users}
    at = m3.updated_at + M
    with pytest.raises(WorkflowError) as err:  # M3 has no reporter of its own: the report must be named
        apply(m3, new_command(m3.id, "record_callback", {"reached": False}, at), users["operator1"], refdata, at)
    assert err.value.code == "precondition"
    with pytest.raises(WorkflowError) as err:
        apply(m3, new_command(m3.id, "record_callback", {"reached": False, "report_id": str(R["R1"])}, at),
              users["operator1"], refdata, at)
    assert err.value.code == "unknown_report"
    reopened = apply(m1, new_command(m1.id, "reopen", {"reason": "R2 says it still smells"}, at), users["lead1"],
                     refdata, at)
    assert reopened.report_callbacks == () and reopened.callback is None
    assert not callbacks.due_callback(reopened)  # the next closure lists its reporters again
