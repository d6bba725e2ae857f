"""The composite figure (综合指标值): a weighted sum of rates, with the weights each center publishes
(`EvaluationSettings.weights`). Rework counts as 1 − rework rate (a higher composite is better). A rate
that is n/a (zero denominator) is left out and the remaining weights are rescaled to sum to 1, so a unit
with no rework round is neither rewarded nor punished for it."""
from __future__ import annotations

import logging
from collections.abc import Mapping

from app.metrics.definitions import FIGURES_BY_KEY
from app.metrics.report_model import Figure

log = logging.getLogger(__name__)

INVERTED = frozenset({"rework_rate", "return_rate"})  # lower is better: counted as 1 − rate


def weights_text(weights: Mapping[str, float]) -> str:
    """`0.4 × timely_resolution_rate + … + 0.1 × (1 − rework_rate)`: the weights as the formula shows them."""
    total = sum(weights.values()) or 1.0
    parts = []
    for key, w in weights.items():
        term = f"(1 − {key})" if key in INVERTED else key
        parts.append(f"{w / total:.2f} × {term}")
    return " + ".join(parts)


def composite(rates: Mapping[str, Figure], weights: Mapping[str, float]) -> Figure:
    """The composite of the rates in `rates` (key → Figure) with `weights`."""
    d = FIGURES_BY_KEY["composite"]
    num = 0.0
    den = 0.0
    for key, w in weights.items():
        f = rates.get(key)
        if f is None or f.value is None:
            continue
        value = 1.0 - f.value if key in INVERTED else f.value
        num += w * value
        den += w
    return Figure(key="composite", kind="rate", label=d.label, formula=f"{d.formula}: {weights_text(weights)}",
                  value=(num / den) if den else None)
