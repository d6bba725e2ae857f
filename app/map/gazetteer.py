"""The map's offline place search: streets, landmarks, communities, subdistricts, grid codes, member units
and case addresses, found by Chinese, pinyin or initials. Qt-free.

Built from what the console already holds: the reference data (grids with their community and
subdistrict, member units at the middle of the grids they answer for), the base map's names (the package's
``onegrid:names`` metadata, see `app.map.mbtiles.place_names`) and the cases' addresses. Each name is
indexed three ways with pypinyin: as written (湖滨大道), as toneless pinyin (hubindadao) and as initials
(hbdd), so an operator types whichever is quickest. A query matches a name that starts with it (best),
a word of it, or contains it; grid codes match by prefix. Ties go to the kind that is most often meant
(a road before a case address) and then to the shorter name.
"""
from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.platform.geo import centroid, geometry_coords
from app.platform.i18n import QT_TRANSLATE_NOOP, translate

log = logging.getLogger(__name__)

CTX = "Gazetteer"

# kind → (label, zoom to fly to, rank: lower wins a tie)
KINDS: dict[str, tuple[str, int, int]] = {
    "road": (QT_TRANSLATE_NOOP("Gazetteer", "Road"), 17, 0),
    "landmark": (QT_TRANSLATE_NOOP("Gazetteer", "Landmark"), 17, 1),
    "subdistrict": (QT_TRANSLATE_NOOP("Gazetteer", "Subdistrict"), 15, 2),
    "community": (QT_TRANSLATE_NOOP("Gazetteer", "Community"), 16, 3),
    "water": (QT_TRANSLATE_NOOP("Gazetteer", "Water"), 16, 4),
    "park": (QT_TRANSLATE_NOOP("Gazetteer", "Park"), 17, 4),
    "grid": (QT_TRANSLATE_NOOP("Gazetteer", "Grid"), 17, 5),
    "unit": (QT_TRANSLATE_NOOP("Gazetteer", "Member unit"), 15, 6),
    "address": (QT_TRANSLATE_NOOP("Gazetteer", "Case address"), 18, 7),
}
_BASEMAP_KINDS = {"road": "road", "avenue": "road", "lane": "road", "stream": "water", "water": "water",
                  "park": "park", "landmark": "landmark"}
_SPACE = re.compile(r"[\s·'’\-]+")


def kind_label(kind: str) -> str:
    return translate(CTX, KINDS.get(kind, (kind, 16, 9))[0])


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    lat: float
    lon: float
    detail: str = ""          # e.g. a grid's code, a community's subdistrict
    name_en: str = ""
    line: tuple[tuple[float, float], ...] = ()   # a street's (lat, lon) points, for `Gazetteer.nearest`

    @property
    def zoom(self) -> int:
        return KINDS.get(self.kind, ("", 16, 9))[1]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "lat": self.lat, "lon": self.lon, "detail": self.detail,
                "name_en": self.name_en, "zoom": self.zoom}


@dataclass
class _Keys:
    place: Place
    texts: tuple[str, ...]     # name, pinyin, initials, English, detail (lower case, no spaces)
    words: tuple[str, ...] = field(default=())


def _norm(text: str) -> str:
    return _SPACE.sub("", text.lower())


def _keys(place: Place) -> _Keys:
    # pypinyin's dictionaries hold ~56 MB: loaded at the first search, not with every console's start
    from pypinyin import Style, lazy_pinyin

    syllables = [s.lower() for s in lazy_pinyin(place.name, style=Style.NORMAL, errors="default")]
    initials = "".join(s[0] for s in syllables if s)
    texts = (_norm(place.name), _norm("".join(syllables)), initials, _norm(place.name_en), _norm(place.detail))
    words = tuple(w.lower() for w in re.split(r"[\s,]+", place.name_en) if w)
    return _Keys(place, texts, words)


class Gazetteer:
    """Places with their search keys. Build once (a few thousand names: well under a second)."""

    def __init__(self, places: Iterable[Place] = ()):
        self._entries: list[_Keys] = []
        self._seen: set[tuple[str, str]] = set()
        self.extend(places)

    def __len__(self) -> int:
        return len(self._entries)

    def extend(self, places: Iterable[Place]) -> None:
        for place in places:
            key = (place.kind, place.name)
            if not place.name or key in self._seen:
                continue
            self._seen.add(key)
            self._entries.append(_keys(place))

    def nearest(self, lat: float, lon: float, *, within_m: float = 120.0,
                kinds: tuple[str, ...] = ("road", "landmark", "address")) -> tuple[Place, float] | None:
        """The named place closest to a point (a street by its line), if within `within_m` metres."""
        best: tuple[Place, float] | None = None
        kx = 111_320.0 * math.cos(math.radians(lat))  # metres per degree, locally
        for entry in self._entries:
            p = entry.place
            if p.kind not in kinds:
                continue
            if p.line:
                d = min(_segment_m(lat, lon, a, b, kx) for a, b in zip(p.line, p.line[1:])) if len(p.line) > 1 \
                    else math.hypot((p.line[0][0] - lat) * 110_574.0, (p.line[0][1] - lon) * kx)
            else:
                d = math.hypot((p.lat - lat) * 110_574.0, (p.lon - lon) * kx)
            if d <= within_m and (best is None or d < best[1]):
                best = (p, d)
        return best

    def search(self, query: str, limit: int = 10) -> list[Place]:
        """The best `limit` places for what was typed (empty for an empty query)."""
        q = _norm(query)
        if not q:
            return []
        scored: list[tuple[int, int, int, str, Place]] = []
        for entry in self._entries:
            score = _score(entry, q)
            if score is not None:
                p = entry.place
                scored.append((score, KINDS.get(p.kind, ("", 0, 9))[2], len(p.name), p.name, p))
        scored.sort(key=lambda t: t[:4])
        return [t[4] for t in scored[:limit]]


def _segment_m(lat: float, lon: float, a: tuple[float, float], b: tuple[float, float], kx: float) -> float:
    """Metres from a point to the segment a-b (an equirectangular plane: fine over a city block)."""
    ky = 110_574.0
    ax, ay, bx, by = (a[1] - lon) * kx, (a[0] - lat) * ky, (b[1] - lon) * kx, (b[0] - lat) * ky
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
    return math.hypot(ax + t * dx, ay + t * dy)


def snapped_address(place: Place) -> str:
    """The address a picked point takes from the place nearest to it: a case address as it is, else
    "<street or landmark>附近" (near …), as addresses are written in the reference data."""
    return place.name if place.kind == "address" else f"{place.name}附近"


def _score(entry: _Keys, q: str) -> int | None:
    name, pinyin, initials, english, detail = entry.texts
    if name == q or initials == q or pinyin == q:
        return 0
    if name.startswith(q):
        return 1
    if initials.startswith(q) or pinyin.startswith(q):
        return 2
    if q.isdigit() and detail.startswith(q):
        return 2
    if english.startswith(q) or any(w.startswith(q) for w in entry.words):
        return 3
    if q in name:
        return 4
    if len(q) >= 3 and (q in pinyin or q in english or q in initials):
        return 5
    return None


# ---------------------------------------------------------------------- sources

def refdata_places(refdata: Any) -> list[Place]:
    """Grids (by code and name), their communities and subdistricts (at their grids' middle), and member
    units (at the middle of the grids their responsibility rules name)."""
    places: list[Place] = []
    groups: dict[tuple[str, str], list[tuple[float, float]]] = {}
    by_code: dict[str, tuple[float, float]] = {}
    for grid in getattr(refdata, "grids", ()) or ():
        lon, lat = centroid(geometry_coords(grid.geometry))
        by_code[grid.code] = (lat, lon)
        places.append(Place(grid.name or grid.code, "grid", lat, lon, detail=grid.code, name_en=grid.name_en or ""))
        community, street = grid.community_name, grid.street_name
        if community:
            groups.setdefault(("community", community), []).append((lat, lon))
        if street:
            groups.setdefault(("subdistrict", street), []).append((lat, lon))
    for (kind, name), points in groups.items():
        places.append(Place(name, kind, sum(p[0] for p in points) / len(points),
                            sum(p[1] for p in points) / len(points)))
    unit_points: dict[str, list[tuple[float, float]]] = {}
    for rule in getattr(refdata, "responsibility", ()) or ():
        prefix, unit = rule.area, rule.unit_id
        if not prefix or prefix == "*":
            continue
        unit_points.setdefault(unit, []).extend(v for k, v in by_code.items() if k.startswith(prefix))
    for unit in getattr(refdata, "units", ()) or ():
        points = unit_points.get(unit.id) or list(by_code.values())
        if points:
            places.append(Place(unit.name, "unit", sum(p[0] for p in points) / len(points),
                                sum(p[1] for p in points) / len(points), detail=unit.id,
                                name_en=unit.name_en or ""))
    return places


def basemap_places(names: Iterable[dict[str, Any]]) -> list[Place]:
    """The base map's names: ``{name, name_en?, kind, lat, lon}`` each (`app.map.mbtiles.place_names`)."""
    out = []
    for n in names:
        try:
            out.append(Place(str(n["name"]), _BASEMAP_KINDS.get(str(n.get("kind")), "landmark"), float(n["lat"]),
                             float(n["lon"]), name_en=str(n.get("name_en") or ""),
                             line=tuple((float(p[0]), float(p[1])) for p in n.get("line") or ())))
        except (KeyError, TypeError, ValueError):
            continue
    return out


_HOUSE_NUMBER = re.compile(r"\d+号.*$")


def address_places(addresses: Iterable[tuple[str, float, float]]) -> list[Place]:
    """Case addresses, each once (the first case's position), e.g. 湖滨路12号附近; the road before the
    house number is kept as the detail."""
    out = []
    for text, lat, lon in addresses:
        text = (text or "").strip()
        if text:
            out.append(Place(text, "address", lat, lon, detail=_HOUSE_NUMBER.sub("", text)))
    return out


def build(refdata: Any, *, basemap_names: Iterable[dict[str, Any]] = (),
          addresses: Iterable[tuple[str, float, float]] = ()) -> Gazetteer:
    gazetteer = Gazetteer(basemap_places(basemap_names))
    gazetteer.extend(refdata_places(refdata) if refdata is not None else [])
    gazetteer.extend(address_places(addresses))
    log.debug("gazetteer: %d places", len(gazetteer))
    return gazetteer
