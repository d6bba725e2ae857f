"""The photos of a step inside the action's dialog (report handled, verification passed or failed): what is
already attached to that step of the case, an "Add photo…" button, drops and Ctrl+V. Where the category
requires a photo for the step, the dialog is refused until there is one, so the console asks before it
sends (the workflow refuses the command without one too). The command carries the step's photo hashes in
its payload's `attachments`, so the server applies it only once those photos have arrived."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from app.cases.commands import PAYLOAD_SCHEMAS
from app.photos.model import STEP_OF_ACTION
from ui.photos import images
from ui.photos.attach import (
    PICKER_FILTER,
    AttachOutcome,
    DropForwarder,
    PhotoAttacher,
    files_from_mime,
    mime_has_files,
)
from ui.photos.describe import describe_photo
from ui.photos.steps import step_label
from ui.shell.ops import run_op

log = logging.getLogger(__name__)

SMALL_PX = 48


def photo_required(category, step: str) -> bool:
    """Whether the category requires a photo for `step` (the reference data's rule, which the workflow
    enforces too: app/cases/evidence.py): with "handled" and with a passed verification."""
    if category is None:
        return False
    if step == "handled":
        return bool(category.photo_on_handled)
    return step == "verify_pass" and bool(category.photo_on_verify)


class StepPhotosField(QWidget):
    """`hashes()` are the step's photos for the command; `problem()` says what is missing."""

    def __init__(self, store, case, step: str, *, required: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("stepPhotos")
        self.store, self.case, self.step, self.required = store, case, step, required
        self.photos: list = []
        self.attacher = PhotoAttacher(store, self)
        self.attacher.attached.connect(self._attached)
        self.attacher.failed.connect(lambda _case, text: self.status.setText(text))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.thumbs = QHBoxLayout()
        layout.addLayout(self.thumbs)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status, 1)
        self.add_button = QPushButton(self.tr("Add photo…"), self)
        self.add_button.setObjectName("stepPhotoAdd")
        self.add_button.clicked.connect(self.pick)
        layout.addWidget(self.add_button)
        self.setAcceptDrops(True)
        self.reload()

    def reload(self) -> None:
        store, case_id, step = self.store, self.case.id, self.step

        def read():
            photos = [p for p in store.photos_for_case(case_id) if str(p.step) == step]
            return [images.Thumb(p, images.read_image(store.thumbnail_path(p), SMALL_PX * 2)) for p in photos]

        run_op(read, self._show, lambda exc: self.status.setText(str(exc)), owner=self)

    def _show(self, thumbs: list[images.Thumb]) -> None:
        self.photos = [t.photo for t in thumbs]
        while self.thumbs.count():
            widget = self.thumbs.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for thumb in thumbs:
            label = QLabel(self)
            if not thumb.image.isNull():
                label.setPixmap(QPixmap.fromImage(thumb.image).scaled(
                    QSize(SMALL_PX, SMALL_PX), Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation))
            else:
                label.setText(str(getattr(thumb.photo, "mime", "")).split("/")[-1].upper())
            label.setToolTip(describe_photo(thumb.photo))
            self.thumbs.addWidget(label)
        if self.photos:
            self.status.setText(self.tr("{n} photo(s) of {step}; drop or paste (Ctrl+V) more").format(
                n=len(self.photos), step=step_label(self.step)))
        elif self.required:
            self.status.setText(self.tr("This category needs a photo of this step: add one, drop it here or "
                                        "paste it (Ctrl+V)."))
        else:
            self.status.setText(self.tr("No photo yet (optional): add one, drop it here or paste it (Ctrl+V)."))
        theme_warning = "warning" if self.required and not self.photos else ""
        self.status.setProperty("feedback", theme_warning)

    def hashes(self) -> list[str]:
        return [p.sha256 for p in self.photos]

    def problem(self) -> str | None:
        if self.attacher.running:
            return self.tr("The photos are still being added: a moment, please.")
        if self.required and not self.photos:
            return self.tr("{step}: this category needs a photo before it can be sent. Add one.").format(
                step=step_label(self.step))
        return None

    def attach(self, paths: list[Path], image=None) -> bool:
        if not paths and image is None:
            return False
        self.attacher.attach(self.case.id, self.step, list(paths), image)
        return True

    def pick(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("Photos of {step}").format(step=step_label(self.step)), "",
            self.tr("Photos, videos and PDFs ({patterns})").format(patterns=PICKER_FILTER))
        self.attach([Path(n) for n in names])

    def paste(self) -> bool:
        """Ctrl+V outside the text fields (they keep their own paste): the clipboard's files or picture."""
        paths, image = files_from_mime(QApplication.clipboard().mimeData())
        return self.attach(paths, image)

    def _attached(self, _case_id, outcome: AttachOutcome) -> None:
        self.reload()
        if outcome.refused:
            self.status.setText("; ".join(f"{name}: {reason}" for name, reason in outcome.refused))

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if mime_has_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths, image = files_from_mime(event.mimeData())
        if self.attach(paths, image):
            event.acceptProposedAction()


def step_of(action) -> str | None:
    step = STEP_OF_ACTION.get(action)
    return str(step) if step is not None else None


def required_for(refdata, case, action) -> bool:
    """Whether `action` on `case` needs a photo of its step by the case's category."""
    step = step_of(action)
    if step is None or refdata is None:
        return False
    try:
        category = refdata.category(case.category_code)
    except Exception:  # an unknown category requires nothing here; the workflow says why it refuses
        return False
    return photo_required(category, step)


def add_step_photos(dialog, action, case, store, refdata) -> StepPhotosField | None:
    """Put the step's photos into a payload dialog (one with `form`, `validate` and `payload`) for an action
    whose command carries photos; None for other actions or without a photo store."""
    step = step_of(action)
    if store is None or step is None or dialog is None:
        return None
    field = StepPhotosField(store, case, step, required=required_for(refdata, case, action), parent=dialog)
    dialog.form.addRow(QCoreApplication.translate("StepPhotos", "Photos"), field)
    own_validate, own_payload = dialog.validate, dialog.payload

    def validate():
        return field.problem() or own_validate()

    carries = "attachments" in getattr(PAYLOAD_SCHEMAS.get(action), "model_fields", {})

    def payload():
        out = dict(own_payload())
        if field.hashes() and carries:  # else the photos go up on their own, tied to the case and step
            out["attachments"] = field.hashes()
        return out

    dialog.validate, dialog.payload = validate, payload
    shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), dialog)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(field.paste)
    dialog.setAcceptDrops(True)
    dialog.installEventFilter(DropForwarder(field, dialog))
    dialog.photo_field = field
    return field
