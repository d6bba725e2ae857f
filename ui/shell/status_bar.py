"""The status bar: who is logged in, the connection state (coloured), last sync, outbox and conflict
counts, and the server's clock offset. Updates only from CoreSignals; colours come from the theme's
style sheet through the `state` / `pending` / `warn` properties."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.platform import times
from app.platform.labels import role_label
from app.sync.state import Connection, SyncState
from ui.shell.context import ConsoleContext
from ui.shell.theme import repolish

log = logging.getLogger(__name__)

CLOCK_WARN_S = 30.0  # beyond this the operator should know deadlines shown here may be off


def format_time(moment: datetime | None) -> str:
    """City time (`app.platform.times`), with the date when it is not today."""
    if moment is None:
        return ""
    return times.fmt_relative_day(moment, datetime.now(timezone.utc))


class ConsoleStatusBar(QStatusBar):
    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("consoleStatusBar")
        self.setSizeGripEnabled(False)
        self.user_label = QLabel(self)
        self.connection_label = QLabel(self, objectName="connectionState")
        self.last_sync_label = QLabel(self, objectName="lastSync")
        self.outbox_label = QLabel(self, objectName="outboxCount")
        self.conflicts_label = QLabel(self, objectName="conflictCount")
        self.clock_label = QLabel(self, objectName="clockOffset")
        self.zone_label = QLabel(self, objectName="cityZone")  # the one place that says which clock
        self.addWidget(self.user_label)
        for label in (self.connection_label, self.last_sync_label, self.outbox_label, self.conflicts_label,
                      self.clock_label, self.zone_label):
            self.addPermanentWidget(label)
        engine = ctx.engine
        self._state: SyncState = engine.state if engine is not None else SyncState(
            connection=Connection.OFFLINE, outbox=ctx.cache.outbox_size(), conflicts=ctx.cache.conflict_count())
        self._outbox = self._state.outbox
        self._conflicts = self._state.conflicts
        ctx.signals.sync_state_changed.connect(self._on_state)
        ctx.signals.outbox_changed.connect(self._on_outbox)
        ctx.signals.conflicts_changed.connect(self._on_conflicts)
        ctx.signals.refdata_changed.connect(lambda _v: self._render())
        self._render()

    # ------------------------------------------------------------------ inputs

    def _on_state(self, state: SyncState) -> None:
        self._state = state
        self._outbox, self._conflicts = state.outbox, state.conflicts
        self._render()

    def _on_outbox(self, size: int) -> None:
        self._outbox = size
        self._render()

    def _on_conflicts(self, count: int) -> None:
        self._conflicts = count
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._render()
        super().changeEvent(event)

    # ------------------------------------------------------------------ output

    def connection_text(self, connection: Connection) -> str:
        return {
            Connection.ONLINE: self.tr("Online"),
            Connection.SYNCING: self.tr("Syncing…"),
            Connection.OFFLINE: self.tr("Offline"),
            Connection.AUTH_EXPIRED: self.tr("Login expired"),
            Connection.STOPPED: self.tr("Not connected"),
        }.get(connection, str(connection))

    def _render(self) -> None:
        state = self._state
        session = self.ctx.session
        who = f"{session.display_name} ({session.username}) · {role_label(session.actor.role)}"
        self.user_label.setText(self.tr("Offline login: {user}").format(user=who) if session.offline else who)

        self.connection_label.setText(self.connection_text(state.connection))
        self.connection_label.setToolTip(state.last_error or "")
        self._set_property(self.connection_label, "state", str(state.connection))

        self.last_sync_label.setText(self.tr("Last sync: {time}").format(time=format_time(state.last_sync))
                                     if state.last_sync else self.tr("Last sync: never"))

        self.outbox_label.setText(self.tr("Outbox: {count}").format(count=self._outbox))
        self.outbox_label.setToolTip(self.tr("Commands issued here and not yet answered by the server"))
        self._set_property(self.outbox_label, "pending", "true" if self._outbox else "false")

        self.conflicts_label.setText(self.tr("Conflicts: {count}").format(count=self._conflicts))
        self.conflicts_label.setToolTip(self.tr("Commands the server refused; resolve them in the Conflicts panel"))
        self._set_property(self.conflicts_label, "pending", "true" if self._conflicts else "false")

        self.zone_label.setText(times.zone_label(datetime.now(timezone.utc)))
        self.zone_label.setToolTip(self.tr("Every time on this console is shown in the city's time zone, the "
                                           "one deadlines and shifts are reckoned in."))
        offset = state.clock_offset_s
        if offset is None:
            self.clock_label.setText(self.tr("Server clock: unknown"))
        else:
            self.clock_label.setText(self.tr("Server clock: {offset} s").format(offset=f"{offset:+.1f}"))
        self.clock_label.setToolTip(self.tr("Server clock minus this console's clock. Deadlines are computed "
                                            "by the server; a large offset means this PC's clock is wrong."))
        self._set_property(self.clock_label, "warn", "true" if offset is not None and abs(offset) > CLOCK_WARN_S
                           else "false")

    @staticmethod
    def _set_property(label: QLabel, name: str, value: str) -> None:
        if label.property(name) != value:
            label.setProperty(name, value)
            repolish(label)
