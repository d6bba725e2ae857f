"""HTTP endpoints: unit performance metrics (docs/ARCHITECTURE.md, "HTTP API").

`GET /api/metrics` answers `app.metrics.figures.Report`: every figure with its value, numerator, denominator and
formula text, the ranking of units, the per-day trend and the per-category distribution, computed by
`server.metrics.facts` in one SQL statement, and city-wide the false-positive rates of the detections per
camera and type (`app.metrics.detection_rates`). Shift leads and admins only.
"""
from __future__ import annotations

import logging
import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from app.metrics import detection_rates
from app.metrics import figures as m
from app.platform.edge_types import EARLIEST, LATEST, Text
from app.platform.enums import Role
from app.refdata.jurisdictions import check_code
from db.detections import DetectionRow
from server.metrics import facts as server_metrics
from server.metrics.evaluation import evaluation_settings
from server.platform import auth
from server.platform.api import Ctx, User
from server.platform.api_responses import responses
from server.platform.errors import ApiError

log = logging.getLogger(__name__)

router = APIRouter()

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(value: str, name: str) -> date:
    """A local calendar date `YYYY-MM-DD`; anything else is a 400 naming the parameter."""
    text = (value or "").strip()
    if not _DATE_RE.match(text):
        raise ApiError(400, "bad_date", f"{name}: expected a date YYYY-MM-DD, got {value!r}")
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise ApiError(400, "bad_date", f"{name}: {value!r} is not a calendar date ({exc})") from None
    if not EARLIEST.year <= day.year <= LATEST.year:  # the period's bounds in the city's zone must exist
        raise ApiError(400, "bad_date", f"{name}: {value!r} is out of range (years {EARLIEST.year} to "
                                        f"{LATEST.year})")
    return day


def _parse_bool(value: str) -> bool:
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ApiError(400, "bad_request", f"rollup: expected true or false, got {value!r}")


def _jurisdiction(user, code: str | None) -> str | None:
    """The jurisdiction a report covers: the one asked for, which must lie within the caller's own (403
    otherwise); none asked: the caller's own when it has exactly one (a district lead's district)."""
    if code is not None and (why := check_code(code)):
        raise ApiError(400, "bad_jurisdiction", f"jurisdiction: {why}")
    mine = user.jurisdictions
    if code is None:
        if len(mine) > 1:
            raise ApiError(400, "bad_jurisdiction", "jurisdiction: name one of yours: " + ", ".join(mine))
        return mine[0] if mine else None
    if mine and not any(code.startswith(own) for own in mine):
        raise ApiError(403, "forbidden", f"jurisdiction {code} is not within yours ({', '.join(mine)})")
    return code


@router.get("/api/metrics", tags=["metrics"], response_model=m.Report,
            responses=responses((400, "bad_date, bad_period, unknown_unit, bad_request, bad_jurisdiction"), 401,
                                (403, "forbidden (shift_lead or admin only; a jurisdiction not within the "
                                      "caller's)"), 422, 503))
def get_metrics(
    user: User,
    ctx: Ctx,
    start: Annotated[Text, Query(description="first local day of the period, YYYY-MM-DD (city time zone)")],
    end: Annotated[Text, Query(description="last local day of the period (inclusive), YYYY-MM-DD")],
    unit: Annotated[Text | None, Query(description="unit id; omitted or empty: city-wide")] = None,
    rollup: Annotated[Text, Query(description="include the unit's sub-units (default true)")] = "true",
    jurisdiction: Annotated[Text | None, Query(description="only the cases that lie in this city (4 digits), "
                                                           "district (6) or street (9); omitted: every case the "
                                                           "caller may see (a district lead: its district)")] = None,
) -> Any:
    auth.require_role(user, Role.SHIFT_LEAD, Role.ADMIN)
    where = _jurisdiction(user, jurisdiction.strip() if jurisdiction and jurisdiction.strip() else None)
    first, last = parse_day(start, "start"), parse_day(end, "end")
    refdata = ctx.refdata
    unit_id = unit.strip() if unit and unit.strip() else None
    if unit_id is not None and not refdata.has_unit(unit_id):
        raise ApiError(400, "unknown_unit", f"unit: unknown unit {unit_id!r}")
    with_rollup = _parse_bool(rollup)
    try:
        with ctx.db.reader() as session:
            rep = server_metrics.report(session, refdata, first, last, unit_id, with_rollup, ctx.now(),
                                        evaluation_settings(ctx.settings), jurisdiction=where)
        if unit_id is None:  # a camera is no unit's: its rates are in the city-wide report
            with ctx.db.reader() as session:
                decided = session.execute(select(DetectionRow.data).where(
                    DetectionRow.decided_at >= rep.period.start_at,
                    DetectionRow.decided_at < rep.period.end_at)).scalars().all()
            rates = detection_rates.report_rates(decided, rep.period.start_at, rep.period.end_at,
                                                 detection_rates.seen_in(refdata, where) if where else None)
            rep = rep.model_copy(update={"detection_rates": rates})
    except m.MetricsError as exc:
        raise ApiError(400, "bad_period", str(exc)) from None
    return rep.model_dump(mode="json")
