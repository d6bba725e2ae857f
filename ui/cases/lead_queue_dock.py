"""The shift lead's work queue: what waits for a lead's decision — extension requests, verification
failures, escalated cases, refused commands — each kind with its count, oldest first, and an alert
(the chime and a highlighted count) when a new one arrives. Double-click or Enter opens the case.

The items come from `LocalCache.lead_work` (`app.cache.lead_work`, Qt-free), re-read shortly after the
cases or the conflicts change; new ones are marked and announced as `ui.cases.waiting_dock` does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QTreeWidgetItem, QWidget

from app.cache.lead_work import KINDS, Item, Kind
from app.cases import refusals
from app.platform import labels, times
from app.platform.enums import Action
from app.refdata.people import display_name
from ui.cases.issuing import ui_language
from ui.cases.waiting_dock import WaitingDock
from ui.shell import theme

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

CLOCK_MS = 60_000


class LeadQueueDock(WaitingDock):
    open_conflicts = Signal()   # a conflict was opened: the main window shows the conflicts list too
    WHAT = "the lead's work"

    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None, *, sound: bool = True):
        super().__init__(ctx, "leadQueueDock", 4, (150, 300, 130), parent, sound=sound)
        self._work: dict[Kind, list[Item]] = {k: [] for k in KINDS}
        self.summary.setObjectName("leadQueueSummary")
        self.summary.setWordWrap(True)
        self.tree.setRootIsDecorated(True)
        self.groups: dict[Kind, QTreeWidgetItem] = {}
        for kind in KINDS:
            group = QTreeWidgetItem(self.tree)
            group.setFirstColumnSpanned(True)
            group.setExpanded(True)
            font = QFont()
            font.setBold(True)
            group.setFont(0, font)
            self.groups[kind] = group
        self.tree.itemActivated.connect(lambda item, _col: self._open(item))
        ctx.signals.cases_changed.connect(lambda _c: self.schedule_reload())
        ctx.signals.conflicts_changed.connect(lambda _n: self.schedule_reload())
        ctx.signals.language_changed.connect(lambda _l: self._render())
        self._clock = QTimer(self)  # a suspension's resume time comes without any change to the case
        self._clock.setInterval(CLOCK_MS)
        self._clock.timeout.connect(self.reload)
        self._clock.start()
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Lead's work queue"))
        self.tree.setHeaderLabels([self.tr("Case"), self.tr("What"), self.tr("Waiting since"), self.tr("Unit")])
        self._render()

    def group_title(self, kind: Kind) -> str:
        return {Kind.EXTENSION: self.tr("Extension requests"), Kind.VERIFY_FAIL: self.tr("Verification failures"),
                Kind.ESCALATION: self.tr("Escalations"), Kind.RESUME_DUE: self.tr("Suspensions due to resume"),
                Kind.CONFLICT: self.tr("Conflicts")}[kind]

    def counts(self) -> dict[Kind, int]:
        return {kind: len(items) for kind, items in self._work.items()}

    # ------------------------------------------------------------------ data

    def read(self) -> dict[Kind, list[Item]]:
        return self.ctx.cache.lead_work()

    def take(self, work: dict[Kind, list[Item]]) -> set[tuple]:
        self._work = work
        return {item.key for items in work.values() for item in items}

    def _render(self) -> None:
        language = ui_language(self.ctx)
        refdata = self.ctx.cache.refdata()
        total = 0
        for kind in KINDS:
            items = self._work.get(kind, [])
            total += len(items)
            group = self.groups[kind]
            fresh = sum(1 for i in items if i.key in self._new)
            title = f"{self.group_title(kind)} ({len(items)})"
            if fresh:
                title += " · " + self.tr("%n new", "", fresh)
            group.setText(0, title)
            group.setForeground(0, QBrush(theme.color("danger_text" if fresh else "text")))
            group.takeChildren()
            for item in items:
                unit = ""
                if item.unit_id and refdata is not None and refdata.has_unit(item.unit_id):
                    unit = labels.localized_name(refdata.unit(item.unit_id), language)
                row = QTreeWidgetItem([item.number, self.describe(item, refdata), times.fmt(item.since),
                                       unit or (item.unit_id or "")])
                row.setData(0, Qt.ItemDataRole.UserRole, item)
                for column in range(4):
                    row.setToolTip(column, row.text(1))
                self.mark_new(row, item.key)
                group.addChild(row)
        self.summary.setText(self.tr("%n item(s) waiting for a lead.", "", total) if total
                             else self.tr("Nothing waits for a lead."))

    def describe(self, item: Item, refdata) -> str:
        d = item.detail
        if item.kind == Kind.EXTENSION:
            hours = (d.get("minutes") or 0) / 60
            mode = self.tr("working") if d.get("working", True) else self.tr("calendar")
            return self.tr("{hours:g} h ({mode}) asked by {who}: {reason}").format(
                hours=hours, mode=mode, who=display_name(refdata, d.get("by")), reason=d.get("reason", ""))
        if item.kind == Kind.VERIFY_FAIL:
            return self.tr("rework {n}: {reason}").format(n=d.get("rework_count", 0), reason=d.get("reason", ""))
        if item.kind == Kind.RESUME_DUE:
            return self.tr("planned to resume at {at}").format(at=times.fmt(item.since))
        if item.kind == Kind.ESCALATION:
            to = d.get("to")
            if to and refdata is not None and refdata.has_unit(to):
                to = labels.localized_name(refdata.unit(to), ui_language(self.ctx))
            return self.tr("level {level}, to {unit}").format(level=d.get("level"), unit=to or "—")
        return self.tr("{action} refused: {reason}").format(action=labels.action_label(Action(d["action"])),
                                                          reason=refusals.reason_text(d.get("reason")))

    # ------------------------------------------------------------------ acting

    def item_rows(self, kind: Kind) -> list[QTreeWidgetItem]:
        group = self.groups[kind]
        return [group.child(i) for i in range(group.childCount())]

    def _open(self, row: QTreeWidgetItem) -> None:
        item = row.data(0, Qt.ItemDataRole.UserRole)
        if not isinstance(item, Item):
            return
        self._new.discard(item.key)
        self.ctx.select_case(item.case_id)
        if item.kind == Kind.CONFLICT:
            self.open_conflicts.emit()
        self._render()
