"""The shift review view: report, timeline filters, notes and signature queued in the entity
outbox, leads only; and the report as a PDF in English and Chinese with its text extractable."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pypdf
import pytest

from app.cases.workflow import Actor
from app.platform import i18n
from app.platform.enums import Action, Role, Status
from app.platform.paths import resource
from app.wire.feed import Change
from server.shifts.handover import content_hash
from tests.support.ui import LEAD, OPERATOR, handler_for, wait_ops

LEAD2 = Actor("lead2", Role.SHIFT_LEAD)
TABLE = json.loads(resource("translations", "zh_CN", "handover.json").read_text(encoding="utf-8"))


def _handover(start: datetime, end: datetime, unit: str, notes: str = "水泵需检查 pump needs a check") -> tuple[dict, dict]:
    shift_id = str(uuid.uuid4())
    shift = {"id": shift_id, "name": "day", "scheduled_start": start.isoformat(), "scheduled_end": end.isoformat(),
             "lead": "lead1", "on_duty": ["lead1", "operator1"], "opened_at": start.isoformat(), "opened_by": "lead1",
             "closed_at": end.isoformat(), "closed_by": "lead1", "status": "closed", "version": 2}
    case = {"case_id": str(uuid.uuid4()), "number": "2026-000042", "status": "in_progress", "unit_id": unit,
            "category_code": "C0101", "priority": "ordinary"}
    report = {"format": 1, "window": {"start": start.isoformat(), "end": end.isoformat()}, "generated_at": end.isoformat(),
              "counts": {"opened": 3, "registered": 3, "dispatched": 2, "handled": 1, "closed": 1, "voided": 0,
                         "returned": 1, "escalated": 1, "verification_failures": 0, "still_open": 2},
              "open_by_status": {"in_progress": 1, "returned": 1},
              "overdue": {"total": 1, "items": [{**case, "due_at": end.isoformat(), "stage": "handle",
                                                 "escalation_level": 1}]},
              "escalated": {"total": 1, "items": [{**case, "at": end.isoformat(), "actor": "system", "automatic": True,
                                                   "reason": "overdue", "escalated_to": None, "escalation_level": 1}]},
              "returned": {"total": 0, "items": []},
              "awaiting_decision": {"extension_requests": {"total": 0, "items": []},
                                    "verification_failures": {"total": 0, "items": []}},
              "alarms": {"source": "feed", "raised": {"total": 0, "items": []}, "active": {"total": 0, "items": []}},
              "emergency": [{"start": start.isoformat(), "end": None, "reason": "台风预警 typhoon", "by": "lead1",
                             "started_before": True}],
              "outages": []}
    handover = {"shift_id": shift_id, "status": "draft", "version": 1, "content_hash": content_hash(shift_id, report, notes),
                "report": report, "notes": notes, "outgoing_lead": "lead1", "drafted_at": end.isoformat(),
                "updated_at": end.isoformat(), "signed_by": None, "signed_at": None, "signed_client_time": None,
                "signed_offline": False, "shift": shift}
    return shift, handover


def _publish(cache, *entities: tuple[str, dict], position=[1000]):
    changes = []
    for kind, data in entities:
        position[0] += 1
        changes.append(Change(position=position[0], kind=kind, id=data.get("shift_id") or data["id"], data=data))
    cache.apply_changes(changes, position[0])


@pytest.fixture
def shift_with_cases(demo_cache, cases):
    start = datetime.now(timezone.utc) - timedelta(seconds=5)
    returned = cases.make(Status.RETURNED)
    handled = cases.make(Status.HANDLED)
    end = datetime.now(timezone.utc) + timedelta(seconds=1)
    shift, handover = _handover(start, end, cases.unit)
    _publish(demo_cache, ("shift", shift), ("handover", handover))
    return shift, handover, returned, handled


def refdata_name(username):
    from app.refdata.loading import load_demo_refdata

    return load_demo_refdata().user(username).display_name  # e.g. 沈浩, not handler_water_supply


def _dock(qtbot, ctx):
    from ui.shifts.handover_dock import HandoverDock

    dock = HandoverDock(ctx)
    qtbot.addWidget(dock)
    dock.resize(1100, 800)
    return dock


def test_the_review_view_shows_the_report_and_filters_the_timeline(qtbot, make_ctx, shift_with_cases, cases):
    shift, handover, returned, handled = shift_with_cases
    dock = _dock(qtbot, make_ctx(LEAD2))
    assert dock.shift_id == shift["id"]
    text = dock.report_view.toPlainText()
    assert "Shift handover report" in text and "2026-000042" in text and "台风预警 typhoon" in text
    assert "水泵需检查" in text
    model = dock.timeline_model
    wait_ops(qtbot, lambda: model.rowCount() == 4 + 5)  # create, register, dispatch, return; … accept, handled
    actions = [model.event_at(r).action for r in range(model.rowCount())]
    assert actions.count(Action.CREATE) == 2 and Action.RETURN in actions
    handler = handler_for(cases.unit).username
    dock.actor_filter.setCurrentIndex(dock.actor_filter.findData(handler))
    assert dock.timeline_filter.rowCount() == 3  # return; accept and report_handled
    shown = refdata_name(handler)
    assert {dock.timeline_filter.index(r, 3).data() for r in range(3)} == {f"{shown} · Unit handler"}
    dock.action_filter.setCurrentIndex(dock.action_filter.findData("return"))
    assert dock.timeline_filter.rowCount() == 1
    assert dock.timeline_count.text() == "1 of 9 events"
    dock.actor_filter.setCurrentIndex(0)
    dock.action_filter.setCurrentIndex(0)
    dock.unit_filter.setCurrentIndex(dock.unit_filter.findData(cases.unit))
    assert dock.timeline_filter.rowCount() == 5  # from dispatch on, each event names the unit


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")  # shown offscreen
def test_case_changes_reread_the_timeline_once_a_second_and_only_while_shown(qtbot, make_ctx, shift_with_cases,
                                                                            monkeypatch):
    from app.shifts import handover as model

    ctx = make_ctx(LEAD2)
    dock = _dock(qtbot, ctx)
    wait_ops(qtbot, lambda: dock.timeline_model.rowCount() == 9)
    reads = []
    real = model.timeline
    monkeypatch.setattr(model, "timeline", lambda *a: reads.append(1) or real(*a))
    dock._timeline_timer.setInterval(50)  # the product's 1 s, shortened
    for _ in range(20):  # a burst of sync pages
        ctx.signals.cases_changed.emit([])
    qtbot.wait(300)
    assert reads == []  # the dock is not shown: nothing read, but remembered
    dock.show()
    wait_ops(qtbot, lambda: len(reads) == 1)
    for _ in range(20):
        ctx.signals.cases_changed.emit([])
    qtbot.wait(300)
    wait_ops(qtbot, lambda: dock.timeline_model.rowCount() == 9)
    assert len(reads) == 2  # the burst was read once
    # A steady stream (a busy shift) is still read once a second, not put off until it ends.
    dock._timeline_timer.setInterval(100)
    for _ in range(30):
        ctx.signals.cases_changed.emit([])
        qtbot.wait(20)
    assert len(reads) >= 3


def test_a_timeline_read_that_ends_after_the_dock_is_gone_is_dropped(qtbot, make_ctx, shift_with_cases, monkeypatch):
    import threading

    import shiboken6

    from ui.shell import ops
    from ui.shifts import handover_dock

    dock = handover_dock.HandoverDock(make_ctx(LEAD))
    wait_ops(qtbot, lambda: not ops._RUNNING)
    release = threading.Event()
    read = handover_dock.model.timeline
    monkeypatch.setattr(handover_dock.model, "timeline", lambda *args: release.wait(10) and read(*args))
    dock._refresh_timeline()
    shiboken6.delete(dock)  # closed and destroyed (a logout, the end of a test) while the read runs
    release.set()
    wait_ops(qtbot, lambda: not ops._RUNNING)  # its answer must not touch the deleted widgets


def test_the_incoming_lead_signs_and_the_signature_waits_in_the_outbox(qtbot, make_ctx, shift_with_cases, demo_cache):
    shift, handover, *_ = shift_with_cases
    dock = _dock(qtbot, make_ctx(LEAD2, offline=True))
    assert dock.sign_button.isEnabled() and dock.notes_edit.isReadOnly() and not dock.save_notes_button.isVisible()
    dock.sign(confirm=False)
    wait_ops(qtbot, lambda: demo_cache.entity_outbox.pending_count() == 1)
    wait_ops(qtbot, lambda: not dock.sign_button.isEnabled())
    (queued,) = demo_cache.entity_outbox.pending()
    assert queued.command.action == "sign" and queued.command.payload == {"content_hash": handover["content_hash"]}
    assert dock.status_label.text() == "Signed here; waiting to be sent to the server."
    # the server refuses it (the outgoing lead had changed the notes): shown at the top of the report
    from app.platform.entity_commands import EntityCommandResult

    changed = {**handover, "notes": "new notes", "version": 2, "content_hash": "f" * 64}
    demo_cache.entity_outbox.apply_results([EntityCommandResult(
        command_id=queued.command.command_id, status="rejected", reason="report_changed",
        message="the handover changed after you reviewed it", data=changed)], datetime.now(timezone.utc))
    _publish(demo_cache, ("handover", changed))
    qtbot.waitUntil(lambda: not dock.refusal.isHidden())
    assert "refused by the server: the handover changed after you reviewed it" in dock.refusal.text()
    assert dock.sign_button.isEnabled() and "new notes" in dock.report_view.toPlainText()
    dock.dismiss_refusal()
    wait_ops(qtbot, lambda: dock.refusal.isHidden())
    assert demo_cache.entity_outbox.rejected() == []


def test_the_outgoing_lead_edits_notes_not_the_signature(qtbot, make_ctx, shift_with_cases, demo_cache):
    dock = _dock(qtbot, make_ctx(LEAD))
    assert not dock.sign_button.isEnabled() and not dock.notes_edit.isReadOnly()
    dock.notes_edit.setPlainText("交班：一切正常 all quiet")
    dock.save_notes()
    wait_ops(qtbot, lambda: demo_cache.entity_outbox.pending_count() == 1)
    wait_ops(qtbot, lambda: "all quiet" in dock.report_view.toPlainText())
    assert dock.status_label.text() == "Notes saved here; waiting to be sent to the server."


def test_the_view_is_for_leads_only(qtbot, make_ctx, shift_with_cases):
    dock = _dock(qtbot, make_ctx(OPERATOR))
    assert not dock.leads_only.isHidden() and dock.tabs.isHidden()
    assert dock.leads_only.text() == "Shift handover is for shift leads."


def _pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(str(path))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_report_exports_as_a_pdf_in_english(qtbot, make_ctx, shift_with_cases, tmp_path):
    dock = _dock(qtbot, make_ctx(LEAD2))
    path = Path(dock.export_pdf(str(tmp_path / "handover.pdf")))
    assert path.read_bytes().startswith(b"%PDF")
    text = _pdf_text(path)
    for expected in ("Shift handover report", "Overdue cases", "2026-000042", "Emergency mode",
                     "Notes of the outgoing lead", "pump needs a check", "水泵需检查", "Not signed yet (draft)."):
        assert expected in text, expected


@pytest.fixture
def chinese():
    i18n.set_backend(lambda context, text: TABLE.get(context, {}).get(text, text))
    yield
    i18n.set_backend(None)


def test_the_report_exports_as_a_pdf_in_chinese(qtbot, make_ctx, shift_with_cases, tmp_path, chinese):
    dock = _dock(qtbot, make_ctx(LEAD2))
    path = Path(dock.export_pdf(str(tmp_path / "交接班.pdf")))
    text = _pdf_text(path).replace(" ", "")
    for expected in ("交接班报告", "超期案件", "应急模式", "交班值班长备注", "水泵需检查", "尚未签字（草稿）。", "2026-000042"):
        assert expected in text, expected


def test_the_pdf_embeds_the_bundled_cjk_font(qtbot, make_ctx, shift_with_cases, tmp_path):
    dock = _dock(qtbot, make_ctx(LEAD2))
    reader = pypdf.PdfReader(dock.export_pdf(str(tmp_path / "h.pdf")))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendant = font.get("/DescendantFonts")
            if descendant:
                assert "/FontFile2" in descendant[0].get_object()["/FontDescriptor"].get_object()  # embedded
    assert any("WenQuanYi" in f or "MicroHei" in f.replace(" ", "") for f in fonts), fonts


def test_print_sends_the_report_to_the_chosen_printer(qtbot, make_ctx, shift_with_cases, tmp_path, monkeypatch):
    """The print path with the dialog answered (here: a printer that writes a PDF file)."""
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QDialog

    import ui.shifts.handover_pdf as handover_pdf

    target = tmp_path / "printed.pdf"

    class AnsweredDialog:
        def __init__(self, printer, parent=None):
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(target))

        def exec(self):
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(handover_pdf, "QPrintDialog", AnsweredDialog)
    dock = _dock(qtbot, make_ctx(LEAD2))
    dock.print_report()
    assert "Shift handover report" in _pdf_text(target)
