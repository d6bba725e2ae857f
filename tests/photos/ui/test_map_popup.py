"""Photos on the map: selecting a case opens a popup on its marker with its thumbnails, served through the
console's own URL scheme from the photo cache; the page makes no network request, and a URL naming a photo
under another case gets nothing."""
from __future__ import annotations

import json
import uuid

import pytest

from app.platform.enums import Status
from tests.map.ui.test_map import (  # noqa: F401
    LOAD_TIMEOUT_MS,
    NO_GPU_NOISE,
    closing,
    js,
    marker,
    small_hub,
)
from ui.map.dock import MapDock
from ui.map.interceptor import map_interceptor
from ui.photos.map_photos import parse_path, photo_url, popup_message, thumbnail_bytes

pytestmark = [pytest.mark.qt, pytest.mark.qt_log_ignore(*NO_GPU_NOISE)]

POPUP = """(function () {
  var imgs = Array.prototype.slice.call(document.querySelectorAll('.og-photo-popup img'));
  return JSON.stringify(imgs.map(function (i) { return {src: i.getAttribute('src'), w: i.naturalWidth,
                                                        done: i.complete}; }));
})()"""


def test_selecting_a_case_shows_its_thumbnails_in_a_popup_from_the_local_cache(
        qtbot, make_ctx, cases, photo_store, photo_files, small_hub, closing):  # noqa: F811
    ctx = make_ctx()
    ctx.photos = photo_store
    case_id = cases.make(Status.HANDLED)
    before = photo_store.add(case_id, "report", photo_files("before.jpg"))
    after = photo_store.add(case_id, "handled", photo_files("after.jpg", colour="#00a000"))
    dock = MapDock(ctx, hub=small_hub)
    qtbot.addWidget(dock)
    closing(dock)
    dock.resize(900, 600)
    dock.show()
    qtbot.waitUntil(lambda: dock.is_ready, timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: marker(qtbot, dock, case_id) is not None, timeout=10_000)
    map_interceptor().clear()
    ctx.select_case(case_id)

    def loaded():
        imgs = json.loads(js(qtbot, dock, POPUP))
        return len(imgs) == 2 and all(i["done"] and i["w"] > 0 for i in imgs)

    qtbot.waitUntil(loaded, timeout=10_000)
    srcs = [i["src"] for i in json.loads(js(qtbot, dock, POPUP))]
    assert srcs == [photo_url(before), photo_url(after)]
    assert map_interceptor().external() == []


def test_a_photo_url_serves_only_a_photo_of_the_case_it_names(cases, photo_store, photo_files):
    first, second = cases.make(Status.REPORTED), cases.make(Status.REPORTED)
    photo = photo_store.add(first, "report", photo_files("a.jpg"))
    good = f"/{first}/{photo.sha256}.jpg"
    assert thumbnail_bytes(photo_store, good)[:3] == b"\xff\xd8\xff"
    assert thumbnail_bytes(photo_store, f"/{second}/{photo.sha256}.jpg") is None  # another case's URL
    assert thumbnail_bytes(photo_store, f"/{first}/{'0' * 64}.jpg") is None
    for bad in (f"/{first}/../{photo.sha256}.jpg", f"/{first}/{photo.sha256}.png", "/x/y.jpg", ""):
        assert parse_path(bad) is None and thumbnail_bytes(photo_store, bad) is None
    assert thumbnail_bytes(None, good) is None


def test_the_popup_lists_pictures_report_first_and_at_most_six(cases, photo_store, photo_files):
    case_id = cases.make(Status.VERIFYING)
    for i in range(4):
        photo_store.add(case_id, "handled", photo_files(f"h{i}.jpg", colour=f"#00{i}0{i}0"))
    for i in range(4):
        photo_store.add(case_id, "report", photo_files(f"r{i}.jpg", colour=f"#{i}0{i}000"))
    message = popup_message(photo_store, case_id)
    assert message["total"] == 8 and len(message["thumbs"]) == 6
    assert [t["step"] for t in message["thumbs"]] == ["report"] * 4 + ["handled"] * 2
    assert popup_message(photo_store, uuid.uuid4())["thumbs"] == []
