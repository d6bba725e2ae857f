"""The maintenance sweeps run on one server process at a time on PostgreSQL (an advisory lock held on a
session of its own): two apps on one database, only the lock holder sweeps; when its session ends (the
process died or lost the database) the other takes over at its next round. On SQLite every process
sweeps, as before."""
from __future__ import annotations

from sqlalchemy import text

from server import maintenance
from server.maintenance import maintenance_round


def count_escalation_sweeps(monkeypatch) -> list[str]:
    swept: list[str] = []
    real = maintenance.escalate_overdue

    def spy(reader, *args, **kwargs):
        swept.append(reader.kw["bind"].url.database)
        return real(reader, *args, **kwargs)

    monkeypatch.setattr(maintenance, "escalate_overdue", spy)
    return swept


def lock_session_pid(harness) -> int:
    return harness.ctx.locks._conn.execute(text("SELECT pg_backend_pid()")).scalar()


def test_only_one_process_on_a_database_sweeps_and_another_takes_over(make_harness, pg_url, monkeypatch):
    first, second = make_harness(pg_url), make_harness(pg_url, prepare=False)
    swept = count_escalation_sweeps(monkeypatch)
    assert maintenance_round(first.ctx) is True
    assert maintenance_round(second.ctx) is False
    assert maintenance_round(first.ctx) is True  # the sweeper keeps the lock from round to round
    assert maintenance_round(second.ctx) is False
    assert len(swept) == 2

    # the sweeper's session ends as if its process had died: the other one sweeps from its next round
    # (waiting until that backend has exited: its advisory lock goes only then)
    with second.ctx.db.writer() as s, s.begin():
        assert s.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": lock_session_pid(first)}).scalar()
    assert maintenance_round(second.ctx) is True
    assert maintenance_round(first.ctx) is False  # reconnected, and found the lock taken
    assert len(swept) == 3


def test_on_sqlite_every_process_sweeps(make_harness, sqlite_url, monkeypatch):
    first, second = make_harness(sqlite_url), make_harness(sqlite_url, prepare=False)
    swept = count_escalation_sweeps(monkeypatch)
    assert maintenance_round(first.ctx) is True and maintenance_round(second.ctx) is True
    assert len(swept) == 2


def test_a_process_whose_lock_session_was_cut_takes_its_locks_again_when_nobody_else_did(make_harness, pg_url):
    sweeper = make_harness(pg_url)
    assert maintenance_round(sweeper.ctx) is True
    with sweeper.ctx.db.writer() as s, s.begin():
        s.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": lock_session_pid(sweeper)})
    assert maintenance_round(sweeper.ctx) is True  # a new session, the lock taken again
    with sweeper.ctx.db.reader() as s:
        holders = s.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                                 "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
                            ).scalar()
    assert holders == 1
