"""The wall view (View → Wall, `onegrid --wall`): the center's video wall, full screen, needing no
interaction. The live map (cases, sensor alarms, vehicles and staff) beside large live tiles — today's cases
by source, open and overdue by unit, on time now, active alarms, vehicles live — and the emergency banner
across the top when emergency mode is on. Everything comes from the console's cache (`app.wall.tiles`), so
the wall keeps showing the last known state offline; tiles refresh every `REFRESH_MS` and the map moves
through the configured districts every `wall_cycle_s` (settings `wall_districts`, `wall_cycle_s`).
Esc or F11 leaves it.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.platform.enums import Source
from app.platform.labels import localized_name, source_label
from app.platform.times import fmt
from app.wall.tiles import WallFigures, district_bounds, wall_figures
from ui.avl.fleet import Fleet
from ui.map.dock import MapDock
from ui.shell.i18n import current_language
from ui.shell.ops import run_op
from ui.wall.tile import Tile

if TYPE_CHECKING:
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

REFRESH_MS = 5000
EMERGENCY_KEY = "emergency_mode"


def _now(ctx: Any) -> datetime:
    clock = getattr(ctx, "now", None)
    return clock() if callable(clock) else datetime.now(timezone.utc)


class WallWindow(QWidget):
    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None, *, map_dock: MapDock | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("wallWindow")
        self.setWindowTitle(self.tr("OneGrid wall"))
        self.setStyleSheet("QWidget#wallWindow { background: #030712; }")
        self.ctx = ctx
        self.fleet = Fleet.for_context(ctx)
        self.figures = WallFigures()
        self.refreshes = 0

        self.banner = QLabel(self)
        self.banner.setStyleSheet("background: #b91c1c; color: white; font-weight: 800; padding: 8px 16px;")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.hide()
        self.header = QLabel(self)
        self.header.setStyleSheet("color: #f9fafb; font-weight: 700;")
        self.clock = QLabel(self)
        self.clock.setStyleSheet("color: #9ca3af; font-weight: 600;")
        self.map = map_dock if map_dock is not None else MapDock(ctx)
        self.map.setTitleBarWidget(QWidget(self.map))  # no title bar: it is part of the wall, not a dock
        if getattr(self.map, "search", None) is not None:  # nobody types on a wall (nor should it take focus)
            self.map.search.hide()
        self.tiles = {name: Tile(self) for name in ("today", "units", "on_time", "alarms", "vehicles")}
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.clock)
        grid = QGridLayout()
        grid.setSpacing(12)
        grid.addWidget(self.tiles["today"], 0, 0)
        grid.addWidget(self.tiles["on_time"], 0, 1)
        grid.addWidget(self.tiles["units"], 1, 0, 1, 2)
        grid.addWidget(self.tiles["alarms"], 2, 0)
        grid.addWidget(self.tiles["vehicles"], 2, 1)
        body = QHBoxLayout()
        body.addWidget(self.map, 62)
        body.addLayout(grid, 38)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addLayout(body, 1)

        settings = getattr(ctx, "settings", None)
        wanted = [c.strip() for c in (getattr(settings, "wall_districts", "") or "").split(",") if c.strip()]
        self.districts = []
        if wanted and ctx.refdata is not None:
            self.districts = district_bounds(ctx.refdata, () if wanted == ["all"] else wanted)
        self.district_index = -1
        self.cycle_timer = QTimer(self)
        self.cycle_timer.setInterval(1000 * int(getattr(settings, "wall_cycle_s", 30) or 30))
        self.cycle_timer.timeout.connect(self.next_district)
        if len(self.districts) > 1:
            self.cycle_timer.start()
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self.refresh)
        self.refresh_timer.start()
        self.soon = QTimer(self)  # positions moved: the vehicles tile follows within a second
        self.soon.setSingleShot(True)
        self.soon.setInterval(500)
        self.soon.timeout.connect(self.refresh)
        self.fleet.changed.connect(lambda _ids: self.soon.start())
        self.map.page_ready.connect(self.next_district)
        ctx.signals.settings_changed.connect(lambda key, _value: self.refresh() if key == EMERGENCY_KEY else None)
        for key in ("Escape", "F11"):
            QShortcut(QKeySequence(key), self, activated=self.close)
        self.retranslate()
        self.refresh()

    # -- data

    def refresh(self) -> None:
        cache = self.ctx.cache
        positions = list(self.fleet.positions.values())
        now = _now(self.ctx)

        def read() -> WallFigures:
            return wall_figures(cache.summaries(), cache.entities("alarm").values(), positions,
                                cache.setting(EMERGENCY_KEY), now)

        run_op(read, self._show, owner=self)

    def _show(self, figures: WallFigures) -> None:
        self.figures = figures
        self.refreshes += 1
        self.retranslate()

    def retranslate(self) -> None:
        f, language = self.figures, current_language()
        refdata = self.ctx.refdata
        self.setWindowTitle(self.tr("OneGrid wall"))
        self.header.setText(self.tr("City operations: live"))
        self.clock.setText(fmt(_now(self.ctx), "minutes"))
        if f.emergency:
            self.banner.setText(self.tr("EMERGENCY MODE: {reason}").format(reason=f.emergency.get("reason") or ""))
            self.banner.show()
        else:
            self.banner.hide()
        sources = [f"{source_label(Source(s)) if s in Source._value2member_map_ else s}  {n}"
                   for s, n in f.today_by_source.items()]
        self.tiles["today"].set(self.tr("Today's cases"), str(f.today_total), sources or [self.tr("none yet")])

        def unit_name(unit_id: str) -> str:
            if not unit_id:
                return self.tr("not dispatched")
            return localized_name(refdata.unit(unit_id), language) if refdata is not None and \
                refdata.has_unit(unit_id) else unit_id

        units = [self.tr("{unit}: {open} open, {overdue} overdue").format(unit=unit_name(u), open=n, overdue=late)
                 for u, n, late in f.open_by_unit]
        self.tiles["units"].set(self.tr("Open and overdue by unit"),
                                self.tr("{open} open · {overdue} overdue").format(open=f.open_total, overdue=f.overdue_total),
                                units, alert=f.overdue_total > 0)
        rate = f.on_time_rate
        self.tiles["on_time"].set(self.tr("On time now"), "—" if rate is None else f"{rate * 100:.0f}%",
                                  [self.tr("{n} of {d} open cases within their deadline").format(n=f.on_time,
                                                                                              d=f.with_deadline)],
                                  alert=rate is not None and rate < 0.8)
        self.tiles["alarms"].set(self.tr("Active alarms"), str(f.alarms_active),
                                 [self.tr("{n} at alarm level").format(n=f.alarms_at_alarm_level)],
                                 alert=f.alarms_at_alarm_level > 0)
        self.tiles["vehicles"].set(self.tr("Vehicles and staff live"), f"{f.devices_live} / {f.devices_total}",
                                   [self.tr("reported in the last 5 minutes")])

    # -- districts

    def next_district(self) -> None:
        if not self.map.is_ready:
            return
        if not self.districts:  # the whole city, as the page fitted it; only the wall's look
            self.map.send({"op": "fit", "bounds": None, "label": None, "wall": True})
            return
        self.district_index = (self.district_index + 1) % len(self.districts)
        code, name, name_en, bounds = self.districts[self.district_index]
        label = name if language_is_zh() else (name_en or name)
        self.map.send({"op": "fit", "bounds": bounds, "label": label, "wall": True})

    # -- size

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        h = self.height()
        for tile in self.tiles.values():
            tile.scale(h)
        for label, share in ((self.header, 56), (self.clock, 48), (self.banner, 60)):
            font = label.font()
            font.setPixelSize(max(12, round(h * share / 2160)))
            label.setFont(font)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.refresh_timer.stop()
        self.cycle_timer.stop()
        self.soon.stop()
        self.map.dispose()
        super().closeEvent(event)


def language_is_zh() -> bool:
    return current_language().startswith("zh")


def open_wall(ctx: ConsoleContext, *, full_screen: bool = True) -> WallWindow:
    """Open the wall view (full screen on the window's screen)."""
    wall = WallWindow(ctx)
    wall.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if full_screen:
        wall.showFullScreen()
    else:
        wall.resize(1600, 900)
        wall.show()
    return wall
