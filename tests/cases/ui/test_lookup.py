"""Global lookup, driven by the keyboard: Ctrl+K or / opens one field that finds a case by number, the
end of a number, provisional number (as stored or as shown), phone, address or description across every
cached case — also one the queue's current tab hides — and Enter makes it the current case. The queue's
views are all reachable from its "Views ▾" menu."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QListWidget, QMainWindow

from app.cache import case_lookup
from app.platform.enums import Action, Status
from tests.cases.ui.test_provisional_numbers import arrive_from_server
from ui.cases.lookup import install_lookup
from ui.cases.queue_dock import CaseQueueDock
from ui.cases.view_menu import view_menu_of

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")  # offscreen


@pytest.fixture
def several(cases, demo_cache, refdata):
    """Four cases: one numbered by the server, one created offline (provisional number), one with a
    phone number, one closed (no active tab of the queue shows it)."""
    numbered = arrive_from_server(demo_cache, refdata, priority="ordinary", number="2026-000048")
    offline = demo_cache.issue(cases.actor_for(Action.CREATE), Action.CREATE, None, {
        "source": "hotline", "category_code": "C0101", "description": "路灯不亮 street light out",
        "location": {"lat": cases.lat, "lon": cases.lon, "address": "湖滨路 88 号"}}, cases.now(), offline=True)
    phoned = demo_cache.issue(cases.actor_for(Action.CREATE), Action.CREATE, None, {
        "source": "hotline", "category_code": "C0101", "description": "井盖松动 loose manhole cover",
        "reporter_phone": "+86 138-0013-8000",
        "location": {"lat": cases.lat, "lon": cases.lon, "address": "解放路 5 号"}}, cases.now(), offline=False)
    closed = cases.make(Status.CLOSED, description="垃圾满溢 overflowing bin at the old market")
    return numbered, offline.case_id, phoned.case_id, closed


def test_the_query_over_the_cache_ranks_numbers_first(demo_cache, several):
    numbered, offline, phoned, closed = several
    provisional = demo_cache.case(offline).provisional_number
    assert [h.case_id for h in demo_cache.lookup("2026-000048")][:1] == [numbered]
    assert demo_cache.lookup("2026-000048")[0].rank == case_lookup.EXACT
    assert numbered in [h.case_id for h in demo_cache.lookup("000048")]
    assert [h.case_id for h in demo_cache.lookup(provisional)] == [offline]
    shown = demo_cache.case(offline).display_number  # "P·XXXXXX-1 (offline)"
    assert [h.case_id for h in demo_cache.lookup(shown)] == [offline]
    hits = demo_cache.lookup("13800138000")
    assert [(h.case_id, h.field) for h in hits] == [(phoned, "phone")]
    assert [h.case_id for h in demo_cache.lookup("138 0013 8000")] == [phoned]
    assert [(h.case_id, h.field) for h in demo_cache.lookup("解放路")] == [(phoned, "address")]
    assert [(h.case_id, h.field) for h in demo_cache.lookup("old market")] == [(closed, "description")]
    assert demo_cache.lookup("   ") == [] and demo_cache.lookup("no such thing anywhere") == []
    assert demo_cache.lookup("100%") == []  # a LIKE wildcard is taken literally


def test_ctrl_k_finds_a_closed_case_the_current_tab_hides_and_opens_it(qtbot, make_ctx, several):
    _numbered, _offline, _phoned, closed = several
    ctx = make_ctx()
    window = QMainWindow()
    qtbot.addWidget(window)
    queue = CaseQueueDock(ctx, sound=False)
    window.setCentralWidget(queue)
    lookup, _action = install_lookup(window, ctx)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # shortcuts reach the active window only
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.waitUntil(lambda: queue.model.rowCount() >= 3, timeout=5000)
    assert closed not in [queue.model.case_id(r) for r in range(queue.model.rowCount())]  # not on this tab
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: lookup.isVisible(), timeout=3000)
    qtbot.keyClicks(lookup.field, "old market")
    qtbot.waitUntil(lambda: lookup.hits_shown() == [closed], timeout=5000)
    assert "description" in lookup.results.item(0).text()
    qtbot.keyClick(lookup.field, Qt.Key.Key_Return)
    assert ctx.selected_case == closed and not lookup.isVisible()


def test_slash_opens_the_lookup_and_arrows_choose(qtbot, make_ctx, several, demo_cache):
    numbered, offline, phoned, _closed = several
    ctx = make_ctx()
    window = QMainWindow()
    qtbot.addWidget(window)
    lookup, _action = install_lookup(window, ctx)
    window.setCentralWidget(QListWidget())  # e.g. the queue, with the focus
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.centralWidget().setFocus()
    qtbot.keyClick(window.centralWidget(), Qt.Key.Key_Slash)
    qtbot.waitUntil(lambda: lookup.isVisible(), timeout=3000)
    qtbot.keyClicks(lookup.field, "light")  # QTest types ASCII only
    qtbot.waitUntil(lambda: offline in lookup.hits_shown(), timeout=5000)
    shown = lookup.hits_shown()
    qtbot.keyClick(lookup.field, Qt.Key.Key_Down)
    expected = shown[min(1, len(shown) - 1)]
    qtbot.keyClick(lookup.field, Qt.Key.Key_Return)
    assert ctx.selected_case == expected
    assert "P·" in demo_cache.case(offline).display_number


def test_every_view_is_in_the_views_menu(qtbot, make_ctx, several):
    queue = CaseQueueDock(make_ctx(), sound=False)
    qtbot.addWidget(queue)
    queue.resize(420, 600)
    queue.show()
    button = view_menu_of(queue)
    button.refill()
    texts = [a.text() for a in button.menu_.actions()]
    assert texts == [queue.tabs.tabText(i) for i in range(queue.tabs.count())] and len(texts) >= 9
    last = texts[-1]
    assert button.choose(last)
    assert queue.tabs.currentIndex() == len(texts) - 1
