"""The rendering choice applied before the application exists (ui.shell.rendering)."""
from __future__ import annotations

import logging
import os

import pytest

from ui.shell import rendering


@pytest.fixture
def clean_env(monkeypatch):
    """No scene graph chosen in the environment; whatever the test sets is undone afterwards."""
    for name in ("QT_QUICK_BACKEND", "QSG_RHI_BACKEND"):
        monkeypatch.setenv(name, "")  # recorded, so that the undo removes what apply_map_rendering sets
        monkeypatch.delenv(name)
    rendering._told.clear()


def test_software_sets_the_quick_backend_and_says_so_once(clean_env, caplog):
    choice = rendering.apply_map_rendering("software")
    assert choice is not None and choice.software
    assert os.environ["QT_QUICK_BACKEND"] == "software"
    with caplog.at_level(logging.INFO, logger="ui.shell.rendering"):
        rendering.log_map_rendering()
        rendering.log_map_rendering()
    told = [r.getMessage() for r in caplog.records if r.name == "ui.shell.rendering"]
    assert told == ["web views drawn in software: the setting says software"]


def test_gpu_leaves_qt_its_default(clean_env):
    choice = rendering.apply_map_rendering("gpu")
    assert choice is not None and not choice.software
    assert "QT_QUICK_BACKEND" not in os.environ


def test_an_environment_that_already_chose_wins(clean_env, monkeypatch):
    monkeypatch.setenv("QT_QUICK_BACKEND", "rhi")
    assert rendering.apply_map_rendering("software") is None
    assert os.environ["QT_QUICK_BACKEND"] == "rhi"


def test_the_setting_is_read_from_the_settings_file(clean_env, monkeypatch, tmp_path):
    (tmp_path / "settings.json").write_text('{"map_rendering": "gpu"}', encoding="utf-8")
    monkeypatch.setenv("ONEGRID_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # auto would have chosen software here
    choice = rendering.apply_map_rendering()
    assert choice is not None and not choice.software and "QT_QUICK_BACKEND" not in os.environ
