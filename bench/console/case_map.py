"""Rows 5 and 6 of bench/bench_console.py: the map dock over the first N_MAP cases of the 100k cache, its first
render of their markers, then rounds of MAP_UPDATE markers updated by the cache's changes (at the district
view it opens on, then at street zoom), timed on the GUI thread and in the page (`bench.console.map_probe`)."""
from __future__ import annotations

import json
import threading
import time
import traceback
from pathlib import Path

from bench.console.common import (
    MAP_UPDATE,
    MAP_UPDATE_ROUNDS,
    N_MAP,
    NAME_MAP_FIRST,
    NAME_MAP_UPDATE,
    emit,
    log,
    median,
    ms,
)
from bench.console.map_probe import MAP_INSTRUMENT, MAP_PROBE
from bench.console.proc_stats import cpu_ns, renderer_main_threads
from bench.console.timers import idle, wait_for


class SubsetCache:
    """The real LocalCache seen through the first N_MAP case ids (the map reads every case it is given)."""

    def __init__(self, cache, ids):
        self._cache, self._ids = cache, list(ids)
        self._wanted = set(self._ids)
        self.events = cache.events
        self.directory = cache.directory

    def summaries(self, ids=None):
        if ids is None:
            return self._cache.summaries(self._ids)
        return self._cache.summaries([i for i in ids if i in self._wanted])

    summary_columns = None  # not offered: the map reads only these cases, through summary_rows

    def summary_rows(self, ids=None, chunk=10_000, coded=False):
        return self._cache.summary_rows(self._ids if ids is None else [i for i in ids if i in self._wanted], chunk,
                                        coded=coded)

    def __getattr__(self, name):
        return getattr(self._cache, name)


def bench_map(app, cache, built) -> None:
    import shiboken6

    from app.map import layers as map_layers
    from app.platform.enums import TERMINAL_STATUSES
    from app.sync.session import Session
    from bench.console.fixtures import OPERATOR
    from ui.map.dock import FLUSH_DELAY_MS, MapDock
    from ui.sensors.sensor_dock import SensorHub
    from ui.shell.context import ConsoleContext, CoreSignals

    factory = built.factory
    ids = [factory.case_id(i) for i in range(N_MAP)]
    ctx = ConsoleContext(cache=SubsetCache(cache, ids), signals=CoreSignals(),
                         session=Session(actor=OPERATOR, display_name="Operator 1", token=None, offline=False))
    cache.events.cases_changed.connect(ctx.signals.cases_changed.emit)
    hub = SensorHub.for_context(ctx)  # as MapDock would make it; started first so it is not part of the timing
    if not wait_for(lambda: hub.is_ready, 60):
        log("sensor hub not ready after 60 s; measuring anyway")

    t_build = time.perf_counter()
    dock = MapDock(ctx, hub=hub)
    build_ms = (time.perf_counter() - t_build) * 1000  # the GUI thread's share of a console's launch
    pushes: list[dict] = []
    drawn: dict[str, dict] = {}
    handled: list[float] = []  # GUI-thread time of each changed-cases handler (columns, markers, send)
    original_send = dock._send_markers
    original_got_changed = dock._got_changed

    probing = [0.0, 0.0]  # the GUI-thread wall and CPU time of the bench's own runJavaScript calls
    handled_cpu: list[float] = []  # the handler's GUI-thread CPU time (time.thread_time)
    page_threads: list[Path] = []  # found once the page runs (renderer_main_threads)

    def got_changed(result):
        t, c = time.perf_counter(), time.thread_time()
        probing[:] = [0.0, 0.0]
        try:
            return original_got_changed(result)
        finally:
            handled.append(time.perf_counter() - t - probing[0])
            handled_cpu.append(time.thread_time() - c - probing[1])

    def send_markers(upsert, remove, reset=False):
        tag = f"p{len(pushes)}"
        t0, c0 = time.perf_counter(), time.thread_time()
        dock.run_js(MAP_INSTRUMENT)
        t, c = time.perf_counter(), time.thread_time()
        page_cpu = cpu_ns(page_threads)
        original_send(upsert, remove, reset)
        sent, c_sent = time.perf_counter(), time.thread_time()
        dock.run_js(MAP_PROBE % json.dumps(tag))  # queued after the pushes: runs once they are applied
        probing[0] += (t - t0) + (time.perf_counter() - sent)
        probing[1] += (c - c0) + (time.thread_time() - c_sent)
        pushes.append({"tag": tag, "t": t, "sent": sent, "upsert": len(upsert), "remove": len(remove),
                       "reset": reset, "page_cpu": page_cpu})

    def on_message(text: str) -> None:
        msg = json.loads(text)
        if msg.get("type") == "bench_drawn":
            drawn[msg["tag"]] = dict(msg, t=time.perf_counter(), page_cpu=cpu_ns(page_threads))

    dock._send_markers = send_markers
    dock._got_changed = got_changed
    dock.bridge.message.connect(on_message)
    try:
        dock.resize(1200, 800)
        dock.show()
        t_created = time.perf_counter()
        if not wait_for(lambda: pushes and pushes[0]["tag"] in drawn, 90):
            raise RuntimeError(f"map never reported the first render (ready={dock.is_ready}, "
                               f"pushes={len(pushes)})")
        first, report = pushes[0], drawn[pushes[0]["tag"]]
        cases = report["stats"]["cases"]
        if cases != N_MAP:
            raise RuntimeError(f"page shows {cases} case markers after the first push, not {N_MAP:,}")
        value = report["t"] - first["t"]
        emit(NAME_MAP_FIRST, value,
             f"MapDock(ctx) over the real cache limited to {N_MAP:,} cases (statuses mixed; sensor hub "
             f"started beforehand), shown 1200x800 offscreen; clock from the dock's _send_markers(reset) call "
             f"(page ready and summaries read; dock built {first['t'] - t_created:.2f} s earlier) until a "
             f"MessageChannel task after the frame of a requestAnimationFrame callback queued by a runJavaScript "
             f"issued right after the pushes posted 'drawn' through the QWebChannel bridge with OneGrid.stats().cases == {cases:,}. Python side "
             f"(markers -> JSON -> {-(-N_MAP // 2500)} runJavaScript calls) {ms(first['sent'] - first['t'])} ms, "
             f"OneGrid.receive in the page {report['receive_ms']:.0f} ms")
    except Exception as exc:
        traceback.print_exc()
        emit(NAME_MAP_FIRST, None, f"not measured: {type(exc).__name__}: {exc}")
        emit(NAME_MAP_UPDATE, None, "not measured: the first render failed")
        _close_map(dock, hub, cache, ctx, shiboken6)
        return

    try:
        idle(1.0)
        page_threads.extend(renderer_main_threads())
        floor, floor_cpu = [], []  # the probe alone, nothing sent: a frame coming round, the page's CPU meanwhile
        for k in range(MAP_UPDATE_ROUNDS):
            tag = f"idle{k}"
            t, page_cpu = time.perf_counter(), cpu_ns(page_threads)
            dock.run_js(MAP_PROBE % json.dumps(tag))
            if wait_for(lambda tag=tag: tag in drawn, 10):
                floor.append(drawn[tag]["t"] - t)
                floor_cpu.append((drawn[tag]["page_cpu"] - page_cpu) / 1e6)
            idle(0.2)
        active = [i for i in range(N_MAP) if factory.status_of(i) not in TERMINAL_STATUSES]
        step = max(1, len(active) // (MAP_UPDATE * MAP_UPDATE_ROUNDS))
        chosen = active[::step][:MAP_UPDATE * MAP_UPDATE_ROUNDS]
        cursor = built.cursor
        rounds = {"value": [], "py": [], "receive": [], "frame": [], "wait": [], "trip": [], "e2e": [],
                  "redraw": [], "long": [], "zoom": [], "canvas": [], "to_probe": [], "late": [], "py_cpu": [],
                  "page_cpu": []}
        from app.wire.feed import Change

        def update_round(r: int, batch: list[int]) -> list[dict]:
            nonlocal cursor
            data = [factory.updated(i, bump=1 + r) for i in batch]
            changes = [Change(position=cursor + k + 1, kind="case", id=d["id"], data=d) for k, d in enumerate(data)]
            cursor += len(changes)
            before, handled_before = len(pushes), len(handled)
            box = {}

            def work(changes=changes, cursor=cursor):
                box["set"] = cache.apply_changes(changes, cursor)
                box["t"] = time.perf_counter()

            worker = threading.Thread(target=work)
            worker.start()
            if not wait_for(lambda: len(pushes) > before and pushes[-1]["tag"] in drawn, 30):
                raise RuntimeError(f"update round {r + 1}: the page never reported the update")
            worker.join()
            push, report = pushes[-1], drawn[pushes[-1]["tag"]]
            if push["upsert"] != MAP_UPDATE or len(pushes) != before + 1 or len(handled) != handled_before + 1:
                raise RuntimeError(f"update round {r + 1}: {len(pushes) - before} pushes, last with "
                                   f"{push['upsert']} markers (expected one push of {MAP_UPDATE})")
            py = handled[-1] * 1000
            rounds["value"].append(py + report["receive_ms"] + report["frame_ms"])
            rounds["py"].append(py)
            rounds["py_cpu"].append(handled_cpu[-1] * 1000)
            rounds["page_cpu"].append((report["page_cpu"] - push["page_cpu"]) / 1e6 if page_threads else 0.0)
            rounds["receive"].append(report["receive_ms"])
            rounds["frame"].append(report["frame_ms"])
            rounds["to_probe"].append(report["to_probe_ms"])
            rounds["late"].append(bool(report.get("probe_late")))
            rounds["wait"].append(report["wait_ms"])
            rounds["trip"].append((report["t"] - push["t"]) * 1000)
            rounds["e2e"].append((report["t"] - box["t"]) * 1000)
            rounds["redraw"].append(report.get("redraw_ms", 0))
            rounds["long"].append(report.get("longest_task_ms", 0))
            rounds["zoom"].append(report["stats"]["zoom"])
            rounds["canvas"].append(report.get("canvas") or {})
            idle(0.3)
            return data

        for r in range(MAP_UPDATE_ROUNDS):
            data = update_round(r, chosen[r * MAP_UPDATE:(r + 1) * MAP_UPDATE])
        # the page really shows the new states
        for d in data[-3:]:  # of the last round
            box = []
            dock.run_js(f"OneGrid.marker({json.dumps(d['id'])})", box.append)
            wait_for(lambda: bool(box), 10)
            marker = json.loads(box[0]) if box and box[0] else None
            expected = map_layers.STATUS_COLOURS[map_layers._STATUS_BY_VALUE[d["status"]]]
            if marker is None or marker["fill"] != expected or marker["status"] != d["status"]:
                raise RuntimeError(f"marker {d['id']} shows {marker}, expected status {d['status']}")
        city = {k: list(v) for k, v in rounds.items()}
        # the same at street zoom, where the case layer's own canvas draws every marker in view (reported in
        # the note; the row is the city view a console opens on)
        street = None
        try:
            for v in rounds.values():
                v.clear()
            dock.run_js("OneGrid.stopAutoFit(); OneGrid.map.setZoom(16, {animate: false}); true")
            idle(1.0)
            again = active[max(1, step // 2)::step][:MAP_UPDATE * MAP_UPDATE_ROUNDS]  # cases not updated yet
            for r in range(MAP_UPDATE_ROUNDS):
                update_round(MAP_UPDATE_ROUNDS + r, again[r * MAP_UPDATE:(r + 1) * MAP_UPDATE])
            street = {k: list(v) for k, v in rounds.items()}
        except Exception as exc:  # the note says so; the row stands
            log(f"street-zoom rounds failed: {exc}")

        def canvas_delta(seen: list[dict]) -> str:
            first, last = seen[0], seen[-1]
            return "/".join(str(last.get(k, 0) - first.get(k, 0)) for k in ("partial", "full"))

        def part(d, key):
            return f"{median(d[key]):.1f}"

        street_note = (f" At street zoom ({street['zoom'][0]:g}), the same rounds: median {part(street, 'value')} ms "
                       f"(Python {part(street, 'py')} (CPU {part(street, 'py_cpu')}), the page's main-thread CPU {part(street, 'page_cpu')}, receive {part(street, 'receive')}, frame "
                       f"{part(street, 'frame')} of which the case canvas's redraw {part(street, 'redraw')}; rounds "
                       f"{', '.join(f'{v:.1f}' for v in street['value'])} ms; the canvas's partial/full redraws over "
                       f"them: {canvas_delta(street['canvas'])})." if street else
                       " The street-zoom rounds failed (see the log).")
        emit(NAME_MAP_UPDATE, median(city["value"]),
             f"median of {MAP_UPDATE_ROUNDS} rounds, each {MAP_UPDATE} active cases among the {N_MAP:,} moved one "
             f"lifecycle step (new status colour, new due time) by LocalCache.apply_changes on a worker thread, "
             f"the map at the district view it opens on (zoom {city['zoom'][0]:g}, 1200x800: clusters). Value = the "
             f"GUI thread's time in the dock's handler (columns, markers, JSON, runJavaScript; not the bench's "
             f"own two runJavaScript calls around it) {part(city, 'py')} ms "
             f"+ the page's main-thread work for it: OneGrid.receive {part(city, 'receive')} ms + the frame that "
             f"draws it (its first rAF callback until after style, layout, paint and commit) {part(city, 'frame')} ms "
             f"(rounds: {', '.join(f'{v:.1f}' for v in city['value'])} ms). Not in the value: the wait for that "
             f"frame to begin {part(city, 'wait')} ms (vsync); the span from that frame's rAF to the probe's task "
             f"{part(city, 'to_probe')} ms (the probe reached the page after the update's frame began in "
             f"{sum(city['late'])} of {len(city['late'])} rounds and then waited for the next frame); and the wall-clock round trip from the push to the "
             f"page's post arriving back in Python {part(city, 'trip')} ms; longest task overlapping an update "
             f"{max(city['long']):.0f} ms (Long Tasks API, 0 = none >= 50 ms). End to end from the cache "
             f"commit (incl. the dock's {FLUSH_DELAY_MS} ms coalescing delay and the summaries read): median "
             f"{part(city, 'e2e')} ms. CPU time, which the machine's load does not inflate: the handler's GUI "
             f"thread {part(city, 'py_cpu')} ms, the page's main thread (CrRendererMain, /proc schedstat) from the "
             f"push until the probe's post reached Python {part(city, 'page_cpu')} ms (rounds "
             f"{', '.join(f'{v:.1f}' for v in city['page_cpu'])}; with the probe alone "
             f"{median(floor_cpu) if floor_cpu else 0:.1f} ms). The probe with nothing sent (a runJavaScript round "
             f"trip and the next frame): median {ms(median(floor))} ms.{street_note} Marker fill/status verified in the page; "
             f"MapDock built in {build_ms:.0f} ms on the GUI thread (the page itself is built on a worker)")
    except Exception as exc:
        traceback.print_exc()
        emit(NAME_MAP_UPDATE, None, f"not measured: {type(exc).__name__}: {exc}")
    finally:
        _close_map(dock, hub, cache, ctx, shiboken6)


def _close_map(dock, hub, cache, ctx, shiboken6) -> None:
    try:
        cache.events.cases_changed.disconnect(ctx.signals.cases_changed.emit)
    except Exception:
        pass
    hub.stop()
    dock.dispose()
    dock.close()
    shiboken6.delete(dock)
    idle(0.5)
