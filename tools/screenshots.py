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


async def _until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


ONLY: set[str] = set()


def _wanted(path: Path) -> bool:
    return not ONLY or path.stem.rsplit("-", 1)[0] in ONLY or path.stem.rsplit("-", 2)[0] in ONLY


def _save(console, path: Path, *, screen: bool = False) -> None:
    if not _wanted(path):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if screen:
        from PySide6.QtGui import QGuiApplication

        frame = console.window.frameGeometry()  # the window and what floats over it (the lookup)
        picture = QGuiApplication.primaryScreen().grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    else:
        picture = console.window.grab()
    if not picture.save(str(path)):
        raise RuntimeError(f"could not save {path}")
    print(f"saved {path}")


def _other_desk(server_url: str):
    """operator2's client at another desk."""
    from app.refdata.loading import load_demo_refdata
    from app.sync.client import ServerClient

    client = ServerClient(server_url)
    client.login("operator2", load_demo_refdata().user("operator2").password, console_id="desk-2")
    return client


def _new_registered_case(server_url: str, refdata):
    """operator2 takes a call and registers it; the case's id."""
    import uuid

    from app.cases.workflow import new_command
    from app.platform.enums import Action

    client = _other_desk(server_url)
    try:
        grid = refdata.grids[3 % len(refdata.grids)]
        lat, lon = grid.centroid
        now = datetime.now(timezone.utc)
        case_id = uuid.uuid4()
        payload = {"source": "hotline", "category_code": refdata.categories[0].code,
                   "description": "井盖破损，车辆通行有危险 / broken manhole cover on the carriageway",
                   "reporter_phone": "13800138000", "location": {"lat": lat, "lon": lon, "address": "湖滨路 48 号"}}
        client.push([new_command(case_id, Action.CREATE, payload, now),
                     new_command(case_id, Action.REGISTER, {}, now)])
        return case_id
    finally:
        client.close()


def _dispatch_elsewhere(server_url: str, case_id, unit_id: str) -> None:
    from app.cases.workflow import new_command
    from app.platform.enums import Action

    client = _other_desk(server_url)
    try:
        client.push([new_command(case_id, Action.DISPATCH, {"unit_id": unit_id}, datetime.now(timezone.utc))])
    finally:
        client.close()


async def _conflict_scene(console, out: Path, suffix: str) -> None:
    """Cut off, the lead dispatches a case; meanwhile operator2 dispatches it elsewhere; back online, the
    server refuses the lead's dispatch and the console says so."""
    from app.cases.routing import rank_units
    from app.platform.enums import Action
    from app.sync.state import Connection

    ctx, engine, window = console.ctx, console.engine, console.window
    refdata = ctx.cache.refdata()
    case_id = await asyncio.to_thread(_new_registered_case, console.server_url, refdata)
    # registered, not only created: under load the two can reach the console in different feed pages
    await _until(lambda: getattr(ctx.cache.case(case_id), "status", None) == "registered", 30,
                 "operator2's registered case on the lead's console")
    case = ctx.cache.case(case_id)
    units = [u.unit_id for u in rank_units(refdata, case.category_code, case.location.grid_code,
                                           case.location.lat, case.location.lon)]
    mine, theirs = units[0], units[1] if len(units) > 1 else units[0]
    await engine.stop()  # the network goes away
    ctx.cache.issue(ctx.actor, Action.DISPATCH, case_id, {"unit_id": mine}, datetime.now(timezone.utc), offline=True)
    await asyncio.to_thread(_dispatch_elsewhere, console.server_url, case_id, theirs)
    engine.start()
    await _until(lambda: ctx.cache.outbox_size() == 0 and engine.state.connection == Connection.ONLINE, 60,
                 "the refused dispatch")
    await _until(lambda: window.conflict_banner.isVisible(), 30, "the conflict banner")
    conflicts = window.docks["conflictsDock"]
    conflicts.show()
    conflicts.raise_()
    await asyncio.sleep(1.5)
    conflicts.select_case(case_id)
    await asyncio.sleep(0.5)
    _save(console, out / f"conflict-{suffix}.png")
    lead_queue = window.docks.get("leadQueueDock")
    if lead_queue is not None:
        lead_queue.show()
        lead_queue.raise_()
        await asyncio.sleep(1.0)
        _save(console, out / f"lead-queue-{suffix}.png")
    window.conflict_banner.hide()
    window.docks["caseDetailDock"].raise_()
    window.lookup.start("湖滨路")
    await asyncio.sleep(1.5)
    _save(console, out / f"lookup-{suffix}.png", screen=True)
    window.lookup.hide()


def _draw_cover(path: Path, *, fixed: bool, gps=None) -> Path:
    """A street photo drawn for the shots (nothing is downloaded): a manhole cover on the road, broken in
    the report, replaced in the handled photo."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), (118, 118, 114))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1200, 7):  # asphalt grain
        draw.line([(i, 0), (i * 3 % 1200, 900)], fill=(110 + i % 9, 110 + i % 9, 107), width=1)
    draw.rectangle([0, 0, 1200, 180], fill=(176, 196, 214))  # kerb and pavement
    draw.rectangle([0, 170, 1200, 200], fill=(200, 200, 195))
    for x in range(60, 1200, 260):
        draw.rectangle([x, 700, x + 140, 730], fill=(236, 236, 228))  # lane marking
    if fixed:
        draw.ellipse([420, 330, 780, 600], fill=(58, 58, 60), outline=(30, 30, 30), width=8)
        for r in range(20, 170, 28):
            draw.ellipse([600 - r, 465 - r * 0.75, 600 + r, 465 + r * 0.75], outline=(80, 80, 82), width=5)
    else:
        draw.ellipse([420, 330, 780, 600], fill=(12, 12, 14))  # the open shaft
        draw.polygon([(430, 360), (560, 330), (520, 450)], fill=(70, 70, 72))  # broken pieces
        draw.polygon([(700, 560), (790, 470), (800, 590)], fill=(66, 66, 68))
        draw.polygon([(860, 600), (930, 380), (1000, 600)], fill=(235, 110, 20))  # a warning cone
        draw.rectangle([880, 470, 980, 500], fill=(245, 245, 245))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:12:06 08:12:00" if not fixed else "2026:12:06 15:40:00"
    if gps:
        def dms(v):
            d = int(v)
            m = int((v - d) * 60)
            return (float(d), float(m), round(((v - d) * 60 - m) * 60, 2))
        ifd = exif.get_ifd(0x8825)
        ifd[1], ifd[2], ifd[3], ifd[4] = "N", dms(gps[0]), "E", dms(gps[1])
    image.save(path, quality=88, exif=exif.tobytes())
    return path


async def _photo_scene(console, out: Path, suffix: str) -> None:
    """A case with the report photo (broken cover) and the handled photo (new cover): the strip in the case
    detail, then the viewer's before/after, as the lead sees them before closing."""
    ctx, window = console.ctx, console.window
    summaries = [s for s in ctx.cache.summaries() if str(s.status) in ("handled", "verifying", "in_progress")]
    if ctx.photos is None or not summaries:
        log.warning("no photo store or no case in handling: no photo shots")
        return
    case_id = summaries[0].id
    case = ctx.cache.case(case_id)
    folder = Path(tempfile.mkdtemp(prefix="onegrid-shot-photos-"))
    gps = (case.location.lat, case.location.lon)
    ctx.photos.add(case_id, "report", _draw_cover(folder / "report.jpg", fixed=False, gps=gps))
    ctx.photos.add(case_id, "handled", _draw_cover(folder / "handled.jpg", fixed=True, gps=gps))
    detail = window.docks["caseDetailDock"]
    detail.show()
    detail.raise_()
    ctx.select_case(case_id)
    strip = detail.photo_strip
    await _until(lambda: len(strip.buttons) == 2, 30, "the photo strip")
    await asyncio.sleep(1.5)
    _save(console, out / f"photos-strip-{suffix}.png")
    viewer = strip.open_compare()
    await _until(lambda: viewer.before_pane.view.has_image() and viewer.pane.view.has_image(), 30,
                 "the before/after viewer")
    viewer.resize(1300, 760)
    await asyncio.sleep(1.0)
    viewer.fit()
    await asyncio.sleep(0.5)
    path = out / f"before-after-{suffix}.png"
    if _wanted(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        viewer.grab().save(str(path))
        print(f"saved {path}")
    viewer.close()
    shutil.rmtree(folder, ignore_errors=True)


async def _vehicles_scene(console, out: Path, suffix: str) -> None:
    """The demo's vehicles and inspectors on the map (zoomed to one subdistrict, one of them clicked), then the
    wall view beside the console."""
    from app.wall.tiles import district_bounds

    window = console.window
    dock = window.docks["mapDock"]
    dock.raise_()
    fleet = dock.vehicles.fleet
    await _until(lambda: len(fleet.positions) >= 20, 60, "the demo's vehicles to report")
    await asyncio.sleep(12)  # a throttle period: they have moved once on the map
    code, _name, _en, bounds = district_bounds(console.ctx.refdata)[0]
    dock.send({"op": "fit", "bounds": bounds, "label": None})
    inside = [p for p in fleet.positions.values()
              if bounds[0][0] <= p["lat"] <= bounds[1][0] and bounds[0][1] <= p["lon"] <= bounds[1][1]]
    mid = ((bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2)
    inside.sort(key=lambda p: (not p.get("case_id"), abs(p["lat"] - mid[0]) + abs(p["lon"] - mid[1])))
    if inside:  # one near the middle, on its way to a case if any is
        dock.vehicles.show_details(inside[0]["device_id"])
    await asyncio.sleep(3.0)
    _save(console, out / f"vehicles-{suffix}.png")
    path = out / f"wall-{suffix}.png"
    if not _wanted(path):
        return
    wall = window.open_wall(full_screen=False)
    wall.resize(1500, 900)
    await _until(lambda: wall.map.is_ready and wall.refreshes >= 1, 60, "the wall view")
    await asyncio.sleep(4.0)
    if not wall.grab().save(str(path)):
        raise RuntimeError(f"could not save {path}")
    print(f"saved {path}")
    wall.close()


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
    if not ONLY or ONLY & MAP_SHOTS:
        await _map_scene(console, out, suffix)
    if not ONLY or ONLY & {"photos-strip", "before-after"}:
        await _photo_scene(console, out, suffix)
    if not ONLY or ONLY & {"vehicles", "wall"}:
        await _vehicles_scene(console, out, suffix)
    if not ONLY or "detections" in ONLY:  # the demo's cameras and drone fill the review queue
        dock = window.docks.get("detectionReviewDock")
        if dock is not None:
            await _until(lambda: dock.tree.topLevelItemCount() > 0, 90, "detections in the review queue")
            dock.show()
            dock.raise_()
            await asyncio.sleep(1.0)
            _save(console, out / f"detections-{suffix}.png")
            window.docks["caseDetailDock"].raise_()
    if ONLY and not ONLY - MAP_SHOTS - {"online", "photos-strip", "before-after", "vehicles", "wall", "detections"}:
        return
    if not ONLY or ONLY & {"conflict", "lead-queue", "lookup"}:
        await _conflict_scene(console, out, suffix)
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
