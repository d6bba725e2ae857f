"""What a batch of detections needs to know before it is decided, read in two statements for the whole
batch instead of two per detection (the writer's batches: `server.detections.ingest.receive_all`):

- the latest live detection of each (camera, type) the batch names, from its quiet period on;
- the open cases near each detection, one indexed read of the union of their grid cells
  (`cases.merge_cell`), then each detection's master chosen by the same rule as the server's check of a
  new case (`app.cases.merging.likely_master`, the category's values from the reference data).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.cases import merging
from app.detections import rules
from db.cases import CaseRow
from db.detections import DetectionRow

_CASES = CaseRow.__table__


@dataclass(frozen=True)
class Place:
    """A detection as the merge check sees it."""

    det_id: uuid.UUID
    category_code: str
    lat: float
    lon: float
    at: datetime


def latest_live(session: Session, wanted: dict[tuple[str, str], datetime]) -> dict[tuple[str, str], rules.Earlier]:
    """The latest live detection of each (camera, type) in `wanted`, among those detected at or after its
    value (the earliest moment the batch's quiet periods reach back to: an older one repeats nothing)."""
    if not wanted:
        return {}
    since = min(wanted.values())
    pairs = or_(*(and_(DetectionRow.camera_id == camera, DetectionRow.type_code == kind) for camera, kind in wanted))
    rows = session.execute(
        select(DetectionRow.camera_id, DetectionRow.type_code, DetectionRow.id, DetectionRow.detected_at,
               DetectionRow.state, DetectionRow.case_id)
        .where(pairs, DetectionRow.state.in_(rules.LIVE), DetectionRow.detected_at >= since)).all()
    latest: dict[tuple[str, str], rules.Earlier] = {}
    for camera, kind, det_id, at, state, case_id in rows:
        key = (camera, kind)
        if key in wanted and at >= wanted[key] and (key not in latest or at > latest[key].detected_at):
            latest[key] = rules.Earlier(det_id, at, state, case_id)
    return latest


def masters(session: Session, places: list[Place], refdata) -> dict[uuid.UUID, merging.Match]:
    """Each place's master among the open cases (those that have one), by one read of the index."""
    if not places:
        return {}
    cells: set[int] = set()
    categories: set[str] = set()
    since, until = None, None
    for p in places:
        rule = merging.rule_for(p.category_code, refdata)
        cells.update(merging.cells_near(p.lat, p.lon, rule.radius_m))
        categories |= merging.related_categories(p.category_code, refdata)
        since = min(since, p.at - rule.window) if since else p.at - rule.window
        until = max(until, p.at) if until else p.at
    rows = session.execute(
        select(_CASES.c.id, _CASES.c.number, _CASES.c.category_code, _CASES.c.created_at, _CASES.c.lat,
               _CASES.c.lon)
        .where(_CASES.c.merge_cell.in_(sorted(cells)), _CASES.c.category_code.in_(sorted(categories)),
               _CASES.c.created_at >= since, _CASES.c.created_at <= until)).all()
    candidates = [merging.Candidate(r[0], r[1], r[2], r[4], r[5], r[3]) for r in rows
                  if r[4] is not None and r[5] is not None]
    found = {}
    for p in places:
        match = merging.likely_master(candidates, case_id=p.det_id, category_code=p.category_code, lat=p.lat,
                                      lon=p.lon, reported_at=p.at, refdata=refdata)
        if match is not None:
            found[p.det_id] = match
    return found


def quiet_since(detected_at: datetime, quiet_period_s: int) -> datetime:
    return detected_at - timedelta(seconds=quiet_period_s)
