"""The base map on the wire: GET /api/basemap describes the package in force; its tiles are images."""
from __future__ import annotations

from pydantic import Field

from app.wire.base import Answer


class PlaceName(Answer):
    name: str
    name_en: str = ""
    kind: str = Field(description="road | avenue | lane | stream | water | park | landmark")
    lat: float
    lon: float
    line: list[list[float]] = Field(default=[], description="a street's [lat, lon] points, for snapping")


class BaseMapAnswer(Answer):
    version: str = Field(description="content hash of the package; every tile's ETag")
    name: str
    format: str = Field(description="png | jpg | webp")
    datum: str = Field(description="wgs84 | gcj02: the datum the tiles are drawn in (markers are WGS-84)")
    min_zoom: int
    max_zoom: int
    bounds: list[float] | None = Field(description="[west, south, east, north], when the package says")
    tile_count: int
    attribution: str
    tile_url: str = Field(description="the tiles' path template, {z}/{x}/{y} as Leaflet")
    names: list[PlaceName] = Field(default=[], description="the package's place names, for the console's search")
