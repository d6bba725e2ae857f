"""Pack the built bundle with its desktop integration into dist/onegrid-<version>-linux-x86_64.tar.gz:

    python packaging/linux/make_tarball.py [--bundle dist/onegrid] [--icons build/pyinstaller/onegrid/icons]
                                           [--out dist]

    onegrid-<version>/
      onegrid/                                   the PyInstaller one-folder bundle (run onegrid/onegrid),
                                                 with LICENSE and THIRD_PARTY_NOTICES.md beside the executable
      LICENSE, THIRD_PARTY_NOTICES.md            the same, at the top where a person unpacking it looks
      share/applications/onegrid.desktop
      share/icons/hicolor/<n>x<n>/apps/onegrid.png
      share/metainfo/org.onegrid.OneGrid.metainfo.xml
      install.sh                                 copies the above under a prefix (default ~/.local)

The version is the one written into the bundle at build time, so the name always matches the build.
The archive is written to a temporary name and renamed: a half-written tarball never has the real name.
Standard library only.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DESKTOP = HERE / "onegrid.desktop"
METAINFO = HERE / "org.onegrid.OneGrid.metainfo.xml"
INSTALL = HERE / "install.sh"
NOTICES = ("LICENSE", "THIRD_PARTY_NOTICES.md")  # packaging/onegrid.spec copies them into the bundle


def tarball_name(version: str, machine: str | None = None) -> str:
    machine = machine or platform.machine() or "x86_64"
    return f"onegrid-{version}-linux-{machine}.tar.gz"


def make_tarball(bundle: Path, icons: Path, out: Path) -> Path:
    version_file = bundle / "_internal" / "onegrid_version.txt"
    if not (bundle / "onegrid").is_file() or not version_file.is_file():
        raise SystemExit(f"make_tarball: {bundle} is not a built bundle (no onegrid executable or version file)")
    missing = [name for name in NOTICES if not (bundle / name).is_file()]
    if missing:
        raise SystemExit(f"make_tarball: {bundle} lacks {', '.join(missing)} (packaging/onegrid.spec copies them)")
    hicolor = icons / "hicolor"
    pngs = sorted(hicolor.glob("*/apps/onegrid.png"))
    if not pngs:
        raise SystemExit(f"make_tarball: no icons under {hicolor} (packaging/make_icons.py makes them)")
    version = version_file.read_text(encoding="utf-8").strip()
    top = f"onegrid-{version}"
    out.mkdir(parents=True, exist_ok=True)
    target = out / tarball_name(version)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".onegrid-", suffix=".tar.gz.tmp")
    os.close(fd)
    try:
        with tarfile.open(tmp, "w:gz", compresslevel=6) as tar:
            tar.add(bundle, arcname=f"{top}/onegrid")  # symlinks inside the bundle stay symlinks
            tar.add(DESKTOP, arcname=f"{top}/share/applications/onegrid.desktop")
            tar.add(METAINFO, arcname=f"{top}/share/metainfo/{METAINFO.name}")
            for png in pngs:
                tar.add(png, arcname=f"{top}/share/icons/hicolor/{png.relative_to(hicolor).as_posix()}")
            tar.add(INSTALL, arcname=f"{top}/install.sh")
            for name in NOTICES:
                tar.add(bundle / name, arcname=f"{top}/{name}")
        os.chmod(tmp, 0o644)  # mkstemp made it private; the tarball is for handing out
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "onegrid")
    parser.add_argument("--icons", type=Path, default=ROOT / "build" / "pyinstaller" / "onegrid" / "icons")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    target = make_tarball(args.bundle, args.icons, args.out)
    print(f"{target} ({target.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
