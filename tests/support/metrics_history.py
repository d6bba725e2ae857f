"""A hand-scripted day of cases for the metrics tests, with the answers worked out by hand in
tests/metrics/test_metrics.py from the definitions in DOMAIN.md ("Performance metrics").

Every case is category C0101 at priority *urgent*: its handling limit is 2 h of calendar time; the stage
limits are register 30 min, dispatch 30 min, verification 2 h (all calendar time, demo calendar), so each
deadline below can be checked with a pencil. B = 2026-11-23 01:00 UTC = 09:00 in Shanghai (the period
under test is the local day 2026-11-23 = [2026-11-22 16:00Z, 2026-11-23 16:00Z)).

The same script runs on the domain core (cases built with `app.cases.workflow.apply`) and through the server's
HTTP command path, so the server's SQL and the console's offline computation see the same history.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

B = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
H = timedelta(hours=1)
M = timedelta(minutes=1)

OP, LEAD, INSP = "operator1", "lead1", "inspector1"
WATER, ROADS = "handler_water_supply", "handler_roads"


def _close_steps(t_handled, t_close):
    return [(t_handled + 5 * M, OP, "send_verify", {"inspector": INSP}),
            (t_close - 5 * M, INSP, "verify_pass", {}),
            (t_close, LEAD, "close", {})]


def _dispatch(t, unit="water_supply"):
    return [(t, OP, "dispatch", {"unit_id": unit}), (t + M, WATER if unit == "water_supply" else ROADS, "accept", {})]


def script() -> dict[str, tuple[datetime, list[tuple]]]:
    """name → (report time, [(time, user, action, payload)…])."""
    day_before = datetime(2026, 11, 22, 15, 0, tzinfo=timezone.utc)  # 23:00 local on 11-22
    late_evening = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)  # 23:00 local on 11-23
    return {
        # A: everything on time, closed.
        "A": (B, [(B + 10 * M, OP, "register", {}), *_dispatch(B + 20 * M),
                  (B + 80 * M, WATER, "report_handled", {"note": "done"}), *_close_steps(B + 80 * M, B + 110 * M)]),
        # B: handled late, verification fails (rework), handled again on time, closed.
        "B": (B, [(B + 5 * M, OP, "register", {}), *_dispatch(B + 10 * M),
                  (B + 3 * H, WATER, "report_handled", {"note": "done"}),
                  (B + 3 * H + 5 * M, OP, "send_verify", {"inspector": INSP}),
                  (B + 3 * H + 30 * M, INSP, "verify_fail", {"reason": "still broken"}),
                  (B + 4 * H, WATER, "report_handled", {"note": "fixed again"}),
                  *_close_steps(B + 4 * H, B + 4 * H + 30 * M)]),
        # C: returned by water supply, re-dispatched to roads_north (under roads), handled, not closed.
        "C": (B, [(B + 5 * M, OP, "register", {}), *_dispatch(B + 10 * M),
                  (B + 40 * M, WATER, "return", {"reason": "not ours"}),
                  *_dispatch(B + 50 * M, "roads_north"),
                  (B + 110 * M, ROADS, "report_handled", {"note": "done"})]),
        # D: suspended for 3 h with 1 h left; the deadline moves from B+2h10 to B+5h10; handled at B+5h.
        "D": (B, [(B + 5 * M, OP, "register", {}), *_dispatch(B + 10 * M),
                  (B + 70 * M, LEAD, "suspend", {"reason": "waiting for parts"}),
                  (B + 250 * M, LEAD, "resume", {}),
                  (B + 5 * H, WATER, "report_handled", {"note": "done"})]),
        # E: a 60 min extension moves the deadline from B+2h30 to B+3h30; handled at B+3h20.
        "E": (B, [(B + 20 * M, OP, "register", {}), *_dispatch(B + 30 * M),
                  (B + 60 * M, WATER, "request_extension", {"minutes": 60, "working": False,
                                                              "reason": "needs a crane"}),
                  (B + 70 * M, LEAD, "approve_extension", {}),
                  (B + 200 * M, WATER, "report_handled", {"note": "done"})]),
        # F: voided before registration.
        "F": (B, [(B + 10 * M, OP, "void", {"reason": "duplicate"})]),
        # G: reported 23:00 the day before, registered late (23:50, the day before), dispatched 00:05.
        "G": (day_before, [(day_before + 50 * M, OP, "register", {}), *_dispatch(day_before + 65 * M)]),
        # H: reported 23:00, registered and dispatched before midnight; handling due after the period.
        "H": (late_evening, [(late_evening + 10 * M, OP, "register", {}), *_dispatch(late_evening + 20 * M)]),
    }


def case_ids() -> dict[str, uuid.UUID]:
    return {name: uuid.uuid5(uuid.NAMESPACE_URL, f"onegrid:test:metrics:{name}") for name in script()}


def create_payload(refdata, name: str) -> dict:
    lat, lon = refdata.grids[0].centroid
    return {"source": "hotline", "category_code": "C0101", "priority": "urgent",
            "description": f"metrics test case {name}", "location": {"lat": lat, "lon": lon, "address": "Hubin Rd 1"}}


def build_cases(refdata) -> dict:
    """The script applied with the domain core: name → Case."""
    from app.cases.workflow import Actor, apply, new_command
    from app.platform.enums import Action

    ids = case_ids()
    out = {}
    for name, (reported, steps) in script().items():
        user = refdata.user(OP)
        case = apply(None, new_command(ids[name], Action.CREATE, create_payload(refdata, name), reported),
                     Actor(user.username, user.role, user.unit_id), refdata, reported)
        for at, username, action, payload in steps:
            user = refdata.user(username)
            case = apply(case, new_command(ids[name], Action(action), payload, at),
                         Actor(user.username, user.role, user.unit_id), refdata, at)
        out[name] = case
    return out


def run_on_server(harness) -> None:
    """The script through the server's HTTP command path, moving the harness clock."""
    ids = case_ids()
    timeline = []
    for name, (reported, steps) in script().items():
        timeline.append((reported, name, OP, "create", create_payload(harness.refdata, name)))
        timeline += [(at, name, user, action, payload) for at, user, action, payload in steps]
    timeline.sort(key=lambda t: t[0])
    last = None
    for at, name, user, action, payload in timeline:
        if last is not None and at - last > H:
            harness.forget_logins()  # tokens last 12 h; the script spans more than a day
        harness.clock.now = last = at
        result = harness.do(user, action, ids[name], payload, issued_at=at)
        assert result["status"] == "accepted", result
