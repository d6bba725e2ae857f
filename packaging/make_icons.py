"""Render the application icon (resources/icons/onegrid.svg) to the files the desktops want:

    python packaging/make_icons.py OUT_DIR
    OUT_DIR/hicolor/<n>x<n>/apps/onegrid.png   n = 16 24 32 48 64 128 256 512 (freedesktop icon theme)
    OUT_DIR/onegrid.ico                        16…256 px in one file (Windows: the .exe and the installer)

Generated at build time (``packaging/onegrid.spec`` runs this into the build folder), not committed: the
SVG is the one source, so a changed logo cannot leave stale PNGs behind. Rendered with Qt's
QSvgRenderer (the same renderer the console uses for the window icon); the .ico is written by Pillow
(the ``package`` extra), from the 256 px rendering, with the small sizes rendered separately so they
stay sharp rather than being downscaled.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "onegrid.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render_png(svg: Path, size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SystemExit(f"make_icons: could not encode the {size} px PNG")
    buffer.close()
    return bytes(data)


def write_ico(pngs: dict[int, bytes], path: Path) -> None:
    from PIL import Image

    images = {size: Image.open(io.BytesIO(pngs[size])).convert("RGBA") for size in ICO_SIZES}
    largest = images[max(ICO_SIZES)]
    # Pillow writes one entry per size; giving it our own renderings of each keeps 16/24/32 crisp.
    largest.save(path, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                 append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])


def make_icons(out: Path, svg: Path = SVG) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 - QPainter needs it
    written = []
    pngs = {size: render_png(svg, size) for size in PNG_SIZES}
    for size, data in pngs.items():
        path = out / "hicolor" / f"{size}x{size}" / "apps" / "onegrid.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    ico = out / "onegrid.ico"
    write_ico(pngs, ico)
    written.append(ico)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--svg", type=Path, default=SVG)
    args = parser.parse_args(argv)
    for path in make_icons(args.out, args.svg):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
