"""The first window: it fills the screen, the queue gets its width, a lead's map is not squeezed."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from app.cases.workflow import Actor
from app.platform.enums import Role
from app.sync.session import Session
from tests.support.stub_dock import StubDock
from ui.shell import main_window as mw
from ui.shell.context import ConsoleContext, CoreSignals

SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)",
                                  r"This plugin does not support raise\(\)")


class WideDock(StubDock):
    """A stand-in that, like the real audit and handover docks, would take any width it is given."""

    def sizeHint(self):  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        hint.setWidth(900)
        return hint


@SHOWN
@pytest.mark.parametrize("actor", [Actor("operator1", Role.OPERATOR), Actor("lead1", Role.SHIFT_LEAD)],
                         ids=["operator", "lead"])
def test_the_first_window_fills_the_screen_and_the_queue_gets_its_width(qtbot, demo_cache, tmp_path,
                                                                       monkeypatch, actor):
    monkeypatch.setattr(mw, "build_dock", lambda spec, ctx: WideDock(spec, ctx))
    ctx = ConsoleContext(cache=demo_cache, session=Session(actor=actor, display_name="x", token=None, offline=True),
                         signals=CoreSignals())
    window = mw.MainWindow(ctx, window_state=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    screen = window.screen().availableGeometry()
    assert window.size() == screen.size()  # no saved geometry: the whole screen
    window.show()
    qtbot.waitExposed(window)
    d = window.docks
    queue, map_dock, detail = d["caseQueueDock"], d["mapDock"], d["caseDetailDock"]
    qtbot.waitUntil(lambda: queue.width() > detail.width(), timeout=2000)
    width = window.width()
    assert queue.width() >= 0.35 * width          # the queue: the widest column (was ~430 px of 1,500)
    assert map_dock.width() >= 0.25 * width       # a lead's docks on the right do not squeeze the map
    assert detail.width() <= 0.3 * width
