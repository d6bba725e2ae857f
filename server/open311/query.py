"""GET requests, GET requests/{id} and GET tokens/{token}: cases read as service requests.

Filters are the spec's: `service_request_id` (comma-separated case numbers; overrides every other
filter), `service_code` and `status` (comma-separated), and `start_date`/`end_date` on the request's
time, at most `max_days` apart (default: the last 90 days). Newest first, at most `max_results`.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.open311.formats import Open311Error
from app.open311.requests import spec_status, statuses_for
from app.platform.enums import Status
from db.cases import CaseRow
from db.open311 import Open311RequestRow
from server.open311.media import media_ids

log = logging.getLogger(__name__)

MAX_IDS = 200


def _w3c_time(name: str, raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} is not a W3C date-time (e.g. 2026-12-01T00:00:00Z): {raw[:40]!r}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise Open311Error(400, f"{name} needs a time zone (e.g. 2026-12-01T00:00:00Z or +08:00)")
    if not 1970 <= moment.year <= 2999:
        raise Open311Error(400, f"{name} is outside years 1970–2999")
    return moment


def _list(params: Mapping[str, str], name: str) -> list[str]:
    raw = params.get(name) or ""
    if "\x00" in raw or len(raw) > 4000:
        raise Open311Error(400, f"{name} is not a comma-separated list")
    return [part.strip() for part in raw.split(",") if part.strip()]


def find_requests(session: Session, params: Mapping[str, str], now: datetime, *, max_days: int,
                  max_results: int, known_codes) -> list[dict[str, Any]]:
    """The matching cases' JSON, newest first."""
    ids = _list(params, "service_request_id")
    query = select(CaseRow.data)
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(400, f"at most {MAX_IDS} service_request_id values at once")
        query = query.where(CaseRow.number.in_(ids))
    else:
        codes = _list(params, "service_code")
        unknown = [c for c in codes if c not in known_codes]
        if unknown:
            raise Open311Error(404, f"service_code {', '.join(unknown[:5])} is not a service of this jurisdiction")
        statuses = _list(params, "status")
        bad = [s for s in statuses if s not in ("open", "closed")]
        if bad:
            raise Open311Error(400, f"status must be open or closed, not {bad[0][:20]!r}")
        start_raw, end_raw = params.get("start_date"), params.get("end_date")
        end = _w3c_time("end_date", end_raw) if end_raw else None
        start = _w3c_time("start_date", start_raw) if start_raw else None
        span = timedelta(days=max_days)
        if start is None and end is None:
            end, start = now, now - span
        elif start is None:
            start = end - span
        elif end is None:
            end = start + span
        if end < start:
            raise Open311Error(400, "end_date is before start_date")
        if end - start > span:
            raise Open311Error(400, f"start_date and end_date may be at most {max_days} days apart")
        query = query.where(CaseRow.created_at >= start, CaseRow.created_at <= end)
        if codes:
            query = query.where(CaseRow.category_code.in_(codes))
        if statuses:
            wanted = [case_status for spec in set(statuses) for case_status in statuses_for(spec)]
            wanted.append(str(Status.MERGED))  # each shows its master's status: kept or dropped by `with_context`
            query = query.where(CaseRow.status.in_(wanted))
    query = query.where(CaseRow.number.is_not(None)).order_by(CaseRow.created_at.desc()).limit(max_results)
    return [row.data for row in session.execute(query)]


def one_request(session: Session, request_id: str) -> dict[str, Any]:
    if len(request_id) > 32:
        raise Open311Error(404, "no service request has that id")
    data = session.execute(select(CaseRow.data).where(CaseRow.number == request_id)).scalar_one_or_none()
    if data is None:
        raise Open311Error(404, f"no service request {request_id[:32]}")
    return data


def token_request(session: Session, token: str) -> str | None:
    """The request id (case number) of a token; None while it has none yet. Raises 404 for an unknown token."""
    try:
        key = uuid.UUID(token)
    except ValueError:
        raise Open311Error(404, "no service request has that token") from None
    row = session.execute(select(CaseRow.number).join(Open311RequestRow, Open311RequestRow.case_id == CaseRow.id)
                          .where(Open311RequestRow.token == key)).first()
    if row is None:
        raise Open311Error(404, "no service request has that token")
    return row.number


@dataclass(frozen=True)
class Found:
    """Cases to answer as service requests, with what their answer needs beyond their own JSON: the master
    of each merged repeat (its reporter is told the master's number and status) and each case's uploaded
    media (photo id)."""

    cases: list[dict[str, Any]]
    masters: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)


def with_context(session: Session, cases: list[dict[str, Any]], uploader: str,
                 params: Mapping[str, str] | None = None) -> Found:
    """Two indexed reads for the whole answer: the masters of the merged ones, the media of all. With the
    query's `params`, a merged repeat whose master's spec status the `status` filter does not ask for is
    left out."""
    master_ids = {c["merged_into"] for c in cases if c.get("merged_into")}
    masters = {}
    if master_ids:
        rows = session.execute(select(CaseRow.id, CaseRow.number, CaseRow.status, CaseRow.unit_id,
                                      CaseRow.updated_at)
                               .where(CaseRow.id.in_([uuid.UUID(m) for m in master_ids])))
        masters = {str(r.id): {"number": r.number, "status": r.status, "unit_id": r.unit_id,
                               "updated_at": r.updated_at} for r in rows}
    wanted = set(_list(params or {}, "status")) if not _list(params or {}, "service_request_id") else set()
    if wanted:
        def shown(case: dict[str, Any]) -> str:
            master = masters.get(case.get("merged_into") or "")
            return spec_status(master["status"] if master is not None else case["status"])
        cases = [c for c in cases if shown(c) in wanted]
    photos = media_ids(session, [uuid.UUID(c["id"]) for c in cases], uploader)
    return Found(cases, masters, {str(case_id): str(photo_id) for case_id, photo_id in photos.items()})
