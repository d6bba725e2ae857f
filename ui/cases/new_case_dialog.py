"""The hotline form: a new case from a call (or a walk-in). Category from a searchable tree, location as
coordinates, address and grid code (or picked on the map), priority defaulting from the category,
description and caller. Before saving it shows likely duplicates (same category, within 200 m, last 72 h,
still open) and lets the operator link the call to one of them instead: a note on the existing case.

The form's location (`location_fields`) and its duplicates (`duplicates_box`) live beside it.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.cases.duplicates import Duplicate, find_duplicates
from app.platform import labels, times
from app.platform.enums import Action, Priority, Source
from ui.cases import field_limits
from ui.cases.category_tree import CategoryTree
from ui.cases.duplicates_box import DuplicatesBox, IdRole
from ui.cases.issuing import issue, now_utc, refusal_text, ui_language
from ui.cases.location_fields import LocationFields
from ui.photos.report_field import ReportPhotosField, add_report_photos
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)


class NewCaseDialog(QDialog):
    pick_on_map_requested = Signal()    # the map answers by calling set_location(lat, lon, address)
    case_created = Signal(object)       # UUID of the new case
    case_linked = Signal(object)        # UUID of the existing case the call was added to

    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.refdata = ctx.cache.refdata()
        self.duplicates: list[Duplicate] = []
        self._checked_key: tuple | None = None
        self._busy = False
        self.setWindowTitle(self.tr("New case — hotline call"))
        self.resize(980, 680)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.categories = CategoryTree(self.refdata, split)
        right = QWidget(split)
        form = QFormLayout(right)
        self.form = form
        self.category_label = QLabel(right)
        self.category_label.setWordWrap(True)
        form.addRow(self.tr("Category *"), self.category_label)
        self.source = QComboBox(right)
        for source in (Source.HOTLINE, Source.WALK_IN, Source.CITIZEN_APP, Source.GRID_INSPECTOR, Source.VIDEO_AI):
            self.source.addItem(labels.source_label(source), source.value)
        form.addRow(self.tr("Source"), self.source)
        self.priority = QComboBox(right)
        self.priority.addItem(self.tr("Category default"), None)
        for priority in Priority:
            self.priority.addItem(labels.priority_label(priority), priority.value)
        form.addRow(self.tr("Priority"), self.priority)
        self.description = QPlainTextEdit(right)
        self.description.setTabChangesFocus(True)
        self.description.setMaximumHeight(140)
        self.description.setPlaceholderText(self.tr("What the caller reports, where exactly, since when…"))
        form.addRow(self.tr("Description *"), self.description)
        self.address = QLineEdit(right)
        form.addRow(self.tr("Address"), self.address)
        self.location = loc = LocationFields(self.refdata, lambda: ui_language(ctx), right)
        # its widgets under the form's own names (the map's pick, callers and tests fill them)
        self.lat, self.lon, self.pick_button, self.grid = loc.lat, loc.lon, loc.pick_button, loc.grid
        self.grid_label = loc.grid_label
        form.addRow(self.tr("Location *"), loc.coords)
        form.addRow(self.tr("Grid"), self.grid)
        form.addRow("", self.grid_label)
        self.reporter_name = QLineEdit(right)
        self.reporter_phone = QLineEdit(right)
        caller = QHBoxLayout()
        caller.addWidget(self.reporter_name)
        caller.addWidget(self.reporter_phone)
        self.reporter_name.setPlaceholderText(self.tr("name"))
        self.reporter_phone.setPlaceholderText(self.tr("phone"))
        form.addRow(self.tr("Caller"), caller)
        self.photos = None  # the report's photos (with a photo store): EXIF place offered as the location
        if getattr(ctx, "photos", None) is not None:
            self.photos = ReportPhotosField(ctx.photos, right)
            self.photos.install_on(self)
            self.photos.location_found.connect(lambda *_: self.photos.offer_location(self.coordinates() is None))
            self.photos.use_location.clicked.connect(lambda: self.set_location(*self.photos.location))
            self.lat.textChanged.connect(lambda _t: self.photos.offer_location(self.coordinates() is None))
            self.lon.textChanged.connect(lambda _t: self.photos.offer_location(self.coordinates() is None))
            form.addRow(self.tr("Photos"), self.photos)
        self._guard_fields(form)

        self.dup_box = DuplicatesBox(right)
        self.dup_box.set_rule(None, self.refdata)
        self.dup_list, self.link_button = self.dup_box.dup_list, self.dup_box.link_button
        self.create_anyway_button = self.dup_box.create_anyway_button
        self.dup_box.hide()
        form.addRow(self.dup_box)

        self.error = QLabel(right)
        self.error.setProperty("feedback", "error")  # look: resources/styles/*.qss
        self.error.setWordWrap(True)
        self.error.hide()
        form.addRow(self.error)
        split.addWidget(self.categories)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)

        self.save_button = QPushButton(self.tr("Check and save"), self)
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)

        self.categories.category_chosen.connect(self._category_chosen)
        self.pick_button.clicked.connect(self.pick_on_map_requested.emit)
        field_limits.submit_with_ctrl_enter(self, self.save)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.link_button.clicked.connect(self.link_to_selected)
        self.create_anyway_button.clicked.connect(self.create)
        self.dup_list.itemDoubleClicked.connect(lambda item, _c: ctx.select_case(item.data(0, IdRole)))
        self._category_chosen("")
        self.categories.search.setFocus()

    # ------------------------------------------------------------------ location

    def set_location(self, lat: float, lon: float, address: str | None = None) -> None:
        """Called by the map's "pick location" (or a sensor alarm) with WGS84 degrees."""
        self.location.set_location(lat, lon, self.address, address)

    def location_warning(self) -> str | None:
        return self.location.warning()

    def outside_city(self) -> bool:
        return self.location.outside_city()

    def coordinates(self) -> tuple[float, float] | None:
        return self.location.coordinates()

    def grid_code(self) -> str | None:
        return self.location.grid_code()

    def _grid_edited(self) -> None:
        self.location.grid_edited()

    def _guard_fields(self, form: QFormLayout) -> None:
        """Counters for every limited field, the phone rule, and the location checks under their rows."""
        self.guards = [
            field_limits.guard_below(form, self.description, field_limits.LengthGuard,
                                     field_limits.create_limit("description"), self.tr("The description")),
            field_limits.guard_below(form, self.address, field_limits.LengthGuard,
                                     field_limits.create_limit("address"), self.tr("The address")),
        ]
        self.name_counter, self.phone_problem, self.phone_counter = (QLabel(self) for _ in range(3))
        for label in (self.name_counter, self.phone_problem, self.phone_counter):
            label.setWordWrap(True)
            form.addRow("", label)  # right under the caller's row
        self.guards += [
            field_limits.LengthGuard(self.reporter_name, field_limits.create_limit("reporter_name"),
                                     self.tr("The caller's name"), counter=self.name_counter),
            field_limits.PhoneGuard(self.reporter_phone, self.tr("Phone"), counter=self.phone_problem),
            field_limits.LengthGuard(self.reporter_phone, field_limits.create_limit("reporter_phone"),
                                     self.tr("The phone number"), counter=self.phone_counter),
        ]
        self.location.add_checks(form)
        self.location_problem, self.outside_ok = self.location.location_problem, self.location.outside_ok

    # ------------------------------------------------------------------ category

    def _category_chosen(self, code: str) -> None:
        if not code or self.refdata is None:
            self.category_label.setText(self.tr("(choose in the tree on the left)"))
            self.priority.setItemText(0, self.tr("Category default"))
            return
        cat = self.refdata.category(code)
        self.category_label.setText(f"{cat.code} {labels.localized_name(cat, ui_language(self.ctx))}")
        self.priority.setItemText(0, self.tr("Category default ({priority})").format(
            priority=labels.priority_label(cat.default_priority)))

    def set_category(self, code: str) -> None:
        self.categories.set_category(code)

    # ------------------------------------------------------------------ validation and payload

    def problems(self) -> list[str]:
        out = []
        if not self.categories.current_code():
            out.append(self.tr("Choose a category: search by code or name and select it in the tree."))
        if not self.description.toPlainText().strip():
            out.append(self.tr("Describe the problem."))
        code = self.grid_code()
        if code and (self.refdata is None or not self.refdata.has_grid(code)):
            out.append(self.tr("Unknown grid code {code}.").format(code=code))
        if self.coordinates() is None:
            if self.lat.text() or self.lon.text():
                out.append(self.tr("Latitude must be between -90 and 90 and longitude between -180 and 180."))
            else:
                out.append(self.tr("Give the location: pick it on the map, type coordinates or a grid code."))
        elif self.outside_city() and not self.outside_ok.isChecked():
            out.append(self.tr("The location is outside the city: correct it or confirm that it is right."))
        out += field_limits.problems(self.guards)
        return out

    def payload(self) -> dict[str, Any]:
        lat, lon = self.coordinates() or (0.0, 0.0)
        location: dict[str, Any] = {"lat": lat, "lon": lon, "address": self.address.text().strip()}
        if self.grid_code():
            location["grid_code"] = self.grid_code()
        out: dict[str, Any] = {
            "source": self.source.currentData(),
            "category_code": self.categories.current_code(),
            "description": self.description.toPlainText().strip(),
            "location": location,
            "reporter_name": self.reporter_name.text().strip(),
            "reporter_phone": self.reporter_phone.text().strip(),
        }
        if self.priority.currentData():
            out["priority"] = self.priority.currentData()
        return out

    def _show_problems(self, problems: list[str]) -> None:
        self.error.setText("\n".join(problems))
        self.error.setVisible(bool(problems))

    # ------------------------------------------------------------------ saving

    def save(self) -> None:
        """Validate; look for duplicates (once per category/location); create when there are none."""
        problems = self.problems()
        self._show_problems(problems)
        if problems or self._busy:
            return
        code = self.categories.current_code()
        lat, lon = self.coordinates()  # type: ignore[misc]
        key = (code, round(lat, 6), round(lon, 6))
        if key == self._checked_key and self.duplicates:
            return  # duplicates are on screen: link or "create anyway"
        cache, now, refdata = self.ctx.cache, now_utc(self.ctx), self.refdata
        self._set_busy(True)
        self.dup_box.set_rule(code, refdata)
        run_op(lambda: find_duplicates(cache.summaries(), code, lat, lon, now, refdata=refdata),
               lambda found: self._duplicates_found(key, found), self._failed, owner=self)

    def _duplicates_found(self, key: tuple, found: list[Duplicate]) -> None:
        self._set_busy(False)
        self._checked_key = key
        self.show_duplicates(found)
        if not found:
            self.create()

    def show_duplicates(self, found: list[Duplicate]) -> None:
        self.duplicates = list(found)
        self.dup_box.show_duplicates(found, now_utc(self.ctx), self.refdata, ui_language(self.ctx))

    def create(self) -> None:
        problems = self.problems()
        self._show_problems(problems)
        if problems or self._busy:
            return
        self._set_busy(True)
        if self.photos is None or not self.photos.paths:
            issue(self.ctx, Action.CREATE, None, self.payload(), self._created, self._failed, owner=self)
            return
        # The photos first, under the id the create command will carry; the command names them.
        case_id, payload, store, paths = uuid.uuid4(), self.payload(), self.photos.store, list(self.photos.paths)
        run_op(lambda: add_report_photos(store, case_id, paths),
               lambda added: issue(self.ctx, Action.CREATE, case_id,
                                   {**payload, "attachments": [p.sha256 for p in added]},
                                   self._created, lambda exc: self._create_failed(added, exc), owner=self),
               self._failed, write=True, owner=self)

    def _create_failed(self, photos: list, exc: BaseException) -> None:
        store = self.photos.store
        run_op(lambda: [store.dismiss(p) for p in photos], write=True)  # no case: nothing to upload
        self._failed(exc)

    def _created(self, command) -> None:
        self._set_busy(False)
        self.case_created.emit(command.case_id)
        self.ctx.select_case(command.case_id)
        self.accept()

    def link_note(self) -> str:
        caller = " ".join(x for x in (self.reporter_name.text().strip(), self.reporter_phone.text().strip()) if x)
        text = self.tr("Another report ({source}, {time}){caller}: {description}").format(
            source=self.source.currentText(), time=times.fmt(datetime.now(timezone.utc)),
            caller=f" {caller}" if caller else "", description=self.description.toPlainText().strip())
        if self.address.text().strip():
            text += " · " + self.address.text().strip()
        return text[:4000]

    def link_to_selected(self) -> None:
        case_id = self.dup_box.selected_case()
        if case_id is None or self._busy:
            return
        self._set_busy(True)
        issue(self.ctx, Action.NOTE, case_id, {"text": self.link_note()},
              lambda _cmd: self._linked(case_id), self._failed, owner=self)

    def _linked(self, case_id: UUID) -> None:
        self._set_busy(False)
        self.case_linked.emit(case_id)
        self.ctx.select_case(case_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show_problems([refusal_text(exc)])

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.save_button, self.link_button, self.create_anyway_button):
            button.setEnabled(not busy)
