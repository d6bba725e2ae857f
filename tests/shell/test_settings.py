"""Typed settings (app.platform.settings), their dialog, and the log file's version line (app.platform.logging_setup)."""
from __future__ import annotations

import json
import logging

import pytest

from app.platform.logging_setup import VersionedRotatingFileHandler, app_version
from app.platform.settings import (
    ConsoleSettings,
    SettingsStore,
    cache_root,
    known_users,
    label_of,
    server_key,
    user_cache_dir,
)


def test_missing_file_gives_defaults(tmp_path):
    loaded = SettingsStore(tmp_path / "settings.json").load()
    assert loaded.problem is None
    assert loaded.settings.theme == "light"
    assert loaded.settings.sound_on_urgent is True
    assert loaded.settings.tile_url_template == ""
    assert loaded.settings.language in ("zh_CN", "en")
    assert not (tmp_path / "settings.json").exists()  # loading never writes


def test_round_trip(tmp_path):
    store = SettingsStore(tmp_path / "config" / "settings.json")
    chosen = ConsoleSettings(server_url="http://onegrid.local:8700", language="en", theme="dark",
                             tile_url_template="http://tiles.local/{z}/{x}/{y}.png", sound_on_urgent=False,
                             cache_dir=str(tmp_path / "caches"), log_level="DEBUG")
    store.save(chosen)
    assert SettingsStore(store.path).load().settings == chosen
    assert json.loads(store.path.read_text(encoding="utf-8"))["theme"] == "dark"
    assert cache_root(chosen) == tmp_path / "caches"


def test_corrupt_file_is_reported_kept_and_moved_aside_on_save(tmp_path, caplog):
    path = tmp_path / "settings.json"
    path.write_text('{"theme": "dark", ', encoding="utf-8")
    store = SettingsStore(path)
    with caplog.at_level(logging.ERROR, logger="app.platform.settings"):
        loaded = store.load()
    assert loaded.problem and "not valid JSON" in loaded.problem and str(path) in loaded.problem
    assert loaded.settings == ConsoleSettings(language=loaded.settings.language)
    assert any("not valid JSON" in r.message for r in caplog.records)
    assert path.read_text(encoding="utf-8") == '{"theme": "dark", '  # not overwritten by loading
    store.save(loaded.settings.model_copy(update={"theme": "dark"}))
    backups = list(tmp_path.glob("settings.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == '{"theme": "dark", '
    assert SettingsStore(path).load() == SettingsStore(path).load()
    assert SettingsStore(path).load().settings.theme == "dark"


@pytest.mark.parametrize("text", ["[1, 2]", "\"dark\""])
def test_json_that_is_not_an_object_is_corrupt(tmp_path, text):
    path = tmp_path / "settings.json"
    path.write_text(text, encoding="utf-8")
    loaded = SettingsStore(path).load()
    assert loaded.problem and "JSON object" in loaded.problem


def test_invalid_values_fall_back_and_the_rest_is_kept(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"theme": "pink", "server_url": "http://kept:1", "sound_on_urgent": False}),
                    encoding="utf-8")
    loaded = SettingsStore(path).load()
    assert loaded.problem and "theme" in loaded.problem
    assert loaded.settings.theme == "light"
    assert loaded.settings.server_url == "http://kept:1" and loaded.settings.sound_on_urgent is False


def test_every_field_has_a_label_and_help():
    for name, field in ConsoleSettings.model_fields.items():
        assert field.title and field.description, name
        assert label_of(name) == field.title


def test_one_cache_folder_per_server_and_user(tmp_path):
    a = user_cache_dir(tmp_path, "http://127.0.0.1:8700", "operator1")
    b = user_cache_dir(tmp_path, "http://127.0.0.1:8700/", "lead1")
    c = user_cache_dir(tmp_path, "http://10.0.0.5:8700", "operator1")
    assert a.parent == b.parent != c.parent
    assert a.name == "operator1" and server_key("http://127.0.0.1:8700").startswith("127.0.0.1_8700-")
    assert known_users(tmp_path, "http://127.0.0.1:8700") == []
    a.mkdir(parents=True)
    (a / "cache.sqlite").write_bytes(b"")
    b.mkdir(parents=True)  # a folder without a cache file is not a previous login
    assert known_users(tmp_path, "http://127.0.0.1:8700") == ["operator1"]


def test_log_files_start_with_the_version(tmp_path):
    path = tmp_path / "onegrid.log"
    handler = VersionedRotatingFileHandler(path, maxBytes=400, backupCount=2, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("test_log_files_start_with_the_version")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for i in range(30):
            logger.warning("line %d of a long shift", i)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = [path, path.with_name("onegrid.log.1")]
    for file in files:
        first = file.read_text(encoding="utf-8").splitlines()[0]
        assert f"OneGrid console {app_version()}" in first
    assert app_version() != ""


def test_settings_dialog_saves_and_reports(qtbot, tmp_path):
    from ui.shell.settings_dialog import SettingsDialog

    store = SettingsStore(tmp_path / "settings.json")
    dialog = SettingsDialog(ConsoleSettings(language="en"), store)
    qtbot.addWidget(dialog)
    theme = dialog.rows["theme"].widget
    theme.setCurrentIndex(theme.findData("dark"))
    dialog.rows["sound_on_urgent"].widget.setChecked(False)
    with qtbot.waitSignal(dialog.applied, timeout=1000) as signal:
        assert dialog.apply()
    assert signal.args[0].theme == "dark" and signal.args[0].sound_on_urgent is False
    assert store.load().settings == signal.args[0]
    dialog.rows["server_url"].widget.setText("")
    assert not dialog.apply()
    assert "Server address" in dialog.error.text()
