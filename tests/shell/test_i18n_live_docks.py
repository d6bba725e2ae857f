"""The live language switch reaches text already on screen: the empty case detail and the urgent banner."""
from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from app.cases import workflow
from app.platform.enums import Action
from app.wire.feed import Change
from tests.support.ui import CASE_CATEGORY, LEAD, OPERATOR
from ui.cases.detail_dock import CaseDetailDock
from ui.cases.queue_dock import CaseQueueDock
from ui.shell import i18n


@pytest.fixture
def english_afterwards(qapp):
    yield
    i18n.install_language("en")


def switch(language: str) -> None:
    i18n.install_language(language)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)


def test_no_case_selected_and_the_urgent_banner_follow_the_language(qtbot, make_ctx, cases, demo_cache, refdata,
                                                                     english_afterwards):
    ctx = make_ctx(LEAD)
    detail = CaseDetailDock(ctx)
    queue = CaseQueueDock(ctx, sound=False, tick_ms=10**8)
    qtbot.addWidget(detail)
    qtbot.addWidget(queue)
    qtbot.waitUntil(lambda: queue.model.is_loaded, timeout=5000)
    assert detail.title.text() == "No case selected"
    # an urgent case from the server (the banner does not announce the cases this console created itself)
    now = cases.now()
    payload = {"source": "hotline", "category_code": CASE_CATEGORY, "description": "broken cover", "priority": "urgent",
               "location": {"lat": cases.lat, "lon": cases.lon, "address": "Hubin Rd 12"}}
    server = workflow.apply(None, workflow.new_command(uuid.uuid4(), Action.CREATE, payload, now), OPERATOR,
                            refdata, now)
    demo_cache.apply_changes([Change(position=1, kind="case", id=str(server.id),
                                     data=server.model_dump(mode="json"))], 1)
    urgent = server.id
    qtbot.waitUntil(lambda: queue.model.row_of(urgent) is not None, timeout=5000)
    queue.notifier.flush()
    assert queue.banner.label.text().startswith("⚠ New urgent case")

    switch("zh_CN")
    ctx.signals.language_changed.emit("zh_CN")
    qtbot.waitUntil(lambda: detail.title.text() == "未选择案件", timeout=2000)
    assert "新" in queue.banner.label.text() and "New urgent case" not in queue.banner.label.text()
    assert "紧急" in queue.banner.label.text()
    switch("en")
    ctx.signals.language_changed.emit("en")
    qtbot.waitUntil(lambda: detail.title.text() == "No case selected", timeout=2000)
    assert queue.banner.label.text().startswith("⚠ New urgent case")


def test_the_docks_parts_speak_chinese(qtbot, make_ctx, english_afterwards):
    """The case detail, the performance and handover docks and the new-case form are assembled from parts
    of their own (their texts in those parts' translation contexts): opened in Chinese, each part's texts
    are Chinese — the header, the fields, the filter bar, the tabs, the report's buttons, the timeline's
    filters, the form's location and duplicates."""
    from PySide6.QtWidgets import QFormLayout

    from ui.cases.new_case_dialog import NewCaseDialog
    from ui.metrics.performance_dock import PerformanceDock
    from ui.metrics.period_bar import PRESETS
    from ui.shifts.handover_dock import HandoverDock

    switch("zh_CN")
    detail = CaseDetailDock(make_ctx(LEAD))
    performance = PerformanceDock(make_ctx(LEAD))
    handover = HandoverDock(make_ctx(LEAD))
    form = NewCaseDialog(make_ctx(OPERATOR))
    for widget in (detail, performance, handover, form):
        qtbot.addWidget(widget)
    category = detail.details.fields.itemAt(1, QFormLayout.ItemRole.LabelRole).widget()
    assert detail.title.text() == "未选择案件" and category.text() == "类别:"
    assert detail.details.attachments_label.text() == "附件"
    assert performance.preset.itemText(PRESETS.index("this_month")) == "本月"
    assert performance.unit_combo.itemText(0) == "全市" and performance.rollup.text() == "含下级单位"
    assert performance.tabs.tabText(0) == "指标与公式" and performance.tabs.tabText(4) == "智能识别"
    assert handover.save_notes_button.text() == "保存备注" and handover.sign_button.text() == "签字…"
    assert [label.text() for label in handover.timeline.filter_labels][::2] == ["操作人", "事件"]
    assert form.pick_button.text() == "在地图上选点" and form.lat.placeholderText() == "纬度"
    assert form.create_anyway_button.text() == "仍然新建案件"
    assert form.dup_list.headerItem().text(2) == "距离"
