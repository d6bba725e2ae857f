"""Translations: the shell's catalogue is complete, compiled, and a language switch is live."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from app.platform.settings import ConsoleSettings, label_of
from app.sync.state import Connection, SyncState
from ui.shell import i18n

TS = i18n.TRANSLATIONS_DIR / "onegrid_zh_CN.ts"
QM = i18n.TRANSLATIONS_DIR / "onegrid_zh_CN.qm"

# The contexts of the shell (main window, banners, status bar, dialogs, settings labels, start-up).
SHELL_CONTEXTS = {"AboutDialog", "ConsoleSettings", "ConsoleStatusBar", "EmergencyBanner", "EmergencyModeDialog",
                  "EmergencySwitch", "LoginDialog", "MainWindow", "OfflineBanner", "SettingsDialog",
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
    from ui.shell import main_window as mw
    from ui.shell.status_bar import ConsoleStatusBar

    monkeypatch.setattr(mw, "build_dock", stub_build_dock)
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


def test_no_message_is_unfinished():
    """Every message of the catalogue is translated (run tools/build_translations.py --check)."""
    missing = [(name, source) for name, source, text, unfinished in messages() if unfinished or not text.strip()]
    assert missing == [], "translate these, then run tools/build_translations.py"


# ---------------------------------------------------------------------------------------------------------
# pyside6-lupdate only extracts literal `self.tr("…")`, `QCoreApplication.translate("Context", "…")` and
# `QT_TRANSLATE_NOOP("Context", "…")` calls; an alias (`tr = QCoreApplication.translate`, `_N =
# QT_TRANSLATE_NOOP`), `other.tr("…")` (filed under the variable's name, looked up under the class's) or a
# call inside an f-string hides a text from the catalogue, and it then shows in English whatever the language.

import ast  # noqa: E402

from tests.support import ROOT as CHECKOUT
from tests.support.stub_dock import stub_build_dock

ROOT = CHECKOUT
TRANSLATING = {"tr", "translate", "QT_TRANSLATE_NOOP", "QT_TR_NOOP"}


class _TranslationCalls(ast.NodeVisitor):
    """Collects (line, problem or None, context, source) of the translation calls of one module."""

    def __init__(self):
        self.found: list[tuple[int, str | None, str | None, str | None]] = []
        self.classes: list[str] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def _alias(self, node: ast.Assign | ast.AnnAssign) -> None:
        value = node.value
        name = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", None)
        if name in TRANSLATING:
            self.found.append((node.lineno, f"alias of {name}", None, None))
        self.generic_visit(node)

    visit_Assign = visit_AnnAssign = _alias

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        texts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        if name == "tr":
            on_self = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self"
            if not on_self or not self.classes:
                self.found.append((node.lineno, "tr() not called on self in a class", None, None))
            elif texts and texts[0] is not None:
                self.found.append((node.lineno, None, self.classes[-1], texts[0]))
        elif name == "QT_TRANSLATE_NOOP" or (name == "translate" and isinstance(func, ast.Attribute)
                                             and getattr(func.value, "id", "") == "QCoreApplication"):
            if len(texts) >= 2 and texts[0] is not None and texts[1] is not None:
                self.found.append((node.lineno, None, texts[0], texts[1]))
        self.generic_visit(node)


def _translation_calls():
    """(file:line, problem or None, context, source) of every translation call in ui/ and app/."""
    for path in sorted(p for d in ("ui", "app") for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts):
        where = path.relative_to(ROOT)
        visitor = _TranslationCalls()
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(where)))
        for line, problem, context, source in visitor.found:
            yield f"{where}:{line}", problem, context, source


def test_translation_calls_are_extractable():
    problems = [(at, problem) for at, problem, _, _ in _translation_calls() if problem]
    assert problems == []


def test_every_literal_text_is_in_the_catalogue():
    catalogue = {(name, source) for name, source, _, _ in messages()}
    missing = [(at, context, source) for at, problem, context, source in _translation_calls()
               if not problem and (context, source) not in catalogue]
    assert missing == [], "run tools/build_translations.py"


def test_catalogue_has_no_context_qt_never_looks_up():
    """An empty or lower-case context comes from an aliased or misdirected tr() call."""
    assert [name for name, *_ in messages() if not name or name[0].islower() and name != "main"] == []


def test_texts_once_hidden_from_lupdate_are_translated(english_afterwards):
    from app.cases.routing import Suggestion
    from app.cases.workflow import WorkflowError
    from ui.cases.conflicts_dock import HEADERS
    from ui.cases.dispatch_dialog import suggestion_reason
    from ui.cases.issuing import refusal_text
    from ui.cases.payload_dialog import REASON_PRESETS
    from ui.cases.queue_model import format_duration

    assert i18n.install_language("zh_CN")
    assert format_duration(2 * 3600 + 5 * 60) == "2小时05分"
    assert refusal_text(WorkflowError("same_unit", "x")).startswith("案件已在该单位。")
    no_rule = Suggestion("city_office", 0.1, "no rule", "routing.no_rule")
    assert suggestion_reason(no_rule, None) == "无匹配的责任规则；由城管办协调"
    presets = [QCoreApplication.translate("ActionDialogs", text) for texts in REASON_PRESETS.values() for text in texts]
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in presets), presets
    assert QCoreApplication.translate("ConflictsModel", HEADERS[-1]) == "发出时间"
