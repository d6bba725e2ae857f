"""A category can require a photo with "handled" and with a passed verification; the state machine
refuses the step without one, with a reason that says so."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.cases.actors import Actor, WorkflowError
from app.cases.commands import Command
from app.cases.refusals import reason_text
from app.cases.workflow import apply
from app.platform.enums import Role
from app.refdata.categories import category_from_row
from app.refdata.errors import RefDataError
from tests.photos.evidence_refdata import CATEGORY, photo_refdata

HASH = "ab" * 32
OPERATOR = Actor("operator1", Role.OPERATOR)
HANDLER = Actor("handler_water_supply", Role.UNIT_HANDLER, "water_supply")
INSPECTOR = Actor("inspector1", Role.INSPECTOR)


def _walk(refdata, now, steps):
    case = None
    case_id = uuid.uuid4()
    for i, (actor, action, payload) in enumerate(steps):
        command = Command(command_id=uuid.uuid4(), case_id=case_id, action=action, payload=payload,
                          issued_at=now + timedelta(minutes=i))
        case = apply(case, command, actor, refdata, now + timedelta(minutes=i))
    return case


def _to_in_progress(refdata):
    lat, lon = refdata.grids[0].centroid
    return [(OPERATOR, "create", {"source": "hotline", "category_code": CATEGORY, "description": "cover gone",
                                  "location": {"lat": lat, "lon": lon, "address": "Hubin Rd 1"}}),
            (OPERATOR, "register", {}), (OPERATOR, "dispatch", {"unit_id": "water_supply"}),
            (HANDLER, "accept", {})]


def test_handled_without_a_photo_is_refused_when_the_category_needs_one(refdata, now):
    strict = photo_refdata(refdata)
    assert strict.category(CATEGORY).photo_on_handled and not refdata.category(CATEGORY).photo_on_handled
    steps = _to_in_progress(strict)
    with pytest.raises(WorkflowError) as refused:
        _walk(strict, now, steps + [(HANDLER, "report_handled", {"note": "replaced", "attachments": ["receipt.pdf"]})])
    assert refused.value.code == "photo_required" and "C0101" in refused.value.message
    assert "photo" in reason_text("photo_required")
    case = _walk(strict, now, steps + [(HANDLER, "report_handled", {"note": "replaced", "attachments": [HASH]})])
    assert case.status == "handled" and HASH in case.attachments
    # without the rule, as before
    assert _walk(refdata, now, _to_in_progress(refdata) + [(HANDLER, "report_handled", {"note": "x"})]).status \
        == "handled"


def test_verification_pass_needs_a_photo_fail_does_not(refdata, now):
    strict = photo_refdata(refdata)
    steps = _to_in_progress(strict) + [(HANDLER, "report_handled", {"note": "done", "attachments": [HASH]}),
                                       (OPERATOR, "send_verify", {"inspector": "inspector1"})]
    with pytest.raises(WorkflowError) as refused:
        _walk(strict, now, steps + [(INSPECTOR, "verify_pass", {"note": "ok"})])
    assert refused.value.code == "photo_required"
    other = "cd" * 32
    case = _walk(strict, now, steps + [(INSPECTOR, "verify_pass", {"attachments": [other]})])
    assert case.verification == "passed" and case.attachments[-1] == other
    failed = _walk(strict, now, steps + [(INSPECTOR, "verify_fail", {"reason": "still broken"})])
    assert failed.status == "in_progress"


def test_the_columns_are_read_from_categories_csv(refdata):
    row = {**refdata.category(CATEGORY).to_dict(), "photo_on_handled": "1", "photo_on_verify": "0"}
    row.pop("limits")
    row |= {"urgent_limit": "2h", "ordinary_limit": "1wd", "complex_limit": "3wd"}

    def err(problem):
        return RefDataError(problem)

    category = category_from_row(row, err, None)
    assert category.photo_on_handled and not category.photo_on_verify
    assert category.to_dict()["photo_on_handled"] is True and category.to_dict()["photo_on_verify"] is False
    with pytest.raises(RefDataError, match="photo_on_handled must be 0 or 1"):
        category_from_row({**row, "photo_on_handled": "yes"}, err, None)
