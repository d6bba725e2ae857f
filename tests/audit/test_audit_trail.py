"""The console's Qt-free audit helpers: query parameters, cell texts, case-number resolution."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from types import SimpleNamespace

from app.audit.trail import AuditQuery, case_ref, cell_text
from app.wire.audit import AuditEntry


def test_query_parameters_leave_out_empty_criteria():
    start = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
    assert AuditQuery().params() == {}
    assert AuditQuery(start=start, actor=" lead1 ", entity_id="", offline=False, result="rejected").params() == {
        "start": "2026-11-23T02:00:00+00:00", "actor": "lead1", "offline": "false", "result": "rejected"}


def test_cell_texts():
    entry = AuditEntry(seq=7, at="2026-11-23T02:00:00+00:00", client_time=None, actor="operator1",
                       role="operator", console_id="desk-3", offline=True, action="dispatch",
                       entity_kind="case", entity_id=str(uuid.uuid4()), result="rejected", reason="forbidden",
                       detail={"number": "2026-000012", "client_time_raw": "2026-11-23T10:00:00"},
                       prev_hash="cd" * 32, hash="ab" * 32)
    assert cell_text(entry, "action") == "Dispatch" and cell_text(entry, "result") == "Rejected"
    assert cell_text(entry, "role") == "Operator" and cell_text(entry, "offline") == "offline"
    assert cell_text(entry, "entity_id") == "2026-000012" and cell_text(entry, "entity_kind") == "Case"
    assert cell_text(entry, "client_time") == "unusable: 2026-11-23T10:00:00"
    assert cell_text(entry.model_copy(update={"action": "shift_open", "role": None}), "action") == "Shift started"
    assert cell_text(entry.model_copy(update={"action": "brand_new", "role": None}), "action") == "brand_new"  # as is
    assert cell_text(entry.model_copy(update={"role": None}), "role") == ""


def test_case_numbers_resolve_to_ids_through_the_cache():
    known = uuid.uuid4()
    cache = SimpleNamespace(find_case_ids=lambda ref: [known] if ref in ("2026-000012", "P-desk3-0001") else [])
    assert case_ref(cache, "2026-000012") == str(known)
    assert case_ref(cache, "P-desk3-0001") == str(known)
    assert case_ref(cache, str(known).upper()) == str(known)
    assert case_ref(cache, "lead1") == "lead1"  # not a case: used as typed
    assert case_ref(None, "x") == "x" and case_ref(cache, None) is None
