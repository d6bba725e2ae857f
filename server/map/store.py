"""The base map in the server's database: an MBTiles package checked and stored whole (its tiles and
its description in one transaction, replacing the previous one), and read back tile by tile."""
from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.map.mbtiles import BaseMapInfo, Bounds, MBTiles, file_digest
from app.refdata.model import RefData
from db.map import BaseMapRow, BaseMapTileRow
from server.audit import actions as audit_actions
from server.audit import chain as audit

log = logging.getLogger(__name__)

BASEMAP_IMPORT = "basemap_import"
TILE_URL = "/api/basemap/tiles/{z}/{x}/{y}"
_BATCH = 500


def city_bounds(refdata: RefData) -> Bounds | None:
    """West, south, east, north of the city's grids (None without grids)."""
    from app.platform.geo import bbox

    boxes = [bbox(g.geometry["coordinates"]) for g in refdata.grids]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def import_package(session: Session, path: Path | str, refdata: RefData, now: datetime, *,
                   datum: str | None = None) -> BaseMapInfo:
    """Check the package against the city and store it in the caller's transaction (raises
    `app.map.mbtiles.MBTilesError` naming the failed check; nothing is written then)."""
    package = MBTiles(path, city_bounds=city_bounds(refdata), datum=datum)
    info = package.info
    version = file_digest(path)
    try:
        session.execute(delete(BaseMapTileRow))
        con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            rows = con.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
            while batch := rows.fetchmany(_BATCH):
                session.execute(insert(BaseMapTileRow), [
                    {"z": z, "x": x, "y": (1 << z) - 1 - r, "data": bytes(data)} for z, x, r, data in batch
                    if data is not None and 0 <= x < (1 << z) and 0 <= r < (1 << z)])
        finally:
            con.close()
    finally:
        package.close()
    row = session.get(BaseMapRow, 1) or BaseMapRow(id=1)
    row.version, row.name, row.format, row.datum = version, info.name[:256], info.format, info.datum
    row.min_zoom, row.max_zoom, row.info, row.imported_at = info.min_zoom, info.max_zoom, info.as_dict(), now
    session.add(row)
    session.flush()
    audit.record(session, at=now, actor=audit_actions.local_actor(), role=None, action=BASEMAP_IMPORT,
                 entity_kind="basemap", entity_id=version, result="ok", console_id=audit_actions.local_console(),
                 detail={"source": str(path), "name": info.name, "tiles": info.tile_count, "datum": info.datum})
    log.info("base map %s imported from %s: %d tiles, zooms %d-%d, %s", info.name, path, info.tile_count,
             info.min_zoom, info.max_zoom, info.datum)
    return info


def current(session: Session) -> BaseMapRow | None:
    return session.get(BaseMapRow, 1)


def tile(session: Session, z: int, x: int, y: int) -> bytes | None:
    return session.execute(select(BaseMapTileRow.data).where(
        BaseMapTileRow.z == z, BaseMapTileRow.x == x, BaseMapTileRow.y == y)).scalar()
