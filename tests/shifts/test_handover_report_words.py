"""The handover report reads right: people by display name and role, times in the city's zone without
seconds or ISO text, the overdue list with category and place, and the PDF named after its shift."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from app.shifts.handover import HandoverState
from app.shifts.handover_report import pdf_file_name, report_html


def _state(refdata) -> HandoverState:
    start, end = datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc), datetime(2026, 3, 2, 12, 0, 0, 123456, tzinfo=timezone.utc)
    shift = {"id": str(uuid.uuid4()), "name": "day", "scheduled_start": start.isoformat(), "scheduled_end": end.isoformat(),
             "lead": "lead1", "on_duty": ["lead1", "operator1"]}
    overdue = {"case_id": str(uuid.uuid4()), "number": "2026-000042", "status": "in_progress", "unit_id": "roads",
               "category_code": "C0101", "priority": "ordinary", "due_at": end.isoformat(), "stage": "handle",
               "escalation_level": 1, "address": "湖滨路 12 号", "grid_code": refdata.grids[0].code}
    report = {"window": {"start": start.isoformat(), "end": end.isoformat()},
              "overdue": {"total": 1, "items": [overdue]}}
    server = {"shift_id": shift["id"], "status": "signed", "content_hash": "ab" * 32, "report": report,
              "outgoing_lead": "lead1", "signed_by": "lead2", "signed_at": end.isoformat(), "shift": shift}
    return HandoverState(shift["id"], server, "", False, None)


def test_people_times_and_the_overdue_place(refdata):
    html = report_html(_state(refdata), refdata, "en")
    assert "陈伟 · Shift lead" in html and "张敏 · Operator" in html  # lead1, operator1
    assert "Signed by 刘洋 · Shift lead at 2026-03-02 20:00." in html  # 12:00 UTC is 20:00 in Shanghai
    assert "2026-03-02 08:00" in html and "T12:00" not in html and "123456" not in html
    category = refdata.category("C0101")
    assert f"C0101 {category.name_en or category.name}" in html
    assert "湖滨路 12 号 · " in html


def test_the_pdf_is_named_after_its_shift(refdata):
    shift = _state(refdata).server["shift"]
    assert pdf_file_name(shift, refdata.policy.calendar.tz) == "handover-2026-03-02-0800-day-lead1.pdf"  # 00:00 UTC = 08:00 in the city


def test_the_incoming_leads_remarks_show_under_the_signature(refdata):
    state = _state(refdata)
    state.server["signed_remarks"] = "pump 3 checked <08:10>"
    html = report_html(state, refdata, "en")
    signature = html[html.index("Signed by"):]
    assert "Remarks of the incoming lead" in signature and "pump 3 checked &lt;08:10&gt;" in signature
    assert "Remarks of the incoming lead" not in report_html(_state(refdata), refdata, "en")  # none: no heading
