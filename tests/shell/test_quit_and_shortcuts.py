"""Quitting with unsent work asks first; F1 lists every shortcut of the window, generated from its actions;
every action's shortcut is in its tooltip and its menu entry."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QToolButton

from app.cases.workflow import Actor
from app.platform.enums import Action, Role, Status
from app.sync.session import Session
from tests.support.stub_dock import stub_build_dock
from ui.cases.actions import SHORTCUTS
from ui.shell import main_window as mw
from ui.shell.context import ConsoleContext, CoreSignals
from ui.shell.shortcuts_dialog import ShortcutsDialog, plain

SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)",
                                  r"This plugin does not support raise\(\)")
OPERATOR = Actor("operator1", Role.OPERATOR)


@pytest.fixture
def window_for(qtbot, demo_cache, tmp_path, monkeypatch):
    """A main window over the demo cache; `real` names docks built for real (the others are stand-ins)."""
    made = []

    def make(real=(), actor=OPERATOR, offline=True):
        original = mw.build_dock
        monkeypatch.setattr(mw, "build_dock", lambda spec, ctx: original(spec, ctx) if spec.name in real
                            else stub_build_dock(spec, ctx))
        session = Session(actor=actor, display_name="张敏", token=None, offline=offline)
        ctx = ConsoleContext(cache=demo_cache, session=session, signals=CoreSignals())
        ctx.connect_core()
        made.append(ctx)
        window = mw.MainWindow(ctx, window_state=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        return window

    yield make
    for ctx in made:
        ev = ctx.cache.events
        for name in ("cases_changed", "outbox_changed", "conflicts_changed", "settings_changed"):
            getattr(ev, name).disconnect(getattr(ctx.signals, name).emit)


def question(window) -> QMessageBox | None:
    box = getattr(window, "unsent_question", None)
    return box if box is not None and box.isVisible() else None


@SHOWN
def test_ctrl_q_with_queued_commands_says_how_many_and_asks(qtbot, window_for, cases, demo_cache):
    cases.make(Status.REGISTERED)  # a create and a register, both still in the outbox
    window = window_for()
    closed = []
    window.closing.connect(lambda: closed.append(1))
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: question(window) is not None, timeout=2000)
    box = question(window)
    assert "2 commands issued on this console have not reached the server yet" in box.text()
    assert "sent at your next login" in box.informativeText()
    assert box.defaultButton() is box.stay_button
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # Esc: stay
    qtbot.waitUntil(lambda: question(window) is None)
    assert window.isVisible() and not closed
    window.close()  # the window's close button: the same question
    qtbot.waitUntil(lambda: question(window) is not None, timeout=2000)
    question(window).quit_button.click()
    qtbot.waitUntil(lambda: not window.isVisible())
    assert closed == [1]
    assert demo_cache.outbox_size() == 2  # still queued, for the next login


@SHOWN
def test_entity_commands_count_and_nothing_queued_quits_at_once(qtbot, window_for, demo_cache, monkeypatch):
    window = window_for()
    assert window.unsent_count() == 0
    monkeypatch.setattr(demo_cache.entity_outbox, "pending_count", lambda: 1)
    assert window.unsent_count() == 1
    monkeypatch.setattr(demo_cache.entity_outbox, "pending_count", lambda: 0)
    window.close()
    assert not window.isVisible() and question(window) is None


def _menu_actions(window) -> list[QAction]:
    out = []
    for menu in (window.file_menu, window.view_menu, window.help_menu):
        out += [a for a in menu.actions() if not a.isSeparator()]
    return out


@SHOWN
def test_f1_lists_every_shortcut_generated_from_the_actions(qtbot, window_for, cases):
    window = window_for(real=("caseQueueDock", "caseDetailDock"), offline=False)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "shortcuts_dialog", None) is not None
                    and window.shortcuts_dialog.isVisible(), timeout=2000)
    dialog: ShortcutsDialog = window.shortcuts_dialog
    listed = {(keys, what) for _group, keys, what in dialog.rows}
    for action in window.findChildren(QAction):  # every action with a key, whoever made it
        if action.shortcut().isEmpty() or not plain(action.text()):
            continue
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert any(k.startswith(keys) or keys in k.split(", ") for k, w in listed if w == plain(action.text())), \
            (keys, action.text())
    assert dialog.keys_for("Register") == SHORTCUTS[Action.REGISTER]
    assert dialog.keys_for("Quit") == "Ctrl+Q" and dialog.keys_for("Keyboard shortcuts") == "F1"
    assert dialog.keys_for("Submit a dialog with a multi-line field") == "Ctrl+Enter"
    dialog.filter.setText("dispatch")
    shown = [dialog.tree.topLevelItem(i).child(j).text(1) for i in range(dialog.tree.topLevelItemCount())
             for j in range(dialog.tree.topLevelItem(i).childCount())
             if not dialog.tree.topLevelItem(i).child(j).isHidden()]
    assert shown and all("ispatch" in text for text in shown)
    dialog.close()


@SHOWN
def test_every_shortcut_is_in_its_tooltip_and_menu(qtbot, window_for):
    window = window_for(real=("caseDetailDock",))
    for action in _menu_actions(window):
        if action.shortcut().isEmpty():
            continue
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert f"({keys})" in action.toolTip() or f"({keys}, " in action.toolTip(), (action.text(), action.toolTip())
    detail = window.docks["caseDetailDock"]
    for button in detail.actions_bar.findChildren(QToolButton):
        action = button.defaultAction()
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert f"Shortcut: {keys}" in button.toolTip() and f"({keys})" in button.text()


@SHOWN
def test_a_message_about_a_case_no_longer_shown_goes_to_the_status_bar(qtbot, window_for, cases):
    a, b = cases.make(Status.REPORTED), cases.make(Status.REPORTED)
    window = window_for()
    window.ctx.select_case(b)
    assert window.ctx.current.tell(a, "Dispatch queued for 2026-000001.") is False
    assert window.statusBar().currentMessage() == "Dispatch queued for 2026-000001."
