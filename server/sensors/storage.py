"""Writing a batch's rows: raw readings (a duplicate key is dropped by the database, and told apart from
what was inserted), rejection counts per sensor and reason, and the audit entry of an HTTP sender's
batch that had rejections."""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy.orm import Session

from db.sensors import SensorReadingRow, SensorRejectionRow
from server.audit import chain as audit
from server.platform.database import dialect_insert
from server.sensors.outcomes import BatchOutcome, IngestJob, Reading, Rejection
from server.sensors.validation import utc

log = logging.getLogger(__name__)


def insert_raw(session: Session, readings: list[Reading]) -> set[tuple[str, datetime]]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the keys actually inserted (the others were duplicates)."""
    inserted: set[tuple[str, datetime]] = set()
    if not readings:
        return inserted
    insert = dialect_insert(session)
    table = SensorReadingRow.__table__
    # executemany (SQLAlchemy's insertmanyvalues): compiled once, sent as multi-row statements
    stmt = (insert(table).on_conflict_do_nothing(index_elements=["sensor_id", "time"])
            .returning(table.c.sensor_id, table.c.time))
    result = session.connection().execute(
        stmt, [{"sensor_id": r.sensor_id, "time": r.time, "value": r.value} for r in readings])
    for sid, t in result:
        inserted.add((sid, utc(t)))
    return inserted


def count_rejections(session: Session, rejected: list[Rejection], now: datetime) -> None:
    grouped: dict[tuple[str, str], list[Rejection]] = defaultdict(list)
    for r in rejected:
        grouped[(r.sensor_id, r.reason)].append(r)
    insert = dialect_insert(session)
    table = SensorRejectionRow.__table__
    rows = [{"sensor_id": sid, "reason": reason, "count": len(items), "last_at": now,
             "last_message": items[-1].message} for (sid, reason), items in sorted(grouped.items())]
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=["sensor_id", "reason"], set_={
        "count": table.c.count + stmt.excluded.count, "last_at": stmt.excluded.last_at,
        "last_message": stmt.excluded.last_message})
    session.connection().execute(stmt, rows)


def audit_batch(session: Session, job: IngestJob, outcome: BatchOutcome, now: datetime) -> None:
    username, role = job.audit_actor
    audit.record(session, at=now, actor=username, role=role, action="sensor_readings",
                 entity_kind="sensor_batch", entity_id=job.source, result="rejected",
                 reason="invalid_readings",
                 detail={"accepted": outcome.accepted, "duplicates": outcome.duplicates,
                         "rejected": [r.to_dict() for r in outcome.rejected[:50]]})
