"""Screenshots of the console for docs/screenshots/: online, in emergency mode, and offline.

    python tools/screenshots.py                      # English and Chinese, light theme
    python tools/screenshots.py --language zh_CN --theme dark --out /tmp/shots

Runs the real demo (embedded server, logged in as shift lead lead1) in this process; without a display it
re-runs itself under `xvfb-run`. Per language: wait until the console is online and the map has drawn →
`online-<lang>.png`; a case in handling gets a report and a handled photo (drawn) → `photos-strip-<lang>.png`
(the strip in the case detail) and `before-after-<lang>.png` (the viewer, side by side); a dispatch queued while the console is cut off, overtaken by another desk's
dispatch and refused on reconnecting → `conflict-<lang>.png` (the banner and the conflicts list),
`lead-queue-<lang>.png` (the lead's work queue), `lookup-<lang>.png` (Ctrl+K, the whole screen: the
lookup is its own window); `detections-<lang>.png` (the review queue the demo's cameras and drone fill); bring the lead's docks forward → `performance-<lang>.png` (unit performance, behind
the map), `handover-<lang>.png` (shift handover) and `audit-<lang>.png` (audit trail); switch emergency
mode on through the server → `emergency-<lang>.png`; switch it off,
stop the embedded server, issue two reports offline → `offline-<lang>.png`. Settings, window layout and
caches go to a temporary folder, so the user's own console is untouched.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its parts, when imported rather than run
from screenshot_kit import ONLY  # noqa: E402
from screenshot_kit import save as _save  # noqa: E402
from screenshot_kit import until as _until  # noqa: E402
from screenshot_scenes import conflict_scene, photo_scene, vehicles_scene  # noqa: E402

log = logging.getLogger("screenshots")

XVFB_SCREEN = "1600x1000x24"
SETTLE_S = 4.0  # for the map page and the first feed pages to draw


def _parse(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    p.add_argument("--language", choices=["en", "zh_CN"], action="append",
                   help="language(s) to shoot (default: both)")
    p.add_argument("--theme", choices=["light", "dark"], default="light")
    p.add_argument("--only", default="", help="comma-separated shots to take (e.g. conflict,lead-queue,lookup); "
                                             "default: all")
    p.add_argument("--user", default="lead1",
                   help="the demo account to log in as (default lead1); another's shots go to OUT/<user>/, e.g. "
                        "lead_cj, the second district's lead, who sees that district only")
    return p.parse_args(argv)


def _under_xvfb(argv) -> int:
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        raise SystemExit("no display and no xvfb-run: apt-get install -y xvfb (or set QT_QPA_PLATFORM=offscreen)")
    env = {**os.environ, "ONEGRID_SCREENSHOTS_IN_XVFB": "1"}
    return subprocess.call([xvfb, "-a", "-s", f"-screen 0 {XVFB_SCREEN}", sys.executable, __file__, *argv], env=env)


def _report_offline(cache, actor, n: int) -> None:
    """A report taken on the phone while the server is away, queued in the outbox."""
    from app.platform.enums import Action

    refdata = cache.refdata()
    grid = refdata.grids[(7 * n) % len(refdata.grids)]
    lat, lon = grid.centroid
    category = refdata.categories[(5 * n) % len(refdata.categories)].code
    payload = {"source": "hotline", "category_code": category, "description": ["井盖缺失，行人有坠落风险",
                                                                                  "道路积水严重"][n % 2],
               "location": {"lat": lat, "lon": lon, "address": f"湖滨路 {12 + n} 号"}}
    cache.issue(actor, Action.CREATE, None, payload, datetime.now(timezone.utc), offline=True)


def _desk_session(server_url: str) -> None:
    """operator2 logs in at another desk and logs out again (as closing that console does)."""
    from app.refdata.loading import load_demo_refdata
    from app.sync.client import ServerClient

    client = ServerClient(server_url)
    try:
        client.login("operator2", load_demo_refdata().user("operator2").password, console_id="desk-2")
        client.logout()
    finally:
        client.close()


async def _shoot(console, out: Path, suffix: str) -> None:
    try:
        await _script(console, out, suffix)
    finally:
        console.window.close_without_asking()  # the offline reports stay queued: no question to answer
        await console.engine.stop()


async def _script(console, out: Path, suffix: str) -> None:
    from app.sync.state import Connection
    from ui.shell.banners import put_emergency_mode

    ctx, engine, window = console.ctx, console.engine, console.window
    engine.start()
    await _until(lambda: engine.state.connection == Connection.ONLINE, 60, "the console to come online")
    await asyncio.sleep(SETTLE_S)
    _save(console, out / f"online-{suffix}.png")
    if not ONLY or "tasks" in ONLY:  # the tasks queue, its columns sized from the rows on screen
        dock = window.docks["caseTasksDock"]
        dock.show()
        dock.raise_()
        await asyncio.sleep(1.0)
        _save(console, out / f"tasks-{suffix}.png")
        window.docks["caseDetailDock"].raise_()
    if not ONLY or ONLY & MAP_SHOTS:
        await _map_scene(console, out, suffix)
    if not ONLY or ONLY & {"photos-strip", "before-after"}:
        await photo_scene(console, out, suffix)
    if not ONLY or ONLY & {"vehicles", "wall"}:
        await vehicles_scene(console, out, suffix)
    if not ONLY or "detections" in ONLY:  # the demo's cameras and drone fill the review queue
        dock = window.docks.get("detectionReviewDock")
        if dock is not None:
            await _until(lambda: dock.tree.topLevelItemCount() > 0, 90, "detections in the review queue")
            dock.show()
            dock.raise_()
            await asyncio.sleep(1.0)
            _save(console, out / f"detections-{suffix}.png")
            window.docks["caseDetailDock"].raise_()
    if ONLY and not ONLY - MAP_SHOTS - {"online", "tasks", "photos-strip", "before-after", "vehicles", "wall", "detections"}:
        return
    if not ONLY or ONLY & {"conflict", "lead-queue", "lookup"}:
        await conflict_scene(console, out, suffix)
    if ONLY and not ONLY - {"conflict", "lead-queue", "lookup", "vehicles", "wall"}:
        return

    await asyncio.to_thread(_desk_session, console.server_url)  # a login and a logout in the audit trail
    for dock_name, shot in (("performanceDock", "performance"), ("handoverDock", "handover"),
                            ("auditDock", "audit")):
        dock = window.docks.get(dock_name)
        if dock is None:
            continue
        dock.show()
        dock.raise_()
        if dock_name == "auditDock":  # it loaded while the demo was still writing its history: press Search
            dock.search()
        await asyncio.sleep(SETTLE_S)  # each dock loads its data from the server when first shown
        _save(console, out / f"{shot}-{suffix}.png")
        if dock_name == "performanceDock" and hasattr(dock, "detections"):  # the false-positive rates
            dock.tabs.setCurrentWidget(dock.detections)
            await asyncio.sleep(1.0)
            _save(console, out / f"detection-rates-{suffix}.png")
            dock.tabs.setCurrentIndex(0)
    window.docks["mapDock"].raise_()
    window.docks["caseDetailDock"].raise_()

    await asyncio.to_thread(put_emergency_mode, console.client, True, "台风“海葵”橙色预警：防汛应急响应 / Typhoon warning: flood response")
    await _until(lambda: window.emergency_banner.isVisible(), 30, "the emergency banner")
    await asyncio.sleep(1.0)
    _save(console, out / f"emergency-{suffix}.png")
    await asyncio.to_thread(put_emergency_mode, console.client, False, "预警解除 / warning lifted")
    await _until(lambda: not window.emergency_banner.isVisible(), 30, "the emergency banner to go")

    await asyncio.to_thread(console.stop_server)
    await _until(lambda: engine.state.connection == Connection.OFFLINE, 60, "the console to notice the server is gone")
    for n in range(2):
        await asyncio.to_thread(_report_offline, ctx.cache, ctx.actor, n)
    await asyncio.sleep(1.5)
    _save(console, out / f"offline-{suffix}.png")


MAP_SHOTS = {"basemap-street", "basemap-city", "map-search"}


async def _map_scene(console, out: Path, suffix: str) -> None:
    """The base map at street zoom, the clusters at city zoom, the place search (ui/map)."""
    window = console.window
    dock = window.docks["mapDock"]
    dock.show()
    dock.raise_()

    def js(code: str) -> None:
        dock.page.runJavaScript(code)

    async def tiles_drawn(timeout: float = 20.0) -> None:
        """Until the base map's tiles in view have arrived (from the demo server, then the console's copy)."""
        box: list = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            box.clear()
            dock.page.runJavaScript("!!(OneGrid.baseLayer && OneGrid.map.hasLayer(OneGrid.baseLayer) && "
                                    "!OneGrid.baseLayer.isLoading())", 0, box.append)
            await asyncio.sleep(0.5)
            if box and box[0]:
                return

    await asyncio.sleep(2.0)  # the console asks the demo server for its base map, then reloads the page
    js("OneGrid.map.setView([30.2508, 120.1585], 17, {animate: false})")
    await tiles_drawn()  # the tiles come from the demo server once, then from the console's copy
    await asyncio.sleep(0.5)
    _save(console, out / f"basemap-street-{suffix}.png")
    js("OneGrid.map.setView([30.2502, 120.1598], 14, {animate: false})")
    await tiles_drawn()
    await asyncio.sleep(0.5)
    _save(console, out / f"basemap-city-{suffix}.png")
    search = getattr(dock, "search", None)
    if search is not None:
        js("OneGrid.map.setView([30.2502, 120.1598], 15, {animate: false})")
        await tiles_drawn()
        search.field.setFocus()
        search.find("hbdd")
        await asyncio.sleep(2.0)
        _save(console, out / f"map-search-{suffix}.png", screen=True)
        search.field.clear()


def _run_one(language: str, theme: str, out: Path, user: str = "lead1") -> None:
    import qasync

    from ui.shell.main import create_application, parse_args, start_console

    app = create_application()
    args = parse_args(["--demo", "--user", user, "--language", language, "--theme", theme])
    if user != "lead1":
        out = out / user
    console = start_console(args, app)
    if console is None:
        raise SystemExit("the console did not start (see the log)")
    suffix = language if theme == "light" else f"{language}-{theme}"
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            loop.run_until_complete(_shoot(console, out, suffix))
    finally:
        console.close()
        logging.shutdown()  # before the temporary folder holding the log goes


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parse(argv)
    ONLY.update(x for x in args.only.split(",") if x)
    languages = args.language or ["en", "zh_CN"]
    if len(languages) > 1:  # one QApplication per process: one process per language
        return max(subprocess.call([sys.executable, __file__, *_without_languages(argv), "--language", lang])
                   for lang in languages)
    if not os.environ.get("DISPLAY") and not os.environ.get("ONEGRID_SCREENSHOTS_IN_XVFB") \
            and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return _under_xvfb(argv)
    with tempfile.TemporaryDirectory(prefix="onegrid-shots-") as home:
        os.environ["ONEGRID_CONFIG_DIR"] = str(Path(home) / "config")
        os.environ["ONEGRID_DATA_DIR"] = str(Path(home) / "data")
        os.environ.setdefault("ONEGRID_DEMO_SHIFT_CLOSE_S", "10")  # a drafted handover report to show
        _run_one(languages[0], args.theme, args.out.resolve(), args.user)
    return 0


def _without_languages(argv: list[str]) -> list[str]:
    kept, skip = [], False
    for item in argv:
        if skip:
            skip = False
        elif item == "--language":
            skip = True
        elif not item.startswith("--language="):
            kept.append(item)
    return kept


if __name__ == "__main__":
    raise SystemExit(main())
