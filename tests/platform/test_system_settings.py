"""Machine-wide console defaults (`settings.json` in the platform's system config folder) below each user's
own settings: where the folder is on each platform, how the two files combine, what a save writes, and a
broken system file never stopping the console."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import PureWindowsPath

import platformdirs.windows
import pytest

from app.platform import paths
from app.platform.settings import ConsoleSettings, SettingsStore, system_config_dir

SITE = {"server_url": "https://onegrid.city.example:8443", "language": "zh_CN",
        "tile_url_template": "http://tiles.city.example/{z}/{x}/{y}.png"}


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """(user settings file, system folder), the system folder found the way the console finds it."""
    monkeypatch.delenv("ONEGRID_SYSTEM_CONFIG_DIR", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{tmp_path / 'etc-xdg'}:/etc/xdg")
    system = tmp_path / "etc-xdg" / "OneGrid"
    system.mkdir(parents=True)
    return tmp_path / "home" / "settings.json", system


def write(path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


def test_linux_reads_the_first_xdg_config_dir(folders, monkeypatch):
    _user, system = folders
    assert system_config_dir() == system
    monkeypatch.delenv("XDG_CONFIG_DIRS")
    assert str(system_config_dir()) == "/etc/xdg/OneGrid"
    monkeypatch.setenv("ONEGRID_SYSTEM_CONFIG_DIR", "/srv/kiosk/onegrid")
    assert str(system_config_dir()) == "/srv/kiosk/onegrid"


def test_windows_reads_the_machine_wide_program_data(monkeypatch):
    monkeypatch.delenv("ONEGRID_SYSTEM_CONFIG_DIR", raising=False)
    monkeypatch.setattr(platformdirs.windows, "get_win_folder",
                        lambda csidl: {"CSIDL_COMMON_APPDATA": r"C:\ProgramData"}[csidl])
    monkeypatch.setattr(sys, "platform", "win32")
    assert PureWindowsPath(str(system_config_dir()).replace("/", "\\")) == PureWindowsPath(r"C:\ProgramData\OneGrid")
    assert str(paths.site_config_dir("darwin")) == "/Library/Application Support/OneGrid"


def test_a_new_user_gets_the_machine_defaults(folders):
    user, system = folders
    write(system / "settings.json", SITE)
    settings = SettingsStore(user).load().settings
    assert (settings.server_url, settings.language, settings.tile_url_template) == (
        SITE["server_url"], "zh_CN", SITE["tile_url_template"])
    assert settings.theme == ConsoleSettings.model_fields["theme"].default  # what IT did not set


def test_the_users_own_choices_go_over_them_field_by_field(folders):
    user, system = folders
    write(system / "settings.json", SITE)
    write(user, {"language": "en", "theme": "dark"})
    settings = SettingsStore(user).load().settings
    assert (settings.language, settings.theme, settings.server_url) == ("en", "dark", SITE["server_url"])


def test_a_save_keeps_only_the_users_own_choices_so_a_new_rollout_reaches_them(folders):
    user, system = folders
    write(system / "settings.json", SITE)
    store = SettingsStore(user)
    loaded = store.load().settings
    store.save(loaded.model_copy(update={"theme": "dark", "language": "en"}))
    assert json.loads(user.read_text(encoding="utf-8")) == {"theme": "dark", "language": "en"}
    write(system / "settings.json", {**SITE, "server_url": "https://onegrid-2.city.example"})  # IT moves the server
    settings = SettingsStore(user).load().settings
    assert (settings.server_url, settings.theme, settings.language) == ("https://onegrid-2.city.example", "dark", "en")


def test_without_a_system_file_nothing_changes(folders):
    user, _system = folders
    store = SettingsStore(user)
    assert store.load().settings == ConsoleSettings(language=store.load().settings.language)
    store.save(store.load().settings.model_copy(update={"server_url": "http://10.1.2.3:8700"}))
    assert json.loads(user.read_text(encoding="utf-8")) == {"server_url": "http://10.1.2.3:8700"}


@pytest.mark.parametrize("content, kept", [
    ("{not json", {}),
    ('["a list"]', {}),
    (json.dumps({**SITE, "language": "fr", "sound_on_urgent": "loud", "no_such_setting": 1}),
     {"server_url": SITE["server_url"], "tile_url_template": SITE["tile_url_template"]}),
])
def test_a_broken_system_file_is_logged_and_its_bad_fields_ignored(folders, caplog, content, kept):
    user, system = folders
    write(system / "settings.json", content)
    write(user, {"theme": "dark"})
    with caplog.at_level(logging.WARNING, logger="app.platform.settings"):
        loaded = SettingsStore(user).load()
    assert loaded.problem is None  # the user's own file is fine: nothing for the operator to do
    expected = ConsoleSettings.model_validate({"language": loaded.settings.language, **kept, "theme": "dark"})
    assert loaded.settings == expected
    assert str(system / "settings.json") in caplog.text
