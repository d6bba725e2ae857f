"""Arrival on site: the `arrive` action's rules (who may record it, when, once per trip) and the "on site
within target" rate worked by hand from five scripted cases."""
from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from app.cases import arrival
from app.cases.workflow import Actor, WorkflowError, apply, new_command
from app.metrics import figures as m
from app.metrics import onsite
from app.platform.enums import Role
from app.refdata.model import RefData

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
DAY = date(2026, 11, 23)
AS_OF = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)


def actors(refdata) -> dict[str, Actor]:
    out = {u.username: Actor(u.username, u.role, u.unit_id) for u in refdata.users}
    out["system"] = Actor("system", Role.SYSTEM, None)
    return out


def run(refdata, steps, category="C0101"):
    """A case created at T0 - 5 min, registered, then `steps`: (minutes after T0, user, action, payload)."""
    who = actors(refdata)
    lat, lon = refdata.grids[0].centroid
    at = T0 - 5 * MIN
    case = apply(None, new_command(uuid.uuid4(), "create", {"source": "hotline", "category_code": category,
                                                            "description": "cover missing",
                                                            "location": {"lat": lat, "lon": lon}}, at),
                 who["operator1"], refdata, at)
    case = apply(case, new_command(case.id, "register", {}, at + MIN), who["operator1"], refdata, at + MIN)
    for minutes, user, action, payload in steps:
        at = T0 + minutes * MIN
        case = apply(case, new_command(case.id, action, payload, at), who[user], refdata, at)
    return case


DISPATCH = (0, "operator1", "dispatch", {"unit_id": "water_supply"})
HANDLER = "handler_water_supply"


def test_the_crew_arrives_once_per_trip(refdata):
    case = run(refdata, [DISPATCH, (12, HANDLER, "arrive", {})])
    assert arrival.arrived_at(case) == T0 + 12 * MIN and case.status == "dispatched"
    assert case.events[-1].payload == {"who": "unit"}
    with pytest.raises(WorkflowError) as exc:
        run(refdata, [DISPATCH, (12, HANDLER, "arrive", {}), (13, HANDLER, "arrive", {})])
    assert exc.value.code == "precondition" and "already" in str(exc.value)
    # a new trip (reassigned and back) may arrive again
    case = run(refdata, [DISPATCH, (12, HANDLER, "arrive", {}),
                         (20, "operator1", "reassign", {"unit_id": "roads"}),
                         (30, "handler_roads", "arrive", {})])
    assert arrival.arrived_at(case) == T0 + 30 * MIN


def test_only_the_one_on_the_way_may_arrive(refdata):
    with pytest.raises(WorkflowError) as exc:  # another unit's handler: not its case
        run(refdata, [DISPATCH, (5, "handler_roads", "arrive", {})])
    assert exc.value.code == "out_of_scope"
    with pytest.raises(WorkflowError) as exc:  # an inspector while the crew is on the way
        run(refdata, [DISPATCH, (5, "inspector1", "arrive", {})])
    assert exc.value.code == "wrong_trip"
    verifying = [DISPATCH, (1, HANDLER, "accept", {}), (2, HANDLER, "report_handled", {"note": "done"}),
                 (3, "operator1", "send_verify", {"inspector": "inspector1"})]
    with pytest.raises(WorkflowError) as exc:
        run(refdata, [*verifying, (8, "inspector2", "arrive", {})])
    assert exc.value.code == "wrong_inspector"
    case = run(refdata, [*verifying, (8, "inspector1", "arrive", {})])
    assert arrival.arrived_at(case, "inspector") == T0 + 8 * MIN
    with pytest.raises(WorkflowError) as exc:  # registered, nobody sent
        run(refdata, [(1, "lead1", "arrive", {})])
    assert exc.value.code == "illegal_state"
    case = run(refdata, [DISPATCH, (3, "system", "arrive", {"device_id": "PAT-W1", "distance_m": 42.0})])
    assert case.events[-1].payload == {"who": "unit", "device_id": "PAT-W1", "distance_m": 42.0}


def scripted(refdata) -> list:
    return [
        run(refdata, [DISPATCH, (12, HANDLER, "arrive", {})]),                      # A: in 12 min, met
        run(refdata, [DISPATCH, (20, HANDLER, "arrive", {})]),                      # B: in 20 min, missed
        run(refdata, [DISPATCH]),                                                   # C: never came, missed
        run(refdata, [DISPATCH, (5, HANDLER, "return", {"reason": "not ours"})]),   # D: ended first, not counted
        run(refdata, [DISPATCH, (1, HANDLER, "accept", {}), (2, HANDLER, "report_handled", {"note": "done"}),
                      (3, "operator1", "send_verify", {"inspector": "inspector1"}),
                      (13, "inspector1", "arrive", {})]),                          # E: the inspector in 10 min, met
    ]  # E's crew trip ended (handled at 2) before its 15-minute target without an arrival: not counted


def with_target(refdata, minutes):
    cats = [dataclasses.replace(c, onsite_target_min=minutes) if c.code == "C0101" else c for c in refdata.categories]
    return RefData(refdata.units, cats, refdata.grids, refdata.responsibility, refdata.users, refdata.sensors,
                   refdata.policy)


def test_on_site_within_target_worked_by_hand(refdata):
    plain = with_target(refdata, None)  # the category sets no target: 15 minutes
    rep = m.compute_offline(scripted(plain), plain, DAY, DAY, None, True, AS_OF)
    f = rep.figure("onsite_rate")
    # city-wide: met A (12 min), E (10 min); due A, B (20 min), C (never), E → 2 / 4
    assert (f.numerator, f.denominator, f.value) == (2, 4, 0.5)
    assert "÷" in f.formula and "15" in f.formula
    unit = m.compute_offline(scripted(plain), plain, DAY, DAY, "water_supply", True, AS_OF)
    assert (unit.figure("onsite_rate").numerator, unit.figure("onsite_rate").denominator) == (1, 3)  # A of A, B, C
    facts = onsite.onsite_facts(scripted(plain)[2], plain)
    assert [(f.at, f.met, f.unit_id) for f in facts] == [(T0 + 15 * MIN, False, "water_supply")]


def test_a_category_sets_its_own_target(refdata):
    assert refdata.category("C0101").onsite_target_min == 20  # the demo's categories.csv
    rep = m.compute_offline(scripted(refdata), refdata, DAY, DAY, None, True, AS_OF)
    assert (rep.figure("onsite_rate").numerator, rep.figure("onsite_rate").denominator) == (3, 4)  # B in time
    quick = with_target(refdata, 10)
    rep = m.compute_offline(scripted(quick), quick, DAY, DAY, None, True, AS_OF)
    assert (rep.figure("onsite_rate").numerator, rep.figure("onsite_rate").denominator) == (1, 4)  # E only
    assert RefData.from_dict(quick.to_dict()).category("C0101").onsite_target_min == 10
