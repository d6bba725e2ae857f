"""The base map a centre imported (`onegrid-ctl basemap import`): its description and its raster tiles."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime


class BaseMapRow(Base):
    """The base map in force (one row, id = 1). `version` (the package's content hash) is the tiles' ETag."""

    __tablename__ = "basemap"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(256))
    format: Mapped[str] = mapped_column(String(8))
    datum: Mapped[str] = mapped_column(String(8))
    min_zoom: Mapped[int] = mapped_column(Integer)
    max_zoom: Mapped[int] = mapped_column(Integer)
    info: Mapped[dict[str, Any]]
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BaseMapTileRow(Base):
    """One tile, addressed as Leaflet asks (XYZ: row 0 at the north)."""

    __tablename__ = "basemap_tiles"

    z: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    x: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    y: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
