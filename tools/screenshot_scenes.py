"""The screenshot tool's scenes beyond the console at rest (`tools/screenshots.py`): a refused dispatch and
the conflicts it leaves (with another desk's client), a case's photos and the before/after viewer (the
photos drawn here, nothing downloaded), and the demo's vehicles on the map and the wall view."""
from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from screenshot_kit import save as _save
from screenshot_kit import until as _until
from screenshot_kit import wanted as _wanted

log = logging.getLogger("screenshots")


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


async def conflict_scene(console, out: Path, suffix: str) -> None:
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


def draw_cover(path: Path, *, fixed: bool, gps=None) -> Path:
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


async def photo_scene(console, out: Path, suffix: str) -> None:
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
    ctx.photos.add(case_id, "report", draw_cover(folder / "report.jpg", fixed=False, gps=gps))
    ctx.photos.add(case_id, "handled", draw_cover(folder / "handled.jpg", fixed=True, gps=gps))
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


async def vehicles_scene(console, out: Path, suffix: str) -> None:
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
