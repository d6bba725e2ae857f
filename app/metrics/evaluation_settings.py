"""The evaluation's knobs a center publishes: which figure ranks units, how many cases a unit needs to be
ranked, and the weights of the composite figure (综合指标值). A typed model with labels and defaults; the
server reads it from its settings (`ServerSettings.metrics_*`), the console's offline report uses the
defaults (and says so: the report carries the values it used)."""
from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

log = logging.getLogger(__name__)

RankBy = Literal["timely_resolution_rate", "on_time_handling_rate", "closure_rate", "composite"]
WEIGHTABLE = ("timely_resolution_rate", "on_time_handling_rate", "closure_rate", "rework_rate",
              "on_time_closure_rate", "return_rate")
# One city ranks units on the timely resolution rate alone (DOMAIN.md): it carries the most weight here.
DEFAULT_WEIGHTS = {"timely_resolution_rate": 0.4, "on_time_handling_rate": 0.3, "closure_rate": 0.2,
                   "rework_rate": 0.1}


class EvaluationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rank_by: RankBy = Field("timely_resolution_rate", title="Rank units by",
                            description="The figure units are ranked by (higher is better)")
    min_cases_to_rank: int = Field(5, ge=1, le=100_000, title="Cases needed to be ranked",
                                   description="A unit with fewer cases due (the ranking figure's denominator) "
                                               "is listed but not ranked")
    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS),
                                      title="Composite weights",
                                      description="Weight of each rate in the composite figure (综合指标值); "
                                                  "rework counts as 1 − rework rate")

    @field_validator("weights")
    @classmethod
    def _known_positive(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("weights: give at least one rate")
        for key, w in value.items():
            if key not in WEIGHTABLE:
                raise ValueError(f"weights: unknown rate {key!r} (one of {', '.join(WEIGHTABLE)})")
            if not 0 < w <= 100:
                raise ValueError(f"weights: {key} must be a positive number, got {w!r}")
        return value


def parse_weights(text: str) -> dict[str, float]:
    """`timely_resolution_rate=0.4,closure_rate=0.6` → a dict (for an environment variable)."""
    out: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"weights: expected rate=weight, got {part!r}")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise ValueError(f"weights: {key.strip()}: {value!r} is not a number") from None
    return out


DEFAULT = EvaluationSettings()
