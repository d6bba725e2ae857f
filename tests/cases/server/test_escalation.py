"""Automatic escalation of overdue stages by the server, exactly once per stage, across processes."""
from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from app.cases.case import Case
from db.cases import CaseEventRow
from db.platform import TokenRow
from server.cases.escalation import escalate_overdue, escalation_command
from server.maintenance import maintenance_round
from tests.support.server import UNIT


def _sweep(srv):
    return escalate_overdue(srv.ctx.db.reader, srv.ctx.db.writer, srv.refdata, srv.clock)


def _escalations(srv) -> int:
    with srv.ctx.db.reader() as session:
        return session.execute(select(func.count()).select_from(CaseEventRow)
                               .where(CaseEventRow.action == "escalate")).scalar()


def test_overdue_stage_is_escalated_once(srv, clock):
    case = srv.case_at("dispatched")
    assert _sweep(srv) == []  # not overdue yet
    clock.now = clock.now + timedelta(days=5)  # far past the handling limit
    (result,) = _sweep(srv)
    assert result.status == "accepted"
    escalated = result.case
    assert escalated.escalation_level == 1
    assert escalated.escalated_to == srv.refdata.ancestors(UNIT)[0]
    event = escalated.events[-1]
    assert (event.action, event.actor, event.actor_role, event.payload["automatic"]) == \
        ("escalate", "system", "system", True)
    assert _sweep(srv) == []  # the same stage is escalated only once
    assert _escalations(srv) == 1
    srv.forget_logins()
    feed = srv.changes("operator1")["changes"]
    assert feed[-1]["id"] == case["id"] and feed[-1]["data"]["escalation_level"] == 1


def test_an_overdue_center_stage_alerts_the_shift_lead_once_per_stage(lite, clock):
    case = lite.case_at("reported")
    clock.now += timedelta(hours=2)  # the 30-minute registration limit has passed
    (first,) = _sweep(lite)
    # the intake post's delay: the shift lead is alerted; no unit (and not the center itself) is escalated to
    assert first.status == "accepted" and first.case.escalated_to is None and first.case.escalation_level == 0
    assert first.case.events[-1].payload["alerted"] == "shift_lead"
    assert "alerting the shift lead" in first.case.events[-1].payload["reason"]
    assert _sweep(lite) == []
    lite.forget_logins()
    clock.now += timedelta(minutes=1)
    assert lite.do("operator1", "register", case["id"])["status"] == "accepted"
    clock.now += timedelta(hours=2)  # now the dispatch stage is overdue too: the dispatch post's
    (second,) = _sweep(lite)
    assert second.command_id != first.command_id
    assert second.status == "accepted" and second.case.events[-1].payload["alerted"] == "shift_lead"
    assert _sweep(lite) == []
    assert _escalations(lite) == 2


def test_an_overdue_verification_alerts_the_inspectors_lead(lite, clock):
    lite.case_at("verifying")
    clock.now += timedelta(days=1)
    (result,) = _sweep(lite)
    assert result.status == "accepted" and result.case.events[-1].payload["alerted"] == "inspector_lead"
    assert result.case.escalated_to is None


def test_two_server_processes_sweeping_escalate_once(make_harness, pg_url, clock):
    a = make_harness(pg_url)
    b = make_harness(pg_url, prepare=False)
    a.case_at("dispatched")
    clock.now += timedelta(days=5)
    results = _sweep(a) + _sweep(b)
    assert [r.status for r in results] == ["accepted"]
    assert _escalations(a) == 1


def test_escalation_ids_are_deterministic(lite, clock):
    case = Case.model_validate(lite.case_at("dispatched"))
    assert escalation_command(case, clock()).command_id == escalation_command(case, clock() + timedelta(hours=1)).command_id


def test_maintenance_loop_runs_in_the_background(make_harness, sqlite_url, clock):
    srv = make_harness(sqlite_url, maintenance_interval_s=0.2)
    srv.case_at("dispatched")
    clock.now += timedelta(days=5)
    deadline = time.monotonic() + 5
    while _escalations(srv) == 0:
        assert time.monotonic() < deadline, "the maintenance loop did not escalate"
        time.sleep(0.05)


def test_maintenance_purges_long_expired_tokens(lite, clock):
    lite.login("operator1")
    clock.now += timedelta(days=3)
    maintenance_round(lite.ctx)
    with lite.ctx.db.reader() as session:
        assert session.execute(select(func.count()).select_from(TokenRow)).scalar() == 0
