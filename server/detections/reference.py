"""The detections' reference tables (cameras and drones, detection types): read by the ingest, replaced as a
whole by an admin (`PUT /api/detections/reference`), seeded from the reference-data folder's
`detections.json` when empty (the demo city ships one)."""
from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.detections.rules import Camera, DetectionType
from app.platform.paths import resource
from app.wire.detections import ReferenceBody
from db.detections import DetectionCameraRow, DetectionTypeRow

log = logging.getLogger(__name__)

REFERENCE_FILE = "detections.json"


def demo_reference() -> ReferenceBody:
    path = resource("demo_city", REFERENCE_FILE)
    return ReferenceBody.model_validate(json.loads(path.read_text(encoding="utf-8")))


def seed_if_empty(session: Session, body: ReferenceBody) -> bool:
    if session.execute(select(func.count()).select_from(DetectionTypeRow)).scalar():
        return False
    replace(session, body)
    return True


def replace(session: Session, body: ReferenceBody) -> None:
    session.execute(delete(DetectionCameraRow))
    session.execute(delete(DetectionTypeRow))
    session.add_all(DetectionCameraRow(**c.model_dump()) for c in body.cameras)
    session.add_all(DetectionTypeRow(**t.model_dump()) for t in body.types)
    session.flush()


def camera(row: DetectionCameraRow) -> Camera:
    return Camera(row.id, row.kind, row.name, row.lat, row.lon, row.owner_unit_id, row.active)  # type: ignore[arg-type]


def detection_type(row: DetectionTypeRow) -> DetectionType:
    return DetectionType(row.code, row.name, row.name_en, row.category_code, row.min_confidence, row.quiet_period_s,
                         row.auto_open)


def reference_data(session: Session) -> dict[str, Any]:
    cameras = session.execute(select(DetectionCameraRow).order_by(DetectionCameraRow.id)).scalars()
    types = session.execute(select(DetectionTypeRow).order_by(DetectionTypeRow.code)).scalars()
    return {"cameras": [{"id": c.id, "kind": c.kind, "name": c.name, "lat": c.lat, "lon": c.lon,
                         "owner_unit_id": c.owner_unit_id, "active": c.active} for c in cameras],
            "types": [{"code": t.code, "name": t.name, "name_en": t.name_en, "category_code": t.category_code,
                       "min_confidence": t.min_confidence, "quiet_period_s": t.quiet_period_s,
                       "auto_open": t.auto_open} for t in types]}
