"""Console photo benchmarks (PySide6, offscreen), on the real PhotoStore in a temporary folder:

* the thumbnail strip of a case with 20 photos shown from the console's cache: `PhotoStrip.set_case` until
  the thumbnails are on screen (read off the GUI thread, pixmaps made on it), median of 15 selections;
* the GUI thread's longest stall while 500 photos are attached through the strip's attacher (each copied
  in by SHA-256, thumbnailed, queued for upload on the writer thread) and the strip reloads: a 5 ms timer
  on the GUI thread records the longest gap between its ticks.

Timings on a shared machine are noisy; the rows say so.
"""
from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.emit import emit  # noqa: E402
from bench.harness import log  # noqa: E402
from bench.result import Row  # noqa: E402

STEPS = ("report", "detection", "handled", "verify_pass", "verify_fail", "callback")


def picture(i: int, size=(1600, 1200)) -> bytes:
    """A camera-sized JPEG, different for each i (so each is its own file in the store)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, ((i * 37) % 255, (i * 91) % 255, (i * 53) % 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle([i % 400, 100, 400 + i % 400, 500], fill=(250, 250, 250))
    draw.text((50, 50), f"photo {i}", fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def wait(app, condition, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("timed out")
        app.processEvents()
        time.sleep(0.001)


def bench_strip(app, folder: Path) -> None:
    from app.photos.store import PhotoStore
    from ui.photos.strip import PhotoStrip

    store = PhotoStore(folder / "strip")
    cases = [SimpleNamespace(id=uuid.uuid4(), status="verifying") for _ in range(2)]
    files = folder / "files"
    files.mkdir()
    for c, case in enumerate(cases):
        for i in range(20):
            path = files / f"{c}-{i}.jpg"
            path.write_bytes(picture(c * 100 + i))
            store.add(case.id, STEPS[i % len(STEPS)], path)
    lookups = []
    for case in cases * 3:  # where the time goes: the store's thumbnail look-ups (each notes the use)
        t0 = time.perf_counter()
        for photo in store.photos_for_case(case.id):
            store.thumbnail_path(photo)
        lookups.append((time.perf_counter() - t0) * 1000)
    strip = PhotoStrip(store)
    strip.resize(1000, 160)
    strip.show()
    shown = []
    strip.shown.connect(shown.append)
    times = []
    for n in range(16):
        case = cases[n % 2]  # another case each time: nothing is reused from the last selection
        shown.clear()
        started = time.perf_counter()
        strip.set_case(case)
        wait(app, lambda: bool(shown))
        strip.repaint()
        if n:  # the first one warms the image readers
            times.append((time.perf_counter() - started) * 1000)
        assert len(strip.buttons) == 20
    store.close()
    emit(Row("photo strip: 20 thumbnails of a case shown from the cache", round(statistics.median(times), 2), "ms",
             100, note=f"median of {len(times)} selections (set_case → read off the GUI thread → 20 pixmaps "
                       f"→ repaint); max {max(times):.1f} ms; 1600x1200 JPEGs, 320 px thumbnails; of it, "
                       f"PhotoStore.thumbnail_path x20 alone: median {statistics.median(lookups):.0f} ms (each "
                       f"look-up commits its last-used time durably); shared machine, noisy"))


def bench_attach_500(app, folder: Path) -> None:
    from PySide6.QtCore import QTimer

    from app.photos.store import PhotoStore
    from ui.photos.strip import PhotoStrip

    store = PhotoStore(folder / "many")
    files = folder / "many-files"
    files.mkdir()
    paths = []
    for i in range(500):
        path = files / f"{i}.jpg"
        path.write_bytes(picture(1000 + i, size=(800, 600)))
        paths.append(path)
    # 25 cases of 20 photos (a step takes at most 20): the strip shows the first, the operator drops the
    # photos of each case in turn on it
    cases = [SimpleNamespace(id=uuid.uuid4(), status="in_progress") for _ in range(25)]
    strip = PhotoStrip(store)
    strip.show()
    strip.set_case(cases[0])
    wait(app, lambda: strip.attacher.running == 0)
    gaps, last = [], [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    started = time.perf_counter()
    for n, case in enumerate(cases):
        strip.attacher.attach(case.id, "handled", paths[n * 20:(n + 1) * 20])
    wait(app, lambda: strip.attacher.running == 0, 900)
    took = time.perf_counter() - started
    wait(app, lambda: len(strip.buttons) == 20, 60)  # the shown case's strip reloaded with its photos
    timer.stop()
    queued = store.pending_count()
    store.close()
    assert queued == 500, queued
    emit(Row("GUI thread's longest stall while 500 photos are attached and queued", round(max(gaps), 1), "ms", 50,
             note=f"5 ms timer on the GUI thread ({len(gaps)} ticks); 500 800x600 JPEGs on 25 cases added on the "
                  f"writer thread in {took:.1f} s (copy by SHA-256, thumbnail, upload queued), the shown case's "
                  f"strip reloaded; the upload drain itself is measured by bench_photos (sync); shared machine, "
                  f"noisy"))


def main() -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="onegrid-bench-photos-") as tmp:
        for bench in (bench_strip, bench_attach_500):
            log(f"running {bench.__name__}")
            folder = Path(tmp) / bench.__name__
            folder.mkdir()
            bench(app, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
