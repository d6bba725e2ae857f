"""The alarm list: the server's sensor alarms newest first, with Acknowledge (optional note) and Clear
(required reason). Selecting an alarm shows its sensor (`sensor_selected`: the sensor panel plots it,
the map pans to it) and selects its linked case (`ctx.select_case`); `alarm_selected` (e.g. a case's
link back to its alarm) selects the row.

The alarms come from the console's `SensorHub` (`ui/sensors/hub.py`): the feed's "alarm" entities, shown
through `AlarmModel` and `AlarmFilter` (`ui/sensors/alarm_model.py`); the note or reason is asked by
`AlarmActionDialog` (`ui/sensors/alarm_action_dialog.py`). The
two actions are HTTP calls run in the background (`ui.shell.ops.Op`); who may take them follows the sensor
contract (acknowledge: operator, shift lead, or the owner unit's handler; clear: shift lead or the owner
unit's handler). They are not queued while offline — an alarm's state is the server's — so offline the
buttons say that they need the server. A refusal (e.g. cleared meanwhile) is shown under the buttons.

Normal operation lists alarm-level alarms; warnings are a tick away ("Show warnings"). In emergency
mode (平急转换) the list grows: warnings are shown, and the dock is brought forward and made taller.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    Qt,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.sensors.alarm_source import NeedsServer, may_acknowledge, may_clear
from app.sensors.alarms import Alarm
from app.sync.client import AuthExpired, ServerRefused, ServerUnreachable
from ui.sensors.alarm_action_dialog import AlarmActionDialog
from ui.sensors.alarm_model import AlarmFilter, AlarmModel, CaseIdRole, SensorIdRole
from ui.sensors.hub import SensorHub
from ui.shell import theme
from ui.shell.banners import EMERGENCY_KEY, emergency_on
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

EMERGENCY_MIN_HEIGHT = 380


class AlarmDock(QDockWidget):
    def __init__(self, ctx: ConsoleContext, hub: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("AlarmDock")
        self.ctx = ctx
        self.hub = hub or SensorHub.for_context(ctx)
        self.model = AlarmModel(self.hub.alarms, self.hub.sensors, self)
        self.proxy = AlarmFilter(self)
        self.proxy.setSourceModel(self.model)
        self.emergency = False
        self._busy = False
        self._warnings_before_emergency = False

        body = QWidget(self)
        self.view = QTableView(body)
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(False)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)  # the sensor's name: readable,
        header.resizeSection(2, 190)                                         # the table scrolls sideways
        header.setStretchLastSection(True)
        self.ack_button = QPushButton(body)
        self.ack_action = QAction(self)
        self.ack_action.setShortcut(QKeySequence(Qt.Key.Key_F8))
        self.ack_action.triggered.connect(self.acknowledge_selected)
        self.addAction(self.ack_action)
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.clear_button = QPushButton(body)
        self.clear_button.clicked.connect(self.clear_selected)
        self.show_warnings = QCheckBox(body)
        self.show_warnings.toggled.connect(self.proxy.set_show_warnings)
        self.show_cleared = QCheckBox(body)
        self.show_cleared.setChecked(True)
        self.show_cleared.toggled.connect(self.proxy.set_show_cleared)
        self.source_note = QLabel(body)
        self.source_note.setObjectName("dockNote")  # muted, per theme (resources/styles/*.qss)
        self.message = QLabel(body)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        # two short rows rather than one long one: the dock shares the bottom edge with the sensor panel
        bar = QHBoxLayout()
        bar.addWidget(self.ack_button)
        bar.addWidget(self.clear_button)
        bar.addStretch(1)
        filters = QHBoxLayout()
        filters.addWidget(self.show_warnings)
        filters.addWidget(self.show_cleared)
        filters.addWidget(self.source_note, 1)
        self.source_note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        self.setWidget(body)

        self.hub.alarms_changed.connect(self._alarms_changed)
        self.hub.ready.connect(self._reload)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.dataChanged.connect(lambda *_: self._update_actions())
        signals = ctx.signals
        signals.language_changed.connect(lambda _lang: self.model.retranslate())
        signals.alarm_selected.connect(self.select_alarm)
        signals.settings_changed.connect(self._setting_changed)
        signals.sync_state_changed.connect(lambda _state: self._update_actions())
        signals.cases_changed.connect(self._cases_changed)
        self.retranslate()
        self._update_actions()
        theme.follow_theme(self)
        cache = ctx.cache
        if hasattr(cache, "setting"):
            run_op(lambda: cache.setting(EMERGENCY_KEY),
                   lambda value: self.set_emergency_mode(emergency_on(value)),
                   lambda exc: log.warning("cannot read the emergency mode setting: %s", exc), owner=self)
        self._load_case_numbers(self.model.case_ids())

    # -- texts

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Alarms"))
        self.ack_button.setText(self.tr("Acknowledge…"))
        self.ack_action.setText(self.tr("Acknowledge alarm"))
        self.clear_button.setText(self.tr("Clear…"))
        self.show_warnings.setText(self.tr("Show warnings"))
        self.show_warnings.setToolTip(self.tr("List warning-level alarms too (always on in emergency mode)"))
        self.show_cleared.setText(self.tr("Show cleared"))
        simulated = type(self.hub.alarms).__name__.startswith("Simulated")
        if simulated:
            self.source_note.setText(self.tr("Evaluated on this console (simulated sensors)"))
        elif self.emergency:
            self.source_note.setText(self.tr("Emergency mode: warnings are listed too"))
        else:
            self.source_note.setText("")
        self._update_actions()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif theme.theme_switched(self, event):
            self.model.restyle()
        super().changeEvent(event)

    # -- data

    def _reload(self) -> None:
        self.model.reload()
        self._load_case_numbers(self.model.case_ids())

    def _alarms_changed(self, ids: list) -> None:
        self.model.refresh(ids)
        new_cases = {a.case_id for a in (self.hub.alarms.alarm(i) for i in ids)
                     if a is not None and a.case_id and a.case_id not in self.model.case_numbers}
        self._load_case_numbers(new_cases)
        self._update_actions()

    def _cases_changed(self, change: Any) -> None:
        ids = {str(i) for i in getattr(change, "ids", ())}
        linked = ids & self.model.case_ids()
        if linked:
            self._load_case_numbers(linked)

    def _load_case_numbers(self, case_ids: set) -> None:
        """The linked cases' numbers (provisional until the server numbered them), read off the GUI thread."""
        uuids = []
        for cid in case_ids or ():
            try:
                uuids.append(UUID(str(cid)))
            except ValueError:
                log.warning("alarm links a case id that is not a UUID: %r", cid)
        cache = self.ctx.cache
        if not uuids or not hasattr(cache, "summaries"):
            return
        run_op(lambda: {str(s.id): s.display_number for s in cache.summaries(uuids)},
               self.model.set_case_numbers,
               lambda exc: log.warning("cannot read the numbers of alarm cases: %s", exc), owner=self)

    # -- emergency mode

    def _setting_changed(self, key: str, value: Any) -> None:
        if key == EMERGENCY_KEY:
            self.set_emergency_mode(emergency_on(value))

    def set_emergency_mode(self, on: bool) -> None:
        """Emergency mode: the list grows (warnings too) and the dock comes forward, taller."""
        if on == self.emergency:
            return
        self.emergency = on
        if on:
            self._warnings_before_emergency = self.show_warnings.isChecked()
            self.show_warnings.setChecked(True)
            self.show_warnings.setEnabled(False)
            window = self.parent()
            if isinstance(window, QMainWindow) and not self.isFloating():
                self.show()
                self.raise_()
                # Taller, but never at the cost of the case queue: at most a third of the window.
                target = min(EMERGENCY_MIN_HEIGHT, window.height() // 3)
                if self.height() < target:
                    window.resizeDocks([self], [target], Qt.Orientation.Vertical)
        else:
            self.show_warnings.setEnabled(True)
            self.show_warnings.setChecked(self._warnings_before_emergency)
        self.retranslate()

    # -- selection

    def selected_row(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.proxy.mapToSource(rows[0]).row()

    def selected_alarm(self) -> Alarm | None:
        row = self.selected_row()
        return self.model.alarm_at(row) if row is not None else None

    def select_alarm(self, alarm_id: str) -> bool:
        """Select this alarm's row (showing warnings or cleared alarms if it is one)."""
        alarm = self.hub.alarms.alarm(alarm_id)
        if alarm is None or alarm_id not in self.model._cache:
            return False
        if alarm.level < 2 and not self.show_warnings.isChecked():
            self.show_warnings.setChecked(True)
        if not alarm.active and not self.show_cleared.isChecked():
            self.show_cleared.setChecked(True)
        index = self.proxy.mapFromSource(self.model.index(self.model.row_of(alarm_id), 0))
        if not index.isValid():
            return False
        if self.selected_row() != self.model.row_of(alarm_id):
            self.view.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                              | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(index)
        return True

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_actions()
        row = self.selected_row()
        if row is None:
            return
        index = self.model.index(row, 0)
        sensor_id = index.data(SensorIdRole)
        if sensor_id:
            self.ctx.signals.sensor_selected.emit(sensor_id)
        case_id = index.data(CaseIdRole)
        if case_id:
            try:
                self.ctx.select_case(UUID(str(case_id)))
            except ValueError:
                log.warning("alarm links a case id that is not a UUID: %r", case_id)

    # -- actions

    def _actor(self) -> Any:
        return getattr(self.ctx, "actor", None) or getattr(getattr(self.ctx, "session", None), "actor", None)

    def _owner(self, alarm: Alarm) -> str | None:
        info = self.hub.sensors.get(alarm.sensor_id)
        return (info.owner_unit_id or None) if info is not None else None

    def _online(self) -> bool:
        return bool(getattr(self.hub, "online", False))

    def availability(self, alarm: Alarm | None) -> tuple[bool, bool, str, str]:
        """(acknowledge enabled, clear enabled, acknowledge tooltip, clear tooltip) for this alarm."""
        ack_tip = self.tr("Acknowledge the selected alarm, with an optional note (F8)")
        clear_tip = self.tr("Clear the selected alarm by hand, with a reason (shift lead or the owner unit)")
        if alarm is None:
            return False, False, ack_tip, clear_tip
        actor = self._actor()
        owner = self._owner(alarm)
        can_ack = may_acknowledge(actor, alarm, owner)
        can_clear = may_clear(actor, alarm, owner)
        if not alarm.active:
            ack_tip = clear_tip = self.tr("This alarm is cleared")
        else:
            if not can_ack and alarm.acknowledged_at is not None:
                ack_tip = self.tr("Already acknowledged by {name}").format(name=alarm.acknowledged_by or "?")
            elif not can_ack:
                ack_tip = self.tr("Your role may not acknowledge this alarm")
            if not can_clear:
                clear_tip = self.tr("Only a shift lead or the sensor's owner unit may clear an alarm by hand")
        if (can_ack or can_clear) and not self._online():
            offline = self.tr("Needs the server: the console is offline. Alarms are acknowledged and cleared "
                              "on the server, so this cannot wait in the outbox.")
            ack_tip = offline if can_ack else ack_tip
            clear_tip = offline if can_clear else clear_tip
            can_ack = can_clear = False
        return can_ack and not self._busy, can_clear and not self._busy, ack_tip, clear_tip

    def _update_actions(self) -> None:
        alarm = self.selected_alarm()
        can_ack, can_clear, ack_tip, clear_tip = self.availability(alarm)
        self.ack_button.setEnabled(can_ack)
        self.ack_action.setEnabled(can_ack)
        self.clear_button.setEnabled(can_clear)
        self.ack_button.setToolTip(ack_tip)
        self.clear_button.setToolTip(clear_tip)
        if alarm is not None and alarm.active and not self._online() and not self._busy:
            self.show_message(self.tr("Offline: acknowledging and clearing alarms needs the server."), "warning")
        elif self.message.property("feedback") == "warning":
            self.show_message("", None)

    def show_message(self, text: str, feedback: str | None) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        theme.set_style_property(self.message, "feedback", feedback or "")

    def acknowledge_selected(self) -> None:
        alarm = self.selected_alarm()
        if alarm is None or not self.availability(alarm)[0]:
            self._explain_unavailable(alarm, 2)
            return
        dialog = AlarmActionDialog(self.tr("Acknowledge alarm"),
                                   self.tr("Acknowledge the alarm of {sensor}. Note (optional):").format(
                                       sensor=self.model._sensor_name(alarm.sensor_id)),
                                   required=False, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.acknowledge(alarm.id, dialog.value() or None)

    def clear_selected(self) -> None:
        alarm = self.selected_alarm()
        if alarm is None or not self.availability(alarm)[1]:
            self._explain_unavailable(alarm, 3)
            return
        dialog = AlarmActionDialog(self.tr("Clear alarm"),
                                   self.tr("Clear the alarm of {sensor} by hand. Reason (required):").format(
                                       sensor=self.model._sensor_name(alarm.sensor_id)),
                                   required=True, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.clear(alarm.id, dialog.value())

    def _explain_unavailable(self, alarm: Alarm | None, tip_index: int) -> None:
        """A shortcut on an unavailable action says why instead of doing nothing."""
        if alarm is not None:
            self.show_message(self.availability(alarm)[tip_index], "warning")

    def acknowledge(self, alarm_id: str, note: str | None = None) -> None:
        """Acknowledge on the server in the background (the answer updates the row at once)."""
        source = self.hub.alarms
        self._run(lambda: source.acknowledge(alarm_id, note=note), self.tr("Alarm acknowledged."))

    def clear(self, alarm_id: str, reason: str) -> None:
        reason = (reason or "").strip()
        if not reason:
            self.show_message(self.tr("Clearing an alarm by hand needs a reason."), "error")
            return
        source = self.hub.alarms
        self._run(lambda: source.clear(alarm_id, reason), self.tr("Alarm cleared."))

    def _run(self, work, done_text: str) -> None:
        self._busy = True
        self._update_actions()
        run_op(work, lambda alarm: self._done(alarm, done_text), self._failed, owner=self)

    def _done(self, alarm: Alarm, text: str) -> None:
        self._busy = False
        self.model.refresh([alarm.id])
        self.show_message(text, "ok")
        self._update_actions()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        if isinstance(exc, ServerRefused):
            if exc.error == "wrong_state":
                text = self.tr("The server refused: the alarm is already cleared ({message}).")
            elif exc.status == 403:
                text = self.tr("The server refused: you may not do this for this alarm ({message}).")
            elif exc.status == 404:
                text = self.tr("The server does not know this alarm ({message}).")
            else:
                text = self.tr("The server refused: {message}")
            text = text.format(message=exc.message or exc.error)
        elif isinstance(exc, (NeedsServer, ServerUnreachable)):
            text = self.tr("Not done: the server cannot be reached. Try again when the console is online.")
        elif isinstance(exc, AuthExpired):
            text = self.tr("Not done: the server wants a new login (use “Log in…” in the banner).")
        else:
            log.error("alarm action failed", exc_info=exc)
            text = self.tr("Not done: {error}").format(error=f"{type(exc).__name__}: {exc}")
        self.show_message(text, "error")
        self._update_actions()
