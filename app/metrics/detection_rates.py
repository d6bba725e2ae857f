"""False-positive rates of the detections, per camera and detection type: the performance report's
measure of each AI model and camera (docs/detections.md).

    false-positive rate = rejected / (confirmed + rejected)

counted over the detections an operator decided in the period (`decided_at`): a detection opened or joined
automatically was judged by no one and does not count; one still pending is not decided yet. n/a (None)
when no detection of the camera and type was decided.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable

from app.metrics.report_model import DetectionRate
from app.platform.i18n import QT_TRANSLATE_NOOP

FORMULA = QT_TRANSLATE_NOOP("Metrics", "rejected ÷ (confirmed + rejected), detections an operator decided")


@dataclass(frozen=True)
class Rate:
    camera_id: str
    type_code: str
    confirmed: int
    rejected: int

    @property
    def decided(self) -> int:
        return self.confirmed + self.rejected

    @property
    def value(self) -> float | None:
        return self.rejected / self.decided if self.decided else None


def false_positive_rates(decisions: Iterable[tuple[str, str, str]]) -> list[Rate]:
    """Rates from (camera_id, type_code, state) of decided detections; states other than confirmed and
    rejected are ignored. Sorted by rate, highest first (n/a last), then camera and type."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for camera_id, type_code, state in decisions:
        if state == "confirmed":
            counts[(camera_id, type_code)][0] += 1
        elif state == "rejected":
            counts[(camera_id, type_code)][1] += 1
    rates = [Rate(c, t, n[0], n[1]) for (c, t), n in counts.items()]
    rates.sort(key=lambda r: (r.value is None, -(r.value or 0.0), r.camera_id, r.type_code))
    return rates


def report_rates(detections: Iterable[dict[str, Any]], start_at: datetime, end_at: datetime,
                 where: Callable[[dict[str, Any]], bool] | None = None) -> list[DetectionRate]:
    """The performance report's rows from detections as the feed carries them (the server's stored JSON, or
    a console's cached copy offline): those decided in [start_at, end_at) (and `where` keeps), by the same
    rule as `false_positive_rates`, with the camera's and the type's names."""
    names: dict[tuple[str, str], tuple[str, str, str]] = {}
    decided = []
    for d in detections:
        at = d.get("decided_at")
        if not at or d.get("state") not in ("confirmed", "rejected"):
            continue
        when = datetime.fromisoformat(at)
        if not start_at <= when < end_at or (where is not None and not where(d)):
            continue
        key = (d["camera_id"], d["type_code"])
        names[key] = (d.get("camera_name") or key[0], d.get("type_name") or key[1], d.get("type_name_zh") or "")
        decided.append((*key, d["state"]))
    return [DetectionRate(camera_id=r.camera_id, camera_name=names[(r.camera_id, r.type_code)][0],
                          type_code=r.type_code, type_name=names[(r.camera_id, r.type_code)][1],
                          type_name_zh=names[(r.camera_id, r.type_code)][2], confirmed=r.confirmed,
                          rejected=r.rejected, value=r.value) for r in false_positive_rates(decided)]


def seen_in(refdata, jurisdiction: str) -> Callable[[dict[str, Any]], bool]:
    """Keeps the detections seen in a city, district or street (the street of the grid at their place)."""
    def keep(d: dict[str, Any]) -> bool:
        if d.get("lat") is None or d.get("lon") is None:
            return False
        grid = refdata.grid_at(d["lat"], d["lon"])
        return grid is not None and grid.street.startswith(jurisdiction)
    return keep
