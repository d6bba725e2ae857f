"""Photos on paper: the case report a lead exports from the case detail (fields, every step, the photos of
each step as thumbnails) and the before/after section of the shift handover PDF."""
from __future__ import annotations

import pypdf
import pytest

from app.platform.enums import Status
from tests.photos.ui.test_case_photos import detail_for
from tests.support.ui import LEAD
from ui.photos.report_pdf import handover_cases, handover_photos
from ui.shifts.handover_pdf import write_pdf


def pdf_images(path) -> int:
    return sum(len(page.images) for page in pypdf.PdfReader(str(path)).pages)


def pdf_text(path) -> str:
    """The PDF's words separated by single spaces (the extractor puts tabs and breaks between them)."""
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages).split())


def test_the_case_report_pdf_has_the_steps_and_each_steps_thumbnails(qtbot, make_ctx, cases, photo_store,
                                                                     photo_files, tmp_path):
    case_id = cases.make(Status.VERIFYING)
    photo_store.add(case_id, "report", photo_files("before.jpg"))
    photo_store.add(case_id, "handled", photo_files("after.jpg", colour="#00a000"))
    photo_store.add(case_id, "handled", photo_files("after2.jpg", colour="#00a0a0"))
    dock = detail_for(qtbot, make_ctx(LEAD), photo_store, case_id)
    qtbot.waitUntil(lambda: len(dock.photo_strip.buttons) == 3, timeout=5000)
    path = dock.photo_strip.export_report(str(tmp_path / "case.pdf"))
    assert path and "saved" in dock.message.text()
    text = pdf_text(path)
    for expected in ("Case report", "Steps", "Report handled", "Send to verify", "replaced the cover", "Photos",
                     "Handled (2)", "Report (1)", "image/jpeg"):
        assert expected in text, expected
    assert pdf_images(path) == 3


def test_a_case_without_photos_says_so(qtbot, make_ctx, cases, photo_store, tmp_path):
    case_id = cases.make(Status.REPORTED)
    dock = detail_for(qtbot, make_ctx(LEAD), photo_store, case_id)
    path = dock.photo_strip.export_report(str(tmp_path / "bare.pdf"))
    assert "No photos." in pdf_text(path) and pdf_images(path) == 0


def test_the_handover_pdf_shows_before_and_after_of_the_cases_awaiting_the_lead(cases, photo_store,
                                                                                photo_files, tmp_path, qapp):
    failed, overdue, bare = cases.make(Status.IN_PROGRESS), cases.make(Status.DISPATCHED), cases.make()
    photo_store.add(failed, "report", photo_files("r1.jpg"))
    photo_store.add(failed, "handled", photo_files("h1.jpg", colour="#00a000"))
    photo_store.add(failed, "handled", photo_files("h2.jpg", colour="#00a0a0"))  # the latest is the 'after'
    photo_store.add(overdue, "report", photo_files("r2.jpg", colour="#a0a000"))
    report = {"awaiting_decision": {"verification_failures": {"total": 1, "items": [
                  {"case_id": str(failed), "number": "2026-000001"}]},
                                    "extension_requests": {"total": 0, "items": []}},
              "overdue": {"total": 3, "items": [{"case_id": str(overdue), "number": "2026-000002"},
                                                {"case_id": str(failed), "number": "2026-000001"},
                                                {"case_id": str(bare), "number": "2026-000003"}]},
              "escalated": {"total": 0, "items": []}, "returned": {"total": 0, "items": []}}
    listed = handover_cases(report)
    assert [n for _id, n in listed] == ["2026-000001", "2026-000002", "2026-000003"]
    section, images = handover_photos(photo_store, listed)
    assert section.count("<img") == 3 and len(images) == 3  # before + after, before; the bare case left out
    assert "2026-000003" not in section
    path = write_pdf("<h1>Shift handover</h1>" + section, tmp_path / "handover.pdf", images=images)
    assert pdf_images(path) == 3
    assert "before and after" in pdf_text(path)
    assert handover_photos(photo_store, [(bare, "x")]) == ("", {})


@pytest.mark.parametrize("report", [{}, {"overdue": {"items": [{"case_id": "not-a-uuid"}]}}])
def test_a_report_without_cases_has_no_photo_section(report, photo_store):
    assert handover_photos(photo_store, handover_cases(report)) == ("", {})
