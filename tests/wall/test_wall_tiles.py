"""The wall's figures worked by hand: today's cases by source, open and overdue by unit, on time now, active
alarms, live devices and the emergency banner; and the districts it cycles through."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from app.cases.summary import CaseSummary
from app.platform.enums import Priority, Source, Status
from app.wall.tiles import district_bounds, wall_figures

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)  # 14:00 in Shanghai; midnight there is 16:00 UTC before
H = timedelta(hours=1)


def summary(source, status, unit, created, due=None) -> CaseSummary:
    return CaseSummary(uuid.uuid4(), None, None, Status(status), Priority.ORDINARY, "C0101", unit, None, 30.26, 120.15,
                       Source(source), created, created, due, None, 0, 0, False, 1)


def test_the_tiles_worked_by_hand():
    cases = [
        summary("hotline", "dispatched", "roads", NOW - 2 * H, NOW + H),       # today, open, on time
        summary("hotline", "in_progress", "roads", NOW - 3 * H, NOW - H),      # today, open, overdue
        summary("grid_inspector", "closed", "roads", NOW - 4 * H, NOW - 2 * H),     # today, closed
        summary("sensor_alarm", "registered", None, NOW - 20 * H, NOW + H),          # yesterday (before midnight), open
        summary("citizen_app", "suspended", "water_supply", NOW - H, NOW - H), # today, open, clock stopped
    ]
    alarms = [{"state": "raised", "level": "alarm"}, {"state": "acknowledged", "level": "warning"},
              {"state": "cleared", "level": "alarm"}]
    positions = [{"time": (NOW - timedelta(minutes=1)).isoformat()}, {"time": (NOW - timedelta(minutes=9)).isoformat()}]
    f = wall_figures(cases, alarms, positions, {"on": True, "reason": "typhoon"}, NOW)
    assert f.today_by_source == {"hotline": 2, "grid_inspector": 1, "citizen_app": 1} and f.today_total == 4
    assert f.open_by_unit == [("roads", 2, 1), ("", 1, 0), ("water_supply", 1, 0)]
    assert (f.open_total, f.overdue_total) == (4, 1)
    assert (f.on_time, f.with_deadline, f.on_time_rate) == (2, 3, 2 / 3)  # the suspended one is left out
    assert (f.alarms_active, f.alarms_at_alarm_level) == (2, 1)
    assert (f.devices_live, f.devices_total) == (1, 2)
    assert f.emergency == {"on": True, "reason": "typhoon"}
    assert wall_figures(cases, [], [], {"on": False}, NOW).emergency is None


def test_districts_have_their_bounds(refdata):
    every = district_bounds(refdata)
    streets = {g.street for g in refdata.grids}
    assert {code for code, *_ in every} == streets
    code, name, _en, ((s, w), (n, e)) = every[0]
    for g in refdata.grids:
        if g.street == code:
            lat, lon = g.centroid
            assert s <= lat <= n and w <= lon <= e
    assert [c for c, *_ in district_bounds(refdata, [code])] == [code] and name
