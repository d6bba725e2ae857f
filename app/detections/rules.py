"""What happens to a detection: the rules of its type, decided in one pure function the server calls under
the camera's lock (`server.detections.ingest`).

In order:
1. below the type's minimum confidence → `ignored` (kept, counted, never shown as work);
2. the same camera and type within the type's quiet period → `joined` to that detection's case (or to the
   pending detection itself, which then carries it into the case when it is confirmed);
3. the same place as an open case of the category (the repeat rule, `app.cases.merging`) → `joined` to it;
4. `auto_open` types → `opened`: a case is opened at once;
5. otherwise → `pending`: it waits in the review queue for an operator to confirm or reject it.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

PENDING, CONFIRMED, REJECTED, OPENED, JOINED, IGNORED = "pending", "confirmed", "rejected", "opened", "joined", \
    "ignored"
STATES = (PENDING, CONFIRMED, REJECTED, OPENED, JOINED, IGNORED)
LIVE = (PENDING, CONFIRMED, OPENED, JOINED)  # what a later detection may repeat (not a rejected or ignored one)
SOURCES = ("video_ai", "drone")


@dataclass(frozen=True)
class DetectionType:
    code: str
    name: str
    name_en: str
    category_code: str
    min_confidence: float
    quiet_period_s: int
    auto_open: bool


@dataclass(frozen=True)
class Camera:
    id: str
    kind: Literal["video_ai", "drone"]
    name: str
    lat: float | None
    lon: float | None
    owner_unit_id: str | None = None
    active: bool = True


@dataclass(frozen=True)
class Earlier:
    """The latest live detection of the same camera and type."""

    id: uuid.UUID
    detected_at: datetime
    state: str
    case_id: uuid.UUID | None


@dataclass(frozen=True)
class Outcome:
    state: str
    case_id: uuid.UUID | None = None     # the case it opened or joined
    repeat_of: uuid.UUID | None = None   # the pending detection it joined
    why: str = ""


def decide(kind: DetectionType, confidence: float, detected_at: datetime, earlier: Earlier | None,
           open_case_nearby: uuid.UUID | None) -> Outcome:
    if confidence < kind.min_confidence:
        return Outcome(IGNORED, why=f"confidence {confidence:.2f} is below the minimum {kind.min_confidence:.2f} "
                                    f"of '{kind.code}'")
    if earlier is not None and earlier.state in LIVE and \
            abs(detected_at - earlier.detected_at) <= timedelta(seconds=kind.quiet_period_s):
        if earlier.case_id is not None:
            return Outcome(JOINED, case_id=earlier.case_id, why="the same camera and type within the quiet period")
        return Outcome(JOINED, repeat_of=earlier.id if earlier.state == PENDING else None,
                       why="the same camera and type within the quiet period")
    if open_case_nearby is not None:
        return Outcome(JOINED, case_id=open_case_nearby, why="an open case of the category at the same place")
    if kind.auto_open:
        return Outcome(OPENED, why=f"'{kind.code}' opens a case directly")
    return Outcome(PENDING, why="waits for an operator's confirmation")
