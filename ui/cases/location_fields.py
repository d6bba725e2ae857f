"""The new-case form's location: latitude and longitude (typed, picked on the map or offered from a photo),
the grid code with completion over the city's grids, the grid's name under it, and the checks shown as the
operator types — coordinates that are not degrees, and a point no grid of the city holds (saved only once
the operator confirms it). Coordinates fill in the grid; a grid alone gives its centre."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QStringListModel, Qt
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.platform import labels


class LocationFields(QObject):
    def __init__(self, refdata, language: Callable[[], str], parent: QWidget):
        super().__init__(parent)
        self.refdata = refdata
        self._language = language
        self._auto_grid: str | None = None  # the grid the coordinates gave, not one the operator typed
        self.coords = QHBoxLayout()
        self.lat = QLineEdit(parent)
        self.lat.setValidator(QDoubleValidator(-90, 90, 7, self.lat))
        self.lat.setPlaceholderText(self.tr("latitude"))
        self.lon = QLineEdit(parent)
        self.lon.setValidator(QDoubleValidator(-180, 180, 7, self.lon))
        self.lon.setPlaceholderText(self.tr("longitude"))
        self.pick_button = QPushButton(self.tr("Pick on map"), parent)
        self.pick_button.setToolTip(self.tr("Click the place on the map; the coordinates come back here"))
        self.coords.addWidget(self.lat)
        self.coords.addWidget(self.lon)
        self.coords.addWidget(self.pick_button)
        self.grid = QLineEdit(parent)
        self.grid.setPlaceholderText(self.tr("grid code or name, e.g. 33010600100101"))
        self.grid.setClearButtonEnabled(True)
        entries = [f"{g.code} {labels.localized_name(g, language())}" for g in self._grids()]
        self.completer = QCompleter(QStringListModel(entries, self), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.grid.setCompleter(self.completer)
        self.grid_label = QLabel(parent)
        self.location_problem: QLabel | None = None  # made by add_checks
        self.outside_ok: QCheckBox | None = None

        self.lat.editingFinished.connect(self._coords_edited)
        self.lon.editingFinished.connect(self._coords_edited)
        self.lat.textChanged.connect(self.check)
        self.lon.textChanged.connect(self.check)
        self.grid.textChanged.connect(self.check)
        self.grid.editingFinished.connect(self.grid_edited)
        self.completer.activated.connect(lambda _text: self.grid_edited())

    def add_checks(self, form: QFormLayout) -> None:
        """The location's warning and confirmation, right above the grid's row (made last, so that they come
        last in the form's tab order, after the caller's fields)."""
        parent = self.lat.parentWidget()
        self.location_problem = QLabel(parent)
        self.location_problem.setWordWrap(True)
        self.location_problem.setProperty("feedback", "warning")
        self.location_problem.hide()
        self.outside_ok = QCheckBox(self.tr("The place is outside the city's grids: save it anyway"), parent)
        self.outside_ok.hide()
        row = form.getWidgetPosition(self.grid)[0]
        form.insertRow(row, "", self.location_problem)
        form.insertRow(row + 1, "", self.outside_ok)

    def _grids(self):
        return self.refdata.grids if self.refdata is not None else ()

    def set_location(self, lat: float, lon: float, address_field: QLineEdit, address: str | None = None) -> None:
        self.lat.setText(f"{lat:.6f}")
        self.lon.setText(f"{lon:.6f}")
        if address:
            address_field.setText(address)
        self._coords_edited()

    # ------------------------------------------------------------------ checks

    def warning(self) -> str | None:
        """Why the typed location cannot be used as it is (None: fine, or nothing typed yet)."""
        lat_text, lon_text = self.lat.text().strip(), self.lon.text().strip()
        if not lat_text and not lon_text:
            return None
        try:
            lat, lon = float(lat_text.replace(",", ".")), float(lon_text.replace(",", "."))
        except ValueError:
            if lat_text and lon_text:
                return self.tr("Coordinates are numbers in degrees, e.g. 30.2741 and 120.1551.")
            return None  # the second one is still being typed
        if not -90 <= lat <= 90:
            return self.tr("Latitude must be between -90 and 90 (it is {value:g}).").format(value=lat)
        if not -180 <= lon <= 180:
            return self.tr("Longitude must be between -180 and 180 (it is {value:g}).").format(value=lon)
        return None

    def outside_city(self) -> bool:
        """The coordinates are valid but no grid of the city holds them, and no grid code was given."""
        point = self.coordinates()
        if point is None or self.refdata is None or self.grid_code():
            return False
        return self.refdata.grid_at(*point) is None

    def check(self, *_args) -> None:
        if self.location_problem is None:
            return
        problem = self.warning()
        outside = problem is None and self.outside_city()
        if outside:
            problem = self.tr("No grid of the city contains this point: the case would have no grid and no "
                              "responsible area. Check the coordinates, or confirm below.")
        self.location_problem.setText(problem or "")
        self.location_problem.setVisible(bool(problem))
        self.outside_ok.setVisible(outside)
        if not outside:
            self.outside_ok.setChecked(False)

    # ------------------------------------------------------------------ values

    def coordinates(self) -> tuple[float, float] | None:
        try:
            lat, lon = float(self.lat.text().replace(",", ".")), float(self.lon.text().replace(",", "."))
        except ValueError:
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        return lat, lon

    def _coords_edited(self) -> None:
        point = self.coordinates()
        if point is None or self.refdata is None:
            return
        grid = self.refdata.grid_at(*point)
        if grid is not None:
            self.grid.setText(grid.code)
            self._auto_grid = grid.code
        elif self.grid_code() and self.grid_code() == self._auto_grid:
            self.grid.clear()  # the grid came from earlier coordinates, not from the operator
        self._show_grid()
        self.check()

    def grid_code(self) -> str | None:
        text = self.grid.text().strip()
        return text.split()[0] if text else None

    def grid_edited(self) -> None:
        code = self.grid_code()
        if code and self.refdata is not None and self.refdata.has_grid(code):
            self.grid.setText(code)
            if self.coordinates() is None:  # only a grid given: use its centre
                lat, lon = self.refdata.grid(code).centroid
                self.lat.setText(f"{lat:.6f}")
                self.lon.setText(f"{lon:.6f}")
        self._show_grid()

    def _show_grid(self) -> None:
        code = self.grid_code()
        if not code:
            self.grid_label.setText("")
        elif self.refdata is not None and self.refdata.has_grid(code):
            self.grid_label.setText(labels.localized_name(self.refdata.grid(code), self._language()))
        else:
            self.grid_label.setText(self.tr("unknown grid code"))
