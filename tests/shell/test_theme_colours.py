"""Both themes stay readable where colours come from code (ui.shell.theme.colors()) rather than a style sheet:
a tinted cell carries its own text colour, every text colour contrasts with what it is drawn on, and the
style sheets' badge and countdown colours match the item models'."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.cases.countdown import Level
from app.sensors.alarms import Alarm, AlarmState
from ui.cases.queue_model import LEVEL_COLOURS, level_colours
from ui.sensors.alarm_model import COLUMNS, AlarmModel
from ui.shell import theme

MIN_CONTRAST = 4.5  # WCAG AA for normal text


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a, b) -> float:
    la, lb = sorted((_luminance(QColor(a)), _luminance(QColor(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.fixture(params=["light", "dark"])
def theme_name(request, monkeypatch):
    """Item colours read ui.shell.theme's current theme when asked; no need to restyle the application."""
    monkeypatch.setattr(theme, "_current", request.param)
    return request.param


def test_text_colours_contrast_with_their_backgrounds(theme_name):
    c = theme.colors()
    pairs = [(f"{tone}_text", f"{tone}_bg") for tone in ("ok", "warn", "danger", "paused", "alert")]
    pairs += [(text, bg) for text in ("text", "muted", "ok_text", "warn_text", "danger_text", "pending_text")
              for bg in ("base", "alt_base")]
    pairs += [("text", "badge_bg"), ("plot_fg", "plot_bg")]
    weak = [(fg, bg, round(contrast(c[fg], c[bg]), 2)) for fg, bg in pairs if contrast(c[fg], c[bg]) < MIN_CONTRAST]
    assert weak == []


class ListSource:
    def __init__(self, alarms):
        self._alarms = {a.id: a for a in alarms}

    def alarms(self):
        return list(self._alarms.values())

    def alarm(self, alarm_id):
        return self._alarms.get(alarm_id)


def test_alarm_rows_are_readable(theme_name):
    t0 = 1_795_400_000.0
    alarms = [Alarm("a1", "wl-001", 1, 1, 0.2, t0, t0),                                  # raised warning
              Alarm("a2", "wl-002", 2, 1, 0.3, t0 + 1, t0 + 1),                          # raised alarm
              Alarm("a3", "wl-003", 2, 1, 0.3, t0 + 2, t0 + 2, acknowledged_at=t0 + 3,
                    acknowledged_by="op1"),                                              # acknowledged
              Alarm("a4", "wl-004", 1, 1, 0.2, t0 + 4, t0 + 4, cleared_at=t0 + 5)]       # cleared
    model = AlarmModel(ListSource(alarms))
    c = theme.colors()
    states = set()
    for row in range(model.rowCount()):
        states.add(model.alarm_at(row).state)
        for column in range(len(COLUMNS)):
            index = model.index(row, column)
            background = index.data(Qt.ItemDataRole.BackgroundRole)
            foreground = index.data(Qt.ItemDataRole.ForegroundRole)
            where = (model.alarm_at(row).id, COLUMNS[column][0])
            if background is not None:
                assert foreground is not None, f"{where}: a tinted cell without its own text colour"
            bg = background.color() if background is not None else QColor(c["base"])
            fg = foreground.color() if foreground is not None else QColor(c["text"])
            assert contrast(fg, bg) >= MIN_CONTRAST, where
    assert states == set(AlarmState)


def test_countdown_colours_are_readable(theme_name):
    for level in LEVEL_COLOURS:
        fg, bg = level_colours(level)
        assert contrast(fg, bg) >= MIN_CONTRAST, level
    assert level_colours(Level.NONE) is None


@pytest.mark.parametrize("name", ["light", "dark"])
def test_style_sheets_use_the_same_colours_as_the_models(name):
    """The detail dock's countdown label is styled by the style sheet, the queue's cells by the model."""
    qss = theme.style_sheet(name)
    c = theme.colors(name)

    def rule(selector: str) -> dict[str, str]:
        body = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", qss)
        assert body is not None, f"{selector} missing from {name}.qss"
        return {k.strip(): v.strip() for k, v in (d.split(":", 1) for d in body.group(1).split(";") if ":" in d)}

    for level, (text, bg) in LEVEL_COLOURS.items():
        declared = rule(f'QLabel#caseCountdown[level="{level}"]')
        assert (declared["color"], declared["background"]) == (c[text], c[bg]), level
    assert rule("QLabel#dockNote")["color"] == c["muted"]
    assert rule('QLabel[feedback="ok"]')["color"] == c["ok_text"]
    assert rule('QLabel[feedback="error"], QLabel[feedback="warning"]')["color"] == c["danger_text"]
    assert rule("QLabel#caseBadge")["color"] == c["text"] and rule("QLabel#caseBadge")["background"] == c["badge_bg"]
