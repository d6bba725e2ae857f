"""The map page's HTML, written from a small template of our own, pointing at local assets only. Qt-free.

The page is one HTML document: Leaflet, Leaflet.markercluster, Qt's ``qwebchannel.js``, the page's own
scripts (``bridge.js`` and the ones hooked into it) and styles, all vendored in ``resources/map/`` (see its
README), then one inline script that makes the Leaflet map and hands it, with the page's config, to
``OneGrid.init``. The config carries the page's data (grids, streets, member-unit areas, legend and labels)
as one JSON object; case and sensor markers arrive later from Python through ``OneGrid.receive`` (see
``resources/map/bridge.js``). No page generator is imported: building the page is string formatting and one
``json.dumps``, a few milliseconds, so the console neither imports a templating stack at start nor waits
for it (the map dock builds the page on a worker thread, `ui/map/dock.py` `reload_page`).

`asset_base` is where those files are served from: ``""`` (the default) links them relative to the page,
which the console loads as ``onegrid://map/index.html`` from its URL scheme handler, so
``leaflet/leaflet.js`` resolves to ``onegrid://map/leaflet/leaflet.js``; a ``file://`` URL of
``resources/map/`` works for a page written to disk elsewhere.
`external_urls(html)` lists every reference to another host, so tests can assert there is none.
"""
from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from app.map import areas as map_areas
from app.map import layers as map_layers
from app.platform.i18n import QT_TRANSLATE_NOOP, translate
from app.platform.paths import resource

CTX = "MapPage"

ASSET_DIR = resource("map")
SCHEME = "onegrid"
PAGE_URL = f"{SCHEME}://map/index.html"
ASSET_BASE = ""
TILE_URL = f"{SCHEME}://tiles/{{z}}/{{x}}/{{y}}.png"

JS_ASSETS = ("leaflet/leaflet.js", "markercluster/leaflet.markercluster.js", "qwebchannel.js", "bridge.js",
             "basemap.js", "clusters.js", "sensor_clusters.js", "search.js", "pick.js", "vehicles.js", "wall.js")
CSS_ASSETS = ("leaflet/leaflet.css", "markercluster/MarkerCluster.css", "map.css")

_LABELS = {
    "layer_grids": QT_TRANSLATE_NOOP("MapPage", "Unit grids"),
    "layer_streets": QT_TRANSLATE_NOOP("MapPage", "Streets (subdistricts)"),
    "layer_units": QT_TRANSLATE_NOOP("MapPage", "Unit areas"),
    "layer_cases": QT_TRANSLATE_NOOP("MapPage", "Cases"),
    "layer_sensors": QT_TRANSLATE_NOOP("MapPage", "Sensors"),
    "layer_base": QT_TRANSLATE_NOOP("MapPage", "Base map (cached tiles)"),
    "legend": QT_TRANSLATE_NOOP("MapPage", "Legend"),
    "legend_status": QT_TRANSLATE_NOOP("MapPage", "Case status (fill)"),
    "legend_time_left": QT_TRANSLATE_NOOP("MapPage", "Time left (ring)"),
    "legend_sensor": QT_TRANSLATE_NOOP("MapPage", "Sensor state"),
    "streets": QT_TRANSLATE_NOOP("MapPage", "Streets"),
    "grids": QT_TRANSLATE_NOOP("MapPage", "Grids"),
    "co_units": QT_TRANSLATE_NOOP("MapPage", "Co-handling"),  # 协办单位
    "pick_banner": QT_TRANSLATE_NOOP("MapPage", "Click the map to pick the location (Esc cancels)"),
}


def page_labels() -> dict[str, str]:
    """Every text the page shows, translated (the page itself has no translations)."""
    return {key: translate(CTX, text) for key, text in _LABELS.items()}


def _script_json(value: Any) -> str:
    """`value` as JSON that is safe inside a <script> element: "</" would end the element early, and
    "\u2028"/"\u2029" are not valid in JavaScript strings."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def page_config(refdata: Any, *, language: str | None = None, tiles: dict[str, Any] | None = None,
                labels: dict[str, str] | None = None, theme: str = "light") -> dict[str, Any]:
    """The JSON config the page starts from (static layers, legend, labels, zoom rules)."""
    return {
        "layers": map_areas.static_layers(refdata, language) if refdata is not None else {},
        "bounds": map_areas.bounds(refdata) if refdata is not None else None,
        "legend": map_layers.legend(),
        "labels": {**page_labels(), **(labels or {})},
        "tiles": tiles,
        "theme": theme if theme in ("light", "dark") else "light",  # the console's; bridge.js follows it live
        "label_zoom": {"grid_short": 16, "grid_code": 18, "street_max": 15.5},
        "select_zoom": 16,
        "cluster": {"below": 15},  # cases and sensors cluster at city zoom (clusters.js, sensor_clusters.js),
        # one marker each from 15 on
        "min_zoom": 10,
        "max_zoom": 20,
    }


_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=1.0, user-scalable=no">
{scripts}
{styles}
<style>
html, body {{ width: 100%; height: 100%; margin: 0; padding: 0; }}
#map {{ position: absolute; top: 0; bottom: 0; right: 0; left: 0; }}
.leaflet-container {{ font-size: 12px; }}
</style>
</head>
<body>
<div id="map"></div>
<script>
OneGrid.init(L.map("map", {options}), {config});
</script>
</body>
</html>
"""


def _attr(text: str) -> str:
    """`text` inside a double-quoted HTML attribute."""
    return escape(text, quote=False).replace('"', "&quot;")


def build_page_html(refdata: Any, *, asset_base: str = ASSET_BASE, language: str | None = None,
                    tiles: dict[str, Any] | None = None, labels: dict[str, str] | None = None,
                    center: tuple[float, float] | None = None, zoom: int = 15, theme: str = "light") -> str:
    """The complete page. `tiles` = ``{"url": TILE_URL, "on": bool, "max_zoom": 19, "attribution": ""}``
    to offer the cached raster base map, None for vector layers only."""
    config = page_config(refdata, language=language, tiles=tiles, labels=labels, theme=theme)
    if center is None:
        b = config["bounds"]
        center = ((b[0][0] + b[1][0]) / 2, (b[0][1] + b[1][1]) / 2) if b else (0.0, 0.0)
    base = asset_base if not asset_base or asset_base.endswith("/") else asset_base + "/"
    # the map's own options: vector layers on a canvas, half zoom steps, the zoom buttons (the scale and
    # the attribution are bridge.js's)
    options = {"center": [float(center[0]), float(center[1])], "zoom": zoom, "zoomControl": True,
               "preferCanvas": True, "zoomSnap": 0.5}
    return _PAGE.format(
        csp=_attr(_csp(base)),
        scripts="\n".join(f'<script src="{_attr(base + name)}"></script>' for name in JS_ASSETS),
        styles="\n".join(f'<link rel="stylesheet" href="{_attr(base + name)}"/>' for name in CSS_ASSETS),
        options=_script_json(options), config=_script_json(config))


def _csp(base: str) -> str:
    """A Content-Security-Policy that keeps the page to its own assets, whatever a layer tries."""
    origin = "file:" if base.startswith("file:") else ""
    sources = " ".join(filter(None, ("'self'", origin, f"{SCHEME}:", "qrc:")))
    return (f"default-src {sources}; script-src {sources} 'unsafe-inline'; "
            f"style-src {sources} 'unsafe-inline'; img-src {sources} data: blob:; "
            "connect-src 'none'; font-src 'self' data:; object-src 'none'")


_URL_RE = re.compile(r"""(?:https?|wss?|ftp):(?://)?[^\s"'<>)]+|(?<=["'(])//[A-Za-z0-9][^\s"'<>)]*""",
                     re.IGNORECASE)
_HARMLESS = ("http://www.w3.org/",)  # XML namespace names, never fetched


def external_urls(text: str) -> list[str]:
    """Every http(s)/ws/ftp or protocol-relative URL in `text`, except XML namespace names."""
    return [u for u in _URL_RE.findall(text) if not u.startswith(_HARMLESS)]
