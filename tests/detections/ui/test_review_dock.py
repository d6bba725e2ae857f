"""The detections review queue, driven with keyboard and mouse: select a detection, confirm it (a case with the
frame attached, then the queued confirm naming it) or reject it with a reason; counts and the new-item alert."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from PySide6.QtCore import Qt

from app.platform.enums import Action, Source, Status
from app.wire.feed import Change
from tests.support.ui import OPERATOR, wait_ops
from ui.detections.review_dock import DetectionReviewDock

CAMERA = ("cam-hubin-01", "湖滨路 · 东坡路口 Hubin Rd / Dongpo Rd", 30.2540667, 120.1629918)


def detection(n: int, *, state: str = "pending", repeats: int = 0) -> dict:
    det_id = str(uuid.UUID(int=n))
    return {"id": det_id, "source": "video_ai", "camera_id": CAMERA[0], "camera_name": CAMERA[1],
            "type_code": "illegal_parking", "type_name": "Illegal parking", "category_code": "E0504",
            "confidence": 0.87, "detected_at": datetime(2026, 12, 7, 1, n, tzinfo=timezone.utc).isoformat(),
            "received_at": datetime(2026, 12, 7, 1, n, tzinfo=timezone.utc).isoformat(), "lat": CAMERA[2],
            "lon": CAMERA[3], "frame_url": f"/api/detections/{det_id}/frame", "state": state, "case_id": None,
            "repeat_of": None, "repeats": repeats, "why": "waits for an operator's confirmation", "reason": None,
            "decided_by": None, "decided_at": None, "version": 1}


def feed(cache, *detections, position=[0]) -> None:  # noqa: B006 - a running position across calls
    changes = []
    for d in detections:
        position[0] += 1
        changes.append(Change(position=position[0], kind="detection", id=d["id"], data=d))
    cache.apply_changes(changes, position[0])


def test_confirming_opens_a_case_with_the_frame_and_queues_the_confirm(qtbot, make_ctx, demo_cache):
    feed(demo_cache, detection(1, repeats=2), detection(2), detection(3, state="rejected"))
    ctx = make_ctx(OPERATOR)
    dock = DetectionReviewDock(ctx, sound=False)
    qtbot.addWidget(dock)
    dock.show()
    wait_ops(qtbot, lambda: dock.tree.topLevelItemCount() == 2)
    assert dock.windowTitle().endswith("(2)")
    first = dock.tree.topLevelItem(0)
    assert first.text(1) == CAMERA[1] and first.text(3) == "87%" and first.text(4) == "2"
    # the operator picks the first with the mouse and confirms it
    rect = dock.tree.visualItemRect(first)
    qtbot.mouseClick(dock.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dock.selected_id() == detection(1)["id"]
    qtbot.mouseClick(dock.confirm_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot, lambda: demo_cache.entity_outbox.pending_count() == 1)
    assert dock.tree.topLevelItemCount() == 1  # it left the queue at once
    (queued,) = demo_cache.entity_outbox.pending()
    assert (queued.command.kind, queued.command.action) == ("detection", "confirm")
    case_id = uuid.UUID(queued.command.payload["case_id"])
    case = demo_cache.case(case_id)
    assert case is not None and case.status == Status.REPORTED and case.source == Source.VIDEO_AI
    assert case.category_code == "E0504" and case.frame_url == detection(1)["frame_url"]
    assert case.attachments == (detection(1)["frame_url"],)
    assert (case.location.lat, case.location.lon) == (CAMERA[2], CAMERA[3])
    assert [c.action for c in demo_cache.pending_commands(case_id)] == [Action.CREATE]
    # the new case becomes the current one once the op's answer is back on the GUI thread: its detail shows next
    wait_ops(qtbot, lambda: ctx.selected_case == case_id)


def test_rejecting_needs_a_reason_and_queues_it(qtbot, make_ctx, demo_cache):
    feed(demo_cache, detection(4))
    ctx = make_ctx(OPERATOR)
    dock = DetectionReviewDock(ctx, sound=False)
    qtbot.addWidget(dock)
    dock.show()
    wait_ops(qtbot, lambda: dock.tree.topLevelItemCount() == 1)
    dock.reason.setEditText("")
    qtbot.mouseClick(dock.reject_button, Qt.MouseButton.LeftButton)
    assert dock.error.isVisible() and demo_cache.entity_outbox.pending_count() == 0
    dock.reason.lineEdit().setFocus()
    qtbot.keyClicks(dock.reason.lineEdit(), "a delivery van, loading")
    qtbot.mouseClick(dock.reject_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot, lambda: demo_cache.entity_outbox.pending_count() == 1)
    (queued,) = demo_cache.entity_outbox.pending()
    assert queued.command.action == "reject" and queued.command.payload == {"reason": "a delivery van, loading"}
    assert dock.tree.topLevelItemCount() == 0 and "No detection" in dock.summary.text()


def test_new_detections_alert_and_decided_ones_leave(qtbot, make_ctx, demo_cache):
    ctx = make_ctx(OPERATOR)
    dock = DetectionReviewDock(ctx, sound=False)
    qtbot.addWidget(dock)
    wait_ops(qtbot, lambda: dock._seen is not None)
    assert dock.alerts == 0 and dock.tree.topLevelItemCount() == 0
    feed(demo_cache, detection(5), detection(6))
    wait_ops(qtbot, lambda: dock.tree.topLevelItemCount() == 2)
    assert dock.alerts == 1 and "2 new" in dock.windowTitle()
    confirmed = {**detection(5), "state": "confirmed", "decided_by": "lead1", "version": 2}
    feed(demo_cache, confirmed)  # another console decided it
    wait_ops(qtbot, lambda: dock.tree.topLevelItemCount() == 1)
    assert dock.tree.topLevelItem(0).data(0, Qt.ItemDataRole.UserRole) == detection(6)["id"]
