"""The scripts the map benchmark (rows 5 and 6 of bench/bench_console.py) runs in the map's page to time an
update there."""
from __future__ import annotations

# What an update costs in the page, measured in the page (bench/bench_console.py, row 6). The first
# `OneGrid.receive` after MAP_INSTRUMENT registers a requestAnimationFrame callback before the message is
# applied, so it runs first in the frame that draws the update (before Leaflet's canvas redraws); that
# callback posts a MessageChannel task, which runs once the frame's style, layout, paint and commit are done.
# So the page's work for the update is `receive` (parse and apply) + `frame` (that rAF callback until its
# task). MAP_PROBE, queued by a runJavaScript right after the push, reports them from a MessageChannel task
# of its own rAF callback. The probe often reaches the page only after the update's frame has begun (the
# frame's task goes first), and its rAF then waits for the next frame: its span from the update's rAF
# (`to_probe`, what `frame` was until the probe was found late) then holds an idle vsync interval and is
# reported apart, as is the wait for the update's frame to begin. Long tasks (>= 50 ms, the Long Tasks API)
# overlapping the update are reported too.
MAP_PROBE = """(function () {
  var t0 = performance.now(), start = OneGrid.__benchStart || t0;
  requestAnimationFrame(function () {
    var t1 = performance.now(), channel = new MessageChannel();
    channel.port1.onmessage = function () {
      var t2 = performance.now(), raf = OneGrid.__benchRaf || t1, drawn = OneGrid.__benchDrawn || t2;
      var longest = 0;
      (OneGrid.__benchLong || []).forEach(function (e) {
        if (e.end >= start && e.start <= t2) longest = Math.max(longest, e.ms);
      });
      OneGrid.post({type: "bench_drawn", tag: %s, stats: JSON.parse(OneGrid.stats()),
                    canvas: OneGrid.caseCanvas ? JSON.parse(OneGrid.caseCanvas()) : {},
                    receive_ms: OneGrid.__benchT || 0, frame_ms: drawn - raf, to_probe_ms: t2 - raf,
                    probe_late: !!OneGrid.__benchRaf && t0 > OneGrid.__benchRaf, wait_ms: Math.max(0, raf - start -
                    (OneGrid.__benchT || 0)), page_ms: t2 - start, raf_ms: t1 - t0,
                    redraw_ms: OneGrid.__benchRedraw || 0, longest_task_ms: longest});
    };
    channel.port2.postMessage(0);
  });
  return true;
})()"""
MAP_INSTRUMENT = """(function () {
  if (!OneGrid.__benchWrapped) {
    var original = OneGrid.receive;
    OneGrid.receive = function (m) {
      var t = performance.now();
      if (!OneGrid.__benchStart) {
        OneGrid.__benchStart = t;
        requestAnimationFrame(function () {
          OneGrid.__benchRaf = performance.now();
          var channel = new MessageChannel();  // a task after this frame's style, layout, paint and commit
          channel.port1.onmessage = function () { OneGrid.__benchDrawn = performance.now(); };
          channel.port2.postMessage(0);
        });
      }
      try { return original(m); } finally { OneGrid.__benchT = (OneGrid.__benchT || 0) + performance.now() - t; }
    };
    var renderer = OneGrid.caseRenderer, redraw = renderer && renderer._redraw;
    if (redraw) {  // the case canvas's own redraw, in the frame after the push
      renderer._redraw = function () {
        var t = performance.now();
        try { return redraw.apply(this, arguments); }
        finally { OneGrid.__benchRedraw = (OneGrid.__benchRedraw || 0) + performance.now() - t; }
      };
    }
    OneGrid.__benchLong = [];
    try {
      new PerformanceObserver(function (list) {
        list.getEntries().forEach(function (e) {
          OneGrid.__benchLong.push({start: e.startTime, end: e.startTime + e.duration, ms: e.duration});
        });
      }).observe({type: "longtask"});
    } catch (e) { /* no Long Tasks API: none reported */ }
    OneGrid.__benchWrapped = true;
  }
  OneGrid.__benchT = 0;
  OneGrid.__benchStart = 0;
  OneGrid.__benchRaf = 0;
  OneGrid.__benchDrawn = 0;
  OneGrid.__benchRedraw = 0;
  return true;
})()"""
