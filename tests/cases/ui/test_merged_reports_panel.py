"""The detail dock's Reports tab: a master's merged reports from the cache (offline too), personal data
only for the desk, and a report opened by double-click or Enter; a repeat links back to its master."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from app.cases import reporters
from app.platform.enums import Action, Role
from tests.support.ui import INSPECTOR, OPERATOR
from ui.cases.detail_dock import CaseDetailDock


def _master_with_reports(cases, demo_cache):
    master = cases.make()
    repeats = []
    for i, (name, phone) in enumerate([("王芳", "13900000001"), ("李四", "13900000002")]):
        payload = {"source": "hotline", "category_code": "C0101", "description": "again", "reporter_name": name,
                   "reporter_phone": phone, "location": {"lat": cases.lat + 0.0001 * (i + 1), "lon": cases.lon}}
        rid = demo_cache.issue(OPERATOR, Action.CREATE, None, payload, cases.now(), offline=False).case_id
        cases.act(rid, Action.MERGE, {"master_id": str(master), "reason": "the same cover"}, actor=OPERATOR)
        repeats.append(rid)
    return master, repeats


SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _dock(qtbot, ctx, case_id):
    dock = CaseDetailDock(ctx)
    qtbot.addWidget(dock)
    dock.show()
    ctx.select_case(case_id)
    qtbot.waitUntil(lambda: dock.case is not None and dock.case.id == case_id, timeout=5000)
    return dock


@SHOWN
def test_the_desk_sees_every_report_and_opens_one(qtbot, make_ctx, cases, demo_cache):
    master, repeats = _master_with_reports(cases, demo_cache)
    ctx = make_ctx(OPERATOR, offline=True)  # from the cache alone
    dock = _dock(qtbot, ctx, master)
    panel = dock.reports_panel
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=5000)
    assert dock.tabs.tabText(3) == "Reports (2)"
    first = panel.list.item(0).text()
    assert "王芳 · 13900000001" in first and "12345 hotline" in first
    assert "李四 · 13900000002" in panel.list.item(1).text()
    dock.tabs.setCurrentIndex(3)
    rect = panel.list.visualItemRect(panel.list.item(1))
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: dock.case is not None and dock.case.id == repeats[1], timeout=5000)
    # the repeat names its master; following the link opens it again
    qtbot.waitUntil(lambda: panel.master_link.isVisible(), timeout=5000)
    href = re.search(r'href="([^"]+)"', panel.master_link.text()).group(1)
    assert href == str(master)
    panel.master_link.linkActivated.emit(href)
    qtbot.waitUntil(lambda: dock.case.id == master, timeout=5000)
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=5000)
    panel.list.setFocus()
    panel.list.setCurrentRow(0)
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dock.case.id == repeats[0], timeout=5000)


@SHOWN
def test_an_inspector_sees_the_reporters_masked(qtbot, make_ctx, cases, demo_cache):
    master, _ = _master_with_reports(cases, demo_cache)
    dock = _dock(qtbot, make_ctx(INSPECTOR), master)
    qtbot.waitUntil(lambda: dock.reports_panel.list.count() == 2, timeout=5000)
    text = dock.reports_panel.list.item(0).text()
    assert "王*" in text and "139****0001" in text and "13900000001" not in text and "王芳" not in text


@SHOWN
def test_a_report_merged_while_the_master_is_shown_appears(qtbot, make_ctx, cases, demo_cache):
    master = cases.make()
    dock = _dock(qtbot, make_ctx(OPERATOR), master)
    assert dock.reports_panel.list.count() == 0 and dock.tabs.tabText(3) == "Reports"
    other = cases.make()
    cases.act(other, Action.MERGE, {"master_id": str(master), "reason": "same"}, actor=OPERATOR)
    qtbot.waitUntil(lambda: dock.reports_panel.list.count() == 1, timeout=5000)


def test_masking_by_hand():
    assert reporters.mask_phone("138 0013 8000") == "138****8000"
    assert reporters.mask_phone("12345") == "*****"
    assert reporters.mask_name("王先生") == "王**" and reporters.mask_name("") == ""
    assert reporters.reporter_text("王先生", "13800138000", Role.UNIT_HANDLER) == "王** · 138****8000"
    assert reporters.reporter_text("王先生", "13800138000", Role.SHIFT_LEAD) == "王先生 · 13800138000"
