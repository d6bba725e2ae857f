"""The audit trail: every command and login recorded with the right fields, the hash chains (a city's, the
platform's) and their verification (tampered, deleted, moved and re-linked entries, a cut tail), the
PostgreSQL triggers, gap-free chains under concurrent writers on PostgreSQL, `onegrid-ctl audit`, and
`GET /api/audit`."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.cases.commands import Command, CommandBatch
from app.platform.enums import Role
from db.audit import GENESIS_HASH, AuditEntryRow
from db.cases import CaseRow
from server.admin import ctl
from server.audit import chain as audit
from server.audit import verify as audit_verify
from server.cases.commands import apply_batch
from server.platform.auth import AuthUser
from server.platform.database import Database

OPERATOR = AuthUser("operator1", "张敏", Role.OPERATOR)


def entries(url: str, **where) -> list[AuditEntryRow]:
    db = Database(url)
    try:
        with db.reader() as session:
            stmt = select(AuditEntryRow).order_by(AuditEntryRow.id)
            for name, value in where.items():
                stmt = stmt.where(getattr(AuditEntryRow, name) == value)
            return list(session.execute(stmt).scalars())
    finally:
        db.dispose()


def verify(url: str, **kw) -> audit_verify.VerifyReport:
    """One chain's report (`chain=` or `expect_head=`), else every chain's: the first broken one, or ok."""
    db = Database(url)
    try:
        if kw:
            return audit_verify.verify_chain(db.reader, **kw)
        reports = audit_verify.verify_all(db.reader)
        return next((r for r in reports if not r.ok), reports[-1])
    finally:
        db.dispose()


def city_of(url: str, case_id: str) -> str:
    """The city of a case's street, as the server stored it: its audit chain."""
    db = Database(url)
    try:
        with db.reader() as session:
            street = session.execute(select(CaseRow.jurisdiction).where(CaseRow.id == uuid.UUID(case_id))).scalar_one()
    finally:
        db.dispose()
    assert street and len(street) >= 4
    return street[:4]


def sql(url: str, statement: str, **params) -> None:
    db = Database(url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text(statement), params)
    finally:
        db.dispose()


# ---- what is recorded ------------------------------------------------------------------------------------

def test_every_command_accepted_or_rejected_is_recorded(srv):
    issued = srv.clock() - timedelta(minutes=7)
    created = srv.do("operator1", "create", uuid.uuid4(), srv.create_payload(), issued_at=issued,
                     console_id="console-A", offline=True)
    assert created["status"] == "accepted"
    refused = srv.do("inspector1", "dispatch", created["case"]["id"], {"unit_id": "water_supply"},
                     console_id="console-B")
    assert refused["status"] == "rejected"
    (ok, bad) = [e for e in entries(srv.url, entity_kind="case")]
    assert (ok.actor, ok.role, ok.action, ok.entity_id, ok.result, ok.reason) == (
        "operator1", "operator", "create", created["case_id"], "accepted", None)
    assert ok.console_id == "console-A" and ok.offline is True
    assert ok.client_time == issued and ok.at == srv.clock()
    assert ok.detail["number"] == created["case"]["number"] and ok.detail["version"] == 1
    assert (bad.actor, bad.role, bad.action, bad.result, bad.reason, bad.console_id, bad.offline) == (
        "inspector1", "inspector", "dispatch", "rejected", refused["reason"], "console-B", False)
    # the case's city chain numbers its own entries; inspector1's login in between went to the platform chain
    assert ok.chain == bad.chain == city_of(srv.url, created["case_id"])
    assert bad.seq == ok.seq + 1 and bad.id == ok.id + 2
    [login] = [e for e in entries(srv.url, action="login") if e.id == ok.id + 1]
    assert login.chain == "" and login.actor == "inspector1"
    assert verify(srv.url).ok


def test_a_retried_command_is_answered_from_its_record_without_a_second_entry(lite):
    command = lite.command("create", uuid.uuid4(), lite.create_payload())
    lite.post("operator1", command)
    before = len(entries(lite.url))
    lite.post("operator1", command)
    assert len(entries(lite.url)) == before


@pytest.mark.parametrize("issued_at", ["2026-11-23T02:00:00", "1970-01-01T00:00:00+00:00",
                                       "0001-01-01T00:30:00+05:00"])
def test_naive_or_absurd_console_clocks_never_fail_the_audit(lite, issued_at):
    # A note on a case that does not exist: refused by the workflow, so only the audit sees the clock.
    command = lite.command("note", uuid.uuid4(), {"text": "hello"})
    command["issued_at"] = issued_at
    (result,) = lite.post("operator1", command)
    [entry] = entries(lite.url, entity_id=command["case_id"])
    assert entry.result == result["status"]
    if issued_at.startswith("2026"):  # naive: refused, and its text kept
        assert result["reason"] == "invalid_time"
        assert entry.client_time is None and entry.detail["client_time_raw"] == issued_at
        assert entry.detail["command_id"] == command["command_id"]
    elif issued_at.startswith("1970"):  # a console clock reset: stored as it is
        assert entry.client_time == datetime(1970, 1, 1, tzinfo=timezone.utc)
    else:  # before datetime.min in UTC: unrepresentable, kept as text
        assert entry.client_time is None and entry.detail["client_time_raw"].startswith("0001-01-01T00:30")
    assert verify(lite.url).ok


def test_logout_revokes_only_that_token_and_is_recorded(srv):
    def login(console_id):
        r = srv.client.post("/api/login", json={"username": "lead1", "password": "demo-lead1",
                                                "console_id": console_id})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    desk, laptop = login("desk-1"), login("laptop-2")
    assert srv.client.get("/api/refdata", headers=desk).status_code == 200  # now in the token cache
    r = srv.client.post("/api/logout", headers=desk)
    assert r.status_code == 204 and r.content == b""
    gone = srv.client.get("/api/refdata", headers=desk)
    assert gone.status_code == 401 and gone.json()["error"] == "invalid_token"
    assert gone.headers["www-authenticate"] == "Bearer"
    assert srv.client.get("/api/refdata", headers=laptop).status_code == 200  # the other session goes on
    again = srv.client.post("/api/logout", headers=desk)
    assert again.status_code == 401 and again.json()["error"] == "invalid_token"
    assert srv.client.post("/api/logout").json()["error"] == "missing_token"
    [entry] = entries(srv.url, action="logout")
    assert (entry.actor, entry.role, entry.result, entry.console_id, entry.entity_kind, entry.entity_id) == (
        "lead1", "shift_lead", "ok", "desk-1", "user", "lead1")
    assert verify(srv.url).ok


def test_logins_ok_and_failed_are_recorded_with_the_console(srv):
    r = srv.client.post("/api/login", json={"username": "lead1", "password": "demo-lead1", "console_id": "c-7"})
    assert r.status_code == 200
    r = srv.client.post("/api/login", json={"username": "lead1", "password": "wrong-pass", "console_id": "c-7"})
    assert r.status_code == 401 and r.json()["error"] == "bad_credentials"
    r = srv.client.post("/api/login", json={"username": "nobody", "password": "whatever1"})
    assert r.status_code == 401
    ok, wrong, unknown = entries(srv.url, action="login")
    assert (ok.actor, ok.role, ok.result, ok.console_id, ok.entity_kind, ok.entity_id) == (
        "lead1", "shift_lead", "ok", "c-7", "user", "lead1")
    request_ids = [entry.detail.pop("request_id") for entry in (wrong, unknown)]  # each its HTTP request's
    assert len(set(request_ids)) == 2
    assert (wrong.actor, wrong.role, wrong.result, wrong.reason, wrong.console_id, wrong.detail) == (
        "lead1", "shift_lead", "failed", "bad_credentials", "c-7", {"cause": "wrong_password"})
    # a name that is no account is kept only as a pseudonym (it might be a password typed in the wrong field)
    assert re.fullmatch(r"unknown:[0-9a-f]{8}:6ch", unknown.actor) and unknown.entity_id == unknown.actor
    assert (unknown.role, unknown.result, unknown.detail) == (None, "failed", {"cause": "unknown_user"})
    assert "whatever1" not in json.dumps([e.detail for e in (ok, wrong, unknown)])  # never a password
    assert verify(srv.url).ok


def test_emergency_mode_switch_and_its_refusal_are_recorded(lite):
    r = lite.client.post("/api/login", json={"username": "lead1", "password": "demo-lead1", "console_id": "lead-pc"})
    headers = {"Authorization": f"Bearer {r.json()['token']}"}
    r = lite.client.put("/api/settings/emergency_mode", json={"on": True, "reason": "台风 typhoon"}, headers=headers)
    assert r.status_code == 200
    r = lite.client.put("/api/settings/emergency_mode", json={"on": False, "reason": "x"},
                        headers=lite.login("operator1"))
    assert r.status_code == 403
    switched, refused = entries(lite.url, action="emergency_mode")
    assert (switched.actor, switched.result, switched.console_id, switched.detail["on"], switched.detail["reason"]) \
        == ("lead1", "accepted", "lead-pc", True, "台风 typhoon")
    assert (refused.actor, refused.role, refused.result, refused.reason) == ("operator1", "operator", "rejected",
                                                                              "forbidden")


def test_user_changes_and_refdata_imports_are_recorded(sqlite_url, refdata, tmp_path, capsys, monkeypatch):
    import io

    assert ctl.main(["--database-url", sqlite_url, "init-db"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-pw\n"))
    assert ctl.main(["--database-url", sqlite_url, "users", "add", "lead9", "--role", "shift_lead",
                     "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-pw\n"))
    assert ctl.main(["--database-url", sqlite_url, "users", "add", "lead9", "--role", "operator",
                     "--password-stdin", "--replace"]) == 0
    imported, added, replaced = entries(sqlite_url)
    assert (imported.action, imported.entity_kind, imported.detail["source"]) == ("refdata_import", "refdata",
                                                                                  "demo city")
    assert (added.action, added.entity_id, added.detail["role"]) == ("user_add", "lead9", "shift_lead")
    assert (replaced.action, replaced.detail["role"]) == ("user_replace", "operator")
    assert added.actor and added.console_id.endswith(tuple("abcdefghijklmnopqrstuvwxyz0123456789-._"))
    assert "long-enough-pw" not in json.dumps(replaced.detail)


# ---- the chain and its verification --------------------------------------------------------------------

def _chain_of(lite, n: int = 6) -> list[AuditEntryRow]:
    """The chain of a case's city: its create and `n` notes (logins and the set-up are the platform's)."""
    case = lite.new_case()
    for i in range(n):
        lite.do("operator1", "note", case["id"], {"text": f"note {i}"})
    chain = entries(lite.url, chain=city_of(lite.url, case["id"]))
    assert verify(lite.url).ok and len(chain) == n + 1
    return chain


def _body(entry: AuditEntryRow) -> str:
    return json.dumps({"action": entry.action, "actor": entry.actor, "at": audit.time_text(entry.at),
                       "client_time": audit.time_text(entry.client_time), "console_id": entry.console_id,
                       "detail": entry.detail, "entity_id": entry.entity_id, "entity_kind": entry.entity_kind,
                       "offline": entry.offline, "reason": entry.reason, "result": entry.result, "role": entry.role},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_the_hash_is_the_documented_canonical_form(lite):
    import hashlib

    chain = _chain_of(lite, 1)
    first = chain[0]
    assert first.prev_hash == GENESIS_HASH and first.seq == 1 and len(first.chain) == 4
    # a city's chain: its code and @ before the number
    label = f"{first.chain}@1"
    assert first.hash == hashlib.sha256(f"onegrid-audit-1:{label}:{GENESIS_HASH}:{_body(first)}".encode()).hexdigest()
    for before, entry in zip(chain, chain[1:]):
        assert entry.prev_hash == before.hash and entry.seq == before.seq + 1
    # the platform chain: the number alone, the form of every entry before chains
    platform = entries(lite.url, chain="")
    assert [e.seq for e in platform] == list(range(1, len(platform) + 1)) and platform[0].prev_hash == GENESIS_HASH
    top = platform[0]
    assert top.hash == hashlib.sha256(f"onegrid-audit-1:1:{GENESIS_HASH}:{_body(top)}".encode()).hexdigest()


def test_verify_names_an_entry_moved_to_another_chain(lite):
    """Its fields, number and link fit its new place, but the chain is in the hash."""
    chain = _chain_of(lite, 0)
    victim = chain[0]
    other = "9999" if victim.chain != "9999" else "9998"
    sql(lite.url, "UPDATE audit_log SET chain = :o WHERE chain = :c AND seq = 1", o=other, c=victim.chain)
    sql(lite.url, "INSERT INTO audit_head (chain, seq, prev_hash, hash) VALUES (:o, 1, :g, :h)",
        o=other, g=GENESIS_HASH, h=victim.hash)
    sql(lite.url, "DELETE FROM audit_head WHERE chain = :c", c=victim.chain)
    report = verify(lite.url)
    assert not report.ok and report.chain == other and report.broken_seq == 1 and "hash mismatch" in report.problem


def test_verify_names_a_tampered_entry(lite):
    chain = _chain_of(lite)
    victim = chain[-3]
    sql(lite.url, "UPDATE audit_log SET result = 'accepted', actor = 'someone' WHERE chain = :c AND seq = :s",
        c=victim.chain, s=victim.seq)
    report = verify(lite.url)
    assert not report.ok and report.broken_seq == victim.seq and "hash mismatch" in report.problem
    assert report.chain == victim.chain and f"audit chain {victim.chain} BROKEN" in report.summary()
    assert report.entries == victim.seq - 1


def test_verify_names_the_entry_after_a_deleted_one(lite):
    chain = _chain_of(lite)
    victim = chain[-4]
    sql(lite.url, "DELETE FROM audit_log WHERE chain = :c AND seq = :s", c=victim.chain, s=victim.seq)
    report = verify(lite.url)
    assert not report.ok and report.broken_seq == victim.seq + 1
    assert f"gap in sequence: entry {victim.seq} is missing" in report.problem


def test_verify_names_the_entry_after_a_relinked_one(lite):
    """The forger edits an entry and recomputes its hash: the next entry's link no longer fits."""
    chain = _chain_of(lite)
    victim = chain[-3]
    fields = {c: getattr(victim, c) for c in audit.HASHED_FIELDS}
    fields["actor"] = "someone-else"
    forged = audit.entry_hash(victim.seq, victim.prev_hash, audit.canonical_body(fields), victim.chain)
    sql(lite.url, "UPDATE audit_log SET actor = 'someone-else', hash = :h WHERE chain = :c AND seq = :s", h=forged,
        c=victim.chain, s=victim.seq)
    report = verify(lite.url)
    assert not report.ok and report.broken_seq == victim.seq + 1 and "broken link" in report.problem


def test_verify_detects_a_cut_tail_and_a_rewritten_chain_against_a_recorded_head(lite):
    chain = _chain_of(lite)
    city = chain[0].chain
    recorded = audit_verify.Head(chain[-2].seq, chain[-2].hash, city)
    assert verify(lite.url, expect_head=recorded).ok
    sql(lite.url, "DELETE FROM audit_log WHERE chain = :c AND seq >= :s", c=city, s=chain[-2].seq)
    report = verify(lite.url)
    assert not report.ok and report.broken_seq == chain[-2].seq and "tail cut" in report.problem
    # The forger also moves the head back: only the recorded head shows it.
    sql(lite.url, "UPDATE audit_head SET seq = :s, hash = :h WHERE chain = :c", s=chain[-3].seq, h=chain[-3].hash,
        c=city)
    assert verify(lite.url).ok
    report = verify(lite.url, expect_head=recorded)
    assert not report.ok and "past the chain's end" in report.problem


def test_verify_streams_in_pages(lite):
    chain = _chain_of(lite, 4)
    db = Database(lite.url)
    try:
        report = audit_verify.verify_chain(db.reader, chain=chain[0].chain, page=3)
    finally:
        db.dispose()
    assert report.ok and report.entries == len(chain)


def test_ctl_audit_verify_head_and_export(lite, capsys, tmp_path):
    chain = _chain_of(lite, 2)
    city = chain[0].chain
    platform = entries(lite.url, chain="")
    assert ctl.main(["--database-url", lite.url, "audit", "verify"]) == 0
    out = capsys.readouterr().out.splitlines()  # a line per chain: the cities', the platform's last
    assert out[0].startswith(f"audit chain {city} ok: {len(chain)} entries")
    assert out[1].startswith(f"audit chain ok: {len(platform)} entries") and len(out) == 2
    assert ctl.main(["--database-url", lite.url, "audit", "head"]) == 0
    heads = capsys.readouterr().out.split()
    assert heads == [f"{city}@{chain[-1].seq}:{chain[-1].hash}", f"{platform[-1].seq}:{platform[-1].hash}"]
    assert ctl.main(["--database-url", lite.url, "audit", "head", "--chain", "platform"]) == 0
    assert capsys.readouterr().out.split() == heads[1:]
    assert ctl.main(["--database-url", lite.url, "audit", "verify", "--expect-head", heads[0],
                     "--expect-head", heads[1]]) == 0
    assert ctl.main(["--database-url", lite.url, "audit", "verify", "--chain", city, "--expect-head", heads[0]]) == 0
    capsys.readouterr()
    # a head recorded of a city whose chain is gone altogether
    assert ctl.main(["--database-url", lite.url, "audit", "verify", "--expect-head", f"9999@3:{'a' * 64}"]) == 1
    assert "audit chain 9999 BROKEN at entry 3" in capsys.readouterr().err
    assert ctl.main(["--database-url", lite.url, "audit", "verify", "--chain", "12"]) == 1
    assert "--chain '12'" in capsys.readouterr().err
    target = tmp_path / "audit.csv"
    start = (lite.clock() - timedelta(seconds=1)).isoformat()
    end = (lite.clock() + timedelta(seconds=1)).isoformat()  # set-up entries are at the real time
    assert ctl.main(["--database-url", lite.url, "audit", "export", "--start", start, "--end", end, "--csv",
                     "-o", str(target)]) == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: spreadsheets read the Chinese right
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("seq,at,client_time,actor") and len(lines) == 1 + 4  # login, create, 2 notes
    assert f"exported 4 audit entries to {target}" in capsys.readouterr().out
    assert ctl.main(["--database-url", lite.url, "audit", "export", "--json", "--start", end]) == 0
    exported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert exported and all(e["at"] >= end for e in exported)
    assert {e["action"] for e in exported} == {"refdata_import", "user_add"}  # the set-up, at the real time
    assert ctl.main(["--database-url", lite.url, "audit", "export", "--start", "2026-11-23T10:00"]) == 1
    assert "needs a time zone" in capsys.readouterr().err

    sql(lite.url, "UPDATE audit_log SET reason = 'x' WHERE seq = 2 AND chain = :c", c=city)
    assert ctl.main(["--database-url", lite.url, "audit", "verify"]) == 1
    captured = capsys.readouterr()
    assert f"audit chain {city} BROKEN at entry 2: hash mismatch" in captured.err
    assert len(captured.err.strip().splitlines()) == 1 and "audit chain ok" in captured.out  # the platform's
    assert ctl.main(["--database-url", lite.url, "audit", "verify", "--expect-head", "12:abc"]) == 1
    assert "SEQ:HASH" in capsys.readouterr().err


# ---- PostgreSQL: triggers and concurrent appends ---------------------------------------------------------

def test_postgres_refuses_update_delete_and_truncate_of_the_trail(pg):
    pg.new_case()
    for statement in ("UPDATE audit_log SET actor = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1",
                      "TRUNCATE audit_log", "UPDATE audit_head SET seq = 0, hash = prev_hash",
                      "DELETE FROM audit_head"):
        with pytest.raises(DBAPIError, match="append-only|only moves one entry forward"):
            sql(pg.url, statement)
    city = entries(pg.url, entity_kind="case")[0].chain
    with pytest.raises(DBAPIError, match="only moves one entry forward"):  # a head stays in its chain
        sql(pg.url, "UPDATE audit_head SET chain = '9999', seq = seq + 1, prev_hash = hash WHERE chain = :c", c=city)
    with pytest.raises(DBAPIError, match="starts at the genesis"):  # no chain starts in the middle
        sql(pg.url, "INSERT INTO audit_head (chain, seq, prev_hash, hash) VALUES ('9999', 5, :g, :g)", g="a" * 64)
    assert verify(pg.url).ok
    # A DBA can switch the triggers off; the chain still shows the edit.
    sql(pg.url, "ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET actor = 'x' WHERE seq = 2")
    report = verify(pg.url)
    assert not report.ok and report.broken_seq == 2 and "hash mismatch" in report.problem


_CHILD = """
import os, sys
from datetime import datetime, timezone
from server.audit import chain as audit
from server.platform.database import Database
db = Database(sys.argv[1])
i = 0
while not os.path.exists(sys.argv[2]):  # appends until the parent's writers are done
    with db.writer() as s, s.begin():
        audit.record(s, at=datetime.now(timezone.utc), actor="child", role=None, action="probe",
                     entity_kind="test", entity_id=str(i), result="ok", detail={"i": i, "t": "子进程"})
    i += 1
db.dispose()
"""


def test_concurrent_writers_and_processes_form_one_chain_on_postgres(pg, tmp_path):
    """Threads on two separate engines (two pools, as two server processes) and a real second process
    append at once, with commits delayed at random: one chain, no fork, no gap, and verify passes."""
    import random

    start = len(entries(pg.url))
    stop = tmp_path / "stop"
    child = subprocess.Popen([sys.executable, "-c", _CHILD, pg.url, str(stop)])
    deadline = time.monotonic() + 60
    while not entries(pg.url, actor="child"):  # the child is appending before the threads start
        assert child.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    other = Database(pg.url)
    rng = random.Random(5)
    errors: list[BaseException] = []

    def slow_commit(_session) -> None:
        time.sleep(rng.random() * 0.003)

    def writer(n: int, database: Database) -> None:
        try:
            case_id = uuid.uuid4()
            for i in range(12):
                action, payload = ("create", pg.create_payload()) if i == 0 else ("note", {"text": f"{n}/{i}"})
                if i % 4 == 3:
                    action, payload = "dispatch", {"unit_id": "nowhere"}  # rejected: audited too
                batch = CommandBatch(commands=[Command(command_id=uuid.uuid4(), case_id=case_id, action=action,
                                                       payload=payload, issued_at=pg.clock())])
                apply_batch(database.writer, OPERATOR, batch, pg.refdata, pg.clock, before_commit=slow_commit)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n, pg.ctx.db if n % 2 else other)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.touch()
    assert child.wait(timeout=120) == 0
    other.dispose()
    assert not errors, errors
    trail = entries(pg.url)
    assert len(trail) == start + 6 * 12 + sum(e.actor == "child" for e in trail)
    assert len({e.chain for e in trail}) == 2 and "" in {e.chain for e in trail}  # the child's, the city's
    for name in {e.chain for e in trail}:  # each chain: no gap, no fork
        chain = sorted((e for e in trail if e.chain == name), key=lambda e: e.seq)
        assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
        assert len({e.prev_hash for e in chain}) == len(chain)  # no two entries claim the same predecessor
    assert sum(e.result == "rejected" for e in trail) == 6 * 3
    report = verify(pg.url)
    assert report.ok, report.summary()


# ---- GET /api/audit --------------------------------------------------------------------------------------

def test_only_leads_and_admins_read_the_trail(lite):
    lite.new_case()
    for user in ("operator1", "inspector1", "handler_water_supply"):
        r = lite.client.get("/api/audit", headers=lite.login(user))
        assert r.status_code == 403 and r.json()["error"] == "forbidden", user
    for user in ("lead1", "admin"):
        r = lite.client.get("/api/audit", headers=lite.login(user))
        assert r.status_code == 200, r.text
        assert r.json()["entries"][0]["id"] == r.json()["head_seq"]
    assert lite.client.get("/api/audit").status_code == 401


def test_filters_and_keyset_paging_newest_first(srv):
    case = srv.new_case()
    srv.clock.advance(minutes=10)
    for i in range(5):
        srv.do("operator1", "note", case["id"], {"text": str(i)}, console_id="c-9", offline=i % 2 == 0)
    srv.do("inspector1", "close", case["id"])  # rejected
    lead = srv.login("lead1")

    def get(**params):
        r = srv.client.get("/api/audit", params=params, headers=lead)
        assert r.status_code == 200, r.text
        return r.json()

    notes = get(action="note")["entries"]
    assert [e["detail"]["version"] for e in notes] == [6, 5, 4, 3, 2]  # newest first
    assert {e["console_id"] for e in get(console_id="c-9")["entries"]} == {"c-9"}
    assert len(get(console_id="c-9", offline="true")["entries"]) == 3
    assert len(get(console_id="c-9", offline="false")["entries"]) == 2
    [rejected] = get(result="rejected", entity_kind="case")["entries"]
    assert (rejected["actor"], rejected["action"]) == ("inspector1", "close")
    assert {e["entity_id"] for e in get(entity_kind="case", entity_id=case["id"])["entries"]} == {case["id"]}
    assert {e["actor"] for e in get(actor="operator1", action="note")["entries"]} == {"operator1"}
    since = (srv.clock() - timedelta(minutes=1)).isoformat()
    until = (srv.clock() + timedelta(minutes=1)).isoformat()  # set-up entries are at the real time
    recent = get(start=since, end=until)["entries"]
    assert len(recent) == 6 + 2  # five notes, the refused close, inspector1's and lead1's logins
    assert all(e["at"] >= since for e in recent)
    assert not any(e["action"] == "create" for e in recent)
    older = get(end=since)["entries"]
    assert any(e["action"] == "create" for e in older) and all(e["at"] < since for e in older)

    pages, before = [], None
    while True:
        page = get(limit=2, **({"before": before} if before else {}))
        pages.extend(e["id"] for e in page["entries"])
        before = page["next_before"]
        if before is None:
            break
    assert pages == list(range(page["head_seq"], 0, -1))

    r = srv.client.get("/api/audit", params={"start": "2026-11-23T10:00:00"}, headers=lead)
    assert r.status_code == 422 and "query.start: Value error, must carry a time-zone offset" in r.json()["message"]
    r = srv.client.get("/api/audit", params={"start": since, "end": since}, headers=lead)
    assert r.status_code == 422 and "not after" in r.json()["message"]
    assert srv.client.get("/api/audit", params={"limit": 501}, headers=lead).status_code == 422
