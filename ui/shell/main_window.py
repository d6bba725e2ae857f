"""The main window only assembles: the docks (each built as `XDock(ctx)`), the banners, the status bar
and the menus. Everything a dock shows or does lives in the dock's own module.

Default layout: case queue and map side by side (left), case detail with the conflicts list as a tab
(right, full height), sensor panel and alarm list along the bottom. Every dock can float (e.g. the map
on a second monitor); geometry and dock layout are kept in QSettings. The main window is the one place
that knows every feature's dock (the import-linter contracts allow it that, and nothing else).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenuBar,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.platform.enums import Role
from app.platform.labels import role_label
from app.platform.settings import ConsoleSettings, SettingsStore
from ui.audit.dock import AuditDock
from ui.cases.callbacks_dock import CallbacksDock
from ui.cases.conflict_banner import ConflictBanner
from ui.cases.conflicts_dock import ConflictsDock
from ui.cases.detail_dock import CaseDetailDock
from ui.cases.dispute_dialog import DisputeDock
from ui.cases.lead_queue_dock import LeadQueueDock
from ui.cases.lookup import install_lookup
from ui.cases.queue_dock import CaseQueueDock
from ui.cases.supervision_dock import SupervisionDock
from ui.cases.tasks_dock import CaseTasksDock
from ui.detections.review_dock import DetectionReviewDock
from ui.map.dock import MapDock
from ui.metrics.performance_dock import PerformanceDock
from ui.sensors.alarm_dock import AlarmDock
from ui.sensors.sensor_dock import SensorDock
from ui.shell import i18n, theme
from ui.shell.about_dialog import AboutDialog
from ui.shell.banners import EmergencyBanner, EmergencySwitch, OfflineBanner
from ui.shell.context import ConsoleContext
from ui.shell.login_dialog import LoginDialog
from ui.shell.settings_dialog import SettingsDialog
from ui.shell.shortcuts_dialog import ShortcutsDialog, with_shortcut
from ui.shell.status_bar import ConsoleStatusBar
from ui.shell.window_layout import DockLayout
from ui.shifts.handover_dock import HandoverDock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DockSpec:
    name: str      # objectName, the key of the saved layout
    factory: Callable[[ConsoleContext], QWidget]
    roles: tuple[Role, ...] = ()  # who gets the dock; empty = every role (others: not built, not in View)


LEADS = (Role.SHIFT_LEAD, Role.ADMIN)
DOCKS = (
    DockSpec("caseQueueDock", CaseQueueDock),
    DockSpec("mapDock", MapDock),
    DockSpec("caseDetailDock", CaseDetailDock),
    DockSpec("conflictsDock", ConflictsDock),
    DockSpec("disputeDock", DisputeDock, roles=(Role.SHIFT_LEAD,)),
    DockSpec("caseTasksDock", CaseTasksDock),
    DockSpec("sensorDock", SensorDock),
    DockSpec("alarmDock", AlarmDock),
    DockSpec("auditDock", AuditDock, roles=LEADS),
    DockSpec("performanceDock", PerformanceDock, roles=LEADS),
    DockSpec("handoverDock", HandoverDock, roles=(Role.SHIFT_LEAD,)),
    DockSpec("supervisionDock", SupervisionDock, roles=(Role.OPERATOR, Role.SHIFT_LEAD, Role.UNIT_HANDLER)),
    DockSpec("callbacksDock", CallbacksDock, roles=(Role.OPERATOR, Role.SHIFT_LEAD)),
    DockSpec("leadQueueDock", LeadQueueDock, roles=(Role.SHIFT_LEAD,)),
    DockSpec("detectionReviewDock", DetectionReviewDock, roles=(Role.OPERATOR, Role.SHIFT_LEAD)),
)


def build_dock(spec: DockSpec, ctx: ConsoleContext) -> QDockWidget:
    """`spec.factory(ctx)`, in a dock widget if it is not one. A dock that fails to build stops the
    console with the error: a dispatch console missing a panel without saying so is worse."""
    dock = spec.factory(ctx)
    if not isinstance(dock, QDockWidget):
        wrapper = QDockWidget()
        wrapper.setWidget(dock)
        wrapper.setWindowTitle(dock.windowTitle())
        dock = wrapper
    return dock


class MainWindow(DockLayout, QMainWindow):
    closing = Signal()

    def __init__(self, ctx: ConsoleContext, *, settings: ConsoleSettings | None = None,
                 settings_store: SettingsStore | None = None, window_state: QSettings | None = None,
                 server_url: str = "", cache_root: Path | None = None, log_file: str = ""):
        super().__init__()
        self.setObjectName("mainWindow")
        self.ctx = ctx
        ctx.settings = settings or ctx.settings or ConsoleSettings()  # one copy, read by the docks too
        self.settings_store = settings_store
        self.window_state = window_state
        self.server_url = server_url
        self.cache_root = cache_root
        self.log_file = log_file

        self.docks: dict[str, QDockWidget] = {}
        for spec in DOCKS:
            if spec.roles and ctx.actor.role not in spec.roles:
                continue
            dock = build_dock(spec, ctx)
            dock.setObjectName(spec.name)
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                             | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                             | QDockWidget.DockWidgetFeature.DockWidgetClosable)
            self.docks[spec.name] = dock
        self.setDockNestingEnabled(True)
        self.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.place_docks()
        self._connect_docks()

        self.offline_banner = OfflineBanner(ctx, self)
        self.offline_banner.relogin_requested.connect(self.log_in_again)
        self.emergency_banner = EmergencyBanner(ctx, self)
        self.conflict_banner = ConflictBanner(ctx, self)
        self.conflict_banner.show_conflicts.connect(lambda: self._raise_dock("conflictsDock"))
        self._build_menus()
        self.setStatusBar(ConsoleStatusBar(ctx, self))
        self._retranslate()
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        self.resize(screen.size() if screen is not None else QSize(1500, 920))  # maximized at first start
        self.restore_layout()

    @property
    def settings(self) -> ConsoleSettings:
        return self.ctx.settings

    def open_wall(self, *, full_screen: bool = True):
        """View → Wall: the full-screen wall view (ui/wall/wall_window.py) over the same cache."""
        from ui.wall.wall_window import open_wall

        self.wall = open_wall(self.ctx, full_screen=full_screen)
        return self.wall

    # ------------------------------------------------------------------ menus

    def _action(self, menu, slot, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        self.menu_bar = QMenuBar(self)
        self.file_menu = self.menu_bar.addMenu("")
        self.new_case_action = self._action(self.file_menu, self.new_case, QKeySequence.StandardKey.New)
        self.lookup, self.find_case_action = install_lookup(self, self.ctx)
        self.file_menu.addAction(self.find_case_action)
        self.emergency_switch = EmergencySwitch(self.ctx, self)
        self.emergency_switch.switched.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.emergency_action = self._action(self.file_menu, self.emergency_switch.trigger, "Ctrl+Shift+E")
        self.emergency_action.setVisible(self.ctx.actor.role == Role.SHIFT_LEAD)
        self.file_menu.addSeparator()
        self.settings_action = self._action(self.file_menu, self.open_settings, "Ctrl+,")
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.file_menu.addSeparator()
        self.quit_action = self._action(self.file_menu, self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self.view_menu = self.menu_bar.addMenu("")
        number = 0
        for spec in DOCKS:
            if spec.name not in self.docks:  # not for this role
                continue
            toggle = self.docks[spec.name].toggleViewAction()
            number += 1
            if number <= 9:  # Ctrl+1 … Ctrl+9 for the role's first nine docks; the rest from the menu
                toggle.setShortcut(QKeySequence(f"Ctrl+{number}"))
            self.view_menu.addAction(toggle)
        self.view_menu.addSeparator()
        self.dark_action = self._action(self.view_menu, self._toggle_dark, "Ctrl+Shift+D")
        self.dark_action.setCheckable(True)
        self.dark_action.setChecked(self.settings.theme == "dark")
        self.reset_layout_action = self._action(self.view_menu, self.reset_layout, "Ctrl+Shift+R")
        self.wall_action = self._action(self.view_menu, lambda: self.open_wall(), "F11")  # the video wall (ui/wall)

        self.help_menu = self.menu_bar.addMenu("")
        self.shortcuts_action = self._action(self.help_menu, self.show_shortcuts, "F1")
        self.about_action = self._action(self.help_menu, self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

        top = QWidget(self)
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        for widget in (self.menu_bar, self.emergency_banner, self.offline_banner, self.conflict_banner):
            column.addWidget(widget)
        self.setMenuWidget(top)  # banners span the full width, right under the menus

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.file_menu.setTitle(self.tr("&File"))
        self.new_case_action.setText(self.tr("&New case…"))
        self.find_case_action.setText(self.tr("&Find a case…"))
        self.emergency_action.setText(self.tr("&Emergency mode…"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.quit_action.setText(self.tr("&Quit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.dark_action.setText(self.tr("&Night theme"))
        self.reset_layout_action.setText(self.tr("&Reset layout"))
        self.wall_action.setText(self.tr("&Wall view"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.shortcuts_action.setText(self.tr("&Keyboard shortcuts"))
        self.about_action.setText(self.tr("&About OneGrid"))
        for menu in (self.file_menu, self.view_menu, self.help_menu):
            for action in menu.actions():
                with_shortcut(action)
        self._update_title()

    def _update_title(self) -> None:
        session = self.ctx.session
        title = self.tr("OneGrid — {name} ({role})").format(name=session.display_name,
                                                            role=role_label(session.actor.role))
        if session.offline:
            title += " — " + self.tr("offline login")
        self.setWindowTitle(title)

    # ------------------------------------------------------------------ actions

    def new_case(self) -> None:
        """File → New case: the queue dock owns the (single, non-modal) hotline form."""
        queue = self.docks.get("caseQueueDock")
        if hasattr(queue, "open_new_case"):
            queue.open_new_case()
        else:
            QMessageBox.warning(self, self.tr("New case"), self.tr("The new case form is not available in this "
                                                                   "build."))

    def _raise_dock(self, name: str) -> None:
        dock = self.docks.get(name)
        if dock is not None:
            dock.show()
            dock.raise_()

    def _connect_docks(self) -> None:
        """The few links between docks: "Pick on map" in the new case form, and new reference data."""
        queue, map_dock = self.docks.get("caseQueueDock"), self.docks.get("mapDock")
        if hasattr(queue, "new_case_dialog_opened") and hasattr(map_dock, "pick_location"):
            from ui.map.pick import connect_pick

            queue.new_case_dialog_opened.connect(lambda dialog: connect_pick(dialog, map_dock))
        current = getattr(self.ctx, "current", None)
        if current is not None:  # a confirmation or refusal about a case no longer shown: the status bar says it
            current.elsewhere.connect(lambda message: self.statusBar().showMessage(message.text, 15_000))
        lead_queue = self.docks.get("leadQueueDock")
        if hasattr(lead_queue, "open_conflicts"):
            lead_queue.open_conflicts.connect(lambda: self._raise_dock("conflictsDock"))
        model = getattr(queue, "model", None)
        if hasattr(model, "refresh_names"):
            self.ctx.signals.refdata_changed.connect(lambda _version: model.refresh_names())
        if hasattr(map_dock, "share_columns") and hasattr(model, "columns_changed"):
            map_dock.share_columns(model)  # one copy of the cases in memory, read once at start-up

    def open_settings(self) -> None:
        store = self.settings_store or SettingsStore()
        dialog = SettingsDialog(self.settings, store, parent=self)
        dialog.applied.connect(self.apply_settings)
        dialog.exec()

    def apply_settings(self, new: ConsoleSettings) -> None:
        """Switch language and theme live; other settings take effect at the next login or start."""
        self.ctx.settings = new
        if new.language != i18n.current_language():
            i18n.install_language(new.language)
            self.ctx.signals.language_changed.emit(new.language)
        if new.theme != theme.current_theme():
            theme.apply_theme(new.theme)
        self.dark_action.setChecked(new.theme == "dark")

    def _toggle_dark(self, checked: bool) -> None:
        new = self.settings.model_copy(update={"theme": "dark" if checked else "light"})
        if self.settings_store is not None:
            try:
                self.settings_store.save(new)
            except OSError as exc:
                log.error("cannot save the theme choice: %s", exc)
        self.apply_settings(new)

    def show_shortcuts(self) -> None:
        """F1: every shortcut of this window, generated from its actions."""
        self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_dialog.show()

    def show_about(self) -> None:
        AboutDialog(server_url=self.server_url, cache_dir=str(self.ctx.cache.directory), log_file=self.log_file,
                    parent=self).exec()

    def log_in_again(self) -> None:
        """After an offline login or an expired token: log in online and let the sync engine resume."""
        engine = self.ctx.engine
        if engine is None:
            return
        dialog = LoginDialog(engine.client.base_url, self.cache_root or Path(), username=self.ctx.session.username,
                             again=(engine.client, self.ctx.cache), parent=self)
        if dialog.exec() == LoginDialog.DialogCode.Accepted and dialog.outcome is not None:
            self.ctx.session = dialog.outcome
            engine.relogin(dialog.outcome.token)
            self._update_title()

    # ------------------------------------------------------------------ closing

    def unsent_count(self) -> int:
        """Commands queued on this console and not yet sent: case commands and the other entities'."""
        cache = self.ctx.cache
        try:
            entity = cache.entity_outbox.pending_count() if hasattr(cache, "entity_outbox") else 0
            return int(cache.outbox_size()) + int(entity)
        except Exception as exc:  # noqa: BLE001 - a cache that cannot say must not keep the window open
            log.error("cannot count the unsent commands: %s", exc)
            return 0

    def ask_quit_with_unsent(self, count: int) -> QMessageBox:
        """Quit although `count` commands are unsent? They stay queued and go at the next login. The question
        is window-modal but not blocking: "Quit" closes the window, "Stay" (the default) only the question."""
        text = (self.tr("1 command issued on this console has not reached the server yet.") if count == 1 else
                self.tr("{n} commands issued on this console have not reached the server yet.").format(n=count))
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Quit with unsent work?"), text,
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("unsentWorkQuestion")
        box.setInformativeText(self.tr("They stay queued on this computer and will be sent at your next login "
                                       "here. Quit now?"))
        box.quit_button = box.addButton(self.tr("Quit, send at next login"), QMessageBox.ButtonRole.AcceptRole)
        box.stay_button = box.addButton(self.tr("Stay"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(box.stay_button)
        box.setEscapeButton(box.stay_button)
        box.buttonClicked.connect(lambda button: self.close_without_asking() if button is box.quit_button else None)
        old, self.unsent_question = getattr(self, "unsent_question", None), box
        if old is not None:
            old.deleteLater()
        box.open()
        return box

    def close_without_asking(self) -> bool:
        """Close for a reason that is not the operator's choice (SIGTERM, the screenshot mode)."""
        self._asked_to_quit = True
        return self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not getattr(self, "_asked_to_quit", False) and self.isVisible():
            count = self.unsent_count()
            if count:
                event.ignore()
                question = getattr(self, "unsent_question", None)
                if question is not None and question.isVisible():
                    question.raise_()
                else:
                    self.ask_quit_with_unsent(count)
                return
        self.save_layout()
        self.closing.emit()
        super().closeEvent(event)
