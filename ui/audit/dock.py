"""The audit viewer, for shift leads and administrators: the server's audit trail, newest first,
filtered by period, user, action, object, console, result and offline flag, fetched a page at a time in
the background, and exported as CSV (UTF-8 with BOM) with every entry of the filtered result.

The trail is only on the server; offline (or after an offline login) the dock says so instead of
showing stale or partial data.
"""
from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDateTime, QEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.audit.trail import (
    ACTION_KEYS,
    PAGE,
    PLATFORM_CHAIN_PARAM,
    RESULT_KEYS,
    AuditQuery,
    action_text,
    case_ref,
    export_csv,
    result_text,
)
from app.platform import labels, times
from app.platform.enums import Role
from app.sync.client import AuthExpired, ServerRefused, ServerUnreachable
from app.sync.state import Connection
from app.wire.audit import AuditPage
from ui.audit.model import AuditModel
from ui.shell import theme
from ui.shell.i18n import current_language
from ui.shell.ops import run_op

log = logging.getLogger(__name__)

AUDIT_ROLES = (Role.SHIFT_LEAD, Role.ADMIN)

# (key, label, how far back); None = no lower bound, "custom" = the two date-time fields
PERIODS = (
    ("hour", QT_TRANSLATE_NOOP("AuditDock", "Last hour"), timedelta(hours=1)),
    ("day", QT_TRANSLATE_NOOP("AuditDock", "Last 24 hours"), timedelta(days=1)),
    ("week", QT_TRANSLATE_NOOP("AuditDock", "Last 7 days"), timedelta(days=7)),
    ("month", QT_TRANSLATE_NOOP("AuditDock", "Last 30 days"), timedelta(days=30)),
    ("all", QT_TRANSLATE_NOOP("AuditDock", "All time"), None),
    ("custom", QT_TRANSLATE_NOOP("AuditDock", "From … to …"), None),
)
OFFLINE_CHOICES = (
    (None, QT_TRANSLATE_NOOP("AuditDock", "Online and offline")),
    (False, QT_TRANSLATE_NOOP("AuditDock", "Issued online")),
    (True, QT_TRANSLATE_NOOP("AuditDock", "Issued offline")),
)

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext


def may_view_audit(role: Role) -> bool:
    return role in AUDIT_ROLES


class AuditDock(QDockWidget):
    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("auditDock")
        self.model = AuditModel(self)
        self._generation = 0           # answers of an older search are dropped
        self._next_before: int | None = None
        self._query = AuditQuery()
        self._busy = False
        self._loaded_once = False
        self.last_export: tuple[str, int] | None = None

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        period_row = QHBoxLayout()
        self.period = QComboBox(body, objectName="auditPeriod")
        self.start_edit = QDateTimeEdit(body, objectName="auditStart")
        self.end_edit = QDateTimeEdit(body, objectName="auditEnd")
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        now = QDateTime.currentDateTime()
        self.start_edit.setDateTime(now.addDays(-1))
        self.end_edit.setDateTime(now.addSecs(3600))
        period_row.addWidget(self.period)
        period_row.addWidget(self.start_edit)
        period_row.addWidget(self.end_edit)
        self.period_label = QLabel(body)
        form.addRow(self.period_label, period_row)

        who_row = QHBoxLayout()
        self.actor_edit = QLineEdit(body, objectName="auditActor")
        self.console_edit = QLineEdit(body, objectName="auditConsole")
        who_row.addWidget(self.actor_edit)
        who_row.addWidget(self.console_edit)
        self.who_label = QLabel(body)
        form.addRow(self.who_label, who_row)

        what_row = QHBoxLayout()
        self.action_combo = QComboBox(body, objectName="auditAction")
        self.entity_edit = QLineEdit(body, objectName="auditEntity")
        self.result_combo = QComboBox(body, objectName="auditResult")
        self.offline_combo = QComboBox(body, objectName="auditOffline")
        for widget in (self.action_combo, self.entity_edit, self.result_combo, self.offline_combo):
            what_row.addWidget(widget)
        self.what_label = QLabel(body)
        form.addRow(self.what_label, what_row)

        # Each city's trail is a chain of its own (and the platform's, everything with no city): one at a time
        self.chain_combo = QComboBox(body, objectName="auditChain")
        self.chain_label = QLabel(body)
        form.addRow(self.chain_label, self.chain_combo)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.search_button = QPushButton(body, objectName="auditSearch")
        self.more_button = QPushButton(body, objectName="auditMore")
        self.export_button = QPushButton(body, objectName="auditExport")
        self.status = QLabel(body, objectName="auditStatus")
        self.status.setWordWrap(True)
        buttons.addWidget(self.status, 1)
        for button in (self.search_button, self.more_button, self.export_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self.table = QTableView(body, objectName="auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        # the first column holds a city chain's entry number, "3301@12345"
        for col, width in enumerate((96, 140, 140, 100, 90, 110, 60, 130, 70, 120, 70, 110, 220, 100)):
            self.table.setColumnWidth(col, width)
        layout.addWidget(self.table, 1)
        self.setWidget(body)

        self.period.currentIndexChanged.connect(lambda _i: self._period_changed())
        self.search_button.clicked.connect(self.search)
        self.more_button.clicked.connect(self.load_more)
        self.export_button.clicked.connect(self.choose_export_file)
        for edit in (self.actor_edit, self.console_edit, self.entity_edit):
            edit.returnPressed.connect(self.search)
        self.table.verticalScrollBar().valueChanged.connect(self._scrolled)
        ctx.signals.sync_state_changed.connect(lambda _s: self._availability_changed())
        ctx.signals.language_changed.connect(lambda _l: self.retranslate())
        ctx.signals.refdata_changed.connect(lambda _v: self._fill_chains())
        self.retranslate()
        self.period.setCurrentIndex(1)
        self._period_changed()
        self._update_buttons()
        theme.follow_theme(self)

    # ------------------------------------------------------------------ availability

    def server_reachable(self) -> bool:
        engine = self.ctx.engine
        return (engine is not None and not self.ctx.session.offline
                and engine.state.connection in (Connection.ONLINE, Connection.SYNCING))

    def _availability_changed(self) -> None:
        self._update_buttons()
        if self.server_reachable() and not self._loaded_once and self.isVisible():
            self.search()
        elif not self.server_reachable() and not self._busy:
            self._show_needs_server()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded_once and self.server_reachable():
            self.search()
        elif not self.server_reachable():
            self._show_needs_server()

    def _show_needs_server(self) -> None:
        self.status.setText(self.tr("The audit trail is kept on the server: connect to the server to see or "
                                    "export it."))

    def _update_buttons(self) -> None:
        online = self.server_reachable()
        self.search_button.setEnabled(online and not self._busy)
        self.export_button.setEnabled(online and not self._busy)
        self.more_button.setEnabled(online and not self._busy and self._next_before is not None)

    # ------------------------------------------------------------------ the filter

    def _period_changed(self) -> None:
        custom = PERIODS[max(0, self.period.currentIndex())][0] == "custom"
        self.start_edit.setVisible(custom)
        self.end_edit.setVisible(custom)

    def query(self) -> AuditQuery:
        """The filter as set in the widgets (times resolved against the clock now)."""
        key, _label, back = PERIODS[max(0, self.period.currentIndex())]
        start = end = None
        if key == "custom":
            start = self.start_edit.dateTime().toPython().astimezone(timezone.utc)
            end = self.end_edit.dateTime().toPython().astimezone(timezone.utc)
        elif back is not None:
            start = datetime.now(timezone.utc) - back
        action = self.action_combo.currentData()
        result = self.result_combo.currentData()
        return AuditQuery(start=start, end=end, actor=self.actor_edit.text().strip() or None, action=action,
                          entity_id=self.entity_edit.text().strip() or None,
                          console_id=self.console_edit.text().strip() or None, result=result,
                          offline=OFFLINE_CHOICES[max(0, self.offline_combo.currentIndex())][0],
                          chain=self.chain_combo.currentData())

    def _fill_chains(self) -> None:
        """Every chain: all, the platform's, then each city of the reference data by code (its name when
        the reference data gives one), keeping the one picked."""
        refdata = self.ctx.refdata
        items: list[tuple[Any, str]] = [(None, self.tr("All chains")),
                                        (PLATFORM_CHAIN_PARAM, self.tr("Platform (no city: logins, accounts, settings)"))]
        for code in (refdata.cities if refdata is not None else ()):
            city = refdata.city_overrides.get(code)
            name = labels.localized_name(city, current_language()) if city is not None else ""
            items.append((code, self.tr("City {code} {name}").format(code=code, name=name).strip()))
        _refill(self.chain_combo, items, keep_data=True)

    # ------------------------------------------------------------------ fetching

    def search(self) -> None:
        """A new search with the current filter: the table starts again from the newest entry."""
        if not self.server_reachable():
            self._show_needs_server()
            return
        query = self.query()
        if query.start is not None and query.end is not None and query.end <= query.start:
            self.status.setText(self.tr("The end of the period must be after its start."))
            return
        self._query = query
        self._generation += 1
        self._next_before = None
        self._loaded_once = True
        self.model.clear()
        self._fetch(None)

    def load_more(self) -> None:
        if self._next_before is not None and not self._busy and self.server_reachable():
            self._fetch(self._next_before)

    def _scrolled(self, value: int) -> None:
        bar = self.table.verticalScrollBar()
        if value >= bar.maximum() - 2 and bar.maximum() > 0:
            self.load_more()

    def _fetch(self, before: int | None) -> None:
        client, params, generation = self.ctx.engine.client, self._query.params(), self._generation
        cache = self.ctx.cache
        self._busy = True
        self._update_buttons()
        self.status.setText(self.tr("Loading…"))

        def work() -> AuditPage:
            if params.get("entity_id"):
                params["entity_id"] = case_ref(cache, params["entity_id"])
            return client.audit(**params, before=before, limit=PAGE)

        run_op(work,
               lambda page: self._page_arrived(generation, page, before),
               lambda exc: self._failed(generation, exc))

    def _page_arrived(self, generation: int, page: AuditPage, before: int | None = None) -> None:
        if generation != self._generation:
            return
        self._busy = False
        self.model.append_page(page.entries)
        self._next_before = page.next_before
        self._update_buttons()
        shown = self.model.rowCount()
        if not shown:
            text = self.tr("No entry matches this filter.")
        elif self._next_before is not None:
            text = self.tr("Newest {n} entries shown; scroll down or press “Load more” for older ones.").format(
                n=shown)
        else:
            text = self.tr("{n} entries match this filter.").format(n=shown)
        if before is None or getattr(self, "as_of", None) is None:  # a new search: a snapshot of the trail now
            self.as_of = datetime.now(timezone.utc)
        # The list does not follow the trail live: say when it was read, and how to read it again.
        self.status.setText(self.tr("As of {time} (press Search to refresh): {text}").format(
            time=times.fmt(self.as_of, "time"), text=text))

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._busy = False
        self._update_buttons()
        self.status.setText(self._error_text(exc))

    def _error_text(self, exc: BaseException) -> str:
        log.warning("audit trail request failed: %s", exc)
        if isinstance(exc, ServerUnreachable):
            return self.tr("The server did not answer; the audit trail needs the server. Try again later.")
        if isinstance(exc, AuthExpired):
            return self.tr("Your login at the server has expired. Log in again, then retry.")
        if isinstance(exc, ServerRefused):
            if exc.status == 403:
                return self.tr("Only shift leads and administrators may read the audit trail.")
            return self.tr("The server refused: {message}").format(message=exc.message)
        return f"{type(exc).__name__}: {exc}"

    # ------------------------------------------------------------------ export

    def choose_export_file(self) -> None:
        default = str(Path.home() / f"audit-{datetime.now():%Y%m%d-%H%M}.csv")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the audit trail"), default,
                                              self.tr("CSV files (*.csv)"))
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        """Write every entry of the current filter (all pages, not only those shown) to `path`."""
        if not self.server_reachable():
            self._show_needs_server()
            return
        client, query, cache = self.ctx.engine.client, self.query(), self.ctx.cache
        self._busy = True
        self._update_buttons()
        self.status.setText(self.tr("Exporting…"))

        def work() -> int:
            resolved = dataclasses.replace(query, entity_id=case_ref(cache, query.entity_id))
            return export_csv(client, resolved, path)

        run_op(work, lambda n: self._exported(path, n), self._export_failed)

    def _exported(self, path: str, count: int) -> None:
        self._busy = False
        self._update_buttons()
        self.last_export = (path, count)
        self.status.setText(self.tr("Exported {n} entries to {path}.").format(n=count, path=path))

    def _export_failed(self, exc: BaseException) -> None:
        self._busy = False
        self._update_buttons()
        if isinstance(exc, OSError):
            self.status.setText(self.tr("Cannot write the file: {error}").format(error=exc.strerror or exc))
        else:
            self.status.setText(self._error_text(exc))

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if theme.theme_switched(self, event):
            self.model.retranslate()  # rejected rows take the new theme's colour
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Audit trail"))
        self.period_label.setText(self.tr("Period:"))
        self.who_label.setText(self.tr("Who:"))
        self.what_label.setText(self.tr("What:"))
        self.chain_label.setText(self.tr("Chain:"))
        self.chain_combo.setToolTip(self.tr("The entries of one chain: a city's cases, or the platform's actions"))
        self.actor_edit.setPlaceholderText(self.tr("User name"))
        self.console_edit.setPlaceholderText(self.tr("Console id"))
        self.entity_edit.setPlaceholderText(self.tr("Case or object id"))
        self.search_button.setText(self.tr("Search"))
        self.more_button.setText(self.tr("Load more"))
        self.export_button.setText(self.tr("Export CSV…"))
        self.start_edit.setToolTip(self.tr("From (inclusive)"))
        self.end_edit.setToolTip(self.tr("To (exclusive)"))
        _refill(self.period, [(key, QCoreApplication.translate("AuditDock", label)) for key, label, _ in PERIODS])
        _refill(self.action_combo, [(None, self.tr("Any action"))] + [(k, action_text(k)) for k in ACTION_KEYS])
        _refill(self.result_combo, [(None, self.tr("Any result"))] + [(k, result_text(k)) for k in RESULT_KEYS])
        _refill(self.offline_combo, [(value, QCoreApplication.translate("AuditDock", label))
                                     for value, label in OFFLINE_CHOICES])
        self._fill_chains()
        self.model.retranslate()
        if not self.server_reachable():
            self._show_needs_server()


def _refill(combo: QComboBox, items: list[tuple[Any, str]], *, keep_data: bool = False) -> None:
    """Replace a combo's texts, keeping the selected item (by its place, or by its data with `keep_data`:
    the items themselves may change)."""
    current, data_now = combo.currentIndex(), combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for data, text in items:
        combo.addItem(text, data)
    if keep_data:
        current = combo.findData(data_now) if data_now is not None else 0
    combo.setCurrentIndex(current if 0 <= current < len(items) else 0)
    combo.blockSignals(False)
