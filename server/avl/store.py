"""The AVL tables read and written (`db.avl`): devices, raw tracks, latest positions, refused reports."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.avl.positions import Position, Rejection
from app.refdata.devices import Device
from db.avl import DeviceLatestRow, DevicePositionRow, DeviceRejectionRow, DeviceRow
from server.platform.database import dialect_insert

log = logging.getLogger(__name__)

TRACK_MAX = timedelta(hours=24)  # one replay request
TRACK_POINTS_MAX = 20_000


def load_devices(session: Session) -> dict[str, Device]:
    rows = session.execute(select(DeviceRow)).scalars()
    return {r.id: Device(r.id, r.kind, r.unit_id, r.person, r.name) for r in rows}


def replace_devices(session: Session, devices: Iterable[Device]) -> int:
    """The devices become exactly these (an import of devices.json); their tracks stay."""
    session.execute(delete(DeviceRow))
    rows = [d.to_dict() for d in devices]
    if rows:
        session.execute(dialect_insert(session)(DeviceRow.__table__), rows)
    return len(rows)


def latest_rows(session: Session) -> list[DeviceLatestRow]:
    return list(session.execute(select(DeviceLatestRow)).scalars())


def store_positions(session: Session, positions: Sequence[Position], received_at: datetime) -> None:
    """Raw rows (a duplicate key dropped) and each device's latest (only ever moved forward)."""
    if not positions:
        return
    insert = dialect_insert(session)
    raw = [{"device_id": p.device_id, "time": p.time, "lat": p.lat, "lon": p.lon, "speed_kmh": p.speed_kmh,
            "heading": p.heading, "received_at": received_at} for p in positions]
    session.execute(insert(DevicePositionRow.__table__).on_conflict_do_nothing(), raw)
    newest: dict[str, Position] = {}
    for p in positions:
        if p.device_id not in newest or p.time > newest[p.device_id].time:
            newest[p.device_id] = p
    table = DeviceLatestRow.__table__
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.device_id],
        set_={c: stmt.excluded[c] for c in ("time", "lat", "lon", "speed_kmh", "heading")},
        where=table.c.time < stmt.excluded.time)
    session.execute(stmt, [{"device_id": p.device_id, "time": p.time, "lat": p.lat, "lon": p.lon,
                            "speed_kmh": p.speed_kmh, "heading": p.heading}
                           for p in sorted(newest.values(), key=lambda p: p.device_id)])


def count_rejections(session: Session, rejections: Sequence[Rejection], at: datetime) -> None:
    counts: dict[tuple[str, str], tuple[int, str]] = {}
    for r in rejections:
        key = ((r.device_id or "")[:64], r.reason)
        n, _ = counts.get(key, (0, ""))
        counts[key] = (n + 1, r.message[:500])
    if not counts:
        return
    table = DeviceRejectionRow.__table__
    stmt = dialect_insert(session)(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.device_id, table.c.reason],
        set_={"count": table.c.count + stmt.excluded["count"], "last_at": stmt.excluded.last_at,
              "last_message": stmt.excluded.last_message})
    session.execute(stmt, [{"device_id": d, "reason": reason, "count": n, "last_at": at, "last_message": msg}
                           for (d, reason), (n, msg) in sorted(counts.items())])


def rejections(session: Session, device_ids: Iterable[str] | None = None) -> list[dict]:
    stmt = select(DeviceRejectionRow).order_by(DeviceRejectionRow.device_id, DeviceRejectionRow.reason)
    if device_ids is not None:
        stmt = stmt.where(DeviceRejectionRow.device_id.in_(list(device_ids)))
    return [{"device_id": r.device_id, "reason": r.reason, "count": r.count, "last_at": r.last_at.isoformat(),
             "last_message": r.last_message} for r in session.execute(stmt).scalars()]


def track(session: Session, device_id: str, start: datetime, end: datetime) -> list[dict]:
    rows = session.execute(
        select(DevicePositionRow).where(DevicePositionRow.device_id == device_id, DevicePositionRow.time >= start,
                                        DevicePositionRow.time < end)
        .order_by(DevicePositionRow.time).limit(TRACK_POINTS_MAX)).scalars()
    return [{"time": r.time.isoformat(), "lat": r.lat, "lon": r.lon, "speed_kmh": r.speed_kmh,
             "heading": r.heading} for r in rows]


def purge_tracks(session: Session, now: datetime, retention_days: float) -> int:
    """Raw track rows older than the retention window (the latest position of each device stays)."""
    result = session.execute(delete(DevicePositionRow).where(
        DevicePositionRow.time < now - timedelta(days=retention_days)))
    return result.rowcount or 0


def stored_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(DevicePositionRow)).scalar_one()
