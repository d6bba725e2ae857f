"""The demo city's video AI and drone patrol: three street cameras and a drone flying a round of the city's
grids send detections (illegal parking, street stalls, spilled muck, rubbish, waterlogging) with a frame
drawn for each (Pillow), through the same ingest as `POST /api/detections` (`server.detections.ingest`).
So the review queue fills, some types open cases themselves, repeats join, and low-confidence ones are
ignored, as in a real centre. The detection reference tables are seeded from the demo city's file when
empty."""
from __future__ import annotations

import base64
import io
import logging
import random
import threading
from datetime import timedelta

from app.wire.detections import DetectionIn
from server.detections import ingest, reference
from server.platform.errors import ApiError

log = logging.getLogger(__name__)

_COLOURS = {"illegal_parking": (200, 40, 40), "street_stall": (230, 160, 30), "spilled_muck": (110, 80, 50),
            "exposed_rubbish": (60, 140, 60), "waterlogging": (60, 110, 200)}


def draw_frame(camera: str, kind: str, when: str, rng: random.Random, *, aerial: bool = False) -> bytes:
    """A 320 × 200 JPEG: a road, the detected thing in its box, the camera and time stamped on it."""
    try:
        from PIL import Image, ImageDraw
    except ImportError:  # a server installed without the console's extras: detections go without frames
        return b""
    image = Image.new("RGB", (320, 200), (95, 120, 95) if aerial else (150, 170, 190))
    draw = ImageDraw.Draw(image)
    if aerial:
        draw.rectangle((0, 80, 320, 130), fill=(80, 80, 85))
        draw.rectangle((140, 0, 180, 200), fill=(80, 80, 85))
    else:
        draw.polygon([(0, 200), (120, 90), (200, 90), (320, 200)], fill=(80, 80, 85))
        draw.line([(160, 95), (160, 200)], fill=(230, 230, 230), width=2)
    x, y = rng.randrange(40, 240), rng.randrange(100, 150)
    w, h = rng.randrange(30, 60), rng.randrange(18, 36)
    draw.rectangle((x, y, x + w, y + h), fill=_COLOURS.get(kind, (200, 200, 0)))
    draw.rectangle((x - 4, y - 4, x + w + 4, y + h + 4), outline=(255, 40, 40), width=2)
    draw.text((x - 4, y - 16), kind, fill=(255, 255, 255))
    draw.rectangle((0, 0, 320, 14), fill=(0, 0, 0))
    draw.text((4, 2), f"{camera}  {when[:19]}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


class DetectionSimulator:
    def __init__(self, ctx, *, every_s: float = 25.0, seed: int | None = None):
        self.ctx = ctx
        self.every_s = every_s
        self.rng = random.Random(seed)
        self.sent = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._leg = 0

    def start(self) -> None:
        with self.ctx.db.writer() as session, session.begin():
            if reference.seed_if_empty(session, reference.demo_reference()):
                log.info("detection reference tables seeded from the demo city")
        self._thread = threading.Thread(target=self._run, name="detection-simulator", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        for _ in range(4):  # a few at start, so the queue is not empty when the console opens
            self.tick()
        while not self._stop.wait(self.every_s * self.rng.uniform(0.5, 1.5)):
            self.tick()

    def tick(self) -> None:
        try:
            body = self._next()
            ingest.receive(self.ctx, body)
            self.sent += 1
        except ApiError as exc:
            log.info("demo detection refused: %s %s", exc.error, exc.message)
        except Exception:
            log.exception("demo detection failed")

    def _next(self) -> DetectionIn:
        ref = reference.demo_reference()
        kinds = [t.code for t in ref.types]
        now = self.ctx.now()
        kind = self.rng.choice(kinds)
        confidence = round(self.rng.uniform(0.45, 0.98), 2)
        if self.rng.random() < 0.3:  # the drone's round over the grids' centres
            grids = self.ctx.refdata.grids
            self._leg = (self._leg + 1) % len(grids)
            lat, lon = grids[self._leg].centroid
            frame = draw_frame("drone-nest-01", kind, now.isoformat(), self.rng, aerial=True)
            return DetectionIn(source="drone", camera_id="drone-nest-01", type=kind, confidence=confidence,
                               time=now - timedelta(seconds=2), lat=lat + self.rng.uniform(-3e-4, 3e-4),
                               lon=lon + self.rng.uniform(-3e-4, 3e-4),
                               frame=base64.b64encode(frame).decode() if frame else None)
        camera = self.rng.choice([c for c in ref.cameras if c.kind == "video_ai"])
        frame = draw_frame(camera.id, kind, now.isoformat(), self.rng)
        return DetectionIn(source="video_ai", camera_id=camera.id, type=kind, confidence=confidence,
                           time=now - timedelta(seconds=1), frame=base64.b64encode(frame).decode() if frame else None)


def detection_demo_hooks(**kwargs):
    """(on_startup, on_shutdown) lifespan hooks running the demo's cameras and drone inside a server app."""
    holder: dict[str, DetectionSimulator] = {}

    def start(ctx) -> None:
        sim = DetectionSimulator(ctx, **kwargs)
        holder["sim"] = sim
        sim.start()

    def stop(_ctx) -> None:
        if "sim" in holder:
            holder.pop("sim").stop()

    return [start], [stop]
