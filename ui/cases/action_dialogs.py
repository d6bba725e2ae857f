"""The small dialogs that collect an action's payload (app/cases/commands.py schemas) and confirm the
consequential ones: reason/note, dispatch with routing suggestions, escalate, extension, send to verify,
plain confirmation. Every dialog has `payload() -> dict`; `dialog_for` picks the right one.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.cases.case import Case
from app.cases.routing import Suggestion, rank_units
from app.platform import labels
from app.platform.enums import Action, Role
from app.refdata.criteria import closing_text
from ui.cases import nearest_panel
from ui.shell.i18n import current_language

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

UnitRole = Qt.ItemDataRole.UserRole + 1

# Actions that change the case in a way that is hard to undo: always confirmed before they are issued.
CONFIRMED = frozenset({Action.VOID, Action.CLOSE, Action.RETURN, Action.ESCALATE, Action.SUSPEND,
                       Action.VERIFY_FAIL, Action.REOPEN})


def unit_name(refdata, unit_id: str | None, language: str | None = None) -> str:
    if not unit_id:
        return ""
    try:
        return labels.localized_name(refdata.unit(unit_id), language or current_language())
    except Exception:
        return unit_id


class PayloadDialog(QDialog):
    """Title, an explanation (with a warning for consequential actions), a form, an error line and
    OK/Cancel; OK is labelled with the action. Subclasses fill `self.form` and implement payload()."""

    def __init__(self, action: Action, case: Case, parent: QWidget | None = None):
        super().__init__(parent)
        self.action = action
        self.case = case
        self.setWindowTitle(self.tr("{action} — case {number}").format(action=labels.action_label(action),
                                                                      number=case.display_number))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setProperty("feedback", "warning")  # look: resources/styles/*.qss
        self.warning.setVisible(action in CONFIRMED)
        layout.addWidget(self.warning)
        self.body = QWidget(self)
        self.form = QFormLayout(self.body)
        self.form.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.body, 1)
        self.error = QLabel(self)
        self.error.setProperty("feedback", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(labels.action_label(action))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.intro.setText(self.tr("Case {number}: {description}").format(
            number=case.display_number, description=case.description[:200]))
        self.warning.setText(self.consequence())

    def consequence(self) -> str:
        return {
            Action.VOID: self.tr("Voiding ends the case: it will not be handled."),
            Action.CLOSE: self.tr("Closing ends the case; it counts in the closure figures."),
            Action.RETURN: self.tr("Returning sends the case back to the command centre for dispatch; a case "
                                   "returned twice becomes an ownership dispute for the shift lead to decide."),
            Action.ESCALATE: self.tr("Escalation is recorded against the responsible unit."),
            Action.SUSPEND: self.tr("Suspending stops the case's clock until it is resumed."),
            Action.VERIFY_FAIL: self.tr("The case goes back to the unit for rework, against its original handling "
                                        "deadline; it counts against the unit's on-time handling."),
            Action.REOPEN: self.tr("Reopening puts the closed case back in the dispatch queue; the reporter's "
                                   "dissatisfaction is recorded with it."),
        }.get(self.action, "")

    def validate(self) -> str | None:
        """Why the input cannot be accepted, or None."""
        return None

    # Set by the controller (ui/cases/actions.py): OK then hands the dialog to it instead of closing, and
    # the dialog closes only once the command is queued; a refusal stays on screen with the typed text.
    submitter = None

    def accept(self) -> None:
        problem = self.validate()
        if problem:
            self.refuse(problem)
            return
        if self.submitter is not None:
            self.submitter(self)
            return
        super().accept()

    def refuse(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def payload(self) -> dict[str, Any]:
        return {}


class ConfirmDialog(PayloadDialog):
    def __init__(self, action: Action, case: Case, parent: QWidget | None = None, *, question: str = ""):
        super().__init__(action, case, parent)
        self.question = QLabel(question or self.tr("{action} case {number}?").format(
            action=labels.action_label(action), number=case.display_number), self)
        self.question.setWordWrap(True)
        self.form.addRow(self.question)


REASON_PRESETS = {
    Action.VOID: (QT_TRANSLATE_NOOP("ActionDialogs", "Duplicate of an existing case"),
                  QT_TRANSLATE_NOOP("ActionDialogs", "Not in the centre's scope"),
                  QT_TRANSLATE_NOOP("ActionDialogs", "Cannot be verified on site")),
    Action.RETURN: (QT_TRANSLATE_NOOP("ActionDialogs", "Not our unit's asset"),
                    QT_TRANSLATE_NOOP("ActionDialogs", "Outside our area"),
                    QT_TRANSLATE_NOOP("ActionDialogs", "Needs another department")),
    Action.VERIFY_FAIL: (QT_TRANSLATE_NOOP("ActionDialogs", "Problem still present"),
                         QT_TRANSLATE_NOOP("ActionDialogs", "Work incomplete")),
    Action.SUSPEND: (QT_TRANSLATE_NOOP("ActionDialogs", "Waiting for weather"),
                     QT_TRANSLATE_NOOP("ActionDialogs", "Waiting for another department"),
                     QT_TRANSLATE_NOOP("ActionDialogs", "Legal procedure pending")),
    Action.DENY_EXTENSION: (QT_TRANSLATE_NOOP("ActionDialogs", "Not justified"),),
}


class TextDialog(PayloadDialog):
    """One text field: `reason` (required), `note` or `text`; optional preset reasons fill the field."""

    def __init__(self, action: Action, case: Case, parent: QWidget | None = None, *, key: str = "reason",
                 required: bool = True):
        super().__init__(action, case, parent)
        self.key, self.required = key, required
        self.presets = QComboBox(self)
        presets = REASON_PRESETS.get(action, ())
        if presets:
            self.presets.addItem(self.tr("Common reasons…"), "")
            for text in presets:
                translated = QCoreApplication.translate("ActionDialogs", text)
                self.presets.addItem(translated, translated)
            self.presets.currentIndexChanged.connect(self._preset)
            self.form.addRow(self.presets)
        else:
            self.presets.hide()
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(90)
        label = {"reason": self.tr("Reason"), "note": self.tr("Note"), "text": self.tr("Note")}[key]
        if action == Action.REPORT_HANDLED:
            label = self.tr("What was done")
        self.form.addRow(label + (" *" if required else ""), self.text)
        self.text.setFocus()

    def _preset(self, index: int) -> None:
        value = self.presets.itemData(index)
        if value:
            self.text.setPlainText(value)

    def validate(self) -> str | None:
        if self.required and not self.text.toPlainText().strip():
            return self.tr("Please write the reason.") if self.key == "reason" else self.tr("Please write a note.")
        return None

    def payload(self) -> dict[str, Any]:
        value = self.text.toPlainText().strip()
        return {self.key: value} if value or self.required else {}


def suggestion_reason(s: Suggestion, refdata, parent: QWidget | None = None) -> str:
    """The routing reason in the UI's language (routing.py's reason_key table). Literal
    `QCoreApplication.translate("DispatchDialog", ...)` calls, so pyside6-lupdate extracts every text."""
    a = s.reason_args
    if s.reason_key == "routing.rule":
        rank = {1: QCoreApplication.translate("DispatchDialog", "Primary"),
                2: QCoreApplication.translate("DispatchDialog", "Secondary")}.get(
            a.get("rank"), QCoreApplication.translate("DispatchDialog", "Rank {n}").format(n=a.get("rank")))
        category = a.get("category", "*")
        scope = a.get("category_scope")
        cat_text = {"all": QCoreApplication.translate("DispatchDialog", "all categories"),
                    "kind": QCoreApplication.translate("DispatchDialog", "all {kind}").format(
                        kind=labels.kind_label("component" if category == "C" else "event"))}.get(scope, category)
        if scope == "major" and len(category) == 3:
            kind = "component" if category[0] == "C" else "event"
            cat_text = f"{category} {labels.major_label(kind, category[1:])}"
        area, area_scope = a.get("area", "*"), a.get("area_scope", "all")
        area_text = QCoreApplication.translate("DispatchDialog", "all areas") if area == "*" else {
            "grid": QCoreApplication.translate("DispatchDialog", "grid {code}"),
            "community": QCoreApplication.translate("DispatchDialog", "community {code}"),
            "street": QCoreApplication.translate("DispatchDialog", "street {code}"),
            "county": QCoreApplication.translate("DispatchDialog", "county {code}")}.get(area_scope, "{code}").format(
            code=area)
        text = QCoreApplication.translate("DispatchDialog", "{rank} for {category} in {area}").format(
            rank=rank, category=cat_text, area=area_text)
        if a.get("no_grid"):
            text += QCoreApplication.translate("DispatchDialog", " — no grid matched the location")
        return text
    if s.reason_key == "routing.escalation":
        return QCoreApplication.translate("DispatchDialog", "Escalation level {level}: above {child}").format(
            level=a.get("level"), child=unit_name(refdata, a.get("child")))
    if s.reason_key == "routing.no_rule":
        return QCoreApplication.translate("DispatchDialog",
                                          "No responsibility rule matches; the city office coordinates")
    return s.reason


class UnitPicker(QWidget):
    """A searchable tree of every member unit (hierarchy), e.g. to dispatch outside the suggestions."""

    def __init__(self, refdata, parent: QWidget | None = None, *, exclude: set[str] = frozenset()):
        super().__init__(parent)
        self.refdata = refdata
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Search units by name or id…"))
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels([self.tr("Unit"), self.tr("Id"), self.tr("Phone")])
        self.tree.setColumnWidth(0, 300)
        self.tree.setUniformRowHeights(True)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        lang = current_language()
        items: dict[str, QTreeWidgetItem] = {}
        for unit in refdata.units:  # file order: parents come before children
            item = QTreeWidgetItem([labels.localized_name(unit, lang), unit.id, unit.phone])
            item.setData(0, UnitRole, unit.id)
            item.setToolTip(0, f"{unit.name}\n{unit.name_en}")
            if unit.id in exclude:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                item.setDisabled(True)
            parent_item = items.get(unit.parent_id or "")
            if parent_item is None:
                self.tree.addTopLevelItem(item)
            else:
                parent_item.addChild(item)
            items[unit.id] = item
        self._items = items
        self.tree.expandAll()
        self.search.textChanged.connect(self.filter)

    def filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for unit in self.refdata.units:
            hay = f"{unit.id} {unit.name} {unit.name_en}".casefold()
            self._items[unit.id].setHidden(bool(needle) and needle not in hay)
        if needle:  # keep the parents of matches visible
            for unit in self.refdata.units:
                if not self._items[unit.id].isHidden():
                    parent = self._items[unit.id].parent()
                    while parent is not None:
                        parent.setHidden(False)
                        parent = parent.parent()

    def visible_unit_ids(self) -> list[str]:
        return [u.id for u in self.refdata.units if not self._items[u.id].isHidden()]

    def select(self, unit_id: str) -> None:
        item = self._items.get(unit_id)
        if item is not None:
            self.tree.setCurrentItem(item)


class DispatchDialog(PayloadDialog):
    """Dispatch or reassign: ranked suggestions from the responsibility matrix with the reason for each,
    and the full, searchable unit tree. The first suggestion is preselected."""

    def __init__(self, action: Action, case: Case, refdata, parent: QWidget | None = None, *, nearest=None):
        super().__init__(action, case, parent)
        self.refdata = refdata
        self.setMinimumSize(780, 600)
        exclude = {case.unit_id} if action == Action.REASSIGN and case.unit_id else set()
        try:
            self.suggestions = [s for s in rank_units(refdata, case.category_code, case.location.grid_code,
                                                      case.location.lat, case.location.lon)
                                if s.unit_id not in exclude]
        except Exception:  # unknown category/grid in old data: the full list still works
            self.suggestions = []
        self.suggestion_list = QTreeWidget(self)
        self.suggestion_list.setHeaderLabels([self.tr("Suggested unit"), self.tr("Match"), self.tr("Why")])
        self.suggestion_list.setRootIsDecorated(False)
        self.suggestion_list.setUniformRowHeights(True)
        self.suggestion_list.setWordWrap(False)
        header = self.suggestion_list.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.suggestion_list.setColumnWidth(0, 280)
        self.suggestion_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for s in self.suggestions:
            why = suggestion_reason(s, refdata, self)
            item = QTreeWidgetItem([unit_name(refdata, s.unit_id), f"{s.score:.0%}", why])
            item.setData(0, UnitRole, s.unit_id)
            item.setToolTip(0, f"{unit_name(refdata, s.unit_id)} ({s.unit_id})")
            item.setToolTip(2, why)
            self.suggestion_list.addTopLevelItem(item)
        rows = max(1, len(self.suggestions))
        self.suggestion_list.setMaximumHeight(self.suggestion_list.sizeHintForRow(0) * min(rows, 6)
                                              + header.sizeHint().height() + 8 if self.suggestions else 80)
        if self.suggestions and self.suggestions[0].reason_args.get("no_grid"):
            self.no_grid = QLabel(self.tr("No grid of the city matched this case's location: the suggestions "
                                          "below only follow the category. Check the place before dispatching."),
                                  self)
            self.no_grid.setWordWrap(True)
            self.no_grid.setProperty("feedback", "warning")
            self.form.addRow(self.no_grid)
        self.form.addRow(QLabel(self.tr("Suggestions (responsibility matrix: category × area):"), self))
        self.form.addRow(self.suggestion_list)
        # the nearest available crews by live position (ui/cases/nearest_panel.py), beside the matrix's ranking
        self.nearest = nearest(self) if nearest is not None else None
        if self.nearest is not None:
            self.form.addRow(QLabel(self.tr("Nearest crews now (live positions):"), self))
            self.form.addRow(self.nearest)
        self.form.addRow(QLabel(self.tr("Or choose any unit:"), self))
        self.units = UnitPicker(refdata, self, exclude=exclude)
        self.form.addRow(self.units)
        if self.nearest is not None:
            self.nearest.chosen.connect(lambda s: self.choose(s.unit_id))
        self.chosen_label = QLabel(self)
        self.chosen_label.setStyleSheet("font-weight: bold;")
        self.form.addRow(self.tr("Send to:"), self.chosen_label)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(self.tr("Optional note for the unit"))
        self.form.addRow(self.tr("Note:"), self.note)
        self._unit_id: str | None = None
        self.suggestion_list.currentItemChanged.connect(lambda item, _old: self._chosen(item))
        self.units.tree.currentItemChanged.connect(lambda item, _old: self._chosen(item))
        self.suggestion_list.itemDoubleClicked.connect(lambda *_: self.accept())
        if self.suggestions:
            self.suggestion_list.setCurrentItem(self.suggestion_list.topLevelItem(0))
        self._chosen(self.suggestion_list.currentItem())

    def _chosen(self, item: QTreeWidgetItem | None) -> None:
        if item is None or item.isDisabled():
            if self._unit_id is None:
                self.chosen_label.setText(self.tr("(choose a unit)"))
            return
        self._unit_id = item.data(0, UnitRole)
        self.chosen_label.setText(f"{unit_name(self.refdata, self._unit_id)} ({self._unit_id})")

    def choose(self, unit_id: str) -> None:
        self.units.select(unit_id)

    @property
    def unit_id(self) -> str | None:
        return self._unit_id

    def validate(self) -> str | None:
        return None if self._unit_id else self.tr("Choose the unit to send the case to.")

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"unit_id": self._unit_id}
        if self.note.text().strip():
            out["note"] = self.note.text().strip()
        return out


class EscalateDialog(TextDialog):
    """Reason plus the target: the next level up (default) or any unit."""

    def __init__(self, case: Case, refdata, parent: QWidget | None = None):
        super().__init__(Action.ESCALATE, case, parent, key="reason")
        self.target = QComboBox(self)
        base = case.escalated_to or case.unit_id
        up = refdata.ancestors(base)[0] if base and refdata.has_unit(base) and refdata.ancestors(base) else None
        up_id = getattr(up, "id", up)
        default = unit_name(refdata, up_id) if up_id else unit_name(refdata, refdata.root_unit_id)
        self.target.addItem(self.tr("Next level up ({unit})").format(unit=default), None)
        for unit in refdata.units:
            self.target.addItem(f"{labels.localized_name(unit, current_language())} ({unit.id})", unit.id)
        self.form.addRow(self.tr("Escalate to:"), self.target)
        if case.escalation_level:
            self.intro.setText(self.intro.text() + "\n" + self.tr("Already escalated {n} time(s), now with {unit}.")
                               .format(n=case.escalation_level, unit=unit_name(refdata, case.escalated_to)))

    def payload(self) -> dict[str, Any]:
        out = super().payload()
        if self.target.currentData():
            out["target_unit_id"] = self.target.currentData()
        return out


class ExtensionDialog(TextDialog):
    UNITS = ((QT_TRANSLATE_NOOP("ActionDialogs", "working hours"), 60, True),
             (QT_TRANSLATE_NOOP("ActionDialogs", "working days"), 0, True),
             (QT_TRANSLATE_NOOP("ActionDialogs", "calendar hours"), 60, False),
             (QT_TRANSLATE_NOOP("ActionDialogs", "calendar days"), 24 * 60, False))

    def __init__(self, case: Case, parent: QWidget | None = None, *, minutes_per_working_day: int = 7 * 60):
        super().__init__(Action.REQUEST_EXTENSION, case, parent, key="reason")
        self.amount = QSpinBox(self)
        self.amount.setRange(1, 999)
        self.amount.setValue(8)
        self.unit = QComboBox(self)
        for text, minutes, working in self.UNITS:
            factor = minutes or minutes_per_working_day  # 0: one working day of the calendar
            self.unit.addItem(QCoreApplication.translate("ActionDialogs", text), (factor, working))
        self.form.insertRow(0, self.tr("Extra time:"), self.amount)
        self.form.insertRow(1, "", self.unit)

    def validate(self) -> str | None:
        factor, _working = self.unit.currentData()
        if self.amount.value() * factor > 60 * 24 * 90:
            return self.tr("An extension can be at most 90 days.")
        return super().validate()

    def payload(self) -> dict[str, Any]:
        factor, working = self.unit.currentData()
        return {"minutes": self.amount.value() * factor, "working": working, **super().payload()}


class SendVerifyDialog(TextDialog):
    def __init__(self, case: Case, refdata, parent: QWidget | None = None, *, nearest=None):
        super().__init__(Action.SEND_VERIFY, case, parent, key="note", required=False)
        self.inspector = QComboBox(self)
        self.inspector.setEditable(True)
        self.inspector.addItem(self.tr("(any inspector on duty)"), None)
        for user in refdata.users:
            if user.role == Role.INSPECTOR:
                self.inspector.addItem(f"{user.display_name} ({user.username})", user.username)
        self.form.insertRow(0, self.tr("Inspector:"), self.inspector)
        self.nearest = nearest(self) if nearest is not None else None  # nearest available inspectors
        if self.nearest is not None:
            self.form.insertRow(1, self.tr("Nearest now:"), self.nearest)
            self.nearest.chosen.connect(self._nearest_chosen)

    def _nearest_chosen(self, suggestion) -> None:
        index = self.inspector.findData(suggestion.person)
        if index >= 0:
            self.inspector.setCurrentIndex(index)

    def payload(self) -> dict[str, Any]:
        out = super().payload()
        username = self.inspector.currentData()
        if username is None and self.inspector.currentIndex() != 0:
            username = self.inspector.currentText().strip() or None
        if username:
            out["inspector"] = username
        return out


def dialog_for(action: Action, case: Case, ctx: ConsoleContext, parent: QWidget | None) -> PayloadDialog | None:
    """The dialog of this module that collects `action`'s payload, or None when the action needs neither
    input nor confirmation (register, accept, verify pass, resume). `ui.cases.dialogs.dialog_for` asks the
    other dialog modules first."""
    refdata = ctx.cache.refdata()
    if action in (Action.DISPATCH, Action.REASSIGN):
        return DispatchDialog(action, case, refdata, parent,
                              nearest=lambda owner: nearest_panel.crew_panel(ctx, case, refdata, owner))
    if action == Action.ESCALATE:
        return EscalateDialog(case, refdata, parent)
    if action == Action.REQUEST_EXTENSION:
        minutes = refdata.policy.calendar.minutes_per_day() if refdata is not None else 7 * 60
        return ExtensionDialog(case, parent, minutes_per_working_day=int(minutes))
    if action == Action.SEND_VERIFY:
        return SendVerifyDialog(case, refdata, parent,
                                nearest=lambda owner: nearest_panel.inspector_panel(ctx, case, refdata, owner))
    if action in (Action.VOID, Action.RETURN, Action.VERIFY_FAIL, Action.SUSPEND, Action.DENY_EXTENSION):
        return TextDialog(action, case, parent, key="reason")
    if action == Action.REPORT_HANDLED:
        return TextDialog(action, case, parent, key="note")
    if action == Action.NOTE:
        return TextDialog(action, case, parent, key="text")
    if action == Action.CLOSE:
        dialog = ConfirmDialog(action, case, parent)
        criteria = closing_text(case.category_code, refdata, current_language())
        if criteria:  # the lead checks the category's closing criteria (结案标准) before closing
            dialog.question.setText(dialog.question.text() + "\n" + criteria)
        return dialog
    return None
