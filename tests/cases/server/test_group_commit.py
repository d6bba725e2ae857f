"""A batch's commands committed in groups on PostgreSQL (`server.cases.group_commit`): rejections are answers
stored in the group, a group that fails falls back to one command at a time, every command is applied
and audited exactly once, retries get the original answers, the feed stays gap-free and the audit chain
verifies."""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select, text

from app.cases.commands import CommandBatch
from app.platform.enums import Role
from app.platform.feed_partition import Cursor, counter_name, partition_of
from db.audit import AuditEntryRow
from db.cases import CaseEventRow, CaseRow, CommandRow
from db.platform import CounterRow
from server.audit import verify as audit
from server.cases import commands as server_commands
from server.cases import group_commit
from server.platform.auth import AuthUser
from tests.support.server import UNIT

OPERATOR = AuthUser("operator1", "张敏", Role.OPERATOR)
ACTIONS = ["create", "register", "note", "dispatch"]


@pytest.fixture
def pg(make_harness, pg_url):
    return make_harness(pg_url, commit_group=8)  # small groups: a batch below spans several


def _batch(h, cases: int) -> tuple[list[uuid.UUID], list[dict]]:
    """Per case: create, register, note, a refused close (operators do not close), dispatch."""
    ids = [uuid.uuid4() for _ in range(cases)]
    commands = []
    for case_id in ids:
        commands += [h.command("create", case_id, h.create_payload()), h.command("register", case_id),
                     h.command("note", case_id, {"text": "caller rang again"}), h.command("close", case_id),
                     h.command("dispatch", case_id, {"unit_id": UNIT})]
    return ids, commands


def _groups(monkeypatch) -> list[int]:
    """Records the size of every group the server commits (or tries to)."""
    sizes: list[int] = []
    monkeypatch.setattr(group_commit, "fail_group", lambda session, commands: sizes.append(len(commands)))
    return sizes


def _check_store(h, ids, commands) -> None:
    """Each case's ledger exactly once and in order, each command stored and audited once, one chain."""
    with h.ctx.db.reader() as session:
        for case_id in ids:
            actions = session.execute(select(CaseEventRow.action).where(CaseEventRow.case_id == case_id)
                                      .order_by(CaseEventRow.seq)).scalars().all()
            assert actions == ACTIONS
        stored = session.execute(select(CommandRow.command_id, CommandRow.status)).all()
        assert sorted(str(c) for c, _ in stored) == sorted(c["command_id"] for c in commands)
        expected = {c["command_id"]: ("rejected" if c["action"] == "close" else "accepted") for c in commands}
        assert {str(c): s for c, s in stored} == expected
        audited = session.execute(select(AuditEntryRow.detail["command_id"].as_string())
                                  .where(AuditEntryRow.entity_kind == "case")).scalars().all()
        assert sorted(audited) == sorted(c["command_id"] for c in commands)
    reports = audit.verify_all(h.ctx.db.reader)  # every chain: the cities' and the platform's
    assert all(r.ok for r in reports), [r.summary() for r in reports]


def _check_feed(h, results) -> None:
    """Accepted answers got positions in batch order, one each, with no gap, and the feed ends there."""
    positions = [r["position"] for r in results if r["status"] == "accepted"]
    assert positions == list(range(positions[0], positions[0] + len(positions)))
    # the cases' city partition: its own counter, its own positions (`app.platform.feed_partition`)
    city = partition_of(next(r["case"] for r in results if r["status"] == "accepted")["location"]["grid_code"])
    with h.ctx.db.reader() as session:
        counter = session.execute(select(CounterRow.value).where(CounterRow.name == counter_name(city))).scalar()
    assert counter == positions[-1]
    page = h.changes("lead1", after=Cursor({city: positions[0] - 1}), limit=1000)
    feed_cases = {c["id"]: c["position"] for c in page["changes"] if c["kind"] == "case"}
    last = {r["case_id"]: r["position"] for r in results if r["status"] == "accepted"}
    assert feed_cases == last  # each case once, at its last accepted command's position


def test_a_batch_with_rejections_mid_group_is_answered_stored_and_audited(pg, monkeypatch):
    sizes = _groups(monkeypatch)
    ids, commands = _batch(pg, 5)  # 25 commands: groups of 8, 8, 8, 1
    results = pg.post("operator1", *commands)
    assert sizes == [8, 8, 8, 1]
    assert [r["command_id"] for r in results] == [c["command_id"] for c in commands]
    for command, result in zip(commands, results):
        if command["action"] == "close":
            assert (result["status"], result["reason"]) == ("rejected", "forbidden_role"), result
            assert result["case"]["status"] == "registered"  # the refusal carries the case as the group left it
            assert result["case"]["version"] == 3
        else:
            assert result["status"] == "accepted", result
    dispatched = [r for r, c in zip(results, commands) if c["action"] == "dispatch"]
    assert all(r["case"]["status"] == "dispatched" and r["version"] == 4 for r in dispatched)
    numbers = [r["case"]["number"] for r, c in zip(results, commands) if c["action"] == "create"]
    assert numbers == [f"2026-{i:06d}" for i in range(1, 6)]  # in batch order, none skipped
    _check_store(pg, ids, commands)
    _check_feed(pg, results)

    sizes.clear()
    again = pg.post("operator1", *commands)  # a retried batch: the stored answers, unchanged
    assert again == results
    _check_store(pg, ids, commands)  # nothing applied or audited twice


def test_a_retry_of_part_of_a_batch_and_a_repeated_id_get_the_original_answers(pg):
    ids, commands = _batch(pg, 3)
    first = pg.post("operator1", *commands[:7])
    results = pg.post("operator1", *commands, commands[3])  # the refused close repeated at the end
    assert results[:7] == first
    assert results[-1] == results[3] and results[3]["status"] == "rejected"
    _check_store(pg, ids, commands)


def test_a_group_that_hits_a_database_error_is_applied_one_at_a_time(pg, monkeypatch):
    ids, commands = _batch(pg, 4)  # 20 commands: groups of 8, 8, 4
    victim = ids[1]  # its note fails with a real database error, in the group and alone
    tries: list[int] = []

    def fail_group(session, group):
        tries.append(len(group))
        if any(c.case_id == victim for c in group):
            session.execute(text("SELECT 1 / 0"))  # division by zero: a database error, not an outage

    real = server_commands._apply_in_transaction

    def flaky(session, user, command, refdata, now):
        if command.case_id == victim and command.action == "note":
            session.execute(text("SELECT 1 / 0"))
        return real(session, user, command, refdata, now)

    monkeypatch.setattr(group_commit, "fail_group", fail_group)
    monkeypatch.setattr(server_commands, "_apply_in_transaction", flaky)
    results = pg.post("operator1", *commands)
    assert tries == [8, 8, 4]  # the first two groups hold the victim's commands (5..9)
    failed = [(r["case_id"], c["action"]) for r, c in zip(results, commands) if r["reason"] == "internal_error"]
    assert failed == [(str(victim), "note")]  # answered alone; not stored, so a resend applies it
    for command, result in zip(commands, results):
        if command["action"] != "close" and result["reason"] != "internal_error":
            assert result["status"] == "accepted", result
    numbers = sorted(r["case"]["number"] for r, c in zip(results, commands) if c["action"] == "create")
    assert numbers == [f"2026-{i:06d}" for i in range(1, 5)]  # the rolled-back group gave its numbers back
    with pg.ctx.db.reader() as session:
        assert session.query(CaseRow).count() == 4
        assert session.query(CaseEventRow).count() == 4 * len(ACTIONS) - 1  # each once; the victim's note not

    monkeypatch.setattr(server_commands, "_apply_in_transaction", real)
    monkeypatch.setattr(group_commit, "fail_group", None)
    again = pg.post("operator1", *commands)  # the failed note is applied now, the rest answered as stored
    assert [r for r in again if r["command_id"] != failed_id(results)] == \
           [r for r in results if r["command_id"] != failed_id(results)]
    assert [r["status"] for r in again if r["command_id"] == failed_id(results)] == ["accepted"]
    with pg.ctx.db.reader() as session:
        actions = session.execute(select(CaseEventRow.action).where(CaseEventRow.case_id == victim)
                                  .order_by(CaseEventRow.seq)).scalars().all()
    assert actions == ["create", "register", "dispatch", "note"]  # the resent note after what was applied
    reports = audit.verify_all(pg.ctx.db.reader)  # every chain: the cities' and the platform's
    assert all(r.ok for r in reports), [r.summary() for r in reports]


def failed_id(results) -> str:
    (command_id,) = [r["command_id"] for r in results if r["reason"] == "internal_error"]
    return command_id


def test_two_attempts_at_one_batch_at_once_apply_it_exactly_once(pg):
    ids, commands = _batch(pg, 6)
    batch = CommandBatch.model_validate({"commands": commands})
    answers: list = [None, None]
    start = threading.Barrier(2)

    def attempt(i: int) -> None:
        start.wait()
        answers[i] = server_commands.apply_batch(pg.ctx.db.writer, OPERATOR, batch, pg.refdata, pg.clock,
                                                 group=8).model_dump(mode="json")["results"]

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert answers[0] == answers[1]  # whichever applied a group, the other found its stored answers
    _check_store(pg, ids, commands)
    _check_feed(pg, answers[0])


def test_the_commit_group_setting_of_one_applies_each_command_alone(make_harness, pg_url, monkeypatch):
    sizes = _groups(monkeypatch)
    h = make_harness(pg_url, commit_group=1)
    ids, commands = _batch(h, 2)
    results = h.post("operator1", *commands)
    assert sizes == []
    assert [r["status"] for r in results] == ["accepted", "accepted", "accepted", "rejected", "accepted"] * 2
    _check_store(h, ids, commands)
