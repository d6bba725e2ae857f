"""The demo's photos, drawn (never downloaded): a street scene with the problem before, the same place
repaired after, and the inspector's check, each stamped with the case number and time like a
field-app photo. Every picture differs (the case's id seeds it), so the content-addressed store keeps
one file each."""
from __future__ import annotations

import io
import random
import uuid
from datetime import datetime

from PIL import Image, ImageDraw, ImageFilter

SIZE = (480, 360)


def _street(rng: random.Random) -> Image.Image:
    w, h = SIZE
    image = Image.new("RGB", SIZE, (150 + rng.randint(0, 40), 185 + rng.randint(0, 30), 220))
    d = ImageDraw.Draw(image)
    for x in range(0, w, rng.randint(50, 80)):  # buildings along the far side
        top = rng.randint(40, 140)
        shade = rng.randint(150, 210)
        d.rectangle((x, top, x + rng.randint(40, 75), h // 2), fill=(shade, shade - 10, shade - 25))
        for wy in range(top + 10, h // 2 - 10, 18):
            for wx in range(x + 6, x + 36, 14):
                d.rectangle((wx, wy, wx + 7, wy + 9), fill=(90, 110, 140))
    d.polygon([(0, h // 2), (w, h // 2), (w, h), (0, h)], fill=(95, 97, 100))  # the road
    d.polygon([(0, h // 2), (w, h // 2), (w, h // 2 + 14), (0, h // 2 + 14)], fill=(175, 175, 170))  # curb
    for x in range(20, w, 90):
        d.rectangle((x, int(h * 0.8), x + 45, int(h * 0.8) + 6), fill=(235, 235, 225))  # lane marks
    noise = Image.effect_noise(SIZE, 18).convert("RGB")
    return Image.blend(image, noise, 0.08)


def _stamp(image: Image.Image, lines: list[str]) -> None:
    d = ImageDraw.Draw(image)
    box_h = 14 * len(lines) + 8
    d.rectangle((0, SIZE[1] - box_h, SIZE[0], SIZE[1]), fill=(0, 0, 0))
    for i, text in enumerate(lines):
        d.text((8, SIZE[1] - box_h + 4 + 14 * i), text, fill=(255, 255, 255))


def picture(case_id: uuid.UUID, step: str, number: str | None, at: datetime) -> bytes:
    """A JPEG of the case's place at a step: `report` (the problem), `handled` (repaired),
    `verify_pass` / `verify_fail` (the inspector's look)."""
    rng = random.Random(case_id.int)  # the same place in each of the case's photos
    image = _street(rng)
    d = ImageDraw.Draw(image)
    cx, cy = rng.randint(140, 340), rng.randint(230, 280)
    broken = step in ("report", "verify_fail", "detection")
    if broken:
        d.ellipse((cx - 48, cy - 20, cx + 48, cy + 20), fill=(25, 22, 20))  # the hole
        for _ in range(7):
            a, b = rng.randint(-60, 60), rng.randint(-25, 25)
            d.line((cx, cy, cx + a, cy + b), fill=(45, 42, 40), width=2)  # cracks
        d.ellipse((cx - 58, cy - 28, cx + 58, cy + 28), outline=(230, 40, 40), width=4)  # marked by the reporter
    else:
        d.ellipse((cx - 40, cy - 16, cx + 40, cy + 16), fill=(70, 72, 76), outline=(120, 120, 118), width=3)
        for k in range(-30, 31, 10):  # the new cover's grid
            d.line((cx + k, cy - 12, cx + k, cy + 12), fill=(95, 95, 98), width=1)
        if step == "handled":
            for x in (cx - 75, cx + 65):  # cones left by the crew
                d.polygon([(x, cy + 10), (x + 10, cy - 30), (x + 20, cy + 10)], fill=(245, 120, 20))
        else:
            d.rectangle((cx - 62, cy - 32, cx + 62, cy + 32), outline=(40, 200, 80), width=4)  # checked
    image = image.filter(ImageFilter.SMOOTH)
    label = {"report": "REPORT", "handled": "HANDLED", "verify_pass": "VERIFIED OK", "verify_fail": "VERIFY FAILED",
             "detection": "DETECTION", "callback": "CALLBACK"}.get(step, step.upper())
    _stamp(image, [f"OneGrid  {number or str(case_id)[:8]}  {label}", at.strftime("%Y-%m-%d %H:%M UTC")])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=78)
    return out.getvalue()
