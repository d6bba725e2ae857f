"""The two full-width banners under the menu bar, and the shift lead's emergency-mode switch.

- OfflineBanner (amber): the console works from its local cache; says how many commands wait. When the
  server is back but this session has no login there (offline login, expired token) it offers "Log in…".
- EmergencyBanner (red): emergency mode (平急转换) is on, with the reason, who and when; follows the
  cache's `emergency_mode` setting, which arrives through the changes feed.
- EmergencySwitch (File → Emergency mode…, shift leads only): asks for the reason (EmergencyModeDialog)
  and switches the mode on the server (`put_emergency_mode`: `PUT /api/settings/emergency_mode`); it
  reaches every console, this one included, through the feed. Offline, it tells the lead it needs the
  server: a mode every console must show at once cannot wait in an outbox.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.platform.enums import Role
from app.refdata.errors import RefDataError
from app.sync.client import AuthExpired, ServerClient, ServerRefused, ServerUnreachable
from app.sync.state import Connection, SyncState
from app.wire.shifts import EmergencyMode
from ui.shell.context import ConsoleContext
from ui.shell.ops import run_op
from ui.shell.status_bar import format_time

log = logging.getLogger(__name__)

EMERGENCY_KEY = "emergency_mode"


def put_emergency_mode(client: ServerClient, on: bool, reason: str) -> EmergencyMode:
    """Switch emergency mode on the server (shift leads only); returns the new value (on, reason, by, at).
    Blocking: call it off the GUI thread. Raises the client's ServerUnreachable / AuthExpired / ServerRefused."""
    return client.set_emergency_mode(on, reason).value


def emergency_on(value: Any) -> bool:
    """The `emergency_mode` setting is `{on, reason, by, at}`; tolerate a bare bool. The one reading of
    it for every dock (banner, queue, alarms)."""
    if isinstance(value, dict):
        return bool(value.get("on"))
    return bool(value)


class _Banner(QFrame):
    def __init__(self, object_name: str, parent: QWidget | None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.label, 1)
        self.setVisible(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._render()
        super().changeEvent(event)

    def _render(self) -> None:
        raise NotImplementedError


class OfflineBanner(_Banner):
    """Visible while the console cannot talk to the server (or has no login there)."""

    relogin_requested = Signal()

    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__("offlineBanner", parent)
        self.ctx = ctx
        self.login_button = QPushButton(self)
        self.login_button.clicked.connect(self.relogin_requested)
        self.layout().addWidget(self.login_button)
        engine = ctx.engine
        self._connection = engine.state.connection if engine is not None else Connection.OFFLINE
        self._outbox = ctx.cache.outbox_size()
        ctx.signals.sync_state_changed.connect(self._on_state)
        ctx.signals.outbox_changed.connect(self._on_outbox)
        self._render()

    def _on_state(self, state: SyncState) -> None:
        self._connection, self._outbox = state.connection, state.outbox
        self._render()

    def _on_outbox(self, size: int) -> None:
        self._outbox = size
        self._render()

    def _render(self) -> None:
        n = self._outbox
        if self._connection == Connection.AUTH_EXPIRED:
            head = self.tr("Not logged in at the server — working from the local cache.")
            if n == 0:
                tail = self.tr("Log in again to receive updates and send new commands.")
            elif n == 1:
                tail = self.tr("1 command will be sent after you log in again.")
            else:
                tail = self.tr("{count} commands will be sent after you log in again.").format(count=n)
        else:
            head = self.tr("Offline — working from the local cache;")
            if n == 0:
                tail = self.tr("commands you issue will be sent when the connection returns.")
            elif n == 1:
                tail = self.tr("1 command will be sent when the connection returns.")
            else:
                tail = self.tr("{count} commands will be sent when the connection returns.").format(count=n)
        self.label.setText(f"{head} {tail}")
        self.login_button.setText(self.tr("Log in…"))
        self.login_button.setVisible(self._connection == Connection.AUTH_EXPIRED)
        self.setVisible(self._connection in (Connection.OFFLINE, Connection.AUTH_EXPIRED))


class EmergencyBanner(_Banner):
    """Visible while the centre runs in emergency mode."""

    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__("emergencyBanner", parent)
        self.ctx = ctx
        self._value: Any = ctx.cache.setting(EMERGENCY_KEY)
        ctx.signals.settings_changed.connect(self._on_setting)
        self._render()

    def _on_setting(self, key: str, value: Any) -> None:
        if key == EMERGENCY_KEY:
            self._value = value
            self._render()

    def _render(self) -> None:
        value = self._value
        if not emergency_on(value):
            self.setVisible(False)
            return
        text = self.tr("EMERGENCY MODE")
        reason = str(value.get("reason") or "").strip()
        if reason:
            text += " — " + reason
        by, at = self._person(value.get("by")), _parse_time(value.get("at"))
        if by and at:
            text += "  ·  " + self.tr("switched on by {user} at {time}").format(user=by, time=format_time(at))
        elif by:
            text += "  ·  " + self.tr("switched on by {user}").format(user=by)
        self.label.setText(text)
        self.setVisible(True)

    def _person(self, username: Any) -> str:
        """"陈伟 (lead1)" when the reference data knows the user, else the user name as sent."""
        if not username:
            return ""
        refdata = self.ctx.refdata
        try:
            user = refdata.user(str(username)) if refdata is not None else None
        except RefDataError:  # not in the reference data: show the name as sent
            user = None
        name = getattr(user, "display_name", "") if user else ""
        return f"{name} ({username})" if name and name != username else str(username)


def _parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


class EmergencyModeDialog(QDialog):
    """Asks a shift lead to confirm switching emergency mode, with a reason (required both ways: the
    server records who switched and why)."""

    def __init__(self, currently_on: bool, current_reason: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.currently_on = currently_on
        self.current_reason = current_reason
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.reason_label = QLabel(self)
        self.reason_edit = QLineEdit(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._update_ok)
        layout = QVBoxLayout(self)
        for widget in (self.explanation, self.reason_label, self.reason_edit, self.buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(460)
        self._retranslate()
        self._update_ok()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason()))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if self.currently_on:
            self.setWindowTitle(self.tr("Return to routine operation"))
            reason = self.current_reason or self.tr("no reason given")
            self.explanation.setText(self.tr("Emergency mode is on ({reason}). Switch every console back to "
                                             "routine operation?").format(reason=reason))
            self.reason_label.setText(self.tr("Reason, e.g. \"Flood warning lifted\":"))
            ok.setText(self.tr("Switch off"))
        else:
            self.setWindowTitle(self.tr("Switch to emergency mode"))
            self.explanation.setText(self.tr("Emergency mode is shown on every console at once. Give the "
                                             "reason operators will see, e.g. \"Typhoon warning: flood "
                                             "response\"."))
            self.reason_label.setText(self.tr("Reason:"))
            ok.setText(self.tr("Switch on"))


class EmergencySwitch(QObject):
    """The shift lead's switch: checks, dialog, the server call off the GUI thread, and what went wrong."""

    switched = Signal(str)  # a short confirmation for the status bar

    def __init__(self, ctx: ConsoleContext, parent: QWidget):
        super().__init__(parent)
        self.ctx = ctx
        self.parent_widget = parent

    def server_reachable(self) -> bool:
        engine = self.ctx.engine
        return (engine is not None and not self.ctx.session.offline
                and engine.state.connection in (Connection.ONLINE, Connection.SYNCING))

    def trigger(self) -> None:
        if self.ctx.actor.role != Role.SHIFT_LEAD:
            return
        if not self.server_reachable():
            self._tell_needs_server()
            return
        value = self.ctx.cache.setting(EMERGENCY_KEY)
        on = emergency_on(value)
        dialog = EmergencyModeDialog(on, str(value.get("reason") or "") if on else "", self.parent_widget)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        client, switch_on, reason = self.ctx.engine.client, not on, dialog.reason()
        run_op(lambda: put_emergency_mode(client, switch_on, reason), lambda _value: self._done(switch_on),
               self._failed)

    def _done(self, switched_on: bool) -> None:
        log.info("emergency mode switched %s", "on" if switched_on else "off")
        self.switched.emit(self.tr("Emergency mode switched on.") if switched_on
                           else self.tr("Back to routine operation."))

    def _tell_needs_server(self) -> None:
        QMessageBox.information(self.parent_widget, self.tr("Emergency mode"),
                                self.tr("Switching emergency mode needs the server: it is shown on every console "
                                        "at once, so it cannot be queued here. The console is offline now; try "
                                        "again when the connection returns."))

    def _failed(self, exc: BaseException) -> None:
        log.error("switching emergency mode failed: %s", exc)
        if isinstance(exc, ServerUnreachable):
            self._tell_needs_server()
            return
        if isinstance(exc, AuthExpired):
            text = self.tr("Your login at the server has expired. Log in again, then retry.")
        elif isinstance(exc, ServerRefused):
            text = self.tr("The server refused: {message}").format(message=exc.message)
        else:
            text = f"{type(exc).__name__}: {exc}"
        QMessageBox.warning(self.parent_widget, self.tr("Emergency mode"), text)
