"""Translations: the shell's catalogue is complete, compiled, and a language switch is live."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from app.settings import ConsoleSettings, label_of
from app.sync.state import Connection, SyncState
from ui import i18n

TS = i18n.TRANSLATIONS_DIR / "onegrid_zh_CN.ts"
QM = i18n.TRANSLATIONS_DIR / "onegrid_zh_CN.qm"

# The contexts of the shell (main window, banners, status bar, dialogs, settings labels, start-up).
SHELL_CONTEXTS = {"AboutDialog", "ConsoleSettings", "ConsoleStatusBar", "EmergencyBanner", "EmergencyModeDialog",
                  "EmergencySwitch", "LoginDialog", "MainWindow", "OfflineBanner", "PlaceholderDock", "SettingsDialog",
                  "main"}


def messages(contexts=None):
    """(context, source, translation, unfinished) of every message in the catalogue."""
    found = []
    for context in ET.parse(TS).getroot().iter("context"):
        name = context.findtext("name")
        if contexts is not None and name not in contexts:
            continue
        for message in context.iter("message"):
            translation = message.find("translation")
            forms = [form.text or "" for form in translation.iter("numerusform")]  # plural messages (%n)
            text = forms[0] if forms else translation.text or ""
            found.append((name, message.findtext("source"), text, translation.get("type") == "unfinished"))
    return found


@pytest.fixture
def english_afterwards(qapp):
    yield
    i18n.install_language("en")


def test_every_shell_message_is_translated():
    shell = messages(SHELL_CONTEXTS)
    assert {name for name, *_ in shell} == SHELL_CONTEXTS
    missing = [(name, source) for name, source, text, unfinished in shell if unfinished or not text.strip()]
    assert missing == []


def test_translations_keep_their_placeholders():
    placeholder = re.compile(r"\{[a-z_]*\}|%\d|%n")
    wrong = [(name, source, text) for name, source, text, unfinished in messages()
             if not unfinished and sorted(placeholder.findall(source)) != sorted(placeholder.findall(text))]
    assert wrong == []


def test_compiled_catalogue_matches_the_ts(english_afterwards):
    assert QM.exists(), "run tools/build_translations.py"
    assert i18n.install_language("zh_CN")
    stale = [(name, source) for name, source, text, unfinished in messages(SHELL_CONTEXTS)
             if QCoreApplication.translate(name, source) != text]
    assert stale == [], "the .qm is older than the .ts: run tools/build_translations.py"


def test_core_labels_use_the_qt_translator(english_afterwards):
    assert label_of("theme") == "Theme"
    i18n.install_language("zh_CN")
    assert label_of("theme") == "主题"
    assert i18n.current_language() == "zh_CN"


def test_unknown_language_stays_english(english_afterwards):
    assert not i18n.install_language("xx")
    assert i18n.current_language() == "en"


def test_language_switch_retranslates_live(qtbot, make_ctx, tmp_path, monkeypatch, english_afterwards):
    from ui import main_window as mw
    from ui.status_bar import ConsoleStatusBar

    monkeypatch.setattr(mw, "build_dock", lambda spec, ctx: mw.PlaceholderDock(spec, "test"))
    ctx = make_ctx()
    window = mw.MainWindow(ctx, window_state=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
                           settings=ConsoleSettings(language="en"))
    qtbot.addWidget(window)
    bar = window.statusBar()
    assert isinstance(bar, ConsoleStatusBar)
    ctx.signals.sync_state_changed.emit(SyncState(connection=Connection.ONLINE))
    assert bar.connection_label.text() == "Online"
    assert window.file_menu.title() == "&File"
    assert window.docks["mapDock"].windowTitle() == "Map"

    with qtbot.waitSignal(ctx.signals.language_changed, timeout=1000) as signal:
        window.apply_settings(ConsoleSettings(language="zh_CN"))
    assert signal.args == ["zh_CN"]
    qtbot.waitUntil(lambda: bar.connection_label.text() == "在线", timeout=2000)  # LanguageChange is posted
    assert window.file_menu.title() == "文件(&F)"
    assert window.docks["mapDock"].windowTitle() == "地图"
    assert window.offline_banner.label.text().startswith("离线")

    window.apply_settings(ConsoleSettings(language="en"))
    qtbot.waitUntil(lambda: bar.connection_label.text() == "Online", timeout=2000)
    assert window.file_menu.title() == "&File"
