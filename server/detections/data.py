"""A detection's JSON: the API's answer and the feed's kind `detection` (`app.wire.detections.Detection`)."""
from __future__ import annotations

from typing import Any

from db.detections import DetectionRow

DETECTION = "detection"


def _iso(t) -> str | None:
    return t.isoformat() if t is not None else None


def detection_data(row: DetectionRow, camera_name: str, type_name: str, why: str, *, repeats_count: int,
                   type_name_zh: str = "") -> dict[str, Any]:
    return {"id": str(row.id), "source": row.source, "camera_id": row.camera_id, "camera_name": camera_name,
            "type_code": row.type_code, "type_name": type_name, "type_name_zh": type_name_zh, "category_code": row.category_code,
            "confidence": row.confidence, "detected_at": _iso(row.detected_at), "received_at": _iso(row.received_at),
            "lat": row.lat, "lon": row.lon, "frame_url": row.frame_url, "state": row.state,
            "case_id": str(row.case_id) if row.case_id else None,
            "repeat_of": str(row.repeat_of) if row.repeat_of else None, "repeats": repeats_count, "why": why,
            "reason": row.reason, "decided_by": row.decided_by, "decided_at": _iso(row.decided_at),
            "version": row.version}
