"""Photos on paper: the case report (one case, its fields, every step and the photos of each step) and the
photo section of the shift handover (before and after of the cases the report names). Both are HTML in a
QTextDocument whose images are the cached thumbnails, added as document resources (`photo:<sha256>`), set
in the bundled CJK font and written with QPdfWriter, so Chinese comes out the same on every machine."""
from __future__ import annotations

import html
import logging
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QMarginsF, QUrl
from PySide6.QtGui import (
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)

from app.platform import labels, times
from ui.photos import images
from ui.photos.describe import describe_photo
from ui.photos.steps import AFTER_STEPS, BEFORE_STEPS, step_label
from ui.shell.fonts import document_font_family

log = logging.getLogger(__name__)

IMG_PX = 150  # printed width of a thumbnail, in CSS pixels
HANDOVER_CASES = 12  # the handover's photo section: the cases a lead most needs to see, not all of them

_CSS = """
body { font-size: 10pt; }
h1 { font-size: 16pt; font-weight: normal; color: #1a3a6b; }
h2 { font-size: 13pt; font-weight: normal; color: #1a3a6b; margin-top: 12px; }
h3 { font-size: 11pt; font-weight: normal; color: #333333; }
th { font-weight: normal; background-color: #dde4ee; text-align: left; }
td.photo { font-size: 7pt; color: #555555; }
"""


_TEXT = {  # marked for the catalogue here; looked up by the text itself
    t: t for t in (
        QT_TRANSLATE_NOOP("PhotoReports", "Category"), QT_TRANSLATE_NOOP("PhotoReports", "Status"),
        QT_TRANSLATE_NOOP("PhotoReports", "Priority"), QT_TRANSLATE_NOOP("PhotoReports", "Source"),
        QT_TRANSLATE_NOOP("PhotoReports", "Description"), QT_TRANSLATE_NOOP("PhotoReports", "Address"),
        QT_TRANSLATE_NOOP("PhotoReports", "Coordinates"), QT_TRANSLATE_NOOP("PhotoReports", "Responsible unit"),
        QT_TRANSLATE_NOOP("PhotoReports", "Created / updated"),
        QT_TRANSLATE_NOOP("PhotoReports", "Case report {number}"), QT_TRANSLATE_NOOP("PhotoReports", "Steps"),
        QT_TRANSLATE_NOOP("PhotoReports", "Time"), QT_TRANSLATE_NOOP("PhotoReports", "Action"),
        QT_TRANSLATE_NOOP("PhotoReports", "By"), QT_TRANSLATE_NOOP("PhotoReports", "Note"),
        QT_TRANSLATE_NOOP("PhotoReports", "Photos"), QT_TRANSLATE_NOOP("PhotoReports", "No photos."),
        QT_TRANSLATE_NOOP("PhotoReports", "Photos: before and after"))}


def _tr(text: str) -> str:
    return QCoreApplication.translate("PhotoReports", _TEXT[text])


def _e(text) -> str:
    return html.escape(str(text if text is not None else ""))


def resource_name(photo) -> str:
    return f"photo:{photo.sha256}"


def thumbnails(store, photos) -> dict[str, QImage]:
    """The cached thumbnails of `photos` as document resources (any thread; a missing one is left out)."""
    out = {}
    for photo in photos:
        image = images.read_image(store.thumbnail_path(photo), images.THUMB_PX * 3)
        if not image.isNull():
            out[resource_name(photo)] = image
    return out


def _photo_cells(photos, resources: dict[str, QImage]) -> str:
    cells = []
    for photo in photos:
        name = resource_name(photo)
        picture = f'<img src="{name}" width="{IMG_PX}"><br>' if name in resources else ""
        cells.append(f'<td class="photo" valign="top">{picture}{_e(describe_photo(photo))}</td>')
    rows = [cells[i:i + 3] for i in range(0, len(cells), 3)]
    return "<table cellspacing='4'>" + "".join("<tr>" + "".join(r) + "</tr>" for r in rows) + "</table>"


def _event_note(event) -> str:
    payload = getattr(event, "payload", None) or {}
    return " ".join(str(payload[k]) for k in ("note", "reason", "text", "unit_id", "inspector") if payload.get(k))


def case_report_html(case, photos: list, resources: dict[str, QImage], refdata=None, language: str | None = None,
                     unit_name=lambda unit_id: unit_id or "") -> str:
    category = None
    if refdata is not None:
        try:
            category = refdata.category(case.category_code)
        except Exception:
            category = None
    location = case.location
    fields = [
        (_tr("Category"), f"{case.category_code} {labels.localized_name(category, language) if category else ''}"),
        (_tr("Status"), labels.status_label(case.status)),
        (_tr("Priority"), labels.priority_label(case.priority)),
        (_tr("Source"), labels.source_label(case.source)),
        (_tr("Description"), case.description),
        (_tr("Address"), location.address or "—"),
        (_tr("Coordinates"), f"{location.lat:.6f}, {location.lon:.6f} · {location.grid_code or ''}"),
        (_tr("Responsible unit"), unit_name(case.unit_id) or "—"),
        (_tr("Created / updated"), f"{times.fmt(case.created_at)} / {times.fmt(case.updated_at)}"),
    ]
    parts = [f"<h1>{_e(_tr('Case report {number}').format(number=case.display_number))}</h1>",
             "<table cellspacing='2'>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in fields)
             + "</table>",
             f"<h2>{_e(_tr('Steps'))}</h2>",
             "<table cellspacing='2' width='100%'><tr>" + "".join(
                 f"<th>{_e(h)}</th>" for h in (_tr("Time"), _tr("Action"), _tr("By"), _tr("Status"), _tr("Note")))
             + "</tr>"]
    for event in case.events:
        change = labels.status_label(event.to_status)
        if event.from_status is not None and event.from_status != event.to_status:
            change = f"{labels.status_label(event.from_status)} → {change}"
        parts.append("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in (
            times.fmt(event.at, "seconds"), labels.action_label(event.action), event.actor, change,
            _event_note(event))) + "</tr>")
    parts.append("</table>")
    parts.append(f"<h2>{_e(_tr('Photos'))}</h2>")
    if not photos:
        parts.append(f"<p>{_e(_tr('No photos.'))}</p>")
    by_step: dict[str, list] = {}
    for photo in images.sorted_photos(photos):
        by_step.setdefault(str(photo.step), []).append(photo)
    for step, group in by_step.items():
        parts.append(f"<h3>{_e(step_label(step))} ({len(group)})</h3>")
        parts.append(_photo_cells(group, resources))
    return "\n".join(parts)


def before_after(photos: list) -> list:
    """The first report (or detection) photo and the latest handled (or verification) photo of a case."""
    ordered = images.sorted_photos(photos)
    before = [p for p in ordered if str(p.step) in BEFORE_STEPS][:1]
    after = [p for p in ordered if str(p.step) in AFTER_STEPS][-1:]
    return before + after


def handover_cases(report: dict) -> list[tuple[UUID, str]]:
    """The cases a handover report names, those awaiting the lead's decision first: [(id, number)…]."""
    waiting = report.get("awaiting_decision") or {}
    lists = [waiting.get("verification_failures"), waiting.get("extension_requests"), report.get("overdue"),
             report.get("escalated"), report.get("returned")]
    out, seen = [], set()
    for block in lists:
        for item in (block or {}).get("items", []) if isinstance(block, dict) else []:
            try:
                case_id = UUID(str(item.get("case_id")))
            except ValueError:
                continue
            if case_id not in seen:
                seen.add(case_id)
                out.append((case_id, item.get("number") or str(case_id)[:8]))
    return out


def handover_photos(store, cases: list[tuple]) -> tuple[str, dict[str, QImage]]:
    """The handover's photo section for `cases` [(case id, number)…] (any thread): for each case with
    photos, its before and after; '' when none of them has a photo."""
    rows, resources = [], {}
    for case_id, number in cases[:HANDOVER_CASES]:
        chosen = before_after(store.photos_for_case(case_id))
        if not chosen:
            continue
        resources |= thumbnails(store, chosen)
        rows.append(f"<h3>{_e(number)}</h3>" + _photo_cells(chosen, resources))
    if not rows:
        return "", {}
    return f"<h2>{_e(_tr('Photos: before and after'))}</h2>" + "".join(rows), resources


def document(body: str, resources: dict[str, QImage] | None = None) -> QTextDocument:
    doc = QTextDocument()
    font = QFont(document_font_family())
    font.setPointSizeF(10)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(_CSS)
    for name, image in (resources or {}).items():  # before the HTML: images are looked up while laying out
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    doc.setHtml(body)
    return doc


def write_pdf(body: str, resources: dict[str, QImage], path: Path | str, *, title: str = "") -> Path:
    path = Path(path)
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator("OneGrid")
    document(body, resources).print_(writer)
    del writer  # the file is finished when the writer is destroyed
    log.info("report written to %s", path)
    return path


def export_case_report(case, store, path: Path | str, refdata=None, language: str | None = None,
                       unit_name=lambda unit_id: unit_id or "") -> Path:
    photos = store.photos_for_case(case.id) if store is not None else []
    resources = thumbnails(store, photos) if store is not None else {}
    body = case_report_html(case, photos, resources, refdata, language, unit_name)
    return write_pdf(body, resources, path, title=_tr("Case report {number}").format(number=case.display_number))
