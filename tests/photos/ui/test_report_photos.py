"""Photos in the new-case form: an operator takes a citizen's photo into a new report; its EXIF location is
offered as the case's location while the form has none; the photo lands on the new case's report step and
the create command names it. A cancelled form leaves nothing behind."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.photos.ui.test_case_photos import drop
from tests.support.ui import CASE_CATEGORY
from ui.cases.new_case_dialog import NewCaseDialog

SPOT = (30.2568, 120.1508)  # inside the demo city's grid 33010600100101


def form(qtbot, make_ctx, photo_store):
    ctx = make_ctx()
    ctx.photos = photo_store
    dialog = NewCaseDialog(ctx)
    qtbot.addWidget(dialog)
    return dialog


def test_the_photos_exif_location_is_offered_and_used_when_the_report_has_none(
        qtbot, make_ctx, photo_store, photo_files, demo_cache, refdata):
    dialog = form(qtbot, make_ctx, photo_store)
    dialog.set_category(CASE_CATEGORY)
    dialog.description.setPlainText("Cover broken, photo from a citizen")
    assert drop(dialog, [photo_files("citizen.jpg", gps=SPOT, taken=datetime(2026, 12, 6, 8, 30))])
    qtbot.waitUntil(lambda: dialog.photos.location is not None, timeout=5000)
    offer = dialog.photos.use_location
    assert not offer.isHidden() and "30.25680, 120.15080" in offer.text()
    offer.click()
    assert dialog.coordinates() == pytest.approx(SPOT, abs=1e-6)
    assert offer.isHidden()  # the report has its location now
    assert dialog.grid_code() == refdata.grid_at(*SPOT).code
    with qtbot.waitSignal(dialog.case_created, timeout=5000) as created:
        dialog.create()
    case_id = created.args[0]
    [photo] = photo_store.photos_for_case(case_id)
    assert photo.step == "report" and photo.lat == pytest.approx(SPOT[0], abs=1e-4)
    assert list(demo_cache.case(case_id).attachments) == [photo.sha256]


def test_no_offer_when_the_report_already_has_its_location(qtbot, make_ctx, photo_store, photo_files, cases):
    dialog = form(qtbot, make_ctx, photo_store)
    dialog.set_location(cases.lat, cases.lon, "湖滨路 12 号")
    dialog.photos.add([photo_files("gps.jpg", gps=SPOT)])
    qtbot.waitUntil(lambda: dialog.photos.location is not None, timeout=5000)
    assert dialog.photos.use_location.isHidden()
    dialog.lat.clear()  # the operator clears it: now the photo's place is offered
    assert not dialog.photos.use_location.isHidden()


def test_a_refused_photo_stops_the_report_and_nothing_is_kept(qtbot, make_ctx, photo_store, tmp_path, cases,
                                                             demo_cache):
    dialog = form(qtbot, make_ctx, photo_store)
    dialog.set_category(CASE_CATEGORY)
    dialog.description.setPlainText("Cover broken")
    dialog.set_location(cases.lat, cases.lon)
    liar = tmp_path / "photo.jpg"
    liar.write_bytes(b"PK\x03\x04 a zip, not a photo")
    dialog.photos.add([liar])
    dialog.create()
    qtbot.waitUntil(lambda: "photo.jpg" in dialog.error.text(), timeout=5000)
    assert demo_cache.case_count() == 0 and photo_store.case_ids() == []


def test_cancelling_the_form_queues_no_photo(qtbot, make_ctx, photo_store, photo_files):
    dialog = form(qtbot, make_ctx, photo_store)
    dialog.photos.add([photo_files("x.jpg")])
    dialog.reject()
    assert photo_store.case_ids() == [] and photo_store.pending_count() == 0
