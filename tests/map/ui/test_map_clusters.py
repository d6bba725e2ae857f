"""The case clusters at city zoom and what a sync costs there (resources/map/clusters.js, bridge.js), and the
page built off the GUI thread (ui/map/dock.py): clusters at a half zoom step below the threshold, lone cases
on a canvas of their own (a restyle never redraws the grids and streets), cluster counts that follow every
kind of change, including changes made while the clusters were off the map."""
from __future__ import annotations

import json
import random
import re
import threading
from datetime import timedelta

import pytest

from app.cache.models import ChangeSet
from app.platform.enums import Status
from tests.map.ui import test_map as base
from tests.map.ui.test_map import (
    CLUSTER_ICONS,
    js,
    make_summary,
    map_ctx,
    marker,
    open_map,
    stats,
    street_zoom,
)

pytestmark = [pytest.mark.qt, pytest.mark.qt_log_ignore(*base.NO_GPU_NOISE)]
small_hub, closing = base.small_hub, base.closing

# Counts every redraw of the map's shared canvas (the grids, streets and unit areas are drawn on it).
COUNT_SHARED_REDRAWS = """(function () {
  var r = OneGrid.map._renderer;
  if (!r.__counted) {
    var redraw = r._redraw;
    r.__redraws = 0;
    r._redraw = function () { r.__redraws++; return redraw.apply(this, arguments); };
    r.__counted = true;
  }
  return r.__redraws;
})()"""


# The cases standing alone outside any cluster (circle markers of the cluster group): id -> fill drawn.
LONE_CASES = """(function () {
  var out = {};
  OneGrid.map.eachLayer(function (l) {
    if (l instanceof L.CircleMarker && l.og && l.og.s && l.options.renderer !== OneGrid.caseRenderer &&
        !l.getAllChildMarkers) out[l.og.id] = l.options.fillColor;
  });
  return JSON.stringify(out);
})()"""


def clusters(qtbot, dock) -> dict:
    return json.loads(js(qtbot, dock, "OneGrid.clusters()"))


def assert_icons_count_their_cases(qtbot, dock, total: int) -> None:
    icons = json.loads(js(qtbot, dock, CLUSTER_ICONS))
    assert icons
    for icon in icons:  # every icon shows its cases' statuses as they are now
        shown = sorted(int(n) for n in re.findall(r": (\d+)", icon["tip"]))
        assert shown == sorted(icon["counts"].values()), icon
    c = clusters(qtbot, dock)
    assert c["members"] == total and c["total_shown"] == total


def change(ctx, ids, **fields) -> None:
    rows = ctx.cache.rows
    for case_id in ids:
        rows[case_id] = rows[case_id]._replace(**fields)


def test_half_a_zoom_step_below_the_threshold_still_clusters(qtbot, refdata, small_hub, closing):
    """The map zooms in half steps; Leaflet.markercluster rounds 14.5 to 15, which used to show every case
    on its own there while the page had hidden the case layer for the clusters."""
    ctx = map_ctx(refdata, 2000)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    street_zoom(qtbot, dock, 14.5)
    c = clusters(qtbot, dock)
    assert c["on"] and not c["cases_layer"]
    assert c["clusters"] and c["shown"] < 2000 / 4, c["shown"]  # clusters, not 2,000 single markers
    street_zoom(qtbot, dock, 15)
    c = clusters(qtbot, dock)
    assert not c["on"] and c["cases_layer"]


def test_a_lone_case_restyled_at_city_zoom_leaves_the_shared_canvas_alone(qtbot, refdata, small_hub, closing):
    """A few cases spread over the district stand alone outside any cluster. Restyling them redraws their own
    canvas only: on the map's shared canvas every grid and street under them was drawn again each time."""
    ctx = map_ctx(refdata, 40)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    street_zoom(qtbot, dock, 14)
    lone = json.loads(js(qtbot, dock, LONE_CASES))
    assert lone, "no case stands alone at this zoom"
    qtbot.wait(300)  # the first push's frames are drawn
    before = js(qtbot, dock, COUNT_SHARED_REDRAWS)
    rows = ctx.cache.rows
    ids = [i for i in rows if str(i) in lone]
    for case_id in ids:
        old = rows[case_id]
        rows[case_id] = old._replace(status=Status.REPORTED if old.status != Status.REPORTED else Status.HANDLED)
    ctx.signals.cases_changed.emit(ChangeSet(updated=frozenset(ids)))
    qtbot.waitUntil(lambda: all(marker(qtbot, dock, i)["status"] == rows[i].status.value for i in ids),
                    timeout=10_000)
    qtbot.wait(300)  # the frames after the update
    assert js(qtbot, dock, COUNT_SHARED_REDRAWS) == before
    drawn = json.loads(js(qtbot, dock, LONE_CASES))
    for case_id in ids:
        if str(case_id) in drawn:
            assert drawn[str(case_id)] == marker(qtbot, dock, case_id)["fill"]


def test_cluster_counts_follow_adds_moves_removals_and_changes_made_while_zoomed_in(
        qtbot, refdata, small_hub, closing):
    """The clusters keep their cases' counts by status from one sync to the next (summed from their child
    clusters, dropped where a case changed): after restyles, new cases, moved cases, removed cases, and
    changes the clusters only stored while the map was zoomed in, every icon counts what it holds."""
    ctx = map_ctx(refdata, 1500)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    street_zoom(qtbot, dock, 13)
    rows = ctx.cache.rows
    total = len(rows)
    assert_icons_count_their_cases(qtbot, dock, total)
    ids = list(rows)
    rnd = random.Random(7)

    def sync(added=(), updated=(), removed=()):
        ctx.signals.cases_changed.emit(ChangeSet(added=frozenset(added), updated=frozenset(updated),
                                                 removed=frozenset(removed)))
        qtbot.waitUntil(lambda: all((marker(qtbot, dock, i) or {}).get("status") == rows[i].status.value
                                    for i in list(updated)[:20] + list(added)[:20]), timeout=10_000)
        qtbot.waitUntil(lambda: stats(qtbot, dock)["cases"] == len(rows), timeout=10_000)

    restyled = ids[:200:2]
    change(ctx, restyled, status=Status.HANDLED)
    sync(updated=restyled)
    assert_icons_count_their_cases(qtbot, dock, total)

    new = [make_summary(refdata, rnd, 50_000 + k, Status.REPORTED, timedelta(minutes=30)) for k in range(60)]
    rows.update({s.id: s for s in new})
    moved = ids[300:340]
    for case_id in moved:
        old = rows[case_id]
        rows[case_id] = old._replace(lat=old.lat + 0.004, lon=old.lon - 0.004, status=Status.VERIFYING)
    gone = ids[400:450]
    for case_id in gone:
        del rows[case_id]
    total = len(rows)
    sync(added=[s.id for s in new], updated=moved, removed=gone)
    assert_icons_count_their_cases(qtbot, dock, total)

    street_zoom(qtbot, dock, 16)  # the clusters leave the map; they only store what changes meanwhile
    later = ids[600:700]
    change(ctx, later, status=Status.RETURNED)
    more_gone = ids[700:720]
    for case_id in more_gone:
        del rows[case_id]
    total = len(rows)
    sync(updated=later, removed=more_gone)
    street_zoom(qtbot, dock, 13)
    assert_icons_count_their_cases(qtbot, dock, total)
    assert any(Status.RETURNED.value in icon["counts"] for icon in json.loads(js(qtbot, dock, CLUSTER_ICONS)))


def test_the_page_is_built_off_the_gui_thread(qtbot, refdata, small_hub, closing, monkeypatch):
    """Building the page turns the reference data into JSON; the dock does it on a worker thread, so a
    console's first frame never waits for it."""
    import ui.map.dock as dock_module

    threads = []
    build = dock_module.build_page_html

    def recording(*args, **kwargs):
        threads.append(threading.current_thread())
        return build(*args, **kwargs)

    monkeypatch.setattr(dock_module, "build_page_html", recording)
    ctx = map_ctx(refdata, 50)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    assert threads and threading.main_thread() not in threads
    assert stats(qtbot, dock)["cases"] == 50  # and the page works


def test_partial_redraws_through_moves_selection_additions_and_removals_match_a_full_one(
        qtbot, refdata, small_hub, closing):
    """At street zoom the case canvas redraws only the changed markers' rectangles. After moves, a selection
    (the marker grows and comes to the front), new and removed cases, one after another, it shows what a full
    redraw does."""
    ctx = map_ctx(refdata, 2000)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    street_zoom(qtbot, dock)
    qtbot.wait(200)
    rows = ctx.cache.rows
    ids = list(rows)
    rnd = random.Random(11)

    def partial_after(emit) -> None:
        before = json.loads(js(qtbot, dock, "OneGrid.caseCanvas()"))
        emit()
        qtbot.waitUntil(lambda: json.loads(js(qtbot, dock, "OneGrid.caseCanvas()"))["partial"] > before["partial"],
                        timeout=10_000)
        qtbot.wait(100)
        after = json.loads(js(qtbot, dock, "OneGrid.caseCanvas()"))
        assert after["full"] == before["full"]  # each change drawn in part, never whole

    moved = ids[:400:10]
    for case_id in moved:
        old = rows[case_id]
        rows[case_id] = old._replace(lat=old.lat + 0.0003, lon=old.lon + 0.0003, status=Status.IN_PROGRESS)
    partial_after(lambda: ctx.signals.cases_changed.emit(ChangeSet(updated=frozenset(moved))))
    # selected where it is (a selection from the console also pans, which redraws everything)
    partial_after(lambda: js(qtbot, dock, f"OneGrid.receive({json.dumps({'op': 'select', 'id': str(moved[3]), 'pan': False})})"))
    new = [make_summary(refdata, rnd, 60_000 + k, Status.REPORTED, timedelta(minutes=30)) for k in range(20)]
    rows.update({s.id: s for s in new})
    gone = ids[1000:1020]
    for case_id in gone:
        del rows[case_id]
    partial_after(lambda: ctx.signals.cases_changed.emit(
        ChangeSet(added=frozenset(s.id for s in new), removed=frozenset(gone))))
    restyled = ids[500:700:4]
    change(ctx, restyled, status=Status.HANDLED)
    partial_after(lambda: ctx.signals.cases_changed.emit(ChangeSet(updated=frozenset(restyled))))
    assert stats(qtbot, dock)["cases"] == len(rows)
    moved_px = json.loads(js(qtbot, dock, "OneGrid.redrawCases()"))
    assert moved_px["max"] < 100, moved_px


# Each case cluster icon on the map against one built afresh from its cases: what differs (ring, tooltip, count).
ICONS_AS_BUILT_AFRESH = """(function () {
  var shown = 0, differ = [];
  OneGrid.map.eachLayer(function (l) {
    if (!l.getAllChildMarkers || !l._icon || !l._icon.classList.contains("og-cluster")) return;
    shown++;
    var fresh = document.createElement("div");
    fresh.innerHTML = l._group.options.iconCreateFunction(l).options.html;
    var a = l._icon.firstChild, b = fresh.firstChild;
    if (a.style.background !== b.style.background || a.title !== b.title || a.textContent !== b.textContent) {
      differ.push({shown: [a.style.background, a.title, a.textContent], fresh: [b.style.background, b.title,
                                                                                  b.textContent]});
    }
  });
  return JSON.stringify({shown: shown, differ: differ});
})()"""


def test_a_status_only_sync_moves_each_count_instead_of_counting_the_clusters_again(
        qtbot, refdata, small_hub, closing):
    """A sync that only changes statuses moves one case from its old status to its new one in each sum above
    it: no cluster counts its cases again (each changed top cluster counted every case below it), and every
    icon still shows what one built afresh shows, through several syncs, flipping cases back and forth."""
    ctx = map_ctx(refdata, 1500)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    street_zoom(qtbot, dock, 14)  # clusters of clusters: the sums climb two levels
    qtbot.wait(200)
    rows = ctx.cache.rows
    total = len(rows)
    ids = list(rows)
    before = js(qtbot, dock, "OneGrid.clusterRecounts")
    assert isinstance(before, (int, float)) and before > 0  # the first push counted them
    for k, status in enumerate((Status.HANDLED, Status.RETURNED, Status.HANDLED)):
        chosen = ids[k * 7::15][:100]
        change(ctx, chosen, status=status)
        ctx.signals.cases_changed.emit(ChangeSet(updated=frozenset(chosen)))
        qtbot.waitUntil(lambda: all(marker(qtbot, dock, i)["status"] == rows[i].status.value for i in chosen),
                        timeout=10_000)
        qtbot.wait(100)
        assert js(qtbot, dock, "OneGrid.clusterRecounts") == before
        assert_icons_count_their_cases(qtbot, dock, total)
        icons = json.loads(js(qtbot, dock, ICONS_AS_BUILT_AFRESH))
        assert icons["shown"] >= 5 and icons["differ"] == [], icons


# The case layer's canvas and the clusters' lone-case canvas against the map's size.
CASE_CANVASES = """(function () {
  var size = OneGrid.map.getSize(), out = [];
  document.querySelectorAll(".leaflet-overlay-pane canvas").forEach(function (c) {
    if (c !== OneGrid.map._renderer._container) out.push([c.width / size.x, c.height / size.y]);
  });
  return JSON.stringify(out);
})()"""


def test_the_case_canvases_reach_a_tenth_of_the_view_past_each_side(qtbot, refdata, small_hub, closing):
    """Without a GPU, each frame that changes a canvas hands all of its bitmap to the compositor: the case
    canvases reach 10 % past the view on each side (1.2 x 1.2 views), not 30 % (1.6 x 1.6, 78 % more pixels
    for every sync), and still show every marker after a pan within that reach and past it."""
    ctx = map_ctx(refdata, 2000)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    street_zoom(qtbot, dock, 13)  # the clusters' canvas is made
    street_zoom(qtbot, dock, 16)  # the case layer's canvas shows
    qtbot.wait(200)
    canvases = json.loads(js(qtbot, dock, CASE_CANVASES))
    assert len(canvases) == 2, canvases
    for width, height in canvases:
        assert 1.15 < width < 1.25 and 1.15 < height < 1.3, canvases
    for dx in (80, 600):
        js(qtbot, dock, f"OneGrid.map.panBy([{dx}, 0], {{animate: false}}); true")
        qtbot.wait(300)
        moved = json.loads(js(qtbot, dock, "OneGrid.redrawCases()"))  # it shows what a full redraw does
        assert moved["max"] < 100 and moved["off"] == 0, moved


def test_a_sync_that_removes_and_restyles_reaches_the_page_as_one_message(qtbot, refdata, small_hub, closing):
    """Cases gone from the cache and cases restyled in the same sync go to the page in one `cases` message
    (removals first): each message refreshes every changed cluster icon on the map, and a sync's removals
    used to go in a message of their own."""
    ctx = map_ctx(refdata, 600)
    dock = open_map(qtbot, ctx, small_hub)
    closing(dock)
    street_zoom(qtbot, dock, 14)
    rows = ctx.cache.rows
    ids = list(rows)
    restyled, gone = [i for i in ids[:80] if rows[i].status != Status.HANDLED][:40], ids[300:320]
    change(ctx, restyled, status=Status.HANDLED)
    for case_id in gone:
        del rows[case_id]
    sent, send = [], dock.send
    dock.send = lambda message, callback=None: (sent.append(message), send(message, callback))
    ctx.signals.cases_changed.emit(ChangeSet(updated=frozenset(restyled + gone)))
    qtbot.waitUntil(lambda: stats(qtbot, dock)["cases"] == len(rows), timeout=10_000)
    qtbot.waitUntil(lambda: all(marker(qtbot, dock, i)["status"] == Status.HANDLED.value for i in restyled),
                    timeout=10_000)
    cases = [m for m in sent if m["op"] == "cases"]
    assert len(cases) == 1, [(len(m["upsert"]), len(m["remove"])) for m in cases]
    assert sorted(cases[0]["remove"]) == sorted(str(i) for i in gone)
    assert sorted(m["id"] for m in cases[0]["upsert"]) == sorted(str(i) for i in restyled)
    assert all(marker(qtbot, dock, i) is None for i in gone)
    assert_icons_count_their_cases(qtbot, dock, len(rows))
