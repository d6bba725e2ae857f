"""The photo strip in the case detail, as an operator, a unit handler and a lead work with it: select a
case, drop a file, paste a picture, pick files; the photo lands on the selected case and the chosen step,
in the console's real photo store, and shows in the strip grouped by step with its EXIF time and place."""
from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QFileDialog

from app.platform.enums import Status
from tests.photos.ui.conftest import draw_photo
from tests.support.ui import LEAD, OPERATOR, handler_for
from ui.cases.detail_dock import CaseDetailDock

SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def detail_for(qtbot, ctx, store, case_id):
    ctx.photos = store
    dock = CaseDetailDock(ctx)
    qtbot.addWidget(dock)
    ctx.select_case(case_id)
    qtbot.waitUntil(lambda: dock.case is not None and dock.case.id == case_id, timeout=5000)
    return dock


def drop(widget, paths=(), image: QImage | None = None) -> bool:
    mime = QMimeData()
    if paths:
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    if image is not None:
        mime.setImageData(image)
    centre = widget.rect().center()
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    return True


def thumbs_shown(dock) -> list[str]:
    return [b.property("step") for b in dock.photo_strip.buttons]


def test_a_unit_handler_drops_a_photo_on_the_case_it_handles_and_it_lands_on_the_handled_step(
        qtbot, make_ctx, cases, photo_store, photo_files):
    case_id = cases.make(Status.IN_PROGRESS)
    other = cases.make(Status.IN_PROGRESS)
    dock = detail_for(qtbot, make_ctx(handler_for(cases.unit)), photo_store, case_id)
    assert dock.photo_strip.step == "handled"  # the step the case is at
    assert drop(dock, [photo_files("cover-fixed.jpg", colour="#208020")])
    qtbot.waitUntil(lambda: thumbs_shown(dock) == ["handled"], timeout=5000)
    [photo] = photo_store.photos_for_case(case_id)
    assert (photo.step, photo.mime, photo.filename) == ("handled", "image/jpeg", "cover-fixed.jpg")
    assert photo_store.photos_for_case(other) == []
    assert "1" in dock.message.text() and "Handled" in dock.message.text()


@SHOWN
def test_an_operator_pastes_a_screenshot_with_ctrl_v_onto_a_reported_case(qtbot, make_ctx, cases, photo_store):
    case_id = cases.make(Status.REPORTED)
    dock = detail_for(qtbot, make_ctx(OPERATOR), photo_store, case_id)
    dock.show()
    qtbot.waitExposed(dock)
    dock.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dock, timeout=3000)
    picture = QImage(320, 200, QImage.Format.Format_RGB32)
    picture.fill(QColor("#3050b0"))
    QApplication.clipboard().setImage(picture)
    dock.title.setFocus()
    qtbot.keyClick(dock.title, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: thumbs_shown(dock) == ["report"], timeout=5000)
    [photo] = photo_store.photos_for_case(case_id)
    assert (photo.step, photo.mime, photo.width, photo.height) == ("report", "image/png", 320, 200)


@SHOWN
def test_picking_files_for_a_chosen_step_and_the_strip_groups_them_in_loop_order(
        qtbot, make_ctx, cases, photo_store, photo_files, monkeypatch):
    case_id = cases.make(Status.VERIFYING)
    dock = detail_for(qtbot, make_ctx(LEAD), photo_store, case_id)
    dock.show()
    qtbot.waitExposed(dock)
    strip = dock.photo_strip
    assert strip.step == "verify_pass"
    picked = [photo_files("a.jpg", colour="#a00000"), photo_files("b.png", colour="#00a000")]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(p) for p in picked], ""))
    qtbot.mouseClick(strip.attach_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(strip.buttons) == 2, timeout=5000)
    strip.step_box.setCurrentIndex(strip.step_box.findData("report"))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        lambda *a, **k: ([str(photo_files("c.jpg", colour="#0000a0"))], ""))
    qtbot.mouseClick(strip.attach_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(strip.buttons) == 3, timeout=5000)
    assert thumbs_shown(dock) == ["report", "verify_pass", "verify_pass"]
    headers = [h.text() for h in strip.headers]
    assert headers == ["Report (1)", "Verification passed (2)"]


def test_the_thumbnail_tells_the_exif_time_and_place(qtbot, make_ctx, cases, photo_store, photo_files):
    case_id = cases.make(Status.REPORTED)
    dock = detail_for(qtbot, make_ctx(OPERATOR), photo_store, case_id)
    path = photo_files("gps.jpg", taken=datetime(2026, 12, 6, 9, 41, 0), gps=(30.2741, 120.1551))
    assert drop(dock.photo_strip, [path])
    qtbot.waitUntil(lambda: len(dock.photo_strip.buttons) == 1, timeout=5000)
    tip = dock.photo_strip.buttons[0].toolTip()
    assert "30.27410, 120.15510" in tip and "2026-12-06 09:41" in tip
    # said when attached, too (once the attach op's answer is back: the strip may redraw first)
    qtbot.waitUntil(lambda: "30.27410, 120.15510" in dock.message.text(), timeout=5000)


def test_a_file_the_store_refuses_is_named_with_its_reason_and_nothing_is_kept(
        qtbot, make_ctx, cases, photo_store, tmp_path):
    case_id = cases.make(Status.REPORTED)
    dock = detail_for(qtbot, make_ctx(OPERATOR), photo_store, case_id)
    liar = tmp_path / "holiday.jpg"
    liar.write_text("this is not a picture at all")
    assert drop(dock, [liar])
    qtbot.waitUntil(lambda: "holiday.jpg" in dock.message.text(), timeout=5000)
    assert dock.message.property("feedback") == "error"
    assert photo_store.photos_for_case(case_id) == [] and dock.photo_strip.buttons == []


def test_nothing_is_taken_without_a_selected_case(qtbot, make_ctx, photo_store, photo_files):
    ctx = make_ctx(OPERATOR)
    ctx.photos = photo_store
    dock = CaseDetailDock(ctx)
    qtbot.addWidget(dock)
    assert not drop(dock, [photo_files("x.jpg")])
    assert photo_store.case_ids() == []


def test_a_second_case_shows_its_own_photos(qtbot, make_ctx, cases, photo_store, photo_files):
    first, second = cases.make(Status.REPORTED), cases.make(Status.REPORTED)
    photo_store.add(first, "report", photo_files("one.jpg"))
    photo_store.add(second, "report", photo_files("two.jpg", colour="#00ff00"))
    photo_store.add(second, "detection", photo_files("three.jpg", colour="#0000ff"))
    dock = detail_for(qtbot, make_ctx(OPERATOR), photo_store, first)
    qtbot.waitUntil(lambda: len(dock.photo_strip.buttons) == 1, timeout=5000)
    dock.ctx.select_case(second)
    qtbot.waitUntil(lambda: thumbs_shown(dock) == ["report", "detection"], timeout=5000)


def test_the_same_picture_dropped_twice_is_kept_once(qtbot, make_ctx, cases, photo_store, tmp_path):
    case_id = cases.make(Status.REPORTED)
    dock = detail_for(qtbot, make_ctx(OPERATOR), photo_store, case_id)
    path = draw_photo(tmp_path / "p.png", colour="#777777")
    assert drop(dock, [path])
    qtbot.waitUntil(lambda: len(dock.photo_strip.buttons) == 1, timeout=5000)
    assert drop(dock, [path])  # the same content again is the same photo
    qtbot.waitUntil(lambda: dock.photo_strip.attacher.running == 0, timeout=5000)
    assert len(photo_store.photos_for_case(case_id)) == 1


def test_photos_added_elsewhere_appear_in_the_strip_of_the_shown_case(qtbot, make_ctx, cases, photo_store,
                                                                       photo_files):
    """The store says which cases' photos changed (an upload finished, the server named another console's
    photos); the strip of the shown case follows, whatever thread the news came from."""
    import threading

    case_id, other = cases.make(Status.IN_PROGRESS), cases.make(Status.IN_PROGRESS)
    dock = detail_for(qtbot, make_ctx(LEAD), photo_store, case_id)
    path = photo_files("from-the-writer.jpg")
    worker = threading.Thread(target=lambda: (photo_store.add(case_id, "handled", path),
                                              photo_store.add(other, "handled", path)))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: thumbs_shown(dock) == ["handled"], timeout=5000)


def test_opening_a_case_online_learns_the_photos_other_consoles_attached(qtbot, make_ctx, cases, photo_store):
    """`learn` stands for the sync's refresh_case_photos (the server's answer goes into the store as
    remote photos: their files come on demand, a placeholder until then)."""
    from ui.photos.strip import PhotoStrip

    case_id = cases.make(Status.HANDLED)
    asked = []

    def learn(cid):
        asked.append(cid)
        photo_store.merge_remote([{"case_id": str(cid), "step": "report", "sha256": "ab" * 32,
                                   "mime": "image/jpeg", "size": 1234, "photo_id": "p-1"}])

    strip = PhotoStrip(photo_store, learn=learn)
    qtbot.addWidget(strip)
    strip.set_case(make_ctx(LEAD).cache.case(case_id))
    qtbot.waitUntil(lambda: len(strip.buttons) == 1, timeout=5000)
    assert asked == [case_id] and strip.buttons[0].property("step") == "report"
    assert "waiting to upload" not in strip.buttons[0].toolTip()  # a remote photo is on the server
