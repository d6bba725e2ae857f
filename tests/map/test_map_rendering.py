"""Which scene graph draws the web views (app.platform.map_rendering) and the setting that chooses it."""
from __future__ import annotations

import pytest

from app.platform.map_rendering import choose_rendering, has_gpu_device
from app.platform.settings import (
    MAP_RENDERINGS,
    ConsoleSettings,
    SettingsStore,
    map_rendering_label,
)


def _dev(tmp_path, *nodes: str):
    for node in nodes:
        path = tmp_path / node
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    return tmp_path


@pytest.mark.parametrize("setting, software", [("software", True), ("gpu", False)])
def test_an_explicit_setting_is_taken_as_it_is(tmp_path, setting, software):
    for env in ({}, {"QT_QPA_PLATFORM": "offscreen"}):
        assert choose_rendering(setting, env=env, platform="linux", dev=_dev(tmp_path)).software is software


@pytest.mark.parametrize("qpa", ["offscreen", "minimal", "offscreen:enable_glx"])
def test_auto_draws_in_software_on_a_platform_with_no_screen(tmp_path, qpa):
    dev = _dev(tmp_path, "dri/renderD128")  # even with a graphics card present
    choice = choose_rendering("auto", env={"QT_QPA_PLATFORM": qpa}, platform="linux", dev=dev)
    assert choice.software and qpa.split(":")[0] in choice.reason


def test_auto_on_linux_follows_the_gpu_device_nodes(tmp_path):
    bare = choose_rendering("auto", env={"QT_QPA_PLATFORM": "xcb"}, platform="linux", dev=_dev(tmp_path / "a"))
    assert bare.software and "no GPU device" in bare.reason
    for node in ("dri/renderD128", "nvidia0"):
        dev = _dev(tmp_path / node.replace("/", "_"), node)
        assert not choose_rendering("auto", env={}, platform="linux", dev=dev).software, node
    card_only = _dev(tmp_path / "card", "dri/card0")  # a display controller without a render node
    assert choose_rendering("auto", env={}, platform="linux", dev=card_only).software


def test_auto_keeps_the_graphics_card_elsewhere_unless_told_otherwise(tmp_path):
    dev = _dev(tmp_path)  # Windows and macOS have no /dev/dri, and always a driver that draws
    for platform in ("win32", "darwin"):
        assert not choose_rendering("auto", env={}, platform=platform, dev=dev).software
    told = choose_rendering("auto", env={"LIBGL_ALWAYS_SOFTWARE": "1"}, platform="win32", dev=dev)
    assert told.software and "LIBGL_ALWAYS_SOFTWARE" in told.reason
    assert not choose_rendering("auto", env={"LIBGL_ALWAYS_SOFTWARE": "0"}, platform="win32", dev=dev).software


def test_no_device_folder_means_no_card(tmp_path):
    assert has_gpu_device(tmp_path / "missing") is False
    assert has_gpu_device(_dev(tmp_path / "nvidia", "nvidiactl")) is False  # the control node alone: no GPU
    assert has_gpu_device(_dev(tmp_path / "both", "nvidiactl", "nvidia1")) is True


def test_the_setting_defaults_to_auto_and_rejects_other_values(tmp_path):
    assert ConsoleSettings().map_rendering == "auto"
    path = tmp_path / "settings.json"
    path.write_text('{"map_rendering": "opengl", "theme": "dark"}', encoding="utf-8")
    loaded = SettingsStore(path).load()
    assert loaded.problem and "map_rendering" in loaded.problem
    assert loaded.settings.map_rendering == "auto" and loaded.settings.theme == "dark"
    store = SettingsStore(tmp_path / "saved.json")
    store.save(ConsoleSettings(map_rendering="software"))
    assert store.load().settings.map_rendering == "software"


def test_every_choice_has_a_label():
    choices = ConsoleSettings.model_fields["map_rendering"].annotation.__args__
    assert set(MAP_RENDERINGS) == set(choices)
    assert map_rendering_label("software") == MAP_RENDERINGS["software"]
