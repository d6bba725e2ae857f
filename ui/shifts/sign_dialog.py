"""Signing the handover as the incoming lead: the version signed (its content hash), the password asked
again (a signature is a statement by this person, not by whoever is at an unlocked console), a field for
the incoming lead's remarks, and the offer to start the incoming lead's shift at once.

The password is checked against the server when it can be reached (a login of its own, logged out at
once, so the console's session is untouched), else against the credential this console keeps from the
last online login (`app.cache.credentials`).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.refdata.people import person_text
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)


def check_password(ctx: ConsoleContext, password: str, *, online: bool) -> bool:
    """True when `password` is the signing lead's. Blocking: call off the GUI thread."""
    username = ctx.actor.username
    engine = getattr(ctx, "engine", None)
    if online and engine is not None and getattr(engine, "client", None) is not None:
        from app.sync.client import ServerClient, ServerRefused

        client = ServerClient(engine.client.base_url)
        try:
            client.login(username, password, console_id=ctx.cache.console_id)
        except ServerRefused:
            return False
        except Exception:  # the server went away meanwhile: the local credential decides
            log.info("signature password: server not reachable, checking the local credential")
        else:
            try:
                client.logout()
            except Exception:  # the check's own token lapses at its expiry
                log.info("could not log out the signature check's token", exc_info=True)
            return True
        finally:
            client.close()
    try:
        ctx.cache.verify_offline(username, password)
    except Exception:  # OfflineLoginError: wrong password or no credential kept here
        return False
    return True


class SignDialog(QDialog):
    def __init__(self, ctx: ConsoleContext, state, *, online: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.state, self.online = ctx, state, online
        self.verified = False
        self.setWindowTitle(self.tr("Sign the handover"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        who = person_text(ctx.cache.refdata(), ctx.actor.username)
        self.intro = QLabel(self.tr("{who} signs this version of the handover report (content hash {hash}…). Once "
                                    "the server has it, the report can no longer change.").format(
            who=who, hash=state.server["content_hash"][:12]), self)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.password = QLineEdit(self, objectName="signPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Your password"), self.password)
        self.remarks = QPlainTextEdit(self, objectName="signRemarks")
        self.remarks.setTabChangesFocus(True)
        self.remarks.setMaximumHeight(100)
        form.addRow(self.tr("Remarks of the incoming lead"), self.remarks)
        self.start_shift = QCheckBox(self.tr("Start my shift now"), self, objectName="signStartShift")
        self.start_shift.setChecked(online)
        self.start_shift.setEnabled(online)
        if not online:
            self.start_shift.setToolTip(self.tr("Starting a shift needs the server"))
        form.addRow(self.start_shift)
        layout.addLayout(form)
        self.error = QLabel(self)
        self.error.setProperty("feedback", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign"))
        self.buttons.accepted.connect(self.check)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.password.setFocus()

    def check(self) -> None:
        password = self.password.text()
        if not password:
            self._refuse(self.tr("Type your password to sign."))
            return
        self.buttons.setEnabled(False)
        ctx, online = self.ctx, self.online
        run_op(lambda: check_password(ctx, password, online=online), self._checked,
               lambda exc: self._refuse(str(exc)), owner=self)

    def _checked(self, ok: bool) -> None:
        self.buttons.setEnabled(True)
        if not ok:
            self.password.clear()
            self._refuse(self.tr("That is not your password; the handover is not signed."))
            return
        self.verified = True
        self.accept()

    def _refuse(self, text: str) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(text)
        self.error.show()

    def remarks_text(self) -> str:
        return self.remarks.toPlainText().strip()
