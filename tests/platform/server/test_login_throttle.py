"""Login throttling (server.platform.login_throttle): failed logins lock the account and the client address, the
right password is refused while locked, lockouts grow, hold across server processes and restarts, are
audited, and a shift lead or admin (or `onegrid-ctl users unlock`) ends them; unknown usernames are kept
only as pseudonyms."""
from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from db.audit import AuditEntryRow
from db.platform import LoginThrottleRow
from server.admin import ctl
from server.audit import verify as audit
from server.maintenance import maintenance_round
from tests.support.server import HANDLER, password_of


def _login(srv, username, password=None, client=None, **extra):
    body = {"username": username, "password": password if password is not None else password_of(username), **extra}
    return (client or srv.client).post("/api/login", json=body)


def _fail(srv, username, times, client=None):
    return [_login(srv, username, "wrong-password", client) for _ in range(times)]


def _entries(srv, action):
    with srv.ctx.db.reader() as session:
        return list(session.execute(select(AuditEntryRow).where(AuditEntryRow.action == action)
                                    .order_by(AuditEntryRow.id)).scalars())


def _assert_locked(r, seconds, locked=("account",)):
    assert r.status_code == 429, r.text
    body = r.json()
    assert body["error"] == "too_many_attempts"
    assert body["details"] == [{"retry_after_s": seconds, "locked": list(locked)}]
    assert f"try again in {seconds} s" in body["message"]
    assert r.headers["retry-after"] == str(seconds)


def test_wrong_passwords_lock_the_account_and_even_the_right_password_is_refused(srv, clock):
    answers = _fail(srv, "operator1", 5)
    assert [r.status_code for r in answers[:4]] == [401] * 4
    _assert_locked(answers[4], 60)                   # the fifth failure starts the lockout
    _assert_locked(_login(srv, "operator1"), 60)     # the right password: refused all the same
    clock.advance(seconds=45)
    _assert_locked(_login(srv, "operator1"), 15)
    _assert_locked(_login(srv, "operator1", "wrong-password"), 15)  # not counted, not extended
    assert _login(srv, "lead1").status_code == 200   # other accounts are not affected
    clock.advance(seconds=15)
    assert _login(srv, "operator1").status_code == 200


def test_each_further_lockout_in_a_row_doubles_up_to_the_limit(make_harness, server_db_url, clock):
    srv = make_harness(server_db_url, login_max_failures=3, login_lockout_s=60, login_lockout_max_s=200)
    for expected in (60, 120, 200, 200):
        answers = _fail(srv, "operator1", 3)
        assert [r.status_code for r in answers[:2]] == [401, 401]
        _assert_locked(answers[2], expected)
        clock.advance(seconds=expected)
    # the streak is forgotten a window (15 min) after the last lockout ended: the next lockout is short again
    clock.advance(minutes=16)
    _assert_locked(_fail(srv, "operator1", 3)[2], 60)


def test_a_success_clears_the_count_and_old_failures_are_forgotten(srv, clock):
    assert {r.status_code for r in _fail(srv, "operator1", 4)} == {401}
    assert _login(srv, "operator1").status_code == 200
    assert {r.status_code for r in _fail(srv, "operator1", 4)} == {401}
    clock.advance(minutes=16)                        # past the 15-minute window
    assert {r.status_code for r in _fail(srv, "operator1", 4)} == {401}
    _assert_locked(_fail(srv, "operator1", 1)[0], 60)


def test_unknown_usernames_are_locked_like_accounts(srv):
    """Otherwise a lockout would tell which names are accounts."""
    unknown, known = _fail(srv, "nobody", 5)[4], _fail(srv, "operator2", 5)[4]
    _assert_locked(unknown, 60)
    assert (unknown.status_code, unknown.json(), unknown.headers["retry-after"]) == (
        known.status_code, known.json(), known.headers["retry-after"])


def test_failures_from_one_address_lock_the_address(make_harness, sqlite_url):
    srv = make_harness(sqlite_url, login_address_max_failures=6)
    guesser = TestClient(srv.app, client=("203.0.113.7", 40000))
    desk = TestClient(srv.app, client=("10.1.2.3", 40000))
    statuses = [r.status_code for name in ("operator1", "operator2", "lead1") for r in _fail(srv, name, 2, guesser)]
    assert statuses == [401] * 5 + [429]
    r = _login(srv, "inspector1", client=guesser)    # another account, right password, same address
    _assert_locked(r, 60, locked=("address",))
    assert "unlock" not in r.json()["message"]       # an address is not unlocked by a lead
    assert _login(srv, "operator1", client=desk).status_code == 200  # the accounts themselves are not locked
    (lockout,) = _entries(srv, "login_lockout")
    assert (lockout.entity_kind, lockout.entity_id, lockout.actor) == ("address", "203.0.113.7", "lead1")


def test_the_lockout_holds_across_server_processes_and_restarts(make_harness, server_db_url, clock):
    first = make_harness(server_db_url)
    second = make_harness(server_db_url, prepare=False)  # another server process on the same database
    assert {r.status_code for r in _fail(first, "operator1", 3) + _fail(second, "operator1", 1)} == {401}
    _assert_locked(_fail(first, "operator1", 1)[0], 60)
    _assert_locked(_login(second, "operator1"), 60)
    restarted = make_harness(server_db_url, prepare=False)  # a process started afterwards: nothing in memory
    clock.advance(seconds=30)
    _assert_locked(_login(restarted, "operator1"), 30)


def test_concurrent_failures_are_all_counted(make_harness, server_db_url):
    srv = make_harness(server_db_url, login_max_failures=100, login_address_max_failures=0)
    threads = [threading.Thread(target=_fail, args=(srv, "operator1", 3)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with srv.ctx.db.reader() as session:
        assert session.execute(select(LoginThrottleRow.failures)).scalars().all() == [18]


def test_lockout_and_unlock_are_audited_and_a_lead_or_admin_unlocks(srv):
    _fail(srv, "operator1", 5)
    (lockout,) = _entries(srv, "login_lockout")
    assert (lockout.actor, lockout.role, lockout.entity_kind, lockout.entity_id, lockout.result, lockout.reason) == (
        "operator1", "operator", "user", "operator1", "ok", "too_many_attempts")
    assert (lockout.detail["seconds"], lockout.detail["failures"], lockout.detail["lockouts_in_a_row"]) == (60, 5, 1)
    for user in ("operator2", HANDLER, "inspector1"):  # not theirs to do
        r = srv.client.post("/api/users/operator1/unlock", headers=srv.login(user))
        assert r.status_code == 403 and r.json()["error"] == "forbidden", (user, r.text)
    _assert_locked(_login(srv, "operator1"), 60)
    r = srv.client.post("/api/users/operator1/unlock", headers=srv.login("lead1", "lead-desk"))
    assert r.status_code == 200, r.text
    assert r.json() == {"username": "operator1", "was_locked": True,
                        "locked_until": (srv.clock.now + timedelta(seconds=60)).isoformat(), "failures": 0}
    assert _login(srv, "operator1").status_code == 200
    (unlock,) = _entries(srv, "login_unlock")
    assert (unlock.actor, unlock.role, unlock.console_id, unlock.entity_id, unlock.detail["was_locked"]) == (
        "lead1", "shift_lead", "lead-desk", "operator1", True)
    # the admin account: only an admin unlocks it
    _fail(srv, "admin", 5)
    r = srv.client.post("/api/users/admin/unlock", headers=srv.login("lead1"))
    assert r.status_code == 403 and "only an admin" in r.json()["message"]
    r = srv.client.post("/api/users/nobody/unlock", headers=srv.login("lead1"))
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert all(r.ok for r in audit.verify_all(srv.ctx.db.reader))


def test_onegrid_ctl_users_unlock(make_harness, server_db_url, clock, capsys):
    clock.now = datetime.now(timezone.utc)  # onegrid-ctl judges the lockout by the wall clock
    srv = make_harness(server_db_url, login_lockout_s=86400, login_lockout_max_s=86400)
    _fail(srv, "operator1", 5)
    _assert_locked(_login(srv, "operator1"), 86400)
    assert ctl.main(["--database-url", srv.url, "users", "unlock", "operator1"]) == 0
    assert "unlocked operator1 (was locked until" in capsys.readouterr().out
    assert _login(srv, "operator1").status_code == 200
    (unlock,) = _entries(srv, "login_unlock")
    assert unlock.entity_id == "operator1" and unlock.role is None and "@" in unlock.console_id  # onegrid-ctl@host
    assert ctl.main(["--database-url", srv.url, "users", "unlock", "operator1"]) == 0
    assert "operator1 was not locked" in capsys.readouterr().out
    assert ctl.main(["--database-url", srv.url, "users", "unlock", "nobody"]) == 1
    assert "no account 'nobody'" in capsys.readouterr().err


def test_a_password_typed_as_the_username_is_never_stored(srv):
    secret = "Tr0ub4dor&3-horse"
    for _ in range(5):
        _login(srv, secret, "whatever")
    _login(srv, "Tr0ub4dor&3-horsE", "whatever")
    entries = _entries(srv, "login") + _entries(srv, "login_lockout")
    assert len(entries) == 7
    with srv.ctx.db.reader() as session:
        throttle_rows = session.execute(select(LoginThrottleRow.label, LoginThrottleRow.key)).all()
        every_entry = session.execute(select(AuditEntryRow)).scalars().all()
    stored = json.dumps([audit.entry_dict(e) for e in every_entry] + [list(r) for r in throttle_rows], default=str)
    assert secret.lower() not in stored.lower()
    actors = [e.actor for e in entries]
    assert all(re.fullmatch(r"unknown:[0-9a-f]{8}:17ch", a) for a in actors), actors
    # the same text, the same pseudonym (five logins and the lockout they caused); another text, another
    assert len(set(actors[:5] + actors[6:])) == 1 and actors[5] != actors[0]
    assert {e.entity_id for e in entries} == set(actors)


def test_maintenance_forgets_counts_nothing_counts_any_more(srv, clock):
    _fail(srv, "operator1", 2)
    _fail(srv, "operator2", 5)

    def labels():
        with srv.ctx.db.reader() as session:
            return sorted(session.execute(select(LoginThrottleRow.label)).scalars())

    assert labels() == ["operator1", "operator2", "testclient"]  # two accounts and the address
    clock.advance(minutes=15, seconds=30)
    maintenance_round(srv.ctx)
    assert labels() == ["operator2"]  # its lockout ended less than a window ago: the next one would be doubled
    clock.advance(minutes=1)
    maintenance_round(srv.ctx)
    assert labels() == []


@pytest.mark.parametrize("value,error", [
    ({"login_lockout_s": 600, "login_lockout_max_s": 60},
     "login_lockout_max_s \\(60\\) is shorter than login_lockout_s"),
    ({"login_max_failures": -1}, "login_max_failures\n  Input should be greater than or equal to 0")])
def test_bad_throttle_settings_are_refused(value, error):
    from pydantic import ValidationError

    from server.platform.settings import ServerSettings

    with pytest.raises(ValidationError, match=error):
        ServerSettings(**value)
