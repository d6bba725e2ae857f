"""The case queue: rows from the cache's summaries, incremental updates that keep the selection, the live
countdown column, saved views with counts, search, sorting, and the urgent-case notification."""
from __future__ import annotations

import uuid
from datetime import timedelta
from functools import partial

import pytest
from PySide6.QtCore import QModelIndex, Qt

from app.cases.countdown import Level
from app.cases.saved_views import View
from app.platform import labels
from app.platform.enums import Action, Status
from tests.support.ui import CASE_CATEGORY, LEAD, OPERATOR, handler_for
from ui.cases.queue_dock import CaseQueueDock
from ui.cases.queue_model import (
    CaseIdRole,
    CaseQueueModel,
    Column,
    LevelRole,
    summary_text,
)

NO_TICK = 10**8  # the tests drive the clock themselves
# A shown top-level window makes the offscreen platform say it cannot propagate size hints; harmless.
SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)",
                                  r"This plugin does not support raise\(\)")


def loaded_model(qtbot, ctx):
    model = CaseQueueModel(ctx, tick_ms=NO_TICK)
    qtbot.waitUntil(lambda: model.is_loaded, timeout=5000)
    return model


def make_dock(qtbot, ctx):
    dock = CaseQueueDock(ctx, sound=True, tick_ms=NO_TICK)
    qtbot.addWidget(dock, before_close_func=lambda w: w.setParent(None))
    qtbot.waitUntil(lambda: dock.model.is_loaded, timeout=5000)
    return dock


def in_window(qtbot, dock):
    """Docks live in a main window (a floating top-level dock makes the offscreen platform warn)."""
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    window.resize(1400, 700)
    return window


def texts(model, column):
    return [model.index(r, column).data() for r in range(model.rowCount())]


class Spy:
    """Counts the model's structural signals."""

    def __init__(self, model):
        self.resets = self.inserted = self.removed = 0
        self.changed: list[tuple[int, int, int, int]] = []
        model.modelReset.connect(lambda: setattr(self, "resets", self.resets + 1))
        model.rowsInserted.connect(lambda _p, a, b: setattr(self, "inserted", self.inserted + b - a + 1))
        model.rowsRemoved.connect(lambda _p, a, b: setattr(self, "removed", self.removed + b - a + 1))
        model.dataChanged.connect(lambda tl, br, _roles=(): self.changed.append(
            (tl.row(), tl.column(), br.row(), br.column())))


def test_rows_come_from_the_summaries(qtbot, make_ctx, cases, demo_cache):
    reported = cases.make(Status.REPORTED)
    dispatched = cases.make(Status.DISPATCHED)
    closed = cases.make(Status.CLOSED)
    model = loaded_model(qtbot, make_ctx())
    ids = set(model.ids())
    assert ids == {reported, dispatched}  # "all active" hides the closed case
    assert closed not in ids
    row = model.row_of(dispatched)
    s = demo_cache.summaries([dispatched])[0]
    assert model.index(row, Column.NUMBER).data() == s.display_number
    assert model.index(row, Column.STATUS).data() == labels.status_label(Status.DISPATCHED)
    assert model.index(row, Column.CATEGORY).data().startswith("C0101 ")
    assert model.index(row, Column.UNIT).data()  # the unit's name
    assert model.index(row, Column.LOCATION).data()  # the grid's name
    assert model.index(row, Column.SOURCE).data() == labels.source_label(s.source)
    assert model.index(row, Column.PENDING).data() == "queued"  # nothing reached a server in these tests
    assert model.index(row, Column.NUMBER).data(CaseIdRole) == dispatched
    assert model.headerData(Column.TIME_LEFT, Qt.Orientation.Horizontal) == "Time left"


def test_incremental_update_keeps_selection_and_never_resets(qtbot, make_ctx, cases):
    ids = [cases.make(Status.REPORTED) for _ in range(5)]
    dock = make_dock(qtbot, make_ctx())
    model, table = dock.model, dock.table
    chosen = ids[2]
    dock.ctx.select_case(chosen)
    assert dock.selected_id() == chosen
    spy = Spy(model)
    cases.act(ids[0], Action.REGISTER)                       # updated: stays in "all active"
    qtbot.waitUntil(lambda: model.index(model.row_of(ids[0]), Column.STATUS).data()
                    == labels.status_label(Status.REGISTERED))
    new_id = cases.make(Status.REPORTED)                     # added
    qtbot.waitUntil(lambda: model.row_of(new_id) is not None)
    assert spy.resets == 0
    assert spy.inserted >= 1
    assert dock.selected_id() == chosen
    assert table.selectionModel().selectedRows()[0].row() == model.row_of(chosen)


def test_rows_leave_and_arrive_with_the_view(qtbot, make_ctx, cases):
    a, b = cases.make(Status.REPORTED), cases.make(Status.REPORTED)
    model = loaded_model(qtbot, make_ctx())
    model.set_view(View.TO_REGISTER)
    assert set(model.ids()) == {a, b}
    spy = Spy(model)
    cases.act(a, Action.REGISTER)  # leaves "to register"
    qtbot.waitUntil(lambda: model.row_of(a) is None)
    assert spy.removed == 1 and spy.resets == 0
    model.set_view(View.TO_DISPATCH)
    assert model.ids() == [a]
    cases.act(b, Action.REGISTER)  # arrives in "to dispatch"
    qtbot.waitUntil(lambda: model.row_of(b) is not None)
    assert spy.inserted >= 1 and spy.resets == 0


def test_removed_ids_remove_rows(qtbot, make_ctx, cases):
    from app.cache.models import ChangeSet

    keep = cases.make(Status.REPORTED)
    ctx = make_ctx()
    model = loaded_model(qtbot, ctx)
    ghost = model.cols.summaries[model.cols.slot_of[keep]]
    ghost_id = uuid.uuid4()
    model.apply([ghost._replace(id=ghost_id)])
    assert model.row_of(ghost_id) is not None
    spy = Spy(model)
    ctx.signals.cases_changed.emit(ChangeSet(removed=frozenset({ghost_id})))  # the cache no longer has it
    qtbot.waitUntil(lambda: model.row_of(ghost_id) is None)
    assert spy.removed == 1 and spy.resets == 0 and model.ids() == [keep]
    model.apply([], [keep])
    assert model.rowCount() == 0


def test_a_case_that_left_the_users_scope_leaves_the_queue_row_by_row(qtbot, make_ctx, cases, demo_cache,
                                                                       refdata):
    from app.cases import workflow
    from app.wire.feed import Change

    keep = cases.make(Status.REPORTED)
    now = cases.now()
    payload = {"source": "hotline", "category_code": CASE_CATEGORY, "description": "broken cover",
               "location": {"lat": cases.lat, "lon": cases.lon, "address": "Hubin Rd 12"}}
    server = workflow.apply(None, workflow.new_command(uuid.uuid4(), Action.CREATE, payload, now), OPERATOR,
                            refdata, now)
    demo_cache.apply_changes([Change(position=1, kind="case", id=str(server.id),
                                     data=server.model_dump(mode="json"))], 1)
    model = loaded_model(qtbot, make_ctx())
    assert set(model.ids()) == {keep, server.id}
    spy = Spy(model)
    # the feed says the case left this user's scope (reassigned to another unit)
    demo_cache.apply_changes([Change(position=2, kind="scope_exit", id=str(server.id),
                                     data={"kind": "case", "version": server.version + 1})], 2)
    qtbot.waitUntil(lambda: model.row_of(server.id) is None)
    assert spy.removed == 1 and spy.resets == 0 and model.ids() == [keep]


def test_countdown_colours_follow_the_time_left(qtbot, make_ctx, cases, demo_cache):
    case_id = cases.make(Status.REPORTED)  # register stage: 30 minutes, calendar time
    model = loaded_model(qtbot, make_ctx())
    s = demo_cache.summaries([case_id])[0]
    index = model.index(model.row_of(case_id), Column.TIME_LEFT)
    expected = {1: Level.GREEN, 20: Level.AMBER, 26: Level.RED, 31: Level.OVERDUE}
    for minutes, level in expected.items():
        model.set_now(s.due_at - timedelta(minutes=30) + timedelta(minutes=minutes))
        assert index.data(LevelRole) == level, minutes
        assert index.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert index.data().startswith("overdue")
    model.set_now(s.due_at - timedelta(minutes=10))
    assert index.data() == "10m 00s"


def test_tick_refreshes_only_the_countdown_column(qtbot, make_ctx, cases):
    for _ in range(3):
        cases.make(Status.REPORTED)
    model = loaded_model(qtbot, make_ctx())
    spy = Spy(model)
    model.set_now(model._now.replace(second=30))
    model.tick()
    countdown_updates = [c for c in spy.changed if c[1] == Column.TIME_LEFT]
    assert countdown_updates == [(0, Column.TIME_LEFT, 2, Column.TIME_LEFT)]
    assert all(c[1] == c[3] for c in spy.changed)  # single-column refreshes only


def test_saved_views_filter_and_count(qtbot, make_ctx, cases):
    made = {status: cases.make(status) for status in (Status.REPORTED, Status.REGISTERED, Status.RETURNED,
                                                      Status.DISPATCHED, Status.HANDLED, Status.VERIFYING,
                                                      Status.CLOSED, Status.VOIDED, Status.SUSPENDED)}
    escalated = cases.make(Status.DISPATCHED)
    cases.act(escalated, Action.ESCALATE)
    dock = make_dock(qtbot, make_ctx())
    model = dock.model
    expected = {
        View.ALL_ACTIVE: {made[s] for s in (Status.REPORTED, Status.REGISTERED, Status.RETURNED, Status.DISPATCHED,
                                            Status.HANDLED, Status.VERIFYING, Status.SUSPENDED)} | {escalated},
        View.TO_REGISTER: {made[Status.REPORTED]},
        View.TO_DISPATCH: {made[Status.REGISTERED], made[Status.RETURNED]},
        View.RETURNED: {made[Status.RETURNED]},
        View.AWAITING_VERIFICATION: {made[Status.HANDLED], made[Status.VERIFYING]},
        View.ESCALATED: {escalated},
        View.ALL: set(made.values()) | {escalated},
    }
    for view, ids in expected.items():
        dock.set_view(view)
        assert set(model.ids()) == ids, view
    counts = dock.view_counts()
    for view, ids in expected.items():
        assert counts[view] == len(ids)
    assert "(8)" in dock.tabs.tabText(0)
    # overdue: move the clock past every running deadline
    model.set_now(model._now + timedelta(days=30))
    dock.set_view(View.OVERDUE)
    assert made[Status.SUSPENDED] not in model.ids()
    assert made[Status.REPORTED] in model.ids() and made[Status.CLOSED] not in model.ids()


def test_my_cases_for_operator_and_unit_handler(qtbot, make_ctx, cases):
    mine = cases.create(actor=OPERATOR)
    lead_case = cases.create(actor=LEAD)
    model = loaded_model(qtbot, make_ctx(OPERATOR))
    model.set_view(View.MINE)
    qtbot.waitUntil(lambda: model.ids() == [mine])  # history is indexed in the background
    dispatched = cases.make(Status.DISPATCHED)
    handler_model = loaded_model(qtbot, make_ctx(handler_for(cases.unit)))
    handler_model.set_view(View.MINE)
    assert handler_model.ids() == [dispatched]
    assert lead_case not in handler_model.ids()


def test_search_by_number_description_address_grid_and_category(qtbot, make_ctx, cases, demo_cache, refdata):
    a = cases.create(description="Water pouring from a cover", address="Hubin Road 12")
    b = cases.create(category="E0502", description="Street vendor blocking pavement", address="Lakeside 3")
    dock = make_dock(qtbot, make_ctx())
    model = dock.model
    number_b = demo_cache.summaries([b])[0].display_number
    dock.set_query(number_b)
    assert model.ids() == [b]
    dock.set_query("E0502")
    assert model.ids() == [b]
    dock.set_query(refdata.category("C0101").name_en.split()[0])  # category name (English)
    assert model.ids() == [a]
    dock.set_query(refdata.category("C0101").name)  # category name (Chinese)
    assert model.ids() == [a]
    dock.set_query("pouring")  # description: indexed in the background
    qtbot.waitUntil(lambda: model.ids() == [a])
    dock.set_query("lakeside")  # address
    assert model.ids() == [b]
    dock.set_query("330106001")  # grid code prefix
    assert set(model.ids()) >= {a}
    dock.set_query("")
    assert set(model.ids()) == {a, b}
    assert "2 of 2" in dock.footer.text()


def test_sorting_by_column_keeps_the_selection(qtbot, make_ctx, cases):
    ids = [cases.make(Status.REPORTED) for _ in range(4)]
    dock = make_dock(qtbot, make_ctx())
    model = dock.model
    dock.ctx.select_case(ids[1])
    dock.table.sortByColumn(Column.NUMBER, Qt.SortOrder.DescendingOrder)
    numbers = texts(model, Column.NUMBER)
    assert numbers == sorted(numbers, reverse=True)
    assert dock.selected_id() == ids[1]
    dock.table.sortByColumn(Column.AGE, Qt.SortOrder.AscendingOrder)  # youngest first
    assert model.ids()[0] == ids[-1]
    assert dock.selected_id() == ids[1]


@SHOWN
def test_click_arrows_and_enter_select_the_case(qtbot, make_ctx, cases):
    a, b = cases.make(Status.REPORTED), cases.make(Status.REPORTED)
    ctx = make_ctx()
    dock = make_dock(qtbot, ctx)
    window = in_window(qtbot, dock)
    window.show()
    qtbot.waitExposed(window)
    index = dock.model.index(dock.model.row_of(b), Column.NUMBER)
    rect = dock.table.visualRect(index)
    qtbot.mouseClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert ctx.selected_case == b  # a single click opens the case: the highlight is the current case
    assert dock.selected_id() == b
    qtbot.mouseDClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert ctx.selected_case == b
    dock.table.setFocus()
    key = Qt.Key.Key_Up if dock.model.row_of(a) < dock.model.row_of(b) else Qt.Key.Key_Down
    qtbot.keyClick(dock.table, key)  # the arrow keys move the current case with the highlight
    assert ctx.selected_case == a and dock.selected_id() == a
    ctx.select_case(b)
    dock.table.setCurrentIndex(dock.model.index(dock.model.row_of(a), 0))
    dock.table.setFocus()
    qtbot.keyClick(dock.table, Qt.Key.Key_Return)
    assert ctx.selected_case == a


def test_shared_selection_follows_other_docks(qtbot, make_ctx, cases):
    a = cases.make(Status.REPORTED)
    cases.make(Status.REPORTED)
    ctx = make_ctx()
    dock = make_dock(qtbot, ctx)
    ctx.select_case(a)  # e.g. clicked on the map
    assert dock.selected_id() == a


def test_new_urgent_case_shows_banner_and_sounds(qtbot, make_ctx, cases, demo_cache, refdata):
    from tests.cases.ui.test_provisional_numbers import arrive_from_server

    cases.create(priority="urgent")  # present at start-up: no alarm for it
    ctx = make_ctx()
    dock = make_dock(qtbot, ctx)
    assert dock.banner.isHidden()
    arrive_from_server(demo_cache, refdata, priority="ordinary")
    new = arrive_from_server(demo_cache, refdata, priority="urgent")  # another desk's new case
    with qtbot.waitSignal(dock.notifier.notified, timeout=3000) as blocker:
        pass
    assert [s.id for s in blocker.args[0]] == [new]
    assert not dock.banner.isHidden()
    assert demo_cache.summaries([new])[0].display_number in dock.banner.label.text()
    assert dock.notifier.sounds_played == 1
    dock.banner.open_button.click()
    assert ctx.selected_case == new and dock.banner.isHidden()


def test_emergency_mode_adds_the_emergency_view(qtbot, make_ctx, cases):
    cases.create(category="E0401", priority="urgent")
    cases.create()
    ctx = make_ctx()
    dock = make_dock(qtbot, ctx)
    assert View.EMERGENCY not in dock.views()
    ctx.signals.settings_changed.emit("emergency_mode", {"on": True, "reason": "typhoon", "by": "lead1"})
    assert View.EMERGENCY in dock.views() and dock.model.view == View.EMERGENCY  # opens on it
    assert len(dock.model.ids()) == 1
    ctx.signals.settings_changed.emit("emergency_mode", {"on": False})
    assert View.EMERGENCY not in dock.views() and dock.model.view == View.ALL_ACTIVE


def test_large_queue_filters_sorts_and_searches(qtbot, make_ctx):
    """100k synthetic summaries straight into the model: view switch, sort and search give the right rows
    (their speed is measured by `make bench`, bench_console, not asserted here)."""
    import random
    from datetime import datetime, timezone

    from app.cases.summary import CaseSummary
    from app.platform.enums import Priority, Source, Stage

    ctx = make_ctx()
    model = loaded_model(qtbot, ctx)
    rnd = random.Random(5)
    now = datetime.now(timezone.utc)
    rows = [CaseSummary(uuid.UUID(int=rnd.getrandbits(128)), f"2026-{i:06d}", None, rnd.choice(list(Status)),
                        rnd.choice(list(Priority)), "C0101", "roads", "33010600100101", 30.25, 120.15, Source.HOTLINE,
                        now - timedelta(minutes=rnd.randint(0, 9999)), now,
                        now + timedelta(minutes=rnd.randint(-300, 3000)), Stage.HANDLE, 0, 0, False, 1)
            for i in range(100_000)]
    from app.cases.queue_columns import QueueColumns

    cols = QueueColumns(partial(summary_text, model.refdata()))
    for s in rows:
        cols.put(s)
    model._index_texts = lambda ids: None  # these rows are not in the cache: nothing to index
    model._loaded(cols)
    model.set_view(View.TO_DISPATCH)
    assert model.rowCount() == sum(1 for s in rows if s.status in (Status.REGISTERED, Status.RETURNED))
    model.sort(Column.NUMBER, Qt.SortOrder.DescendingOrder)
    assert model.index(0, Column.NUMBER).data() >= model.index(1, Column.NUMBER).data()
    model.set_query("2026-0999")
    assert 0 < model.rowCount() <= 100
    model.set_query("")
    model.set_view(View.ALL_ACTIVE)
    model.sort(Column.TIME_LEFT, Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == sum(1 for s in rows if s.status not in (Status.CLOSED, Status.VOIDED, Status.MERGED))
    assert model.index(0, Column.NUMBER).data() is not None
    assert QModelIndex().isValid() is False


@SHOWN
def test_scroll_position_survives_rows_arriving_above(qtbot, make_ctx, cases):
    for _ in range(40):
        cases.make(Status.REPORTED)
    ctx = make_ctx()
    dock = make_dock(qtbot, ctx)
    window = in_window(qtbot, dock)
    window.resize(1200, 400)
    window.show()
    qtbot.waitExposed(window)
    dock.table.sortByColumn(Column.AGE, Qt.SortOrder.AscendingOrder)  # youngest first: new rows go on top
    bar = dock.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 15)
    bar.setValue(10)
    top_id = dock.model.case_id(dock.table.rowAt(0))
    dock.ctx.select_case(dock.model.case_id(12))
    selected = dock.selected_id()
    new_id = cases.create()
    qtbot.waitUntil(lambda: dock.model.row_of(new_id) == 0)
    assert bar.value() == 11
    assert dock.model.case_id(dock.table.rowAt(0)) == top_id
    assert dock.selected_id() == selected


@SHOWN
def test_new_case_button_by_role(qtbot, make_ctx):
    dock = make_dock(qtbot, make_ctx(OPERATOR))
    assert not dock.new_case_button.isHidden()
    opened = []
    dock.new_case_dialog_opened.connect(opened.append)
    dock.open_new_case()
    dock.open_new_case()  # a second request raises the same form
    assert len(opened) == 1 and dock.new_case_dialog is opened[0]
    dock.new_case_dialog.reject()
    assert dock.new_case_dialog is None
    handler_dock = make_dock(qtbot, make_ctx(handler_for("roads")))
    assert handler_dock.new_case_button.isHidden()
    handler_dock.open_new_case()
    assert handler_dock.new_case_dialog is None


def test_alert_sound_is_a_valid_wav(tmp_path):
    import wave

    from ui.shell.notifier import SOUND_FILE, ensure_alert_wav

    path = ensure_alert_wav(tmp_path / "sounds" / "alert.wav")
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        assert 0.5 < w.getnframes() / w.getframerate() < 2.0
    assert ensure_alert_wav(path) == path  # kept, not rewritten
    assert SOUND_FILE.parent.name == "sounds" and SOUND_FILE.parent.parent.name == "resources"


def test_language_change_renames_reference_data(qtbot, make_ctx, cases, refdata, monkeypatch):
    case_id = cases.create()
    ctx = make_ctx()
    dock = make_dock(qtbot, ctx)
    model = dock.model
    cell = model.index(model.row_of(case_id), Column.CATEGORY)
    assert cell.data().endswith(refdata.category("C0101").name_en)
    changed = []
    model.dataChanged.connect(lambda *a: changed.append(a))
    monkeypatch.setattr("ui.cases.issuing.current_language", lambda: "zh_CN")
    ctx.signals.language_changed.emit("zh_CN")
    assert cell.data().endswith(refdata.category("C0101").name)
    assert changed  # the views repaint


@SHOWN
def test_new_case_button_opens_the_form_and_the_dock_claims_no_ctrl_n(qtbot, make_ctx):
    """Ctrl+N belongs to the main window's File → New case; a second claim makes the key ambiguous."""
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    dock = make_dock(qtbot, make_ctx(OPERATOR))
    new = QKeySequence(QKeySequence.StandardKey.New)
    claims = [s.key() for s in dock.findChildren(QShortcut)] + [
        key for a in dock.findChildren(QAction) for key in a.shortcuts()]
    assert new not in claims and QKeySequence("Ctrl+N") not in claims
    opened = []
    dock.new_case_dialog_opened.connect(opened.append)
    dock.new_case_button.click()
    assert len(opened) == 1 and dock.new_case_dialog is opened[0]
    dock.new_case_dialog.reject()


@SHOWN
def test_a_large_batch_moves_rows_without_reset_keeping_selection_and_scroll(qtbot, make_ctx, cases):
    """More changes than SMALL_BATCH take the batched path: one layout change and blocks at the end, no
    reset; the selected case stays selected, the case at the top of the view stays at the top, and the
    rows are exactly the view's rows in sort order afterwards."""
    from ui.cases.queue_model import SMALL_BATCH

    for _ in range(60):
        cases.make(Status.REPORTED)
    ctx = make_ctx()
    dock = make_dock(qtbot, ctx)
    window = in_window(qtbot, dock)
    window.resize(1200, 400)
    window.show()
    qtbot.waitExposed(window)
    model = dock.model
    dock.table.sortByColumn(Column.AGE, Qt.SortOrder.AscendingOrder)
    bar = dock.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 20)
    bar.setValue(20)
    top_id = model.case_id(dock.table.rowAt(0))
    selected = model.case_id(25)
    dock.ctx.select_case(selected)
    bar.setValue(20)
    spy = Spy(model)
    layouts = []
    model.layoutChanged.connect(lambda *_a: layouts.append(1))
    cols = model.cols
    # 40 cases change: the 10 youngest (above the top row) close, the others get older or younger
    changed = []
    for k, case_id in enumerate(model.ids()[:40]):
        s = cols.summaries[cols.slot_of[case_id]]
        if case_id in (top_id, selected):
            continue
        if k < 10:
            changed.append(s._replace(status=Status.CLOSED))
        else:
            changed.append(s._replace(created_at=s.created_at - timedelta(minutes=k)))
    assert len(changed) > SMALL_BATCH
    model.apply(changed)
    assert spy.resets == 0 and layouts  # the batched path
    assert dock.selected_id() == selected
    assert model.case_id(dock.table.rowAt(0)) == top_id
    expected = model.cols.ordered(model._mask(), "age")
    assert model._rows.tolist() == expected and model.rowCount() == 60 - 10
    assert all(model.row_of(s.id) is None for s in changed[:10])
    assert all(model.index(r, Column.NUMBER).data() for r in range(model.rowCount()))


def test_the_first_load_takes_the_read_started_at_login(qtbot, make_ctx, cases, demo_cache):
    """start_console starts reading the queue's columns as soon as the cache is open; the model's first load
    takes that read (once), and a failed early read falls back to the model's own."""
    from app.cases.queue_prefetch import ColumnsPrefetch

    first = cases.make(Status.REPORTED)
    ctx = make_ctx()
    ctx.queue_prefetch = ColumnsPrefetch(demo_cache)
    early = ctx.queue_prefetch.result()
    cases.make(Status.REPORTED)  # after the early read, before the window: not in it (nothing is, at start-up)
    model = loaded_model(qtbot, ctx)
    assert model.cols is early and model.ids() == [first]
    assert ctx.queue_prefetch is None  # used once: a later reload reads the cache again
    failed = make_ctx()

    class Failed:
        def result(self):
            return None

    failed.queue_prefetch = Failed()
    assert len(loaded_model(qtbot, failed).ids()) == 2
