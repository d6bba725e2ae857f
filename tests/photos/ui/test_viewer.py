"""The viewer as a lead uses it before closing: open a thumbnail, zoom with the keys and the wheel, rotate,
fit, page through, and compare the report photo with the handled photo side by side."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from app.platform.enums import Status
from tests.support.ui import LEAD
from ui.cases.detail_dock import CaseDetailDock

SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def closing_case(qtbot, make_ctx, cases, photo_store, photo_files):
    """A verified case with a report photo (red), a handled photo (green) and a verification photo (blue)."""
    case_id = cases.make(Status.VERIFYING)
    photo_store.add(case_id, "report", photo_files("before.jpg", colour="#c00000", size=(800, 600)))
    photo_store.add(case_id, "handled", photo_files("after.jpg", colour="#00c000", size=(800, 600)))
    photo_store.add(case_id, "verify_pass", photo_files("check.jpg", colour="#0000c0", size=(600, 800)))
    ctx = make_ctx(LEAD)
    ctx.photos = photo_store
    dock = CaseDetailDock(ctx)
    qtbot.addWidget(dock)
    dock.show()
    qtbot.waitExposed(dock)
    ctx.select_case(case_id)
    qtbot.waitUntil(lambda: len(dock.photo_strip.buttons) == 3, timeout=5000)
    return dock


def centre_colour(view) -> str:
    """The colour below the white bar, rounded to the drawn one (JPEG shifts a channel by a few steps)."""
    image = view.item.pixmap().toImage()
    c = image.pixelColor(image.width() // 2, image.height() * 2 // 3)
    return "#" + "".join(f"{(0xc0 if v > 0x60 else 0):02x}" for v in (c.red(), c.green(), c.blue()))


def open_viewer(qtbot, dock, index):
    qtbot.mouseClick(dock.photo_strip.buttons[index], Qt.MouseButton.LeftButton)
    viewer = dock.photo_strip.viewer
    qtbot.addWidget(viewer)
    qtbot.waitExposed(viewer)
    viewer.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is viewer, timeout=3000)
    qtbot.waitUntil(lambda: viewer.pane.view.has_image(), timeout=5000)
    return viewer


@SHOWN
def test_clicking_a_thumbnail_opens_it_and_the_keys_zoom_rotate_fit_and_page(qtbot, closing_case):
    viewer = open_viewer(qtbot, closing_case, 0)
    view = viewer.pane.view
    assert viewer.photo.step == "report" and centre_colour(view) == "#c00000"
    fitted = view.zoom
    qtbot.keyClick(viewer, Qt.Key.Key_Plus)
    assert view.zoom == pytest.approx(fitted * 1.25) and not view.fitted
    qtbot.keyClick(viewer, Qt.Key.Key_Minus)
    qtbot.keyClick(viewer, Qt.Key.Key_Minus)
    assert view.zoom == pytest.approx(fitted / 1.25)
    wheel = QWheelEvent(QPointF(50, 50), QPointF(view.mapToGlobal(QPoint(50, 50))), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom == pytest.approx(fitted)
    qtbot.keyClick(viewer, Qt.Key.Key_R)
    assert view.rotation == 90 and view.item.rotation() == 90
    qtbot.keyClick(viewer, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(viewer, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
    assert view.rotation == 270
    qtbot.keyClick(viewer, Qt.Key.Key_F)
    assert view.fitted
    # turned a quarter, the 800×600 photo stands 600 wide and 800 high in the scene: fit uses its height
    rect = view.item.sceneBoundingRect()
    assert rect.height() == pytest.approx(800) and rect.width() == pytest.approx(600)
    assert view.zoom == pytest.approx(min(view.viewport().width() / 600, view.viewport().height() / 800))
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: viewer.photo.step == "handled" and centre_colour(view) == "#00c000", timeout=5000)
    assert view.rotation == 0  # a new photo starts upright
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: viewer.photo.step == "verify_pass", timeout=5000)  # wraps round
    assert viewer.position.text() == "3 of 3"


@SHOWN
def test_b_shows_the_report_photo_beside_the_handled_photo(qtbot, closing_case):
    viewer = open_viewer(qtbot, closing_case, 2)
    qtbot.keyClick(viewer, Qt.Key.Key_B)
    assert viewer.compare and viewer.before_pane.isVisible()
    qtbot.waitUntil(lambda: viewer.before_pane.view.has_image() and viewer.pane.view.has_image(), timeout=5000)
    assert viewer.before_pane.caption.text() == "Before: Report"
    assert viewer.pane.caption.text() == "After: Verification passed"
    assert centre_colour(viewer.before_pane.view) == "#c00000"
    qtbot.keyClick(viewer, Qt.Key.Key_Right)  # pages through the after side only
    qtbot.waitUntil(lambda: centre_colour(viewer.pane.view) == "#00c000", timeout=5000)
    assert viewer.pane.caption.text() == "After: Handled" and centre_colour(viewer.before_pane.view) == "#c00000"
    qtbot.keyClick(viewer, Qt.Key.Key_Plus)  # zoom acts on both sides
    assert viewer.before_pane.view.zoom == pytest.approx(viewer.pane.view.zoom)
    assert not viewer.before_pane.view.fitted
    qtbot.keyClick(viewer, Qt.Key.Key_B)
    assert not viewer.compare and not viewer.before_pane.isVisible()


@SHOWN
def test_the_strip_button_opens_before_and_after_directly(qtbot, closing_case):
    strip = closing_case.photo_strip
    assert strip.compare_button.isEnabled()
    qtbot.mouseClick(strip.compare_button, Qt.MouseButton.LeftButton)
    viewer = strip.viewer
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.before_pane.view.has_image() and viewer.pane.view.has_image(), timeout=5000)
    assert viewer.compare and viewer.before_pane.caption.text() == "Before: Report"


def test_before_after_needs_both_sides(qtbot, make_ctx, cases, photo_store, photo_files):
    case_id = cases.make(Status.REPORTED)
    photo_store.add(case_id, "report", photo_files("only.jpg"))
    ctx = make_ctx(LEAD)
    ctx.photos = photo_store
    dock = CaseDetailDock(ctx)
    qtbot.addWidget(dock)
    ctx.select_case(case_id)
    qtbot.waitUntil(lambda: len(dock.photo_strip.buttons) == 1, timeout=5000)
    assert not dock.photo_strip.compare_button.isEnabled()


@SHOWN
def test_a_photo_taken_sideways_shows_upright(qtbot, make_ctx, cases, photo_store, photo_files):
    """EXIF orientation 6: the camera stored it 640×480 and says 'turn it a quarter clockwise'."""
    case_id = cases.make(Status.REPORTED)
    photo_store.add(case_id, "report", photo_files("sideways.jpg", size=(640, 480), orientation=6))
    ctx = make_ctx(LEAD)
    ctx.photos = photo_store
    dock = CaseDetailDock(ctx)
    qtbot.addWidget(dock)
    ctx.select_case(case_id)
    qtbot.waitUntil(lambda: len(dock.photo_strip.buttons) == 1, timeout=5000)
    viewer = open_viewer(qtbot, dock, 0)
    pixmap = viewer.pane.view.item.pixmap()
    assert (pixmap.width(), pixmap.height()) == (480, 640)
