"""Commands of concurrent requests committed together (`server.cases.combiner`): while one group is in its
transaction, the requests that arrive queue, and the next group takes them all in one transaction, each
command under its own user and answered on its own; retries get the original answers in the same group or
the next; a group that fails falls back to one command at a time; an outage fails every request of the
group with nothing written; a lone command is applied alone; the setting turns it off."""
from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from app.platform.feed_partition import counter_name, partition_of
from db.audit import AuditEntryRow
from db.cases import CaseEventRow, CommandRow
from db.platform import CounterRow
from server.audit import verify as audit
from server.cases import combiner as combiner_module
from server.cases import commands as server_commands
from server.cases import group_commit
from tests.support.server import HANDLER, UNIT


@pytest.fixture
def pg(make_harness, pg_url):
    h = make_harness(pg_url, commit_group=8)
    for user in ("operator1", "operator2", "lead1"):  # before any group is held open: a login writes its audit
        h.login(user)                                # entry, which would wait for the held group's chain
    return h


class Gate:
    """The command transactions' test hook (`ServerContext.before_commit`): counts them, and holds the first
    one open until `waiting` requests have queued behind it, so they make the next group together."""

    def __init__(self, h, waiting: int):
        self.h, self.waiting, self.transactions = h, waiting, 0

    def __call__(self, _session) -> None:
        self.transactions += 1
        if self.transactions == 1:
            wait_until(lambda: self.h.ctx.command_combiner.queued() >= self.waiting)


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


class Posts:
    """Requests sent from threads of their own: the first until it is held in its transaction by `gate`, each
    later one until it has queued (arrival order is send order); `answers()` waits for them all: (status
    code, body) in send order."""

    def __init__(self, h, gate: Gate):
        self.h, self.gate, self._threads, self._answers = h, gate, [], {}
        self._sent = 0

    def send(self, username: str, *commands: dict, request_id: str | None = None) -> None:
        headers = {**self.h.login(username), **({"X-Request-ID": request_id} if request_id else {})}
        index, received = self._sent, self.h.ctx.command_combiner.received
        self._sent += 1

        def post() -> None:
            r = self.h.client.post("/api/commands", json={"commands": list(commands)}, headers=headers)
            self._answers[index] = (r.status_code, r.json())

        thread = threading.Thread(target=post)
        thread.start()
        self._threads.append(thread)
        if index == 0:  # the group in flight
            wait_until(lambda: self.gate.transactions > 0)
        else:  # each later one waits in the queue
            wait_until(lambda: self.h.ctx.command_combiner.received > received)

    def answers(self) -> list[tuple[int, dict]]:
        for thread in self._threads:
            thread.join(60)
        return [self._answers[i] for i in range(self._sent)]


def _commands_of(h):
    with h.ctx.db.reader() as session:
        return {str(c): (u, s) for c, u, s in session.execute(
            select(CommandRow.command_id, CommandRow.username, CommandRow.status))}


def _audited(h):
    with h.ctx.db.reader() as session:
        return {d["command_id"]: (actor, d.get("request_id")) for actor, d in session.execute(
            select(AuditEntryRow.actor, AuditEntryRow.detail).where(AuditEntryRow.entity_kind == "case"))}


def test_requests_of_different_users_are_committed_in_one_transaction_each_answered_its_own(pg):
    case = pg.new_case("operator1")
    gate = Gate(pg, waiting=4)
    pg.ctx.before_commit = gate
    groups = pg.ctx.command_combiner.groups
    new_id = uuid.uuid4()
    sent = [("operator1", pg.command("note", case["id"], {"text": "first, in flight"})),
            ("operator2", pg.command("create", new_id, pg.create_payload())),
            ("operator1", pg.command("register", case["id"])),
            ("lead1", pg.command("close", case["id"])),  # refused: registered cases are not closed
            ("operator2", pg.command("dispatch", case["id"], {"unit_id": UNIT}))]
    posts = Posts(pg, gate)
    for i, (user, command) in enumerate(sent):
        posts.send(user, command, request_id=f"req-{i}")
    answers = posts.answers()
    pg.ctx.before_commit = None

    assert gate.transactions == 2  # the lone note, then the four queued requests in one transaction
    assert pg.ctx.command_combiner.groups == groups + 2
    assert [code for code, _ in answers] == [200] * 5
    results = [body["results"][0] for _, body in answers]
    assert [r["command_id"] for r in results] == [c["command_id"] for _, c in sent]
    assert [r["status"] for r in results] == ["accepted", "accepted", "accepted", "rejected", "accepted"]
    assert results[3]["reason"] == "illegal_state", results[3]
    # applied in arrival order on the case: note (v2), register (v3), the refused close, dispatch (v4)
    assert [r["version"] for r in results if r["case_id"] == case["id"] and r["status"] == "accepted"] == [2, 3, 4]
    assert results[4]["case"]["status"] == "dispatched"
    assert results[1]["case"]["number"] and results[1]["case"]["number"] != case["number"]
    # the feed: one position each, consecutive in arrival order (the new case is in the same city)
    positions = [r["position"] for r in results if r["status"] == "accepted"]
    assert positions == list(range(positions[0], positions[0] + 4))
    city = partition_of(case["location"]["grid_code"])
    with pg.ctx.db.reader() as session:
        assert session.execute(select(CounterRow.value).where(CounterRow.name == counter_name(city))).scalar() \
            == positions[-1]
    # each stored and audited once, under its own user and its own request's id
    stored, audited = _commands_of(pg), _audited(pg)
    for i, ((user, command), result) in enumerate(zip(sent, results)):
        assert stored[command["command_id"]] == (user, result["status"])
        assert audited[command["command_id"]] == (user, f"req-{i}")
    assert all(r.ok for r in audit.verify_all(pg.ctx.db.reader))


def test_a_retry_gets_the_original_answer_in_the_same_group_and_the_next(pg):
    case = pg.new_case("operator1")
    gate = Gate(pg, waiting=4)
    pg.ctx.before_commit = gate
    in_flight = pg.command("note", case["id"], {"text": "in flight"})
    queued = pg.command("note", case["id"], {"text": "queued"})
    posts = Posts(pg, gate)
    posts.send("operator1", in_flight)
    posts.send("operator1", in_flight)  # retried while its first attempt is in its transaction: the next group
    posts.send("operator1", queued)
    posts.send("operator1", queued)  # retried in the same group as its first attempt
    posts.send("lead1", queued)  # the same id from another user: not theirs
    answers = [body["results"][0] for _, body in posts.answers()]
    pg.ctx.before_commit = None

    assert gate.transactions == 2
    assert answers[1] == answers[0] and answers[0]["status"] == "accepted"
    assert answers[3] == answers[2] and answers[2]["status"] == "accepted"
    assert (answers[4]["status"], answers[4]["reason"]) == ("rejected", "conflict")
    assert "case" not in answers[4] or answers[4]["case"] is None
    assert pg.post("operator1", queued) == [answers[2]]  # and later, alone
    with pg.ctx.db.reader() as session:
        notes = session.execute(select(CaseEventRow.payload).where(CaseEventRow.case_id == uuid.UUID(case["id"]))
                                .where(CaseEventRow.action == "note")).scalars().all()
    assert [n["text"] for n in notes] == ["in flight", "queued"]  # each once
    assert _commands_of(pg)[queued["command_id"]] == ("operator1", "accepted")


def test_a_group_hitting_a_database_error_is_applied_one_command_at_a_time(pg, monkeypatch):
    a, b = pg.new_case("operator1"), pg.new_case("operator2")
    victim = pg.command("note", b["id"], {"text": "fails"})
    tries: list[int] = []

    def fail_group(session, group):
        tries.append(len(group))
        if any(str(c.command_id) == victim["command_id"] for c in group):
            session.execute(text("SELECT 1 / 0"))  # a database error, not an outage

    real = server_commands._apply_in_transaction

    def flaky(session, user, command, refdata, now):
        if str(command.command_id) == victim["command_id"]:
            session.execute(text("SELECT 1 / 0"))
        return real(session, user, command, refdata, now)

    monkeypatch.setattr(group_commit, "fail_group", fail_group)
    monkeypatch.setattr(server_commands, "_apply_in_transaction", flaky)
    gate = Gate(pg, waiting=3)
    pg.ctx.before_commit = gate
    sent = [("operator1", pg.command("note", a["id"], {"text": "in flight"})),
            ("operator1", pg.command("register", a["id"])),
            ("operator2", victim),
            ("operator2", pg.command("register", b["id"]))]
    posts = Posts(pg, gate)
    for user, command in sent:
        posts.send(user, command)
    results = [body["results"][0] for _, body in posts.answers()]
    pg.ctx.before_commit = None

    assert tries == [3]  # the queued three as one group, which failed
    # committed: the lone note, then the group's two good commands alone (the group and the victim rolled back)
    assert gate.transactions == 1 + 2
    assert [(r["status"], r["reason"]) for r in results] == [
        ("accepted", None), ("accepted", None), ("rejected", "internal_error"), ("accepted", None)]
    stored = _commands_of(pg)
    assert victim["command_id"] not in stored  # not stored: a resend applies it
    assert stored[sent[3][1]["command_id"]] == ("operator2", "accepted")
    monkeypatch.setattr(server_commands, "_apply_in_transaction", real)
    monkeypatch.setattr(group_commit, "fail_group", None)
    assert pg.post("operator2", victim)[0]["status"] == "accepted"
    assert all(r.ok for r in audit.verify_all(pg.ctx.db.reader))


def test_an_outage_fails_every_request_of_the_group_and_writes_nothing(pg, monkeypatch):
    case = pg.new_case("operator1")

    def outage(session, group):
        if len(group) > 1:
            raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(group_commit, "fail_group", outage)
    gate = Gate(pg, waiting=2)
    pg.ctx.before_commit = gate
    first = pg.command("note", case["id"], {"text": "in flight"})
    queued = [("operator1", pg.command("register", case["id"])),
              ("operator2", pg.command("create", uuid.uuid4(), pg.create_payload()))]
    before = _commands_of(pg)
    posts = Posts(pg, gate)
    posts.send("operator1", first)
    for user, command in queued:
        posts.send(user, command)
    answers = posts.answers()
    pg.ctx.before_commit = None

    assert answers[0][0] == 200 and answers[0][1]["results"][0]["status"] == "accepted"
    assert [code for code, _ in answers[1:]] == [503, 503]  # the consoles send them again later
    assert all(body["error"] == "database_unavailable" for _, body in answers[1:]), answers
    assert set(_commands_of(pg)) == set(before) | {first["command_id"]}  # nothing of the group
    monkeypatch.setattr(group_commit, "fail_group", None)
    assert [pg.post(user, command)[0]["status"] for user, command in queued] == ["accepted", "accepted"]


def test_a_lone_command_is_applied_alone_and_large_batches_keep_their_own_groups(pg, monkeypatch):
    alone: list[object] = []
    grouped: list[int] = []
    real = server_commands._apply_in_transaction
    monkeypatch.setattr(server_commands, "_apply_in_transaction",
                        lambda session, user, command, *a: alone.append(command.command_id) or real(
                            session, user, command, *a))
    monkeypatch.setattr(group_commit, "fail_group", lambda session, group: grouped.append(len(group)))
    combiner = pg.ctx.command_combiner
    groups = combiner.groups
    case = pg.new_case("operator1")
    assert (combiner.groups, len(alone), grouped) == (groups + 1, 1, [])  # today's one-command transaction
    pg.post("operator1", *[pg.command("note", case["id"], {"text": f"n{i}"}) for i in range(3)])
    assert (combiner.groups, grouped) == (groups + 2, [3])  # a small batch: one group, through the combiner
    pg.post("operator1", *[pg.command("note", case["id"], {"text": f"m{i}"}) for i in range(10)])
    assert (combiner.groups, grouped) == (groups + 2, [3, 8, 2])  # >= commit_group: the batch's own groups


@pytest.mark.parametrize("settings", [{"combine_commands": False}, {"commit_group": 1}])
def test_the_combiner_is_off_by_setting(make_harness, pg_url, settings):
    h = make_harness(pg_url, **settings)
    assert h.ctx.command_combiner is None
    case = h.new_case("operator1")
    assert h.do("operator2", "register", case["id"])["status"] == "accepted"


def test_the_combiner_never_runs_on_sqlite(make_harness, sqlite_url):
    h = make_harness(sqlite_url)
    assert h.ctx.command_combiner is None
    assert h.new_case("operator1")["version"] == 1


def test_a_group_holds_back_a_step_whose_photos_have_not_arrived(pg):
    """The photo gate of a lone command (`server.photos.gate`) holds in a group too."""
    case = pg.case_at("in_progress")
    photo = "ab" * 32  # a photo's hash, never uploaded
    results = pg.post(HANDLER, pg.command("note", case["id"], {"text": "on site"}),
                      pg.command("report_handled", case["id"], {"note": "done", "attachments": [photo]}))
    assert results[0]["status"] == "accepted"
    assert (results[1]["status"], results[1]["reason"]) == ("rejected", "photos_missing"), results[1]
    assert results[1]["case"]["status"] == "in_progress"


def test_groups_that_follow_one_another_share_a_connection_returned_once_idle(pg, monkeypatch):
    case = pg.new_case("operator1")
    combiner, pool = pg.ctx.command_combiner, pg.ctx.db.engine.pool
    wait_until(lambda: pool.checkedout() == 0)  # idle: nothing kept
    checkouts = combiner.checkouts
    gate = Gate(pg, waiting=2)
    pg.ctx.before_commit = gate
    posts = Posts(pg, gate)
    posts.send("operator1", pg.command("note", case["id"], {"text": "in flight"}))
    for user, command in [("operator1", pg.command("register", case["id"])),
                          ("operator2", pg.command("create", uuid.uuid4(), pg.create_payload()))]:
        posts.send(user, command)
    assert [body["results"][0]["status"] for _, body in posts.answers()] == ["accepted"] * 3
    pg.ctx.before_commit = None
    assert gate.transactions == 2 and combiner.checkouts == checkouts + 1  # two groups, one checkout
    wait_until(lambda: pool.checkedout() == 0)  # the queue empty: back in the pool

    # held no longer than `_HOLD_S`: the next group checks out (and so pings) a connection again
    monkeypatch.setattr(combiner_module, "_HOLD_S", 0.0)
    gate = Gate(pg, waiting=1)
    pg.ctx.before_commit = gate
    posts = Posts(pg, gate)
    posts.send("operator1", pg.command("note", case["id"], {"text": "again in flight"}))
    posts.send("operator2", pg.command("note", case["id"], {"text": "queued"}))
    assert [body["results"][0]["status"] for _, body in posts.answers()] == ["accepted"] * 2
    pg.ctx.before_commit = None
    assert combiner.checkouts == checkouts + 3
    wait_until(lambda: pool.checkedout() == 0)
