"""Base map and clusters benchmarks:

1. a tile served from the local package (`app.map.mbtiles.MBTiles.get`, the demo city's base map): p95 of
   2,000 reads of tiles across every zoom, in random order, on 4 threads as the console's URL scheme does;
2. the map's first render of 10,000 clustered case markers at city zoom (Qt WebEngine, offscreen): the
   page's `OneGrid.receive` of the markers, the clusters built and laid out;
3. a zoom step with those 10,000 markers (city zooms 12-14, clusters rebuilt for the new zoom).

    python -m bench basemap
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
if "--no-sandbox" not in _flags:
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (_flags + " --no-sandbox").strip()

import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

from bench import emit as _emit  # noqa: E402
from bench.result import Row  # noqa: E402

NAME_TILE = "map: base-map tile from the local package (p95)"
NAME_CLUSTER_FIRST = "map: first render of 10,000 clustered markers"
NAME_ZOOM = "map: zoom step with 10,000 clustered markers"
UNITS = {NAME_TILE: ("ms", 5), NAME_CLUSTER_FIRST: ("s", 0.5), NAME_ZOOM: ("ms", 50)}
N_READS = 2000
N_MARKERS = 10_000


def emit(name: str, value: float | None, note: str) -> None:
    unit, target = UNITS[name]
    _emit.emit(Row(name, None if value is None else round(value, 3), unit, target, note=note))


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_average() -> str:
    try:
        with open("/proc/loadavg") as fh:
            return fh.read().split()[0]
    except OSError:
        return "?"


def bench_tiles() -> None:
    from app.map.basemap_render import Plan, tiles_of
    from app.map.mbtiles import MBTiles
    from app.refdata.loading import demo_dir

    path = demo_dir() / "basemap.mbtiles"
    package = MBTiles(path)
    plan = Plan(json.loads((demo_dir() / "basemap.geojson").read_text(encoding="utf-8")))
    addresses = list(tiles_of(plan, package.min_zoom, package.max_zoom))
    rnd = random.Random(7)
    order = [rnd.choice(addresses) for _ in range(N_READS)]
    times: list[float] = []

    def read(zxy) -> float:
        t = time.perf_counter()
        data = package.get(*zxy)
        took = time.perf_counter() - t
        if data is None:
            raise RuntimeError(f"tile {zxy} missing from the package")
        return took

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(read, order[:100]))  # connections opened, pages warm: the console serves many tiles
        times = list(pool.map(read, order))
    package.close()
    p95 = _emit.percentile(times, 95) * 1000
    emit(NAME_TILE, p95, f"MBTiles.get of {N_READS:,} random tiles (zooms {package.min_zoom}-{package.max_zoom}, "
                          f"{len(addresses):,} in the package, {path.stat().st_size / 1e6:.1f} MB) on 4 threads "
                          f"(the URL scheme's pool), after 100 warm-up reads; median "
                          f"{statistics.median(times) * 1000:.2f} ms, max {max(times) * 1000:.2f} ms; "
                          f"load average {load_average()}")


_STUB_HUB = None


def _stub_hub():
    from PySide6.QtCore import QObject, Signal

    class StubHub(QObject):
        """No sensors: the clusters are about cases."""

        states_changed = Signal(object)
        is_ready = False
        sensors: dict = {}

        def states(self):
            return {}

    return StubHub()


class _EmptyCache:
    def __init__(self, refdata):
        self._refdata = refdata

    def refdata(self):
        return self._refdata

    def summaries(self, ids=None):
        return []

    def entities(self, kind, ids=None):  # no vehicles on this map
        return {}


PUSH = r"""
(function () {
  var legend = %(legend)s, b = %(bounds)s, n = %(n)d, seed = 12345, out = [];
  function rnd() { seed = (seed * 1103515245 + 12345) %% 2147483648; return seed / 2147483648; }
  for (var i = 0; i < n; i++) {
    var s = legend[Math.floor(rnd() * legend.length)];
    out.push({id: "c" + i, n: "2026-" + i, lat: b[0][0] + rnd() * (b[1][0] - b[0][0]),
              lon: b[0][1] + rnd() * (b[1][1] - b[0][1]), s: s.key, f: s.colour, r: "#333333", w: 1,
              t: "on_time", c: "C0101", u: "roads", p: "ordinary"});
  }
  OneGrid.map.setView([(b[0][0] + b[1][0]) / 2, (b[0][1] + b[1][1]) / 2], 13, {animate: false});
  var t0 = performance.now();
  OneGrid.receive({op: "cases", reset: true, upsert: out});
  document.querySelector(".og-cluster") && document.querySelector(".og-cluster").getBoundingClientRect();
  document.body.offsetHeight;
  var took = performance.now() - t0;
  return JSON.stringify({ms: took, clusters: JSON.parse(OneGrid.clusters())});
})()
"""

ZOOM = r"""
(function () {
  var c = OneGrid.map.getCenter(), t0 = performance.now();
  OneGrid.map.setView(c, %(zoom)d, {animate: false});
  document.body.offsetHeight;
  var took = performance.now() - t0, st = JSON.parse(OneGrid.clusters());
  return JSON.stringify({ms: took, shown: st.shown, zoom: st.zoom});
})()
"""


def bench_clusters() -> None:
    from app.map import layers as map_layers
    from app.map.areas import bounds
    from app.refdata.loading import load_demo_refdata
    from app.sync.session import Session
    from ui.shell.main import create_application

    app = create_application()
    from app.cases.actors import Actor
    from app.platform.enums import Role
    from ui.map.dock import MapDock
    from ui.shell.context import ConsoleContext, CoreSignals

    refdata = load_demo_refdata()
    actor = Actor("operator1", Role.OPERATOR, None)
    ctx = ConsoleContext(cache=_EmptyCache(refdata), signals=CoreSignals(),
                         session=Session(actor=actor, display_name="Operator 1", token=None, offline=False))
    dock = MapDock(ctx, hub=_stub_hub())
    dock.resize(1200, 800)
    dock.show()

    def wait_for(cond, timeout_s):
        end = time.monotonic() + timeout_s
        while not cond():
            if time.monotonic() > end:
                return False
            app.processEvents()
            time.sleep(0.005)
        return True

    def run_js(script: str):
        box: list = []
        dock.run_js(script, box.append)
        if not wait_for(lambda: bool(box), 60):
            raise RuntimeError("the page did not answer")
        return json.loads(box[0])

    try:
        if not wait_for(lambda: dock.is_ready, 90):
            raise RuntimeError("the map page never became ready")
        legend = [{"key": e["key"], "colour": e["colour"]} for e in map_layers.legend()["status"]]
        first = run_js(PUSH % {"legend": json.dumps(legend), "bounds": json.dumps(bounds(refdata)), "n": N_MARKERS})
        st = first["clusters"]
        if st["members"] != N_MARKERS or not st["on"]:
            raise RuntimeError(f"clusters not shown: {st}")
        emit(NAME_CLUSTER_FIRST, first["ms"] / 1000,
             f"OneGrid.receive of {N_MARKERS:,} case markers (reset) at zoom 13 in a 1200x800 MapDock, offscreen, "
             f"until the cluster icons are laid out (forced layout; painting not included): the page's own case layer "
             f"and the cluster layer both built; {st['shown']} clusters shown; load average {load_average()}")
        steps = []
        for zoom in (14, 13, 12, 13, 14, 13, 12, 13, 14, 13):
            steps.append(run_js(ZOOM % {"zoom": zoom}))
        ms = [s["ms"] for s in steps]
        emit(NAME_ZOOM, statistics.median(ms),
             f"median of {len(ms)} setView steps between zooms 12 and 14 (no animation) with {N_MARKERS:,} "
             f"markers clustered, until laid out; steps {', '.join(f'{m:.0f}' for m in ms)} ms; clusters shown "
             f"{', '.join(str(s['shown']) for s in steps[:3])}…")
    finally:
        dock.dispose()
        dock.close()


def run() -> None:
    try:
        bench_tiles()
    except Exception as exc:
        traceback.print_exc()
        emit(NAME_TILE, None, f"not measured: {type(exc).__name__}: {exc}")
    try:
        bench_clusters()
    except Exception as exc:
        traceback.print_exc()
        for name in (NAME_CLUSTER_FIRST, NAME_ZOOM):
            emit(name, None, f"not measured: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    run()
    sys.exit(0)
