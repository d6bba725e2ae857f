"""Signing the handover asks for the password again (checked against the credential kept on this
console when the server cannot be reached), takes the incoming lead's remarks into the signature, and
refuses a wrong password without signing."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from tests.shifts.ui.test_handover import LEAD2, _dock, shift_with_cases  # noqa: F401 - the fixture
from tests.support.ui import wait_ops

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def test_sign_asks_for_the_password_and_keeps_the_remarks(qtbot, make_ctx, shift_with_cases, demo_cache):
    _shift, handover, *_ = shift_with_cases
    demo_cache.store_credentials("lead2", "correct horse", {"username": "lead2", "display_name": "刘洋",
                                                            "role": "shift_lead", "unit_id": None}, datetime.now(UTC))
    dock = _dock(qtbot, make_ctx(LEAD2, offline=True))
    dock.show()
    qtbot.waitExposed(dock)
    qtbot.mouseClick(dock.sign_button, Qt.MouseButton.LeftButton)
    dialog = dock.sign_dialog
    assert dialog is not None and dialog.isVisible()
    assert "刘洋 · Shift lead signs this version" in dialog.intro.text()
    assert not dialog.start_shift.isEnabled()  # offline: no shift can be started
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.keyClicks(dialog.password, "wrong")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    wait_ops(qtbot, lambda: "not your password" in dialog.error.text(), timeout=10_000)
    assert demo_cache.entity_outbox.pending_count() == 0 and dialog.isVisible()
    qtbot.keyClicks(dialog.password, "correct horse")
    qtbot.keyClicks(dialog.remarks, "pump 3 checked at 08:10")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    wait_ops(qtbot, lambda: demo_cache.entity_outbox.pending_count() == 1, timeout=10_000)
    (queued,) = demo_cache.entity_outbox.pending()
    assert queued.command.payload == {"content_hash": handover["content_hash"], "remarks": "pump 3 checked at 08:10"}
