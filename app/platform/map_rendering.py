"""How the console's web views (the map, the wall view) are drawn: by the graphics card, or by the processor
(Qt Quick's software scene graph). Decided once, before the Qt application exists; the setting is
`ConsoleSettings.map_rendering`.

Why it matters: QtWebEngine runs Chromium's GPU service as a thread of the console's own process. Asked
for OpenGL where there is no graphics card, it still loads Mesa's software OpenGL (llvmpipe, with
LLVM: ~50 MB of the console's resident memory) only to fall back to software drawing. With the software
scene graph it never loads them: measured with 100,000 cached cases, 374 → 312 MB once settled
(docs/console_memory.md). Where there is a graphics card, it draws the map's canvas and composites the
page, so `auto` keeps it.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MapRendering = Literal["auto", "gpu", "software"]

# Qt platforms with no screen to draw on: their OpenGL, if any, is Mesa's software one
_HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "vnc", "vkkhrdisplay"})


@dataclass(frozen=True)
class RenderingChoice:
    software: bool
    reason: str  # for the log: why this console draws its web views the way it does


def choose_rendering(setting: str, *, env: Mapping[str, str] | None = None, platform: str | None = None,
                     dev: Path = Path("/dev")) -> RenderingChoice:
    """`gpu` and `software` are taken as they are; `auto` draws in software where no graphics card can
    draw (a headless Qt platform, LIBGL_ALWAYS_SOFTWARE, or a Linux machine without a GPU device node),
    and with the graphics card everywhere else (Windows and macOS always have a driver that draws)."""
    if setting == "software":
        return RenderingChoice(True, "the setting says software")
    if setting == "gpu":
        return RenderingChoice(False, "the setting says GPU")
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    qpa = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()
    if qpa in _HEADLESS_PLATFORMS:
        return RenderingChoice(True, f"automatic: the Qt platform {qpa!r} has no screen")
    if env.get("LIBGL_ALWAYS_SOFTWARE", "").strip() not in ("", "0", "false"):
        return RenderingChoice(True, "automatic: LIBGL_ALWAYS_SOFTWARE is set")
    if platform.startswith("linux") and not has_gpu_device(dev):
        return RenderingChoice(True, f"automatic: no GPU device in {dev} (dri/renderD*, nvidia*)")
    return RenderingChoice(False, "automatic: a graphics card is present")


def has_gpu_device(dev: Path = Path("/dev")) -> bool:
    """A DRM render node (Intel, AMD, nouveau, virtio-gpu, NVIDIA with its DRM module) or NVIDIA's own
    device node: some graphics driver can draw. Neither: OpenGL would be Mesa's llvmpipe."""
    try:
        return any((dev / "dri").glob("renderD*")) or any(dev.glob("nvidia[0-9]*"))
    except OSError:
        return True  # cannot tell: keep Qt's own default
