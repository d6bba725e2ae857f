"""A hand-scripted day of callbacks for the satisfaction figures, run on the domain core and through the
server's HTTP command path (so the server's SQL and the console's offline computation see the same history).

Five cases of category C0101 (unit water_supply), all on the local day 2026-11-23 (Shanghai):
- A hotline, closed, called back: reached, satisfied;
- B citizen app, closed, called back twice: not reached, then reached, basically satisfied;
- C hotline, closed, called back: reached, dissatisfied → reopened by the lead, dispatched, closed again and
  not called back after that second closure;
- D hotline, closed, never called back;
- E grid inspector (no citizen to call), closed.
By hand: closures due a callback = A, B, C (first), C (second), D = 5; called back = A, B, C (first) = 3
→ callback rate 3/5. Callbacks that reached the reporter = A, B (second attempt), C = 3, of which satisfied
= A → satisfaction rate 1/3.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

B = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 10:00 local
M = timedelta(minutes=1)
OP, LEAD, INSP, WATER = "operator1", "lead1", "inspector1", "handler_water_supply"
PHONE = "13800138000"


def _loop() -> list[tuple[str, str, dict]]:
    return [(OP, "register", {}), (OP, "dispatch", {"unit_id": "water_supply"}), (WATER, "accept", {}),
            (WATER, "report_handled", {"note": "fixed"}), (OP, "send_verify", {"inspector": INSP}),
            (INSP, "verify_pass", {}), (LEAD, "close", {})]


def _called(reached: bool, satisfaction: str | None = None) -> tuple[str, str, dict]:
    payload: dict = {"reached": reached, "note": "called"}
    if satisfaction:
        payload["satisfaction"] = satisfaction
    return (OP, "record_callback", payload)


def script() -> dict[str, tuple[dict, list[tuple[str, str, dict]]]]:
    """name → (create overrides, [(user, action, payload)…]) in order."""
    return {
        "A": ({"source": "hotline", "reporter_phone": PHONE}, _loop() + [_called(True, "satisfied")]),
        "B": ({"source": "citizen_app", "reporter_phone": PHONE},
              _loop() + [_called(False), _called(True, "basically_satisfied")]),
        "C": ({"source": "hotline", "reporter_phone": PHONE},
              _loop() + [_called(True, "dissatisfied"), (LEAD, "reopen", {"reason": "still leaking"})] + _loop()[1:]),
        "D": ({"source": "hotline", "reporter_phone": PHONE}, _loop()),
        "E": ({"source": "grid_inspector"}, _loop()),
    }


def case_ids() -> dict[str, uuid.UUID]:
    return {name: uuid.uuid5(uuid.NAMESPACE_URL, f"onegrid-test-callbacks-{name}") for name in script()}


def create_payload(refdata, overrides: dict) -> dict:
    lat, lon = refdata.grids[0].centroid
    return {"category_code": "C0101", "description": "manhole cover missing", "priority": "urgent",
            "location": {"lat": lat, "lon": lon}, **overrides}


def run_on_core(refdata) -> list:
    """The cases, built with the workflow alone."""
    from app.cases.workflow import Actor, apply, new_command

    users = {u.username: Actor(u.username, u.role, u.unit_id) for u in refdata.users}
    out = []
    for i, (name, (overrides, steps)) in enumerate(script().items()):
        at = B + i * 30 * M
        case = apply(None, new_command(case_ids()[name], "create", create_payload(refdata, overrides), at),
                     users[OP], refdata, at)
        for user, action, payload in steps:
            at += M
            case = apply(case, new_command(case.id, action, payload, at), users[user], refdata, at)
        out.append(case)
    return out


def run_on_server(harness) -> None:
    """The same through the server's HTTP command path, moving the harness clock."""
    for i, (name, (overrides, steps)) in enumerate(script().items()):
        at = B + i * 30 * M
        harness.clock.now = at
        result = harness.do(OP, "create", case_ids()[name], create_payload(harness.refdata, overrides))
        assert result["status"] == "accepted", result
        for user, action, payload in steps:
            at += M
            harness.clock.now = at
            result = harness.do(user, action, case_ids()[name], payload)
            assert result["status"] == "accepted", result
