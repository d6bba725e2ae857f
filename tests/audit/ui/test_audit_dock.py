"""The audit viewer dock against a real server (uvicorn on loopback, SQLite): pages newest first, filters,
load more, CSV export of the whole filtered result (UTF-8 with BOM), offline message, and the dock only
in leads' and admins' windows."""
from __future__ import annotations

import csv
import dataclasses
import io
import re
import uuid
from datetime import datetime, timezone

import pytest
from PySide6.QtCore import QSettings, Qt

from app.cases.commands import Command
from app.cases.workflow import Actor
from app.platform.enums import Role
from app.platform.events import EventGroup
from app.sync.client import ServerClient, ServerRefused
from app.sync.session import Session
from app.sync.state import Connection, SyncState
from tests.support.live_server import LiveServer
from tests.support.stub_dock import stub_build_dock
from tests.support.sync_helpers import PASSWORDS
from ui.audit import dock as audit_dock
from ui.audit.dock import AuditDock
from ui.shell import main_window as mw
from ui.shell.context import ConsoleContext, CoreSignals

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")  # shown offscreen

LEAD = Actor("lead1", Role.SHIFT_LEAD)
OPERATOR = Actor("operator1", Role.OPERATOR)


class Engine:
    """What the dock reads from a SyncEngine: `state`, `events.state_changed` and a real `client`."""

    def __init__(self, client, connection=Connection.ONLINE):
        self.events = EventGroup("state_changed")
        self.state = SyncState(connection=connection)
        self.client = client

    def set(self, connection) -> None:
        self.state = dataclasses.replace(self.state, connection=connection)
        self.events.state_changed.emit(self.state)


@pytest.fixture
def server(tmp_path, refdata):
    s = LiveServer(tmp_path, refdata, users=("operator1", "lead1")).start()
    yield s
    s.stop()


@pytest.fixture
def trail(server, refdata):
    """Some history: an operator logs in from a console and reports three cases (one offline), a wrong
    password is tried; returns a lead's logged-in client."""
    operator = ServerClient(server.url)
    operator.login("operator1", PASSWORDS["operator1"], console_id="desk-3")
    lat, lon = refdata.grids[0].centroid
    payload = {"source": "hotline", "category_code": "C0101", "description": "井盖缺失",
               "location": {"lat": lat, "lon": lon, "address": "湖滨路 1 号"}}
    operator.push([Command(command_id=uuid.uuid4(), case_id=uuid.uuid4(), action="create", payload=payload,
                           issued_at=datetime.now(timezone.utc), console_id="desk-3", offline=i == 2)
                   for i in range(3)])
    with pytest.raises(ServerRefused):
        ServerClient(server.url).login("operator1", "not-the-password", console_id="desk-9")
    operator.close()
    lead = ServerClient(server.url)
    lead.login("lead1", PASSWORDS["lead1"], console_id="lead-desk")
    yield lead
    lead.close()


@pytest.fixture
def audit_ctx(qtbot, demo_cache):
    made = []

    def make(client, actor=LEAD, connection=Connection.ONLINE, offline=False):
        session = Session(actor=actor, display_name=actor.username, token=None if offline else "t", offline=offline)
        ctx = ConsoleContext(cache=demo_cache, session=session, signals=CoreSignals(),
                             engine=Engine(client, connection))
        ctx.connect_core()
        ctx.engine.events.state_changed.connect(ctx.signals.sync_state_changed.emit)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ev = ctx.cache.events
        for name in ("cases_changed", "outbox_changed", "conflicts_changed", "settings_changed"):
            getattr(ev, name).disconnect(getattr(ctx.signals, name).emit)


def shown_dock(qtbot, ctx) -> AuditDock:
    dock = AuditDock(ctx)
    qtbot.addWidget(dock)
    dock.show()
    return dock


def rows(dock) -> list[dict]:
    return [dock.model.entry(r).model_dump() for r in range(dock.model.rowCount())]


def test_the_dock_shows_the_trail_newest_first_and_filters_it(qtbot, audit_ctx, trail, server):
    dock = shown_dock(qtbot, audit_ctx(trail))
    qtbot.waitUntil(lambda: dock.model.rowCount() > 0 and not dock._busy, timeout=10_000)
    head = server.query("SELECT max(id) FROM audit_log")[0][0]  # every chain's entries, in the trail's order
    ids = [e["id"] for e in rows(dock)]
    assert ids == sorted(ids, reverse=True) and ids[0] == head
    assert rows(dock)[0]["action"] == "login" and rows(dock)[0]["actor"] == "lead1"
    assert "match" in dock.status.text()
    assert re.match(r"As of \d\d:\d\d \(press Search to refresh\): ", dock.status.text())  # a snapshot, dated

    dock.result_combo.setCurrentIndex(dock.result_combo.findData("failed"))
    dock.search()
    qtbot.waitUntil(lambda: not dock._busy, timeout=10_000)
    [failed] = rows(dock)
    assert failed["detail"].pop("request_id")  # the login request's (server.platform.request_context)
    assert (failed["actor"], failed["console_id"], failed["detail"]) == ("operator1", "desk-9",
                                                                         {"cause": "wrong_password"})
    assert dock.model.data(dock.model.index(0, 10)) == "Failed"

    dock.result_combo.setCurrentIndex(0)
    dock.offline_combo.setCurrentIndex(2)  # issued offline
    dock.action_combo.setCurrentIndex(dock.action_combo.findData("create"))
    dock.search()
    qtbot.waitUntil(lambda: not dock._busy, timeout=10_000)
    [offline] = rows(dock)
    assert offline["offline"] and offline["console_id"] == "desk-3"

    dock.offline_combo.setCurrentIndex(0)
    dock.action_combo.setCurrentIndex(0)
    dock.console_edit.setText("desk-3")
    dock.search()
    qtbot.waitUntil(lambda: not dock._busy, timeout=10_000)
    assert len(rows(dock)) == 1 + 3 and {e["console_id"] for e in rows(dock)} == {"desk-3"}  # login + 3 cases
    created = rows(dock)[0]
    assert dock.model.data(dock.model.index(0, 9)) == created["detail"]["number"]  # the number, not the UUID
    assert dock.model.data(dock.model.index(0, 9), Qt.ItemDataRole.ToolTipRole) == created["entity_id"]

    dock.console_edit.clear()
    dock.period.setCurrentIndex([p[0] for p in audit_dock.PERIODS].index("custom"))
    dock.start_edit.setDateTime(dock.end_edit.dateTime().addSecs(60))
    dock.search()
    assert "after its start" in dock.status.text()


def test_the_lead_picks_one_chain_and_sees_only_its_entries(qtbot, audit_ctx, trail, server):
    """The city's chain (its cases' commands) or the platform's (logins…), picked in the Chain box; the
    export follows the same filter (`AuditQuery.chain`)."""
    dock = shown_dock(qtbot, audit_ctx(trail))
    qtbot.waitUntil(lambda: dock.model.rowCount() > 0 and not dock._busy, timeout=10_000)
    assert {e["chain"] for e in rows(dock)} == {"", "3301"}  # every chain at first
    combo = dock.chain_combo
    assert [combo.itemData(i) for i in range(combo.count())] == [None, "platform", "3301"]
    assert combo.itemText(2) == "City 3301"

    for picked, chain in (("3301", "3301"), ("platform", "")):
        combo.setCurrentIndex(combo.findData(picked))
        qtbot.mouseClick(dock.search_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dock._busy and dock.model.rowCount() > 0, timeout=10_000)
        expected = [row[0] for row in server.query(f"SELECT id FROM audit_log WHERE chain = '{chain}' ORDER BY id DESC")]
        assert [e["id"] for e in rows(dock)] == expected and {e["chain"] for e in rows(dock)} == {chain}
    assert len(rows(dock)) >= 3 and {e["action"] for e in rows(dock)} >= {"login"}
    assert dock.query().params()["chain"] == "platform"
    combo.setCurrentIndex(combo.findData("3301"))
    qtbot.mouseClick(dock.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dock._busy and dock.model.rowCount() > 0, timeout=10_000)
    assert [e["action"] for e in rows(dock)] == ["create"] * 3
    assert dock.model.data(dock.model.index(0, 0)) == "3301@3"  # a city chain's own numbers


def test_pages_are_appended_on_load_more(qtbot, audit_ctx, trail, server, monkeypatch):
    monkeypatch.setattr(audit_dock, "PAGE", 3)
    dock = shown_dock(qtbot, audit_ctx(trail))
    dock.period.setCurrentIndex([p[0] for p in audit_dock.PERIODS].index("all"))
    dock.search()
    qtbot.waitUntil(lambda: dock.model.rowCount() == 3 and not dock._busy, timeout=10_000)
    assert dock.more_button.isEnabled()
    inserted = []
    dock.model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    total = server.query("SELECT count(*) FROM audit_log")[0][0]
    while dock.more_button.isEnabled():
        dock.load_more()
        qtbot.waitUntil(lambda: not dock._busy, timeout=10_000)
    ids = [e["id"] for e in rows(dock)]
    assert ids == list(range(total, 0, -1))
    assert inserted[0] == (3, 5)  # appended, not reset


def test_csv_export_has_every_filtered_entry_with_a_bom(qtbot, audit_ctx, trail, server, tmp_path, monkeypatch):
    monkeypatch.setattr("app.audit.trail.EXPORT_PAGE", 2)  # several pages
    dock = shown_dock(qtbot, audit_ctx(trail))
    qtbot.waitUntil(lambda: not dock._busy, timeout=10_000)
    dock.actor_edit.setText("operator1")
    target = tmp_path / "audit.csv"
    dock.export_to(str(target))
    qtbot.waitUntil(lambda: dock.last_export is not None, timeout=10_000)
    expected = server.query("SELECT chain, seq FROM audit_log WHERE actor = 'operator1' ORDER BY id DESC")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:4] == ["No.", "Server time", "Console time", "User"]
    # a city's chain numbers its own entries: its label, CITY@N, as hashed
    assert [r[0] for r in table[1:]] == [f"{c}@{s}" if c else str(s) for (c, s) in expected]
    assert any("@" in r[0] for r in table[1:]) and any("@" not in r[0] for r in table[1:])
    assert dock.last_export == (str(target), len(expected))
    assert "Exported 5 entries" in dock.status.text()  # a login, three cases, a failed login
    assert not list(tmp_path.glob(".audit-*"))  # no temporary file left


def test_offline_the_dock_says_it_needs_the_server(qtbot, audit_ctx, trail):
    ctx = audit_ctx(trail, connection=Connection.OFFLINE)
    dock = shown_dock(qtbot, ctx)
    assert "server" in dock.status.text() and not dock.search_button.isEnabled()
    assert not dock.export_button.isEnabled() and dock.model.rowCount() == 0
    ctx.engine.set(Connection.ONLINE)  # the connection comes back: it loads by itself
    qtbot.waitUntil(lambda: dock.model.rowCount() > 0, timeout=10_000)
    offline_login = shown_dock(qtbot, audit_ctx(trail, offline=True))
    assert "server" in offline_login.status.text() and not offline_login.search_button.isEnabled()


def test_a_refusal_is_explained(qtbot, audit_ctx, server, trail):
    operator = ServerClient(server.url)
    operator.login("operator1", PASSWORDS["operator1"])
    dock = shown_dock(qtbot, audit_ctx(operator, actor=LEAD))  # a console that thinks it is a lead's
    qtbot.waitUntil(lambda: not dock._busy and dock._loaded_once, timeout=10_000)
    assert "Only shift leads and administrators" in dock.status.text()
    operator.close()


@pytest.mark.parametrize("actor, present", [(LEAD, True), (Actor("admin", Role.ADMIN), True), (OPERATOR, False),
                                            (Actor("inspector1", Role.INSPECTOR), False)])
def test_only_leads_and_admins_get_the_audit_dock(qtbot, audit_ctx, tmp_path, monkeypatch, actor, present):
    monkeypatch.setattr(mw, "build_dock", stub_build_dock)
    window = mw.MainWindow(audit_ctx(None, actor=actor, connection=Connection.OFFLINE),
                           window_state=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert ("auditDock" in window.docks) is present
    titles = [a.text() for a in window.view_menu.actions()]
    assert ("Audit trail" in titles) is present
    if present:
        assert window.docks["auditDock"] in window.tabifiedDockWidgets(window.docks["conflictsDock"])
