"""The handover report on paper: PDF export with Qt's own writer (QPdfWriter) and printing (QPrinter,
QPrintDialog). Both render the HTML of `app.shifts.handover_report.report_html` in a QTextDocument set in the bundled
CJK font (`ui.shell.fonts`), so Chinese and English text comes out the same on every machine."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import (
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from ui.shell.fonts import document_font_family

log = logging.getLogger(__name__)

# No bold: the bundled font has one weight, and Qt's synthetic bold draws each glyph twice (which a text
# extractor, e.g. a screen reader or a search, then reads twice). Headings stand out by size and colour.
_CSS = """
body { font-size: 10pt; }
h1 { font-size: 16pt; font-weight: normal; color: #1a3a6b; }
h2 { font-size: 13pt; font-weight: normal; color: #1a3a6b; margin-top: 12px; }
h3 { font-size: 11pt; font-weight: normal; color: #333333; }
th { font-weight: normal; background-color: #dde4ee; text-align: left; }
p.hash { font-size: 7pt; color: #555555; }
"""


def report_document(html: str, images: dict[str, QImage] | None = None) -> QTextDocument:
    document = QTextDocument()
    font = QFont(document_font_family())
    font.setPointSizeF(10)
    document.setDefaultFont(font)
    document.setDefaultStyleSheet(_CSS)
    for name, image in (images or {}).items():  # the photos' thumbnails, named in the HTML's <img src>
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(html)
    return document


def write_pdf(html: str, path: Path | str, *, title: str = "", images: dict[str, QImage] | None = None) -> Path:
    """Write the report to `path` as an A4 PDF; returns the path."""
    path = Path(path)
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator("OneGrid")
    document = report_document(html, images)
    document.print_(writer)  # no page size set: print_ lays it out on the writer's pages at its resolution
    del writer  # the file is finished when the writer is destroyed
    log.info("handover report written to %s", path)
    return path


def print_report(html: str, parent: QWidget | None = None, images: dict[str, QImage] | None = None) -> bool:
    """Ask for a printer and print the report; False when the lead cancels."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    report_document(html, images).print_(printer)
    return True
