"""Photos inside the step's dialog: the unit reports the work done with its photo, the inspector passes a
verification with one. Where the category requires a photo for the step, the dialog asks for it before
anything is sent; the command carries the step's photo hashes in `attachments`."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog

from app.cases.commands import PAYLOAD_SCHEMAS
from app.platform.enums import Action, Status
from tests.photos.ui.test_case_photos import SHOWN, detail_for, drop
from tests.support.ui import INSPECTOR, handler_for
from ui.photos import step_field


@pytest.fixture
def photo_rule(monkeypatch):
    """The category rule 'a photo for handled and for verification passed' (the standard practice)."""
    monkeypatch.setattr(step_field, "photo_required", lambda category, step: step in ("handled", "verify_pass"))


@SHOWN
def test_report_handled_asks_for_the_required_photo_then_sends_it_with_the_command(
        qtbot, make_ctx, cases, photo_store, photo_files, demo_cache, photo_rule):
    case_id = cases.make(Status.IN_PROGRESS)
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
    case_id = cases.make(Status.VERIFYING)
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
    [photo] = photo_store.photos_for_case(case_id)
    assert photo.step == "verify_pass"
    if "attachments" in PAYLOAD_SCHEMAS[Action.VERIFY_PASS].model_fields:  # the command names its photos
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
