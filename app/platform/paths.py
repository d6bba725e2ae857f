"""Where OneGrid's files are: the read-only resources that ship with it, and the per-user folders.

Resources (icons, styles, sounds, fonts, translations, the map's assets, the demo city) are the
``resources`` package: ``resources/`` at the repository root in a checkout, ``site-packages/resources``
when installed from a wheel (both found through ``importlib.resources``), and
``<bundle>/_internal/resources`` in the PyInstaller bundle (``packaging/onegrid.spec`` puts them there;
``sys._MEIPASS`` names that folder and ``sys.frozen`` is set). The alembic migrations stay next to the
``db`` package in every case (``db/migrations``), which is where ``server.platform.database`` looks.

Per-user folders come from platformdirs, chosen by platform explicitly (`platform_dirs()`), so the
Windows and macOS shapes can be checked on any machine:

| platform | settings | data (local caches, outbox) | logs, crash reports |
|---|---|---|---|
| linux | ~/.config/OneGrid | ~/.local/share/OneGrid | ~/.local/state/OneGrid/log |
| win32 | %LOCALAPPDATA%\\OneGrid | %LOCALAPPDATA%\\OneGrid | %LOCALAPPDATA%\\OneGrid\\Logs |
| darwin | ~/Library/Application Support/OneGrid | ~/Library/Application Support/OneGrid | ~/Library/Logs/OneGrid |

Not roaming on Windows: a local cache and its outbox belong to one workstation.

The machine-wide settings folder (`site_config_dir()`: defaults an administrator rolls out to every
workstation, below each user's own settings; `app.platform.settings`) is `/etc/xdg/OneGrid` on Linux (the
first folder of `$XDG_CONFIG_DIRS`), `%PROGRAMDATA%\\OneGrid` on Windows and
`/Library/Application Support/OneGrid` on macOS.
"""
from __future__ import annotations

import importlib.resources
import sys
from functools import lru_cache
from pathlib import Path

from platformdirs.api import PlatformDirsABC

APP_NAME = "OneGrid"


def is_frozen() -> bool:
    """True inside the PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def bundle_root() -> Path:
    """The folder holding ``resources/`` (and, in the bundle, the version file): the repository root in
    a checkout, ``sys._MEIPASS`` in the bundle."""
    if is_frozen():
        return Path(sys._MEIPASS)  # type: ignore[attr-defined]  # set by PyInstaller's bootloader
    return Path(__file__).resolve().parents[2]  # app/platform/paths.py → the checkout


# A file every real resources folder has: a stray `resources` package of some other project that happens
# to come first on sys.path is not taken for ours.
_MARKER = ("demo_city", "units.json")


def resources_dir() -> Path:
    if is_frozen():
        return bundle_root() / "resources"
    return _package_resources()


@lru_cache(maxsize=1)
def _package_resources() -> Path:
    """The ``resources`` package's folder (a checkout, an editable install or a wheel's site-packages),
    else the checkout's ``resources/`` beside ``app/``. A wheel is installed unzipped, so the package
    is a real folder and plain paths to its files can be handed to Qt, SQLite and the map page."""
    try:
        found = importlib.resources.files("resources")
    except ModuleNotFoundError:
        found = None
    if isinstance(found, Path) and found.joinpath(*_MARKER).is_file():
        return found
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    """A path under ``resources/``, e.g. ``resource("icons", "onegrid.svg")``."""
    return resources_dir().joinpath(*parts)


def platform_dirs(platform: str | None = None) -> PlatformDirsABC:
    """platformdirs' folders for OneGrid on `platform` (default: this one, ``sys.platform``)."""
    platform = sys.platform if platform is None else platform
    if platform == "win32":
        from platformdirs.windows import Windows as Dirs
    elif platform == "darwin":
        from platformdirs.macos import MacOS as Dirs
    else:
        from platformdirs.unix import Unix as Dirs
    return Dirs(APP_NAME, appauthor=False, roaming=False)


def user_config_dir(platform: str | None = None) -> Path:
    return Path(platform_dirs(platform).user_config_dir)


def user_data_dir(platform: str | None = None) -> Path:
    return Path(platform_dirs(platform).user_data_dir)


def site_config_dir(platform: str | None = None) -> Path:
    """The machine-wide settings folder (see the module's docstring)."""
    return Path(platform_dirs(platform).site_config_dir)


def user_log_dir(platform: str | None = None) -> Path:
    return Path(platform_dirs(platform).user_log_dir)
