"""The one current case of the window, and the message that belongs to it.

Every dock observes this object and none keeps a selection of its own: the queue highlights the current
case's row, the map its marker, the detail dock shows it and its action keys act on it alone. A message
("Dispatch queued for 2026-000048.", a refusal) is told *about a case*: it is shown while that case is
the current one and goes as soon as another case is shown, so a confirmation can never sit under a
case it was not about. A message about a case that is no longer current is handed to `elsewhere` (the
status bar shows it with the case's number) instead.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseMessage:
    case_id: UUID
    text: str
    error: bool = False


class CurrentCase(QObject):
    changed = Signal(object)          # UUID | None: the new current case
    message_changed = Signal(object)  # CaseMessage | None: the message to show with the current case
    elsewhere = Signal(object)        # CaseMessage about a case that is not (or no longer) the current one

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.case_id: UUID | None = None
        self.message: CaseMessage | None = None

    def select(self, case_id: UUID | None) -> bool:
        """Make `case_id` the current case; False when it already was. Its predecessor's message goes."""
        if case_id == self.case_id:
            return False
        self.case_id = case_id
        had_message, self.message = self.message is not None, None
        if had_message:
            self.message_changed.emit(None)
        self.changed.emit(case_id)
        return True

    def tell(self, case_id: UUID | None, text: str, *, error: bool = False) -> bool:
        """Show `text` with `case_id`; True when it is the current case (else it goes to `elsewhere`)."""
        message = CaseMessage(case_id, text, error) if case_id is not None else None
        if message is None or case_id != self.case_id:
            log.info("message about case %s, not the current one: %s", case_id, text)
            if message is not None:
                self.elsewhere.emit(message)
            return False
        self.message = message
        self.message_changed.emit(message)
        return True

    def clear_message(self) -> None:
        if self.message is not None:
            self.message = None
            self.message_changed.emit(None)
