"""The Performance dock, built from a context over a real cache holding the hand-scripted day
(tests/support/metrics_history.py) as server snapshots: offline computation, figures with formulas visible,
sortable ranking, charts, CSV export (UTF-8 with BOM), a server answer when online, and the roles."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from app.metrics import figures as m
from app.sync.client import ServerUnreachable
from app.sync.state import Connection
from app.wire.feed import Change
from tests.support import metrics_history as hist
from tests.support.stub_dock import stub_build_dock
from tests.support.ui import LEAD, OPERATOR, wait_ops

DAY = date(2026, 11, 23)
AS_OF = datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)


@pytest.fixture
def history_cache(demo_cache, refdata):
    built = hist.build_cases(refdata)
    changes = [Change(position=i, kind="case", id=str(c.id), data=c.model_dump(mode="json"))
               for i, c in enumerate(built.values(), start=1)]
    demo_cache.apply_changes(changes, cursor=len(changes))
    return built


def make_dock(qtbot, ctx):
    from ui.metrics.performance_dock import PerformanceDock

    dock = PerformanceDock(ctx, clock=lambda: AS_OF)
    qtbot.addWidget(dock)
    assert dock.report is None  # nothing is computed before the dock is shown
    dock.visibilityChanged.emit(True)  # as when its tab is raised (showing a top-level dock warns offscreen)
    wait_ops(qtbot, lambda: not dock.computing and dock.report is not None)
    return dock


def computed(qtbot, dock, *args, **kwargs):
    before = dock.report
    dock.set_selection(*args, **kwargs)
    wait_ops(qtbot, lambda: not dock.computing and dock.report is not before)
    return dock.report


def test_offline_report_shows_figures_with_formulas(qtbot, make_ctx, history_cache):
    dock = make_dock(qtbot, make_ctx(LEAD, offline=True))
    rep = computed(qtbot, dock, DAY, DAY)
    assert rep.source == "cache"
    assert "cache" in dock.source_label.text() and "offline" in dock.source_label.text()
    model = dock.figures_model
    rows = {model.keys[r]: [model.index(r, c).data() for c in range(4)] for r in range(model.rowCount())}
    assert rows["registered"][1] == "6"
    assert rows["on_time_handling_rate"][1] == "66.7 %" and rows["on_time_handling_rate"][2] == "= 4 / 6"
    assert rows["closure_rate"][3].startswith("closed ÷ (due to be closed − suspended)")  # a column, not a tooltip
    assert "0.40 × timely_resolution_rate" in rows["composite"][3]  # the weights are shown
    assert rows["rework_rate"][2] == "= 1 / 6"
    assert rows["time_to_dispatch"][1] == "10 min" and "p90 12 min" in rows["time_to_dispatch"][2]  # 690 s


def test_na_is_shown_for_a_zero_denominator(qtbot, make_ctx, history_cache):
    dock = make_dock(qtbot, make_ctx(LEAD, offline=True))
    computed(qtbot, dock, DAY, DAY, "gas")
    model = dock.figures_model
    row = model.keys.index("closure_rate")
    assert model.index(row, 1).data() == "n/a"
    assert model.index(row, 2).data() == "= 0 / 0"


def test_ranking_is_sortable_and_rolls_up(qtbot, make_ctx, history_cache):
    dock = make_dock(qtbot, make_ctx(LEAD, offline=True))
    computed(qtbot, dock, DAY, DAY, "roads", True)
    model = dock.ranking_model
    assert set(model.ids) == {"roads_north", "roads_north_repair", "roads_south", "bridges", "streetlights"}
    registered_col = 2 + m.RANKING_KEYS.index("registered")
    by_unit = {model.ids[r]: model.index(r, registered_col).data() for r in range(model.rowCount())}
    assert by_unit["roads_north"] == "1" and by_unit["roads_north_repair"] == "0" and by_unit["bridges"] == "0"
    proxy = dock.ranking_proxy
    dock.ranking_view.sortByColumn(registered_col, m_order("desc"))
    top = [proxy.index(r, 1).data() for r in range(2)]
    assert top[0].strip("　") == model.unit_name("roads_north")
    rate_col = 2 + m.RANKING_KEYS.index("timely_resolution_rate")
    dock.ranking_view.sortByColumn(rate_col, m_order("desc"))
    values = [proxy.index(r, rate_col).data() for r in range(proxy.rowCount())]
    assert set(values) == {"n/a"}  # C is late only in verification: no unit under roads had a case due
    # nobody reaches 5 cases due: listed, not ranked, the reason in the rank's tooltip; the caption says why
    from PySide6.QtCore import Qt

    assert {model.index(r, 0).data() for r in range(model.rowCount())} == {"—"}
    assert "fewer than 5 cases due" in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Timely resolution rate" in dock.ranking_caption.text() and "same parent" in dock.ranking_caption.text()


def test_center_posts_tab(qtbot, make_ctx, history_cache):
    dock = make_dock(qtbot, make_ctx(LEAD, offline=True))
    computed(qtbot, dock, DAY, DAY)
    model = dock.posts.model
    rows = {model.index(r, 1).data(): [model.index(r, c).data() for c in range(5)] for r in range(model.rowCount())}
    assert rows["Verified on time"][2:4] == ["50.0 %", "= 3 / 6"]
    assert rows["Wrong dispatches (returned)"][3] == "= 1 / 8"
    assert "deadline" in rows["Registered on time"][4]
    computed(qtbot, dock, DAY, DAY, "water_supply")
    assert model.rowCount() == 0 and "city-wide only" in dock.posts.caption.text()


def m_order(direction: str):
    from PySide6.QtCore import Qt

    return Qt.SortOrder.DescendingOrder if direction == "desc" else Qt.SortOrder.AscendingOrder


def test_charts_show_trend_and_categories(qtbot, make_ctx, history_cache):
    dock = make_dock(qtbot, make_ctx(LEAD, offline=True))
    computed(qtbot, dock, date(2026, 11, 22), DAY)
    xs, ys = dock.charts.curves["registered"].getData()
    assert list(ys) == [1, 6] and len(xs) == 2
    assert dock.charts.category_codes == ["C0101"]
    assert list(dock.charts.bars_registered.opts["width"]) == [7]


def test_csv_export_is_utf8_with_bom(qtbot, make_ctx, history_cache, tmp_path):
    from ui.shell import i18n

    dock = make_dock(qtbot, make_ctx(LEAD, offline=True))
    computed(qtbot, dock, DAY, DAY)
    path = tmp_path / "report.csv"
    dock.export_csv(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    figures = {r[0]: r for r in rows if len(r) == 6}
    assert figures["Closure rate (结案率)"][1:4] == ["33.33%", "2", "6"]
    assert figures["Closure rate (结案率)"][5].startswith("closed ÷ (due to be closed − suspended)")
    ranking = [r for r in rows if r and (r[0] == "—" or r[0].isdigit())]
    assert any("fewer than 5 cases due" in cell for r in ranking for cell in r)
    names = [r[1] for r in ranking]
    assert "Qingyuan Water Supply Co." in names if i18n.current_language() == "en" else "清源供水有限公司" in names


def test_online_uses_the_server_and_falls_back_to_the_cache(qtbot, make_ctx, history_cache, refdata):
    ctx = make_ctx(LEAD)
    offline_report = m.compute_offline(history_cache.values(), refdata, DAY, DAY, None, True, AS_OF)
    server_report = offline_report.model_copy(update={"source": "server"})
    calls = []

    class Client:
        fail = False

        def metrics(self, start, end, unit_id=None, rollup=True):
            calls.append((start, end, unit_id, rollup))
            if self.fail:
                raise ServerUnreachable("connection refused")
            return server_report.model_copy()

    client = Client()
    ctx.engine = SimpleNamespace(client=client, state=SimpleNamespace(connection=Connection.ONLINE))
    dock = make_dock(qtbot, ctx)
    rep = computed(qtbot, dock, DAY, DAY, "water_supply", False)
    assert rep.source == "server" and calls[-1] == (DAY, DAY, "water_supply", False)
    assert "server" in dock.source_label.text()
    client.fail = True
    rep = computed(qtbot, dock, DAY, DAY)
    assert rep.source == "cache" and "could not be reached" in dock.source_label.text()


def test_other_roles_get_no_figures(qtbot, make_ctx, history_cache):
    from ui.metrics.performance_dock import PerformanceDock

    dock = PerformanceDock(make_ctx(OPERATOR), clock=lambda: AS_OF)
    qtbot.addWidget(dock)
    assert not dock.allowed and dock.report is None
    assert not dock.tabs.isVisibleTo(dock) and dock.denied.isVisibleTo(dock)


def test_main_window_lists_the_dock_for_leads_only():
    from app.platform.enums import Role
    from ui.shell.main_window import DOCKS

    spec = next(s for s in DOCKS if s.name == "performanceDock")
    assert set(spec.roles) == {Role.SHIFT_LEAD, Role.ADMIN}


def test_end_before_start_is_refused_in_the_dock(qtbot, make_ctx, history_cache):
    dock = make_dock(qtbot, make_ctx(LEAD, offline=True))
    dock.set_selection(date(2026, 11, 24), DAY)
    assert "before its start" in dock.source_label.text()


@pytest.mark.parametrize("actor, present", [(LEAD, True), (OPERATOR, False)])
def test_the_main_window_builds_the_dock_for_leads_only(qtbot, make_ctx, tmp_path, monkeypatch, actor, present):
    from PySide6.QtCore import QSettings

    from ui.shell import main_window as mw

    monkeypatch.setattr(mw, "build_dock", stub_build_dock)
    window = mw.MainWindow(make_ctx(actor, offline=True),
                           window_state=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert ("performanceDock" in window.docks) is present
    assert ("Performance" in [a.text() for a in window.view_menu.actions()]) is present
    if present:  # a tab behind the map
        assert window.docks["performanceDock"] in window.tabifiedDockWidgets(window.docks["mapDock"])


def _decided(camera: str, type_code: str, state: str, at: str, lat=30.2540667, lon=120.1629918) -> dict:
    return {"id": f"{camera}-{type_code}-{state}-{at}", "camera_id": camera, "camera_name": f"{camera} name",
            "type_code": type_code, "type_name": "Illegal parking", "type_name_zh": "违章停车", "state": state,
            "decided_at": at, "lat": lat, "lon": lon}


def test_detections_tab_shows_false_positive_rates_offline(qtbot, make_ctx, history_cache, demo_cache):
    """Hand-worked: cam-a decided 1 confirmed and 2 rejected in the day → 2 ÷ 3 = 66.7 %; a rejection the
    day before and a pending detection do not count; cam-b 1 confirmed → 0.0 %."""
    day = "2026-11-23T03:00:00+00:00"
    detections = [_decided("cam-a", "illegal_parking", "confirmed", day),
                  _decided("cam-a", "illegal_parking", "rejected", "2026-11-23T04:00:00+00:00"),
                  _decided("cam-a", "illegal_parking", "rejected", "2026-11-23T05:00:00+00:00"),
                  _decided("cam-a", "illegal_parking", "rejected", "2026-11-21T05:00:00+00:00"),  # before the day
                  {**_decided("cam-a", "illegal_parking", "pending", day), "decided_at": None},
                  _decided("cam-b", "illegal_parking", "confirmed", day)]
    demo_cache.apply_changes([Change(position=1000 + i, kind="detection", id=d["id"], data=d)
                              for i, d in enumerate(detections)], cursor=1000 + len(detections))
    dock = make_dock(qtbot, make_ctx(LEAD, offline=True))
    rep = computed(qtbot, dock, DAY, DAY)
    assert [(r.camera_id, r.confirmed, r.rejected, r.value) for r in rep.detection_rates] == [
        ("cam-a", 1, 2, pytest.approx(2 / 3)), ("cam-b", 1, 0, 0.0)]
    table = dock.detections.table
    assert dock.tabs.tabText(4) == "Detections"
    assert [table.horizontalHeaderItem(c).text() for c in range(5)] == [
        "Camera or drone", "Detection type", "Confirmed", "Rejected", "False-positive rate"]
    assert [table.item(0, c).text() for c in range(5)] == ["cam-a name", "Illegal parking", "1", "2", "66.7 %"]
    assert table.item(1, 4).text() == "0.0 %"
    assert "rejected ÷ (confirmed + rejected)" in dock.detections.caption.text()  # the formula, written out
    computed(qtbot, dock, DAY, DAY, "water_supply")  # a unit's report: cameras are no unit's
    assert table.rowCount() == 0 and "city-wide" in dock.detections.caption.text()
