"""The review queue in the console's terms: which detections wait (from the cache's feed entities of kind
`detection`), and the case a confirmed one becomes (the same payload the server uses when a type opens a
case itself: `server.detections.ingest`)."""
from __future__ import annotations

import uuid
from typing import Any, Iterable

from app.detections.commands import CONFIRM, DETECTION, REJECT
from app.detections.rules import PENDING
from app.platform.enums import Action


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




def queue_confirm(cache, actor, detection: dict[str, Any], now, *, offline: bool) -> uuid.UUID:
    """Open the detection's case (the case outbox, sent first) and queue the confirm naming it; returns the
    case id. Runs on the cache's writer thread."""
    case_id = uuid.uuid4()
    cache.issue(actor, Action.CREATE, case_id, case_payload(detection), now, offline=offline)
    cache.entity_outbox.issue(actor.username, DETECTION, detection["id"], CONFIRM, {"case_id": str(case_id)}, now,
                              offline=offline)
    return case_id


def queue_reject(cache, actor, detection_id: str, reason: str, now, *, offline: bool) -> None:
    cache.entity_outbox.issue(actor.username, DETECTION, detection_id, REJECT, {"reason": reason}, now,
                              offline=offline)
