"""Each unit's figures count its own task on a joint case, and the on-site check's time is the intake
post's figure: a hand-worked example."""
from __future__ import annotations

import uuid
from datetime import timedelta

from app.cases.workflow import Actor, apply, new_command
from app.metrics import figures as m
from app.platform.enums import Action as A
from app.platform.enums import Role as R

DESK = Actor("operator1", R.OPERATOR)
LEAD = Actor("handler_water_supply", R.UNIT_HANDLER, "water_supply")
CO = Actor("handler_roads", R.UNIT_HANDLER, "roads")
CO2 = Actor("handler_sanitation", R.UNIT_HANDLER, "sanitation")


def test_co_units_count_their_own_tasks_and_the_check_counts_for_intake(refdata, now):
    grid = refdata.grids[0]
    at = [now]

    def do(case, actor, action, payload=None, *, minutes=5):
        at[0] += timedelta(minutes=minutes)
        return apply(case, new_command(case.id if case else uuid.uuid4(), action, payload or {}, at[0]), actor,
                     refdata, at[0])

    case = do(None, DESK, A.CREATE, {"source": "hotline", "category_code": "C0101", "description": "井盖",
                                     "location": {"lat": grid.centroid[0], "lon": grid.centroid[1]}})
    # reported 10:05 (local time)
    case = do(case, DESK, A.SEND_CHECK)                                     # 10:10
    case = do(case, Actor("inspector1", R.INSPECTOR), A.CONFIRM_CHECK, {"found": True}, minutes=30)  # 10:40
    case = do(case, DESK, A.REGISTER)                                       # 10:45
    case = do(case, DESK, A.DISPATCH, {"unit_id": "water_supply"})          # 10:50
    case = do(case, DESK, A.ADD_CO_UNIT, {"unit_id": "roads"})              # 10:55, roads' own deadline
    case = do(case, DESK, A.ADD_CO_UNIT, {"unit_id": "sanitation"})         # 11:00
    case = do(case, CO2, A.CO_RETURN, {"reason": "not ours"})               # 11:05 sanitation returns its task
    case = do(case, LEAD, A.ACCEPT)                                         # 11:10
    case = do(case, CO, A.CO_ACCEPT)                                        # 11:15
    case = do(case, CO, A.CO_HANDLED, {"note": "road part"}, minutes=60)    # 12:15: 80 minutes after 10:55
    case = do(case, LEAD, A.REPORT_HANDLED, {"note": "main part"})
    roads_due = case.co_tasks[0].due_at
    assert case.co_tasks[0].handled_at < roads_due

    as_of = at[0] + timedelta(days=40)  # every deadline has fallen due
    day = now.astimezone(refdata.policy.calendar.tz).date()

    def figures(unit):
        report = m.compute_offline([case], refdata, day, day + timedelta(days=35), unit, False, as_of)
        return {f.key: f for f in report.figures}

    roads, sanitation, lead, city = (figures(u) for u in ("roads", "sanitation", "water_supply", None))
    assert (roads["dispatched"].value, roads["handled"].value) == (1, 1)
    assert (roads["on_time_handling_rate"].numerator, roads["on_time_handling_rate"].denominator) == (1, 1)
    assert roads["time_to_handle"].value == 80 * 60
    # sanitation's returned task: a dispatch and a return, no deadline of its own falling due
    assert (sanitation["dispatched"].value, sanitation["return_rate"].numerator) == (1, 1)
    assert sanitation["on_time_handling_rate"].denominator == 0 and sanitation["handled"].value == 0
    # the lead counts its own task only
    assert (lead["dispatched"].value, lead["handled"].value, lead["return_rate"].numerator) == (1, 1, 0)
    # city-wide: three dispatches (lead + two co-units), two handling reports, one check of 30 minutes
    assert (city["dispatched"].value, city["handled"].value) == (3, 2)
    assert (city["time_to_check"].value, city["time_to_check"].denominator) == (30 * 60, 1)
    assert city["time_to_register"].value == 40 * 60  # report 10:05 → register 10:45, the check included
