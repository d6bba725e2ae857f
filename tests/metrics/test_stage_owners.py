"""Each figure charges the stage's owner (DOMAIN.md, "Who owns each stage"): hand-worked cases for the three
evaluation defects a shift lead would catch — the center's delays charged to the unit, rework that costs the
unit nothing, and a ranking of non-peers.

Every case is C0101 at priority urgent (handling 2 h calendar; register and dispatch 30 min; verification
2 h). B = 2026-11-23 01:00Z = 09:00 local; the period is that local day, seen from the next day.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest

from app.cases.workflow import Actor, apply, new_command
from app.metrics import figures as m
from app.platform.enums import Action
from tests.support import metrics_history as hist

DAY = date(2026, 11, 23)
AS_OF = datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)
B, H, M = hist.B, hist.H, hist.M
OP, LEAD, INSP, WATER = hist.OP, hist.LEAD, hist.INSP, hist.WATER


def run(refdata, name: str, steps, reported=B):
    """A case built by `workflow.apply` from (time, user, action, payload) steps."""
    case_id = uuid.uuid5(uuid.NAMESPACE_URL, f"onegrid:test:owners:{name}")
    user = refdata.user(OP)
    case = apply(None, new_command(case_id, Action.CREATE, hist.create_payload(refdata, name), reported),
                 Actor(user.username, user.role, user.unit_id), refdata, reported)
    for at, username, action, payload in steps:
        user = refdata.user(username)
        case = apply(case, new_command(case_id, Action(action), payload, at),
                     Actor(user.username, user.role, user.unit_id), refdata, at)
    return case


def pair(rep, key):
    f = rep.figure(key)
    return f.numerator, f.denominator


def test_the_centers_late_registration_is_not_charged_to_the_unit(refdata):
    # registered at B+90 min: 60 min past its 30 min limit (the intake post's delay). Dispatched at B+95,
    # handled 1 h later (due B+95+2h = B+3h35: met), verified and closed within the verification limit.
    case = run(refdata, "late-register", [
        (B + 90 * M, OP, "register", {}), (B + 95 * M, OP, "dispatch", {"unit_id": "water_supply"}),
        (B + 96 * M, WATER, "accept", {}), (B + 155 * M, WATER, "report_handled", {"note": "fixed"}),
        (B + 160 * M, OP, "send_verify", {"inspector": INSP}), (B + 170 * M, INSP, "verify_pass", {}),
        (B + 175 * M, LEAD, "close", {})])
    rep = m.compute_offline([case], refdata, DAY, DAY, "water_supply", True, AS_OF)
    # the unit's only stage was on time and the case was resolved: 1 of 1 on both
    assert pair(rep, "on_time_handling_rate") == (1, 1)
    assert pair(rep, "timely_resolution_rate") == (1, 1)


def test_rework_runs_against_the_original_handling_deadline(refdata):
    # dispatched B+10: handling due B+2h10. Handled B+40, verification fails B+1h: the rework keeps B+2h10.
    case = run(refdata, "rework-deadline", [
        (B + 5 * M, OP, "register", {}), (B + 10 * M, OP, "dispatch", {"unit_id": "water_supply"}),
        (B + 11 * M, WATER, "accept", {}), (B + 40 * M, WATER, "report_handled", {"note": "done"}),
        (B + 45 * M, OP, "send_verify", {"inspector": INSP}),
        (B + 60 * M, INSP, "verify_fail", {"reason": "still leaking"})])
    assert case.status == "in_progress"
    assert case.due_at == B + 2 * H + 10 * M  # not B+1h + 2h


def test_a_failed_verification_costs_the_unit(refdata):
    # as above; the rework is reported B+1h50 (before even the original deadline), verified, closed.
    case = run(refdata, "rework-costs", [
        (B + 5 * M, OP, "register", {}), (B + 10 * M, OP, "dispatch", {"unit_id": "water_supply"}),
        (B + 11 * M, WATER, "accept", {}), (B + 40 * M, WATER, "report_handled", {"note": "done"}),
        (B + 45 * M, OP, "send_verify", {"inspector": INSP}),
        (B + 60 * M, INSP, "verify_fail", {"reason": "still leaking"}),
        (B + 110 * M, WATER, "report_handled", {"note": "fixed again"}),
        (B + 115 * M, OP, "send_verify", {"inspector": INSP}), (B + 130 * M, INSP, "verify_pass", {}),
        (B + 135 * M, LEAD, "close", {})])
    rep = m.compute_offline([case], refdata, DAY, DAY, "water_supply", True, AS_OF)
    # one handling task (one deadline, B+2h10), whose first report was not a resolution: 0 of 1
    assert pair(rep, "on_time_handling_rate") == (0, 1)
    # closed in the period, but not timely: its first handling failed verification
    assert pair(rep, "timely_resolution_rate") == (0, 1)
    assert pair(rep, "rework_rate") == (1, 2)


def test_units_are_ranked_against_peers_only(refdata):
    cases = hist.build_cases(refdata)
    rep = m.compute_offline(cases.values(), refdata, DAY, DAY, None, True, AS_OF)
    levels = {r.unit_id: r.level for r in rep.ranking}
    # ranks restart within each level: a level-2 squad is never placed against a level-1 department
    for level in set(levels.values()):
        ranks = sorted(r.rank for r in rep.ranking if r.level == level and r.rank is not None)
        assert ranks == sorted(ranks) and (not ranks or ranks[0] == 1), level
    assert all(r.rank is None or r.level == 1 for r in rep.ranking if r.unit_id in ("roads", "water_supply"))
    # under a selected parent: only its own children are peers of one another
    roads = m.compute_offline(cases.values(), refdata, DAY, DAY, "roads", True, AS_OF)
    for r in roads.ranking:
        if r.rank is not None:
            assert refdata.unit(r.unit_id).parent_id == "roads"
    # too few cases due: listed, not ranked, and told why
    water = next(r for r in rep.ranking if r.unit_id == "water_supply")
    assert water.rank is None and "5" in water.unranked_reason
    assert rep.ranking_by == "timely_resolution_rate"


@pytest.mark.parametrize("key", ["timely_resolution_rate"])
def test_the_ranking_names_its_figure(refdata, key):
    rep = m.compute_offline([], refdata, DAY, DAY, None, True, AS_OF)
    assert rep.ranking_by == key and rep.ranking_rule
