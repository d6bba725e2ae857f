"""Logging in: online at the server, or offline from the local cache for a user who logged in online on
this console before. The dialog says beforehand which users can work offline here; the status bar and the
amber banner say afterwards that the session is offline.

The work is `app.sync.login` (Qt-free; `log_in()` / `log_in_again()` here call it): the dialog runs it
through `run_op`, the command line (`onegrid --user ...`) calls `log_in()` directly. This module does not
import it: its libraries (SQLAlchemy, requests: ~0.3 s) load on a thread while the operator types
(`preload_login`), not before the dialog shows.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.platform.settings import known_users
from ui.shell.ops import run_op
from ui.shell.theme import repolish

if TYPE_CHECKING:  # the login's own modules (SQLAlchemy, requests) load on the thread that logs in
    from app.cache import LocalCache
    from app.sync.client import ServerClient
    from app.sync.login import LoginOutcome
    from app.sync.session import Session

log = logging.getLogger(__name__)

_LAZY = {"LoginOutcome": "app.sync.login", "ServerUnreachableNoCache": "app.sync.login"}


def __getattr__(name: str) -> Any:  # the login's names, without loading its libraries with this module
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def log_in(server_url: str, cache_root: Path, username: str, password: str) -> LoginOutcome:
    """`app.sync.login.log_in`, imported by the thread that calls it (see that module)."""
    from app.sync.login import log_in as work

    return work(server_url, cache_root, username, password)


def log_in_again(client: ServerClient, cache: LocalCache, username: str, password: str) -> Session:
    """Online login for the running session (after an offline login or an expired token)."""
    from app.sync.login import log_in_again as work

    return work(client, cache, username, password)


def preload_login() -> None:
    """Load the login's modules on a thread now (while the operator types), not after Log in is pressed."""
    import sys

    if "app.sync.login" not in sys.modules:
        threading.Thread(target=lambda: __import__("app.sync.login"), name="onegrid-login-import",
                         daemon=True).start()


class LoginDialog(QDialog):
    """`exec()` returns Accepted with `outcome` (LoginOutcome, or the new Session when logging in again)."""

    def __init__(self, server_url: str, cache_root: Path, *, username: str = "",
                 again: tuple[ServerClient, LocalCache] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.cache_root = Path(cache_root)
        self.again = again
        self.outcome: LoginOutcome | Session | None = None
        self._error: str = ""
        self._busy = False

        self.title = QLabel(self, objectName="dialogTitle")
        self.server_edit = QLineEdit(server_url, self)
        self.user_edit = QLineEdit(username, self)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.hint = QLabel(self, objectName="loginHint")
        self.hint.setWordWrap(True)
        self.message = QLabel(self, objectName="loginMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self._start_login)
        self.buttons.rejected.connect(self.reject)

        self.form = QFormLayout()
        for edit in (self.server_edit, self.user_edit, self.password_edit):
            self.form.addRow(QLabel(self), edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(self.hint)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

        if again is not None:
            self.server_edit.setReadOnly(True)
            self.user_edit.setReadOnly(True)
        self.server_edit.textChanged.connect(self._update_hint)
        self.user_edit.textChanged.connect(self._update_hint)
        (self.password_edit if username else self.user_edit).setFocus()
        self._retranslate()
        preload_login()

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("OneGrid — log in"))
        self.title.setText(self.tr("Log in again") if self.again else self.tr("OneGrid operator console"))
        for row, text in enumerate((self.tr("Server:"), self.tr("User name:"), self.tr("Password:"))):
            self.form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget().setText(text)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Log in"))
        self._update_hint()

    def _update_hint(self) -> None:
        if self.again is not None:
            self.hint.setText(self.tr("The server is reachable. Log in to receive updates and send the "
                                      "commands queued here."))
            return
        users = known_users(self.cache_root, self.server_edit.text().strip().rstrip("/"))
        user = self.user_edit.text().strip()
        if user and user in users:
            text = self.tr("{user} has logged in on this console before: if the server cannot be reached, "
                           "you will work offline from the local cache.").format(user=user)
        elif user:
            text = self.tr("{user} has not logged in on this console before: the first login needs the "
                           "server.").format(user=user)
        else:
            text = ""
        if users:
            text += ("\n" if text else "") + self.tr("Can log in offline here: {users}").format(users=", ".join(users))
        else:
            text += ("\n" if text else "") + self.tr("Nobody has logged in on this console yet: the first login "
                                                     "needs the server.")
        self.hint.setText(text)

    # ------------------------------------------------------------------ the login itself

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.server_edit, self.user_edit, self.password_edit):
            widget.setEnabled(not busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)
        if busy:
            self._show_message(self.tr("Logging in…"), "info")

    def _start_login(self) -> None:
        if self._busy:
            return
        server, user, password = (self.server_edit.text().strip(), self.user_edit.text().strip(),
                                  self.password_edit.text())
        if not server or not user or not password:
            self._show_message(self.tr("Enter the server, your user name and your password."))
            return
        self._set_busy(True)
        if self.again is not None:
            client, cache = self.again
            work = lambda: log_in_again(client, cache, user, password)  # noqa: E731
        else:
            work = lambda: log_in(server, self.cache_root, user, password)  # noqa: E731
        run_op(work, self._done, self._failed)

    def _done(self, outcome: LoginOutcome | Session) -> None:
        self._set_busy(False)
        self.outcome = outcome
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show_message(self.explain(exc, self.user_edit.text().strip()))
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    def _show_message(self, text: str, kind: str = "error") -> None:
        self.message.setText(text)
        if self.message.property("kind") != kind:
            self.message.setProperty("kind", kind)
            repolish(self.message)

    def explain(self, exc: BaseException, user: str) -> str:
        """An operator-readable reason for a failed login."""
        from app.sync.client import ServerUnreachable
        from app.sync.login import ServerUnreachableNoCache
        from app.sync.session import LoginError

        if isinstance(exc, ServerUnreachableNoCache):
            return self.tr("The server cannot be reached, and {user} has never logged in on this console, so "
                           "there is no local cache to work offline from.").format(user=user)
        if isinstance(exc, ServerUnreachable):
            return self.tr("The server cannot be reached. Try again when the connection is back.")
        if isinstance(exc, LoginError):
            if exc.code == "bad_credentials":
                return self.tr("Wrong user name or password.")
            if exc.code == "unknown_user":
                return self.tr("The server cannot be reached, and {user} has never logged in online on this "
                               "console, so cannot log in offline.").format(user=user)
            if exc.code == "bad_password":
                return self.tr("The server cannot be reached, and the password does not match {user}'s last "
                               "online login on this console.").format(user=user)
            return self.tr("The login was refused: {message}").format(message=exc.message)
        log.error("login failed unexpectedly", exc_info=exc)
        return self.tr("The login failed: {message}").format(message=f"{type(exc).__name__}: {exc}")
