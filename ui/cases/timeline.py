"""A case's history as a table: who (and in which role) did what, when by the server's clock and by the
issuing console's clock, whether it was issued offline, and which entries still wait for the server.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.cases.case import Case, CaseEvent
from app.cases.commands import Command
from app.platform import labels, times
from app.platform.enums import Action, Status
from app.refdata.people import display_name, person_text
from ui.shell import theme

PENDING_COLOUR = "pending_text"    # ui.shell.theme colour names (the tree keeps the view's background)
EMPHASIS_COLOUR = "danger_text"    # escalations, returns and voids


def format_time(dt: datetime | None) -> str:
    """A time in the city's zone, to the second (`app.platform.times`: one form everywhere)."""
    return times.fmt(dt, "seconds")


class CaseTimeline(QTreeWidget):
    """One row per event, oldest first; queued commands the display copy could not apply are listed
    last as 'pending (not applied here)'."""

    COLUMNS = 7

    def __init__(self, parent: QWidget | None = None, *, unit_name=None, refdata=None):
        super().__init__(parent)
        self._unit_name = unit_name or (lambda unit_id: unit_id or "")
        self._refdata = refdata or (lambda: None)  # for display names: 张敏 · Operator
        self.setColumnCount(self.COLUMNS)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(False)
        header = self.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((40, 150, 150, 150, 150, 170)):
            self.setColumnWidth(column, width)
        self._case: Case | None = None
        self._pending: list[Command] = []
        self.retranslate()
        theme.follow_theme(self)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if theme.theme_switched(self, event) and self._case is not None:
            self.set_case(self._case, self._pending)  # the rows' colours come from the theme
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setHeaderLabels([self.tr("#"), self.tr("Server time"), self.tr("Console time"), self.tr("Who"),
                              self.tr("Action"), self.tr("Status"), self.tr("Details")])
        if self._case is not None:
            self.set_case(self._case, self._pending)

    def set_case(self, case: Case | None, pending: list[Command] | None = None) -> None:
        self._case, self._pending = case, list(pending or [])
        self.clear()
        if case is None:
            return
        pending_ids = {c.command_id for c in self._pending}
        shown = set()
        items = []
        for event in case.events:
            is_pending = event.command_id is not None and event.command_id in pending_ids
            if is_pending:
                shown.add(event.command_id)
            items.append(self._event_item(event, is_pending))
        for command in self._pending:
            if command.command_id not in shown:
                items.append(self._unapplied_item(command))
        self.addTopLevelItems(items)
        if items:
            self.scrollToItem(items[-1])

    def rows(self) -> list[list[str]]:
        """The cell texts, row by row (tests, copy to clipboard)."""
        return [[self.topLevelItem(i).text(c) for c in range(self.COLUMNS)] for i in range(self.topLevelItemCount())]

    def _event_item(self, e: CaseEvent, pending: bool) -> QTreeWidgetItem:
        who = person_text(self._refdata(), e.actor, e.actor_role)
        client = format_time(e.client_time)
        if e.offline:
            client = self.tr("{time} (offline)").format(time=client)
        server = self.tr("pending sync") if pending else format_time(e.at)
        status = labels.status_label(e.to_status)
        if e.from_status is not None and e.from_status != e.to_status:
            status = f"{labels.status_label(e.from_status)} → {status}"
        item = QTreeWidgetItem([str(e.seq), server, client, who, labels.action_label(e.action), status,
                                self.details(e.action, e.payload)])
        tip = self.tr("Console: {console}\nCommand: {command}").format(console=e.console_id or "-",
                                                                       command=e.command_id or "-")
        if pending:
            tip = self.tr("Issued on this console; the server has not confirmed it yet.") + "\n" + tip
            self._mark_pending(item)
        for column in range(self.COLUMNS):
            item.setToolTip(column, tip)
        if e.action == Action.ESCALATE or e.to_status in (Status.RETURNED, Status.VOIDED):
            item.setForeground(4, QBrush(theme.color(EMPHASIS_COLOUR)))
        return item

    def _unapplied_item(self, c: Command) -> QTreeWidgetItem:
        client = format_time(c.issued_at)
        if c.offline:
            client = self.tr("{time} (offline)").format(time=client)
        item = QTreeWidgetItem(["", self.tr("pending sync"), client, "", labels.action_label(c.action),
                                self.tr("not applied here"), self.details(c.action, c.payload)])
        for column in range(self.COLUMNS):
            item.setToolTip(column, self.tr("Queued for the server, but it no longer applies to the case as "
                                            "this console sees it; the server will decide."))
        self._mark_pending(item)
        return item

    def _mark_pending(self, item: QTreeWidgetItem) -> None:
        font = QFont()
        font.setItalic(True)
        for column in range(self.COLUMNS):
            item.setFont(column, font)
            item.setForeground(column, QBrush(theme.color(PENDING_COLOUR)))

    def details(self, action: Action, payload: dict[str, Any]) -> str:
        """The payload in words: reason, note, unit, extension, …"""
        parts = []
        p = payload or {}
        if action == Action.CREATE:
            parts.append(p.get("description", ""))
            loc = p.get("location") or {}
            if loc.get("address"):
                parts.append(loc["address"])
            return " · ".join(x for x in parts if x)
        for key in ("unit_id", "target_unit_id"):
            if p.get(key):
                parts.append(self.tr("unit: {unit}").format(unit=self._unit_name(p[key])))
        if p.get("inspector"):
            parts.append(self.tr("inspector: {name}").format(name=display_name(self._refdata(), p["inspector"])))
        if p.get("minutes"):
            hours = p["minutes"] / 60
            mode = self.tr("working") if p.get("working", True) else self.tr("calendar")
            parts.append(self.tr("{hours:g} h ({mode})").format(hours=hours, mode=mode))
        if p.get("new_due_at"):
            parts.append(self.tr("new deadline {due}").format(due=times.fmt(p["new_due_at"])))
        if p.get("resume_at"):
            parts.append(self.tr("resumes {at}").format(at=times.fmt(p["resume_at"])))
        if p.get("automatic"):
            parts.append(self.tr("automatic"))
        for key in ("reason", "note", "text"):
            if p.get(key):
                parts.append(str(p[key]))
        if p.get("attachments"):
            parts.append(self.tr("{n} attachment(s)").format(n=len(p["attachments"])))
        return " · ".join(parts)
