"""Where the console keeps its files (app.platform.paths, app.platform.settings folders) on each platform, in a checkout
and in the frozen bundle, and the version read from git (app.platform.version). Qt-free."""
from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath, PureWindowsPath

import platformdirs.windows
import pytest

from app.platform import paths, settings, version
from tests.support import ROOT as CHECKOUT

WIN_FOLDERS = {"CSIDL_LOCAL_APPDATA": r"C:\Users\op1\AppData\Local",
               "CSIDL_APPDATA": r"C:\Users\op1\AppData\Roaming"}


@pytest.fixture
def on_windows(monkeypatch):
    """platformdirs' Windows folders as a Windows machine would answer (no registry/ctypes here)."""
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", lambda csidl: WIN_FOLDERS[csidl])
    monkeypatch.setattr(sys, "platform", "win32")


@pytest.fixture
def no_overrides(monkeypatch):
    monkeypatch.delenv("ONEGRID_CONFIG_DIR", raising=False)
    monkeypatch.delenv("ONEGRID_DATA_DIR", raising=False)


def win(path: Path) -> PureWindowsPath:
    return PureWindowsPath(str(path).replace("/", "\\"))


def test_linux_folders_follow_xdg(monkeypatch, no_overrides, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.delenv(var, raising=False)
    assert settings.config_dir() == tmp_path / ".config" / "OneGrid"
    assert settings.data_dir() == tmp_path / ".local" / "share" / "OneGrid"
    assert settings.log_dir() == tmp_path / ".local" / "state" / "OneGrid" / "log"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert settings.config_dir() == tmp_path / "cfg" / "OneGrid"


def test_windows_folders_are_local_not_roaming(on_windows, no_overrides):
    local = PureWindowsPath(WIN_FOLDERS["CSIDL_LOCAL_APPDATA"])
    assert win(settings.config_dir()) == local / "OneGrid"
    assert win(settings.data_dir()) == local / "OneGrid"
    assert win(settings.log_dir()) == local / "OneGrid" / "Logs"
    cache = win(settings.cache_root(settings.ConsoleSettings(language="en")))
    assert cache == local / "OneGrid" / "consoles"
    for path in (settings.config_dir(), settings.data_dir(), settings.log_dir()):
        assert "Roaming" not in str(path)  # a cache and its outbox belong to one workstation


def test_macos_folders(monkeypatch, no_overrides, tmp_path):
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv("HOME", str(tmp_path))
    support = tmp_path / "Library" / "Application Support" / "OneGrid"
    assert settings.config_dir() == support
    assert settings.data_dir() == support
    assert settings.log_dir() == tmp_path / "Library" / "Logs" / "OneGrid"


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_overrides_win_on_every_platform(platform, monkeypatch, on_windows, tmp_path):
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setenv("ONEGRID_CONFIG_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("ONEGRID_DATA_DIR", str(tmp_path / "d"))
    assert settings.config_dir() == tmp_path / "c"
    assert settings.data_dir() == tmp_path / "d"
    assert settings.log_dir() == tmp_path / "d" / "logs"


def test_platform_dirs_can_be_asked_for_another_platform(on_windows):
    assert PurePosixPath(str(paths.user_log_dir("linux"))).parts[-2:] == ("OneGrid", "log")
    assert win(paths.user_log_dir("win32")).parts[-2:] == ("OneGrid", "Logs")
    assert str(paths.user_log_dir("darwin")).endswith("/Library/Logs/OneGrid")


def test_resources_in_a_checkout():
    root = CHECKOUT
    assert not paths.is_frozen()
    assert paths.bundle_root() == root
    assert paths.resource("icons", "onegrid.svg") == root / "resources" / "icons" / "onegrid.svg"
    assert paths.resource("icons", "onegrid.svg").is_file()
    assert paths.resource("demo_city").is_dir()


def test_resources_in_the_frozen_bundle(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.is_frozen()
    assert paths.bundle_root() == tmp_path
    assert paths.resource("map", "bridge.js") == tmp_path / "resources" / "map" / "bridge.js"


def test_frozen_without_meipass_is_not_a_bundle(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)  # e.g. another freezer: keep checkout paths
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert not paths.is_frozen()


@pytest.mark.parametrize("described, expected", [
    ("v1.4.0-0-gabc1234", "1.4.0"),
    ("v1.4.0-3-gabc1234", "1.4.0+3.gabc1234"),
    ("v1.4.0-0-gabc1234-dirty", "1.4.0+dirty"),
    ("v2.0.0rc1-12-g0123abc-dirty", "2.0.0rc1+12.g0123abc.dirty"),
    ("abc1234", "0.1.0+gabc1234"),          # no tag yet: the package version plus the commit
    ("abc1234-dirty", "0.1.0+gabc1234.dirty"),
    ("release-7", None),                    # not describe output
])
def test_version_from_git_describe(described, expected):
    assert version.version_from_describe(described, "0.1.0") == expected


def test_version_in_the_bundle_comes_from_the_build_file(monkeypatch, tmp_path):
    (tmp_path / version.VERSION_FILE).write_text("1.4.0+3.gabc1234\n", encoding="utf-8")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    version.app_version.cache_clear()
    try:
        assert version.app_version() == "1.4.0+3.gabc1234"
        (tmp_path / version.VERSION_FILE).unlink()
        version.app_version.cache_clear()
        assert version.app_version() == version.FALLBACK  # a broken bundle says so instead of guessing
    finally:
        version.app_version.cache_clear()


def test_version_without_git_is_the_package_version(monkeypatch, tmp_path):
    monkeypatch.setattr(version, "bundle_root", lambda: tmp_path)  # no .git here
    monkeypatch.setattr(version, "_package_version", lambda: "0.1.0")
    version.app_version.cache_clear()
    try:
        assert version.app_version() == "0.1.0"
        monkeypatch.setattr(version, "_package_version", lambda: None)
        version.app_version.cache_clear()
        assert version.app_version() == version.FALLBACK
    finally:
        version.app_version.cache_clear()


def test_resources_are_found_through_importlib_but_not_a_strangers(monkeypatch, tmp_path):
    stranger = tmp_path / "resources"
    stranger.mkdir()
    (stranger / "__init__.py").write_text("", encoding="utf-8")  # some other project's `resources` package
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "resources", raising=False)
    paths._package_resources.cache_clear()
    try:
        assert paths.resources_dir() == CHECKOUT / "resources"  # it has no demo city: not ours
        (stranger / "demo_city").mkdir()
        (stranger / "demo_city" / "units.json").write_text("[]", encoding="utf-8")
        monkeypatch.delitem(sys.modules, "resources", raising=False)
        paths._package_resources.cache_clear()
        assert paths.resources_dir() == stranger  # found as a package, the way an installed wheel's is
    finally:
        monkeypatch.delitem(sys.modules, "resources", raising=False)
        paths._package_resources.cache_clear()
