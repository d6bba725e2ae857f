"""The detections review queue (desk: operators and shift leads): what video AI and drone patrols saw and
their types' rules left for a person to judge, oldest first, with the count in the title and an alert (chime,
"n new") when new ones arrive.

Confirm opens a case (the case outbox: category, place and frame from the detection, source video_ai or
drone) and queues the `confirm` of the detection naming it; Reject queues `reject` with the reason. Both go
through the durable outboxes, so they work offline and are sent in that order (cases first) when the
server is back. The list shows the server's word (the feed's kind `detection`); a detection decided here
leaves the list at once. New ones are marked and announced as `ui.cases.waiting_dock` does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidgetItem,
    QWidget,
)

from app.detections.commands import DETECTION
from app.detections.review import queue_confirm, queue_reject, waiting
from app.platform import times
from app.platform.i18n import QT_TRANSLATE_NOOP
from ui.cases.issuing import now_utc
from ui.cases.waiting_dock import WaitingDock
from ui.shell.context import working_offline
from ui.shell.i18n import current_language
from ui.shell.ops import run_op

if TYPE_CHECKING:
    from ui.shell.context import ConsoleContext

REJECT_REASONS = (
    QT_TRANSLATE_NOOP("DetectionReview", "False positive: nothing there"),
    QT_TRANSLATE_NOOP("DetectionReview", "Not a problem (allowed, temporary)"),
    QT_TRANSLATE_NOOP("DetectionReview", "Outside our jurisdiction"),
    QT_TRANSLATE_NOOP("DetectionReview", "Already being handled"),
)


class DetectionReviewDock(WaitingDock):
    RELOAD_MS = 200
    WHAT = "the detections"

    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None, *, sound: bool = True):
        super().__init__(ctx, "detectionReviewDock", 5, (120, 150, 200, 70), parent, sound=sound)
        self._rows: list[dict[str, Any]] = []
        self._decided: set[str] = set()  # queued here, the server's word not back yet
        self.summary.setObjectName("detectionSummary")
        self.tree.setRootIsDecorated(False)
        body, layout = self.body, self.body_layout
        self.detail = QLabel(body, objectName="detectionDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        self.confirm_button = QPushButton(body, objectName="detectionConfirm")
        self.reason = QComboBox(body, objectName="detectionReason")
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reject_button = QPushButton(body, objectName="detectionReject")
        buttons.addWidget(self.confirm_button)
        buttons.addStretch(1)
        buttons.addWidget(self.reason, 2)
        buttons.addWidget(self.reject_button)
        self.error = QLabel(body, objectName="detectionError")
        self.error.setProperty("feedback", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        layout.addWidget(self.error)

        self.confirm_button.clicked.connect(self.confirm_selected)
        self.reject_button.clicked.connect(self.reject_selected)
        self.tree.currentItemChanged.connect(lambda *_: self._show_selected())
        ctx.signals.entities_changed.connect(self._entities_changed)
        ctx.signals.language_changed.connect(lambda _l: self.retranslate())
        self.retranslate()
        self.reload()

    # ------------------------------------------------------------------ text

    def retranslate(self) -> None:
        self.tree.setHeaderLabels([self.tr("Seen at"), self.tr("Camera / drone"), self.tr("What"),
                                   self.tr("Confidence"), self.tr("Seen again")])
        self.confirm_button.setText(self.tr("Confirm → case"))
        self.confirm_button.setToolTip(self.tr("Open a case for it, with the frame attached"))
        self.reject_button.setText(self.tr("Reject"))
        current = self.reason.currentText()
        self.reason.clear()
        self.reason.addItems([QCoreApplication.translate("DetectionReview", r) for r in REJECT_REASONS])
        self.reason.lineEdit().setPlaceholderText(self.tr("Why it is rejected"))
        self.reason.setEditText(current if current else self.reason.itemText(0))
        self._render()

    # ------------------------------------------------------------------ data

    def _entities_changed(self, kind: str, _ids: Any) -> None:
        if kind == DETECTION:
            self.schedule_reload()

    def read(self) -> list[dict[str, Any]]:
        return list(self.ctx.cache.entities(DETECTION).values())

    def take(self, detections: list[dict[str, Any]]) -> set[str]:
        # the server's word replaces this console's own once it is back
        self._decided &= {d["id"] for d in detections if d.get("state") == "pending"}
        self._rows = waiting(detections, self._decided)
        return {d["id"] for d in self._rows}

    def pending(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def _render(self) -> None:
        selected = self.selected_id()
        self.tree.clear()
        for d in self._rows:
            item = QTreeWidgetItem([times.fmt(d["detected_at"]), d["camera_name"], self.type_name(d), f"{d['confidence']:.0%}",
                                    str(d.get("repeats", 0) or "")])
            item.setData(0, Qt.ItemDataRole.UserRole, d["id"])
            self.mark_new(item, d["id"])
            self.tree.addTopLevelItem(item)
            if d["id"] == selected:
                self.tree.setCurrentItem(item)
        if self.tree.currentItem() is None and self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        n, fresh = len(self._rows), len(self._new & {d["id"] for d in self._rows})
        title = self.tr("Detections to review") + (f" ({n})" if n else "")
        if fresh:
            title += " · " + self.tr("%n new", "", fresh)
        self.setWindowTitle(title)
        self.summary.setText(self.tr("%n detection(s) wait for a decision", "", n) if n
                             else self.tr("No detection waits for a decision."))
        self._show_selected()

    @staticmethod
    def type_name(d: dict[str, Any]) -> str:
        return (d.get("type_name_zh") if current_language() == "zh_CN" else None) or d.get("type_name") or d["type_code"]

    def selected_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _selected(self) -> dict[str, Any] | None:
        wanted = self.selected_id()
        return next((d for d in self._rows if d["id"] == wanted), None)

    def _show_selected(self) -> None:
        d = self._selected()
        self.confirm_button.setEnabled(d is not None)
        self.reject_button.setEnabled(d is not None)
        if d is None:
            self.detail.setText("")
            return
        seen_again = d.get("repeats", 0) or 0
        why = (self.tr("Seen %n more time(s) by the same camera since; waits for a decision.", "", seen_again)
               if seen_again else self.tr("Waits for a decision: its type is confirmed by a person."))
        self.detail.setText(self.tr("{what} · category {category} · at {lat:.5f}, {lon:.5f}\nFrame: {frame}\n{why}")
                            .format(what=self.type_name(d), category=d["category_code"], lat=d["lat"], lon=d["lon"],
                                    frame=d.get("frame_url") or self.tr("none sent"), why=why))

    # ------------------------------------------------------------------ decisions

    def confirm_selected(self) -> None:
        d = self._selected()
        if d is None:
            return
        ctx = self.ctx
        actor, offline, now = ctx.actor, working_offline(ctx), now_utc(ctx)
        work = lambda: queue_confirm(ctx.cache, actor, d, now, offline=offline)  # noqa: E731
        self._decide(d["id"], work, lambda cid: ctx.select_case(cid))

    def reject_selected(self) -> None:
        d = self._selected()
        if d is None:
            return
        reason = self.reason.currentText().strip()
        if not reason:
            self._refuse(self.tr("Please write the reason."))
            return
        ctx = self.ctx
        actor, offline, now = ctx.actor, working_offline(ctx), now_utc(ctx)
        self._decide(d["id"], lambda: queue_reject(ctx.cache, actor, d["id"], reason, now, offline=offline), None)

    def _decide(self, det_id: str, work, then) -> None:
        self.error.hide()
        self._decided.add(det_id)
        self._rows = [r for r in self._rows if r["id"] != det_id]
        self._render()

        def done(result) -> None:
            if then is not None:
                then(result)

        def failed(exc: BaseException) -> None:
            self._decided.discard(det_id)
            self._refuse(self.tr("The decision was not queued: {error}").format(error=exc))
            self.reload()

        run_op(work, done, failed, write=True, owner=self)

    def _refuse(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
