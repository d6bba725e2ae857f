"""The demo city's video AI and drone patrol: three street cameras and a drone flying a round of the city's
grids send detections (illegal parking, street stalls, spilled muck, rubbish, waterlogging) with a frame
drawn for each (a PNG), through the same ingest as `POST /api/detections` (`server.detections.ingest`).
So the review queue fills, some types open cases themselves, repeats join, and low-confidence ones are
ignored, as in a real centre. The detection reference tables are seeded from the demo city's file when
empty."""
from __future__ import annotations

import base64
import logging
import random
import struct
import threading
import uuid
import zlib
from datetime import timedelta

from sqlalchemy import select

from app.cases.workflow import new_command
from app.detections import review
from app.detections.commands import CONFIRM, DETECTION, REJECT
from app.platform.entity_commands import EntityCommand
from app.platform.enums import Action, Role
from app.wire.detections import DetectionIn
from db.feed import FeedRow
from server.cases.commands import apply_command
from server.detections import ingest, reference
from server.platform.auth import AuthUser
from server.platform.errors import ApiError

log = logging.getLogger(__name__)

_COLOURS = {"illegal_parking": (200, 40, 40), "street_stall": (230, 160, 30), "spilled_muck": (110, 80, 50),
            "exposed_rubbish": (60, 140, 60), "waterlogging": (60, 110, 200)}


def _png(width: int, height: int, pixels: bytearray) -> bytes:
    """RGB pixels as a PNG (zlib and struct: the server needs no imaging library for its demo)."""
    rows = b"".join(b"\x00" + bytes(pixels[y * width * 3:(y + 1) * width * 3]) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")


def draw_frame(kind: str, rng: random.Random, *, aerial: bool = False, width: int = 320, height: int = 200) -> bytes:
    """A frame as the camera saw it: the road (from above for the drone), the detected thing in the colour of
    its type, framed in red as an AI draws its box. PNG."""
    ground = (95, 120, 95) if aerial else (150, 170, 190)
    pixels = bytearray(bytes(ground) * (width * height))

    def box(x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]) -> None:
        x0, x1, y0, y1 = max(0, x0), min(width, x1), max(0, y0), min(height, y1)
        line = bytes(colour) * (x1 - x0)
        for y in range(y0, y1):
            pixels[(y * width + x0) * 3:(y * width + x1) * 3] = line

    if aerial:
        box(0, 80, width, 130, (80, 80, 85))
        box(140, 0, 180, height, (80, 80, 85))
    else:
        for y in range(90, height):  # the road widening towards the camera
            half = 40 + (y - 90) * 120 // (height - 90)
            box(width // 2 - half, y, width // 2 + half, y + 1, (80, 80, 85))
        box(width // 2 - 1, 95, width // 2 + 1, height, (230, 230, 230))
    x, y = rng.randrange(40, 240), rng.randrange(100, 150)
    w, h = rng.randrange(30, 60), rng.randrange(18, 36)
    box(x - 4, y - 4, x + w + 4, y + h + 4, (255, 40, 40))
    box(x - 2, y - 2, x + w + 2, y + h + 2, ground)
    box(x, y, x + w, y + h, _COLOURS.get(kind, (200, 200, 0)))
    box(0, 0, width, 12, (0, 0, 0))  # the camera's caption bar
    return _png(width, height, pixels)


# A colleague at another desk reviews the oldest waiting detection now and then (so the report's false-positive
# rates have figures); most wait for the human at the console. Of those reviewed, this share is rejected.
REVIEW_CHANCE = 0.3
REJECT_SHARE = 0.35


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
        if self.rng.random() < REVIEW_CHANCE:
            try:
                self.review_one()
            except Exception:
                log.exception("demo detection review failed")

    def _reviewer(self) -> AuthUser | None:
        pool = [u for u in self.ctx.refdata.users if u.role == Role.OPERATOR and u.username != "operator1"]
        if not pool:
            return None
        u = self.rng.choice(pool)
        return AuthUser(u.username, u.display_name, u.role, u.unit_id)

    def review_one(self) -> str | None:
        """The oldest waiting detection confirmed (its case opened first, as the console does) or rejected as
        a false positive, through the same commands as the review dock; returns the action taken."""
        user = self._reviewer()
        with self.ctx.db.reader() as session:
            rows = session.execute(select(FeedRow.data).where(FeedRow.kind == DETECTION)).scalars().all()
        waiting = review.waiting([d for d in rows if d])
        if user is None or not waiting:
            return None
        d, now = waiting[0], self.ctx.now()
        if self.rng.random() < REJECT_SHARE:
            action, payload = REJECT, {"reason": self.rng.choice(("false_positive", "not_a_problem"))}
        else:
            case_id = uuid.uuid4()
            created = apply_command(self.ctx.db.writer, user, new_command(
                case_id, Action.CREATE, review.case_payload(d), now, console_id="simulator"),
                self.ctx.refdata, self.ctx.now)
            if created.status != "accepted":
                log.info("demo detection case refused: %s", created.message)
                return None
            action, payload = CONFIRM, {"case_id": str(case_id)}
        [answer] = self.ctx.apply_entities(user, [EntityCommand(
            command_id=uuid.uuid4(), kind=DETECTION, entity_id=d["id"], action=action, payload=payload,
            issued_at=now, console_id="simulator")])
        if answer.status != "accepted":
            log.info("demo detection %s refused: %s", action, answer.message)
            return None
        return action

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
            frame = draw_frame(kind, self.rng, aerial=True)
            return DetectionIn(source="drone", camera_id="drone-nest-01", type=kind, confidence=confidence,
                               time=now - timedelta(seconds=2), lat=lat + self.rng.uniform(-3e-4, 3e-4),
                               lon=lon + self.rng.uniform(-3e-4, 3e-4),
                               frame=base64.b64encode(frame).decode())
        camera = self.rng.choice([c for c in ref.cameras if c.kind == "video_ai"])
        frame = draw_frame(kind, self.rng)
        return DetectionIn(source="video_ai", camera_id=camera.id, type=kind, confidence=confidence,
                           time=now - timedelta(seconds=1), frame=base64.b64encode(frame).decode())


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
