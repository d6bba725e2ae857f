"""The Performance dock's jurisdiction filter: the figures of the cases that lie in the chosen district or
street, computed offline from the cache as the server would; a district lead is offered its own district
and streets only (no "All jurisdictions"); online, the server is asked for the chosen jurisdiction.
Worked example: the scripted day's six registrations all lie in district 330106 — 330106 shows 6, 330108 0."""
from __future__ import annotations

from types import SimpleNamespace

from app.cases.workflow import Actor
from app.metrics import figures as m
from app.platform.enums import Role
from app.sync.state import Connection
from tests.metrics.ui.test_performance_dock import (  # noqa: F401
    AS_OF,
    DAY,
    computed,
    history_cache,
    make_dock,
)
from tests.support.ui import LEAD, wait_ops


def _registered(dock) -> str:
    model = dock.figures_model
    return next(model.index(r, 1).data() for r in range(model.rowCount()) if model.keys[r] == "registered")


def _choose(qtbot, dock, code) -> None:
    before = dock.report
    combo = dock.jurisdiction_combo
    combo.setCurrentIndex(combo.findData(code))
    dock._debounce.stop()  # noqa: SLF001 - compute now rather than after the typing pause
    dock.compute()
    wait_ops(qtbot, lambda: not dock.computing and dock.report is not before)


def test_offline_figures_per_district_and_street(qtbot, make_ctx, history_cache, refdata):  # noqa: F811
    assert {c.location.grid_code[:6] for c in history_cache.values()} == {"330106"}
    dock = make_dock(qtbot, make_ctx(LEAD, offline=True))
    computed(qtbot, dock, DAY, DAY)
    assert dock.jurisdiction_combo.currentData() is None and _registered(dock) == "6"
    labels = [dock.jurisdiction_combo.itemText(i) for i in range(dock.jurisdiction_combo.count())]
    assert labels[0] == "All jurisdictions" and "District 330108" in labels and any("明湖街道" in t for t in labels)
    _choose(qtbot, dock, "330106")
    assert _registered(dock) == "6" and dock.report.jurisdiction == "330106"
    _choose(qtbot, dock, "330108")
    assert _registered(dock) == "0" and dock.report.jurisdiction == "330108"
    streets = {c.location.grid_code[:9] for c in history_cache.values()}
    street = sorted(streets)[0]
    _choose(qtbot, dock, street)
    expected = m.compute_offline([c for c in history_cache.values() if c.location.grid_code.startswith(street)],
                                 refdata, DAY, DAY, None, True, AS_OF).figure("registered").value
    assert _registered(dock) == str(int(expected))


def test_a_district_lead_is_offered_its_district_only_and_the_server_is_asked_for_it(qtbot, make_ctx,
                                                                                        history_cache, refdata):  # noqa: F811
    calls = []
    report = m.compute_offline([], refdata, DAY, DAY, None, True, AS_OF).model_copy(update={"source": "server"})

    class Client:
        def metrics(self, start, end, unit_id=None, rollup=True, jurisdiction=None):
            calls.append(jurisdiction)
            return report

    ctx = make_ctx(Actor("lead_cj", Role.SHIFT_LEAD))
    ctx.engine = SimpleNamespace(client=Client(), state=SimpleNamespace(connection=Connection.ONLINE))
    dock = make_dock(qtbot, ctx)
    combo = dock.jurisdiction_combo
    codes = [combo.itemData(i) for i in range(combo.count())]
    assert codes == ["330108", "330108001", "330108002"]
    assert calls[-1] == "330108"
