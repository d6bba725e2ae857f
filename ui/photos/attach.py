"""Attaching files to a case's step: from a drop, the clipboard or a file picker. The files are handed to
the console's photo store on the single cache-writer thread (`run_op(write=True)`): the store copies each
into the cache by its SHA-256, makes its thumbnail and queues its upload, so attaching works offline."""
from __future__ import annotations

import logging
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QObject, Signal
from PySide6.QtGui import QImage

from ui.shell.ops import run_op

log = logging.getLogger(__name__)

# What the picker offers; the store decides what it accepts (and says why it refuses the rest).
PICKER_FILTER = "*.jpg *.jpeg *.png *.heic *.heif *.webp *.mp4 *.mov *.pdf"


def mime_has_files(mime: QMimeData | None) -> bool:
    if mime is None:
        return False
    return any(url.isLocalFile() for url in mime.urls()) or mime.hasImage()


def files_from_mime(mime: QMimeData | None) -> tuple[list[Path], QImage | None]:
    """Local files named by a drop or paste, or else the picture it carries (a screenshot, a copied image)."""
    if mime is None:
        return [], None
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    if paths:
        return paths, None
    if mime.hasImage():
        image = QImage(mime.imageData())
        return [], None if image.isNull() else image
    return [], None


@dataclass
class AttachOutcome:
    photos: list[Any] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)


def attach_files(store, case_id, step: str, paths: list[Path], image: QImage | None = None) -> AttachOutcome:
    """Runs on the writer thread: each file added on its own, a refusal never stops the others. A pasted
    picture is written to a PNG first (the store keeps its own copy; the temporary file goes)."""
    outcome = AttachOutcome()
    with tempfile.TemporaryDirectory(prefix="onegrid-paste-") as tmp:
        files = list(paths)
        if image is not None:
            pasted = Path(tmp) / f"pasted-{uuid.uuid4().hex[:8]}.png"
            if not image.save(str(pasted), "PNG"):
                outcome.refused.append((pasted.name, "cannot write the pasted picture"))
            else:
                files.append(pasted)
        for path in files:
            try:
                outcome.photos.append(store.add(case_id, step, path))
            except (OSError, ValueError) as exc:  # the store's refusals name the reason
                log.info("photo %s refused for case %s: %s", path, case_id, exc)
                outcome.refused.append((path.name, str(exc)))
    return outcome


class PhotoAttacher(QObject):
    """Adds files to the store off the GUI thread and tells the strip when they are in."""

    attached = Signal(object, object)  # case id, AttachOutcome
    failed = Signal(object, str)       # case id, message

    def __init__(self, store, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.running = 0

    def attach(self, case_id, step: str, paths: list[Path], image: QImage | None = None) -> None:
        if not paths and image is None:
            return
        self.running += 1
        store = self.store

        def done(outcome: AttachOutcome) -> None:
            self.running -= 1
            self.attached.emit(case_id, outcome)

        def bad(exc: BaseException) -> None:
            self.running -= 1
            log.error("attaching photos to case %s failed", case_id, exc_info=exc)
            self.failed.emit(case_id, str(exc))

        run_op(lambda: attach_files(store, case_id, step, paths, image), done, bad, write=True, owner=self)


class DropForwarder(QObject):
    """An event filter that hands files dropped anywhere on a widget (a dialog, a form) to a photo field's
    `dropEvent`, so the operator need not aim at the field itself."""

    def __init__(self, field: Any, parent: QObject):
        super().__init__(parent)
        self.field = field

    def eventFilter(self, _obj, event) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and mime_has_files(event.mimeData()):
            event.acceptProposedAction()
            return True
        if event.type() == QEvent.Type.Drop:
            self.field.dropEvent(event)
            return True
        return False
