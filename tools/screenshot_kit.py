"""The screenshot tool's shot taking (`tools/screenshots.py`): which shots `--only` asked for (`ONLY`, filled
by the tool's main), saving the window (or the screen around it) to a PNG, and waiting on the console."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path


async def until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


ONLY: set[str] = set()


def wanted(path: Path) -> bool:
    return not ONLY or path.stem.rsplit("-", 1)[0] in ONLY or path.stem.rsplit("-", 2)[0] in ONLY


def save(console, path: Path, *, screen: bool = False) -> None:
    if not wanted(path):
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
