"""Photos inside the step's dialog: the unit reports the work done with its photo, the inspector passes a
verification with one. Where the category requires a photo for the step, the dialog asks for it before
anything is sent; the command carries the step's photo hashes in `attachments`."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog

from app.platform.enums import Action, Status
from tests.photos.evidence_refdata import photo_refdata
from tests.photos.ui.test_case_photos import SHOWN, detail_for, drop
from tests.support.ui import INSPECTOR, handler_for


@pytest.fixture
def photo_rule(demo_cache, refdata):
    """photo_rule(): from now on manhole covers need a photo with handled and with a passed verification
    (the standard practice). Call it before walking a case: the console re-applies its unsent commands
    with the new rule."""
    return lambda: demo_cache.store_refdata(photo_refdata(refdata).to_dict())


@SHOWN
def test_report_handled_asks_for_the_required_photo_then_sends_it_with_the_command(
        qtbot, make_ctx, cases, photo_store, photo_files, demo_cache, photo_rule):
    case_id = cases.make(Status.IN_PROGRESS)
    photo_rule()
    dock = detail_for(qtbot, make_ctx(handler_for(cases.unit)), photo_store, case_id)
    dock.actions_bar.qaction(Action.REPORT_HANDLED).trigger()
    dialog = dock.controller.dialog
    field = dialog.photo_field
    qtbot.waitUntil(lambda: "needs a photo" in field.status.text(), timeout=5000)
    dialog.text.setPlainText("replaced the cover")
    dialog.accept()
    assert "needs a photo before it can be sent" in dialog.error.text()
    assert demo_cache.case(case_id).status == Status.IN_PROGRESS  # nothing sent
    assert drop(dialog, [photo_files("done.jpg", colour="#00a000")])
    qtbot.waitUntil(lambda: len(field.photos) == 1, timeout=5000)
    dialog.accept()
    qtbot.waitUntil(lambda: demo_cache.case(case_id).status == Status.HANDLED, timeout=5000)
    [photo] = photo_store.photos_for_case(case_id)
    assert photo.step == "handled"
    event = demo_cache.case(case_id).events[-1]
    assert event.payload["attachments"] == [photo.sha256] and event.payload["note"] == "replaced the cover"


@SHOWN
def test_verification_pass_without_a_dialog_asks_for_the_photo_when_the_category_requires_one(
        qtbot, make_ctx, cases, photo_store, photo_files, demo_cache, photo_rule, monkeypatch):
    photo_rule()
    case_id = cases.make(Status.IN_PROGRESS)
    handled = photo_store.add(case_id, "handled", photo_files("handled.jpg", colour="#00a000"))
    cases.act(case_id, Action.REPORT_HANDLED, {"note": "replaced", "attachments": [handled.sha256]})
    cases.act(case_id, Action.SEND_VERIFY)
    dock = detail_for(qtbot, make_ctx(INSPECTOR), photo_store, case_id)
    dock.actions_bar.qaction(Action.VERIFY_PASS).trigger()
    dialog = dock.controller.dialog
    assert dialog is not None and dialog.photo_field.required
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        lambda *a, **k: ([str(photo_files("checked.jpg", colour="#0000a0"))], ""))
    dialog.photo_field.add_button.click()
    qtbot.waitUntil(lambda: len(dialog.photo_field.photos) == 1, timeout=5000)
    dialog.accept()
    qtbot.waitUntil(lambda: demo_cache.case(case_id).verification == "passed", timeout=5000)
    [photo] = [p for p in photo_store.photos_for_case(case_id) if p.step == "verify_pass"]
    assert demo_cache.case(case_id).events[-1].payload["attachments"] == [photo.sha256]


@SHOWN
def test_photos_attached_on_the_strip_travel_with_the_step_command(
        qtbot, make_ctx, cases, photo_store, photo_files, demo_cache):
    case_id = cases.make(Status.IN_PROGRESS)
    earlier = photo_store.add(case_id, "handled", photo_files("earlier.jpg"))
    dock = detail_for(qtbot, make_ctx(handler_for(cases.unit)), photo_store, case_id)
    dock.actions_bar.qaction(Action.REPORT_HANDLED).trigger()
    dialog = dock.controller.dialog
    assert not dialog.photo_field.required  # the demo categories require none
    qtbot.waitUntil(lambda: len(dialog.photo_field.photos) == 1, timeout=5000)
    dialog.text.setPlainText("done")
    dialog.accept()
    qtbot.waitUntil(lambda: demo_cache.case(case_id).status == Status.HANDLED, timeout=5000)
    assert demo_cache.case(case_id).events[-1].payload["attachments"] == [earlier.sha256]


def test_verification_pass_needs_no_dialog_where_no_photo_is_required(qtbot, make_ctx, cases, photo_store,
                                                                     demo_cache):
    case_id = cases.make(Status.VERIFYING)
    dock = detail_for(qtbot, make_ctx(INSPECTOR), photo_store, case_id)
    dock.actions_bar.qaction(Action.VERIFY_PASS).trigger()
    assert dock.controller.dialog is None
    qtbot.waitUntil(lambda: demo_cache.case(case_id).verification == "passed", timeout=5000)


@SHOWN
def test_without_the_photo_the_workflow_refuses_too_and_the_dialog_says_so(
        qtbot, make_ctx, cases, photo_store, demo_cache, photo_rule):
    """Belt and braces: a dialog with its check bypassed still gets the workflow's refusal, on screen."""
    case_id = cases.make(Status.IN_PROGRESS)
    photo_rule()
    dock = detail_for(qtbot, make_ctx(handler_for(cases.unit)), photo_store, case_id)
    dock.actions_bar.qaction(Action.REPORT_HANDLED).trigger()
    dialog = dock.controller.dialog
    dialog.photo_field.required = False  # as if the console had older reference data than the workflow
    dialog.text.setPlainText("done")
    dialog.accept()
    qtbot.waitUntil(lambda: "photo" in dialog.error.text(), timeout=5000)
    assert demo_cache.case(case_id).status == Status.IN_PROGRESS
