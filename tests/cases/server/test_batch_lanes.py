"""A batch's cases applied concurrently on PostgreSQL (`server.cases.commands._apply_lanes`): each case's
commands still in batch order, answers in batch order, exactly once, one audit chain, gap-free feed.
The lanes apply one command per transaction: these servers commit no groups (`commit_group` 1; groups
are tested in test_group_commit.py)."""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.cases.commands import CommandBatch
from app.platform.enums import Role
from db.audit import AuditEntryRow
from db.cases import CaseEventRow, CommandRow
from server.audit import verify as audit
from server.cases import commands as server_commands
from server.platform.auth import AuthUser
from tests.support.server import UNIT

OPERATOR = AuthUser("operator1", "张敏", Role.OPERATOR)


@pytest.fixture
def pg(make_harness, pg_url):
    return make_harness(pg_url, commit_group=1)


def _batch(h, cases: int) -> tuple[list[uuid.UUID], list[dict]]:
    ids = [uuid.uuid4() for _ in range(cases)]
    commands = []
    for case_id in ids:  # interleaved, as a console's outbox is when several cases were worked at once
        commands.append(h.command("create", case_id, h.create_payload()))
    for case_id in ids:
        commands.append(h.command("register", case_id))
        commands.append(h.command("note", case_id, {"text": "caller rang again"}))
    for case_id in ids:
        commands.append(h.command("dispatch", case_id, {"unit_id": UNIT}))
        commands.append(h.command("close", case_id))  # refused: operators do not close
    return ids, commands


def test_lanes_keep_each_cases_order_and_answer_in_batch_order(pg):
    assert pg.ctx.batch_lanes.count > 1  # the lanes are what this test is about
    ids, commands = _batch(pg, 12)
    results = pg.post("operator1", *commands)
    assert [r["command_id"] for r in results] == [c["command_id"] for c in commands]
    by_command = {c["command_id"]: c for c in commands}
    for r in results:
        expected = "rejected" if by_command[r["command_id"]]["action"] == "close" else "accepted"
        assert r["status"] == expected, r
    with pg.ctx.db.reader() as session:
        for case_id in ids:
            actions = session.execute(select(CaseEventRow.action).where(CaseEventRow.case_id == case_id)
                                      .order_by(CaseEventRow.seq)).scalars().all()
            assert actions == ["create", "register", "note", "dispatch"]
        assert session.query(CommandRow).count() == len(commands)
    numbers = sorted(r["case"]["number"] for r in results if r["status"] == "accepted" and r["version"] == 1)
    assert numbers == [f"2026-{i:06d}" for i in range(1, 13)]
    positions = [r["position"] for r in results if r["status"] == "accepted"]
    assert len(set(positions)) == len(positions)
    page = pg.changes("lead1", after=0, limit=1000)
    assert {c["id"] for c in page["changes"] if c["kind"] == "case"} == {str(i) for i in ids}
    assert max(c["position"] for c in page["changes"]) == max(positions)

    again = pg.post("operator1", *commands)  # a retried batch: the stored answers, byte for byte
    assert again == results
    reports = audit.verify_all(pg.ctx.db.reader)  # every chain: the cities' and the platform's
    assert all(r.ok for r in reports), [r.summary() for r in reports]  # one chain, no fork
    with pg.ctx.db.reader() as session:  # each command audited once, the retry not at all
        assert session.query(AuditEntryRow).filter(AuditEntryRow.entity_kind == "case").count() == len(commands)


def test_a_database_outage_stops_its_case_and_the_retry_completes_the_batch(pg, monkeypatch):
    ids, commands = _batch(pg, 6)
    victim = ids[2]
    real = server_commands._apply_in_transaction
    armed = {"on": True}

    def flaky(session, user, command, refdata, now):
        if armed["on"] and command.case_id == victim and command.action == "note":
            raise OperationalError("SELECT 1", {}, RuntimeError("injected outage"))
        return real(session, user, command, refdata, now)

    monkeypatch.setattr(server_commands, "_apply_in_transaction", flaky)
    with pytest.raises(OperationalError, match="injected outage"):
        server_commands.apply_batch(pg.ctx.db.writer, OPERATOR, CommandBatch.model_validate({"commands": commands}),
                                    pg.refdata, pg.clock, lanes=pg.ctx.batch_lanes)
    with pg.ctx.db.reader() as session:
        actions = session.execute(select(CaseEventRow.action).where(CaseEventRow.case_id == victim)
                                  .order_by(CaseEventRow.seq)).scalars().all()
    assert actions == ["create", "register"]  # nothing of this case ran past the failure
    armed["on"] = False
    results = pg.post("operator1", *commands)
    assert [r["command_id"] for r in results] == [c["command_id"] for c in commands]
    with pg.ctx.db.reader() as session:
        for case_id in ids:
            actions = session.execute(select(CaseEventRow.action).where(CaseEventRow.case_id == case_id)
                                      .order_by(CaseEventRow.seq)).scalars().all()
            assert actions == ["create", "register", "note", "dispatch"]


def test_a_command_failing_unexpectedly_is_answered_alone_and_the_lanes_go_on(pg, monkeypatch):
    ids, commands = _batch(pg, 6)
    victim = ids[2]
    real = server_commands._apply_in_transaction
    armed = {"on": True}

    def flaky(session, user, command, refdata, now):
        if armed["on"] and command.case_id == victim and command.action == "note":
            raise RuntimeError("injected failure")
        return real(session, user, command, refdata, now)

    monkeypatch.setattr(server_commands, "_apply_in_transaction", flaky)
    results = pg.post("operator1", *commands)
    assert [r["command_id"] for r in results] == [c["command_id"] for c in commands]
    failed = [r for r in results if r["reason"] == "internal_error"]
    assert [(r["case_id"], r["status"]) for r in failed] == [(str(victim), "rejected")]
    with pg.ctx.db.reader() as session:
        for case_id in ids:
            actions = session.execute(select(CaseEventRow.action).where(CaseEventRow.case_id == case_id)
                                      .order_by(CaseEventRow.seq)).scalars().all()
            assert actions == (["create", "register", "dispatch"] if case_id == victim
                               else ["create", "register", "note", "dispatch"])
    armed["on"] = False
    again = pg.post("operator1", *commands)  # the failed command was not stored: the resend applies it
    assert [r["status"] for r in again] == [r["status"] if r["reason"] != "internal_error" else "accepted"
                                            for r in results]


@pytest.mark.parametrize("lanes", [1, 3])
def test_the_servers_batch_lanes_setting_decides_how_many_threads_apply_a_batch(make_harness, pg_url, monkeypatch,
                                                                              lanes):
    h = make_harness(pg_url, batch_lanes=lanes, commit_group=1)
    assert h.ctx.batch_lanes.count == lanes
    _ids, commands = _batch(h, 6)
    real = server_commands._apply_in_transaction
    threads: set[str] = set()

    def watched(session, user, command, refdata, now):
        threads.add(threading.current_thread().name)
        return real(session, user, command, refdata, now)

    monkeypatch.setattr(server_commands, "_apply_in_transaction", watched)
    results = h.post("operator1", *commands)
    assert len(results) == len(commands)
    helpers = {name for name in threads if name.startswith("onegrid-lane")}
    if lanes == 1:
        assert len(threads) == 1 and not helpers  # every command on the request's own thread
    else:  # helpers join it (each command waits on the database, so they start long before six cases are done)
        assert 1 <= len(helpers) <= lanes - 1
