"""The server's evaluation settings (`ServerSettings.metrics_*`) as the core's typed model."""
from __future__ import annotations

import logging

from app.metrics.evaluation_settings import EvaluationSettings, parse_weights

log = logging.getLogger(__name__)


def evaluation_settings(settings) -> EvaluationSettings:
    """`settings`: a `server.platform.settings.ServerSettings` (validated, so this cannot fail)."""
    return EvaluationSettings(rank_by=settings.metrics_rank_by,
                              min_cases_to_rank=settings.metrics_min_cases_to_rank,
                              weights=parse_weights(settings.metrics_composite_weights))
