"""Photos of a report in the new-case form: picked, dropped or pasted before the case exists, shown with
their EXIF time and place. The first EXIF location is offered as the case's location while the form has
none. The files go into the photo store (step "report") only when the case is created, under the id its
create command will carry, so a cancelled form leaves nothing queued."""
from __future__ import annotations

import logging
import tempfile
import uuid
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.photos.store import PhotoStore
from ui.photos.attach import (
    PICKER_FILTER,
    DropForwarder,
    files_from_mime,
    mime_has_files,
)
from ui.photos.describe import location_text
from ui.shell.ops import run_op

log = logging.getLogger(__name__)


def add_report_photos(store, case_id, paths: list[Path]) -> list:
    """On the writer thread, before the create command: every file or none (a refusal takes back the ones
    already added, and is raised with the file's name)."""
    added = []
    try:
        for path in paths:
            try:
                added.append(store.add(case_id, "report", path))
            except ValueError as exc:
                raise ValueError(f"{path.name}: {exc}") from exc
    except Exception:
        for photo in added:
            store.dismiss(photo)
        raise
    return added


class ReportPhotosField(QWidget):
    location_found = Signal(float, float)  # the first photo with an EXIF location

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reportPhotos")
        self.store = store
        self.paths: list[Path] = []
        self.location: tuple[float, float] | None = None
        self._pasted = tempfile.TemporaryDirectory(prefix="onegrid-report-photos-")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add photos…"), self)
        self.add_button.setObjectName("reportPhotoAdd")
        self.add_button.clicked.connect(self.pick)
        self.names = QLabel(self)
        self.names.setWordWrap(True)
        row.addWidget(self.add_button)
        row.addWidget(self.names, 1)
        layout.addLayout(row)
        self.use_location = QPushButton(self)
        self.use_location.setObjectName("usePhotoLocation")
        self.use_location.hide()
        layout.addWidget(self.use_location)
        self.setAcceptDrops(True)
        self._show_names()

    def _show_names(self) -> None:
        self.names.setText(", ".join(p.name for p in self.paths) if self.paths else
                           self.tr("none yet: drop photos here or paste one (Ctrl+V)"))

    def add(self, paths: list[Path], image: QImage | None = None) -> None:
        paths = list(paths)
        if image is not None:
            pasted = Path(self._pasted.name) / f"pasted-{uuid.uuid4().hex[:8]}.png"
            if image.save(str(pasted), "PNG"):
                paths.append(pasted)
        fresh = [p for p in paths if p not in self.paths]
        if not fresh:
            return
        self.paths += fresh
        self._show_names()
        if self.location is None:
            run_op(lambda: next(filter(None, (PhotoStore.exif_location(p) for p in fresh)), None),
                   self._located, owner=self)

    def _located(self, location) -> None:
        if location is None or self.location is not None:
            return
        self.location = (float(location[0]), float(location[1]))
        self.use_location.setText(self.tr("Use the photo's location ({place})").format(
            place=location_text(*self.location)))
        self.location_found.emit(*self.location)

    def offer_location(self, offer: bool) -> None:
        """Show the offer while the report has no location of its own."""
        self.use_location.setVisible(offer and self.location is not None)

    def pick(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("Photos of the report"), "",
            self.tr("Photos, videos and PDFs ({patterns})").format(patterns=PICKER_FILTER))
        self.add([Path(n) for n in names])

    def paste(self) -> None:
        paths, image = files_from_mime(QApplication.clipboard().mimeData())
        self.add(paths, image)

    def install_on(self, widget: QWidget) -> None:
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), widget)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.paste)
        widget.setAcceptDrops(True)
        widget.installEventFilter(DropForwarder(self, widget))

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if mime_has_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths, image = files_from_mime(event.mimeData())
        self.add(paths, image)
        event.acceptProposedAction()
