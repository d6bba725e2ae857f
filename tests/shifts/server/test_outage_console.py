"""A console reports offline periods only under its own console id: the one its token was issued to at
login (`POST /api/console-outages`)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.audit import AuditEntryRow
from db.shifts import ConsoleOutageRow
from tests.support.server import HANDLER


def _report(srv, headers, console_id):
    outage = {"id": str(uuid.uuid4()), "started_at": (srv.clock.now - timedelta(minutes=10)).isoformat(),
              "ended_at": (srv.clock.now - timedelta(minutes=2)).isoformat(), "error": "connection refused"}
    return srv.client.post("/api/console-outages", headers=headers, json={"console_id": console_id,
                                                                         "outages": [outage]})


def _stored(srv):
    with srv.ctx.db.reader() as session:
        return session.execute(select(ConsoleOutageRow.console_id, ConsoleOutageRow.username)).all()


@pytest.mark.parametrize("user", ["operator1", "lead1", HANDLER])
def test_a_console_reports_under_its_own_id_only(srv, user):
    headers = srv.login(user, "desk-1")
    r = _report(srv, headers, "desk-2")
    assert r.status_code == 403 and r.json()["error"] == "console_mismatch", r.text
    assert "'desk-1'" in r.json()["message"] and "'desk-2'" in r.json()["message"]
    assert _stored(srv) == []
    r = _report(srv, headers, "desk-1")
    assert r.status_code == 200 and r.json() == {"stored": 1, "duplicates": 0}, r.text
    assert _stored(srv) == [("desk-1", user)]


def test_a_login_without_a_console_id_reports_none(srv):
    r = _report(srv, srv.login("operator1"), "desk-1")
    assert r.status_code == 403 and r.json()["error"] == "console_unbound", r.text
    assert "log in with console_id" in r.json()["message"]
    assert _stored(srv) == []


def test_a_refused_report_is_on_record(srv):
    _report(srv, srv.login("operator1", "desk-1"), "desk-9")
    with srv.ctx.db.reader() as session:
        (entry,) = session.execute(select(AuditEntryRow).where(AuditEntryRow.action == "outages_report")).scalars()
    assert (entry.actor, entry.result, entry.reason, entry.console_id, entry.entity_kind, entry.entity_id) == (
        "operator1", "rejected", "console_mismatch", "desk-1", "console", "desk-9")
