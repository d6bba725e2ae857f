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
from typing import Iterable

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
