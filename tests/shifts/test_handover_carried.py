"""The handover report as shown and printed lists the escalations and supervision orders it carries over."""
from __future__ import annotations

from app.shifts.handover import HandoverState
from app.shifts.handover_report import report_html

CASE = "6f0c1a52-0000-4000-8000-000000000001"


def test_carried_escalations_and_orders_are_printed(refdata):
    report = {
        "counts": {"escalated": 0, "open_escalations": 2, "open_orders": 1, "overdue_orders": 1},
        "open_escalations": {"total": 2, "items": [
            {"case_id": CASE, "number": "2026-000017", "status": "dispatched", "unit_id": "roads",
             "escalated_to": "city_office", "escalation_level": 1},
            {"case_id": CASE, "number": "2026-000018", "status": "in_progress", "unit_id": "roads",
             "escalated_to": "city_office", "escalation_level": 2}]},
        "open_orders": {"total": 1, "items": [
            {"case_id": CASE, "number": "2026-000017", "status": "dispatched", "order_number": 1, "order_id": CASE,
             "level": "leader", "unit_id": "roads", "state": "open", "issued_by": "lead1",
             "issued_at": "2026-11-23T02:00:00+00:00", "due_at": "2026-11-23T04:00:00+00:00", "overdue": True,
             "text": "why?", "reply": None}]},
    }
    state = HandoverState("s1", {"report": report, "shift": {"name": "day"}, "content_hash": "abc"}, "", False, None)
    html = report_html(state, refdata)
    assert "Escalated cases still open (carried over)" in html
    assert "2026-000018" in html and "Supervision orders still open (carried over)" in html
    assert "Leader-level order" in html and "OVERDUE" in html and "the unit&#x27;s reply" in html
    assert "<td>Escalated cases still open</td><td>2</td>" in html
