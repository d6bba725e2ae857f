"""Where the Performance dock's report comes from (run on a worker, no widgets): the server when there is a
client (`ServerClient.metrics`, `GET /api/metrics`), else — or when the server does not answer — this
console's cache with the same definitions (`app.metrics.figures.compute_offline` on the server's snapshots
of the cached cases), with the detection rates of the detections the cache holds."""
from __future__ import annotations

import logging
from datetime import date, datetime

from app.metrics import detection_rates
from app.metrics import figures as m
from app.platform import scope
from app.sync.client import AuthExpired, ServerUnreachable

log = logging.getLogger(__name__)

DETECTION = "detection"  # the feed's kind of a detection (server.detections.data)


def compute_report(client, cache, refdata, start: date, end: date, unit_id: str | None, rollup: bool,
                   now: datetime, where: str | None) -> tuple[m.Report, str]:
    """(the report, why the cache was used although a client was given — "" when it was not)."""
    why = ""
    if client is not None:
        try:
            asked = {"jurisdiction": where} if where else {}
            return client.metrics(start, end, unit_id, rollup, **asked), ""
        except (ServerUnreachable, AuthExpired) as exc:
            why = str(exc)
            log.info("metrics from the cache: the server did not answer (%s)", exc)
    if refdata is None:
        raise RuntimeError("no reference data in the cache yet")
    cases = cache.server_cases()
    if where:  # the cases that lie in it (`app.platform.scope.case_jurisdiction`)
        cases = (c for c in cases if (scope.case_jurisdiction(c) or "").startswith(where))
    report = m.compute_offline(cases, refdata, start, end, unit_id, rollup, now)
    if unit_id is None:  # from the detections this console holds (the desk's feed carries them)
        rates = detection_rates.report_rates(
            cache.entities(DETECTION).values(), report.period.start_at, report.period.end_at,
            detection_rates.seen_in(refdata, where) if where else None)
        report = report.model_copy(update={"detection_rates": rates})
    return (report.model_copy(update={"jurisdiction": where}) if where else report), why
