"""Shared set-up for the Qt tests (a plugin of tests/conftest.py) (offscreen; every Qt warning fails a test, see pyproject.toml).

Importing the map's Qt modules here, before pytest-qt creates the QApplication, registers the map's
``onegrid:`` URL scheme and lets Qt WebEngine set up OpenGL context sharing in time; both must happen
before the application object exists.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# ---------------------------------------------------------------------------------------------------------
# Case widgets (queue, detail, dialogs, conflicts): a real LocalCache on tmp_path with the demo reference
# data, contexts for each role, and cases brought into any state through the workflow itself.
from datetime import datetime as _datetime  # noqa: E402
from datetime import timezone as _timezone

import PySide6.QtWebEngineWidgets  # noqa: E402,F401 - must be imported before the QApplication exists
import pytest  # noqa: E402

import ui.map.interceptor  # noqa: E402,F401 - registers the onegrid: scheme before the QApplication
from app.cases.workflow import Actor as _Actor  # noqa: E402
from app.platform.enums import Action as _A  # noqa: E402
from app.platform.enums import Role as _R
from app.platform.enums import Status as _S

CASE_CATEGORY = "C0101"             # water supply manhole cover: routed to `water_supply`
CASE_GRID = "33010600100101"
OPERATOR = _Actor("operator1", _R.OPERATOR)
LEAD = _Actor("lead1", _R.SHIFT_LEAD)
INSPECTOR = _Actor("inspector1", _R.INSPECTOR)


def handler_for(unit_id: str) -> _Actor:
    return _Actor(f"handler_{unit_id}", _R.UNIT_HANDLER, unit_id)


class CaseMaker:
    """Creates cases and walks them through the lifecycle with the right actor for each step."""

    PATHS = {
        _S.REPORTED: [],
        _S.REGISTERED: [_A.REGISTER],
        _S.VOIDED: [_A.VOID],
        _S.DISPATCHED: [_A.REGISTER, _A.DISPATCH],
        _S.RETURNED: [_A.REGISTER, _A.DISPATCH, _A.RETURN],
        _S.IN_PROGRESS: [_A.REGISTER, _A.DISPATCH, _A.ACCEPT],
        _S.HANDLED: [_A.REGISTER, _A.DISPATCH, _A.ACCEPT, _A.REPORT_HANDLED],
        _S.VERIFYING: [_A.REGISTER, _A.DISPATCH, _A.ACCEPT, _A.REPORT_HANDLED, _A.SEND_VERIFY],
        _S.CLOSED: [_A.REGISTER, _A.DISPATCH, _A.ACCEPT, _A.REPORT_HANDLED, _A.SEND_VERIFY, _A.VERIFY_PASS, _A.CLOSE],
        _S.SUSPENDED: [_A.REGISTER, _A.SUSPEND],
    }

    def __init__(self, cache, refdata):
        self.cache, self.refdata = cache, refdata
        from app.cases.routing import rank_units

        self.unit = rank_units(refdata, CASE_CATEGORY, CASE_GRID)[0].unit_id
        self.lat, self.lon = refdata.grid(CASE_GRID).centroid

    def now(self):
        return _datetime.now(_timezone.utc)

    def create(self, *, category=CASE_CATEGORY, lat=None, lon=None, description="井盖破损 broken cover",
               priority=None, address="湖滨路 12 号", actor=OPERATOR):
        payload = {"source": "hotline", "category_code": category, "description": description,
                   "location": {"lat": self.lat if lat is None else lat, "lon": self.lon if lon is None else lon,
                                "address": address}}
        if priority:
            payload["priority"] = priority
        return self.cache.issue(actor, _A.CREATE, None, payload, self.now(), offline=False).case_id

    def act(self, case_id, action, payload=None, actor=None):
        actor = actor or self.actor_for(action)
        payload = payload if payload is not None else self.payload_for(action)
        return self.cache.issue(actor, action, case_id, payload, self.now(), offline=False)

    def actor_for(self, action):
        if action in (_A.ACCEPT, _A.RETURN, _A.REPORT_HANDLED, _A.REQUEST_EXTENSION):
            return handler_for(self.unit)
        if action in (_A.VERIFY_PASS, _A.VERIFY_FAIL):
            return INSPECTOR
        if action in (_A.CLOSE, _A.SUSPEND, _A.RESUME, _A.APPROVE_EXTENSION, _A.DENY_EXTENSION):
            return LEAD
        return OPERATOR

    def payload_for(self, action):
        return {
            _A.REGISTER: {}, _A.VOID: {"reason": "duplicate"}, _A.DISPATCH: {"unit_id": self.unit},
            _A.ACCEPT: {}, _A.RETURN: {"reason": "not ours"}, _A.REPORT_HANDLED: {"note": "replaced the cover"},
            _A.SEND_VERIFY: {"inspector": "inspector1"}, _A.VERIFY_PASS: {"note": "ok"},
            _A.VERIFY_FAIL: {"reason": "still broken"}, _A.CLOSE: {}, _A.SUSPEND: {"reason": "rain"},
            _A.RESUME: {}, _A.REQUEST_EXTENSION: {"minutes": 480, "working": True, "reason": "parts"},
            _A.ESCALATE: {"reason": "slow"}, _A.NOTE: {"text": "caller rang again"},
        }[action]

    def make(self, status=_S.REPORTED, **create_kwargs):
        case_id = self.create(**create_kwargs)
        for action in self.PATHS[_S(status)]:
            self.act(case_id, action)
        return case_id


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """For Qt tests (those using pytest-qt's `qtbot` or `qapp`): Background work a test started finishes within that test, while its widgets still exist (pytest-qt
    closes them before any fixture's teardown); otherwise its callback lands in whichever test runs next on
    this process, on widgets deleted meanwhile."""
    try:
        return (yield)
    finally:
        if _is_qt_test(item):
            _finish_background_work()


def _is_qt_test(item) -> bool:
    return bool({"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())))


def _finish_background_work(timeout_s: float = 10.0) -> None:
    import time

    from PySide6.QtWidgets import QApplication

    from ui.shell import ops

    app = QApplication.instance()
    deadline = time.monotonic() + timeout_s
    while app is not None and ops._RUNNING and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)


@pytest.fixture(autouse=True)
def collect_garbage_on_the_gui_thread(request):
    """In Qt tests: A test's cyclic garbage is collected here, on the GUI thread, after its widgets are closed: a
    collection that happens to run later on some worker thread would destroy Qt objects there. What
    survives is frozen (`gc.freeze`), so each collection only looks at what the last test made."""
    yield
    if not _is_qt_test(request.node):
        return
    import gc

    gc.collect()
    gc.freeze()


@pytest.fixture
def demo_cache(tmp_path, refdata):
    from app.cache import LocalCache

    cache = LocalCache(tmp_path / "console")
    cache.store_refdata(refdata.to_dict())
    yield cache
    cache.close()


@pytest.fixture
def cases(demo_cache, refdata):
    return CaseMaker(demo_cache, refdata)


@pytest.fixture
def make_ctx(qtbot, demo_cache):
    """make_ctx(actor=OPERATOR, offline=False) -> ConsoleContext over the demo cache."""
    from app.sync.session import Session
    from ui.shell.context import ConsoleContext, CoreSignals

    made = []

    def make(actor=OPERATOR, *, offline=False, cache=None):
        session = Session(actor=actor, display_name=actor.username, token=None, offline=offline)
        ctx = ConsoleContext(cache=cache or demo_cache, session=session, signals=CoreSignals())
        ctx.connect_core()
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:  # stop the cache's events from reaching signals of a finished test
        ev = ctx.cache.events
        for name in ("cases_changed", "outbox_changed", "conflicts_changed", "settings_changed"):
            getattr(ev, name).disconnect(getattr(ctx.signals, name).emit)


def wait_ops(qtbot, condition, timeout=5000):
    """Wait for background ops (run_op) to finish and their callbacks to run."""
    qtbot.waitUntil(condition, timeout=timeout)
