"""The review queue in the console's terms: which detections wait (from the cache's feed entities of kind
`detection`), and the case a confirmed one becomes (the same payload the server uses when a type opens a
case itself: `server.detections.ingest`)."""
from __future__ import annotations

from typing import Any, Iterable

from app.detections.rules import PENDING


def waiting(detections: Iterable[dict[str, Any]], decided: set[str] = frozenset()) -> list[dict[str, Any]]:
    """The pending detections, oldest first, without those this console has decided and not yet heard back."""
    rows = [d for d in detections if d.get("state") == PENDING and d.get("id") not in decided]
    rows.sort(key=lambda d: (d.get("detected_at") or "", d.get("id") or ""))
    return rows


def case_payload(data: dict[str, Any]) -> dict[str, Any]:
    """The create payload of a detection's case: its category and place, the frame attached; source
    video_ai or drone."""
    description = (f"{data['type_name']} detected by {data['camera_name']} (confidence {data['confidence']:.2f}, "
                   f"{data['detected_at']}, detection {data['id']})")
    frame = data.get("frame_url")
    return {"source": data["source"], "category_code": data["category_code"], "description": description[:4000],
            "location": {"lat": data["lat"], "lon": data["lon"], "address": data["camera_name"][:300]},
            "attachments": [frame] if frame else [], "frame_url": frame}


