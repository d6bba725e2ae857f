"""How `onegrid-ctl audit verify` reads a chain: each entry once whatever the database's statistics say (a
chain written faster than PostgreSQL gathers them was read again and again, page after page), across gaps
longer than a page, and with the canonical times formatted by PostgreSQL exactly as the reference does."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from server.audit import chain as audit
from server.audit import verify as audit_verify
from server.platform.database import Database, upgrade

START = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def _append(url: str, n: int, **fields) -> None:
    """`n` entries on the platform chain, in one transaction, through the server's own append."""
    db = Database(url)
    try:
        with db.writer() as session, session.begin():
            for i in range(n):
                entry = {"at": START + timedelta(seconds=i), "actor": "operator1", "role": "operator",
                         "action": "probe", "entity_kind": "test", "entity_id": str(i), "result": "ok",
                         "detail": {"i": i}, **fields}
                audit.record(session, **entry)
    finally:
        db.dispose()


def _copy_chain(url: str, n: int) -> None:
    """`n` entries on the platform chain written with COPY, as a bulk load (or a restore) writes them: hashed
    here with the reference functions, the head set to the last."""
    import psycopg
    from psycopg.types.json import Json

    prev = audit.GENESIS_HASH
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as conn:
        with conn.cursor().copy("COPY audit_log (seq, at, client_time, actor, role, console_id, offline, action, "
                                "entity_kind, entity_id, result, reason, detail, prev_hash, hash) FROM STDIN") as copy:
            for seq in range(1, n + 1):
                fields = audit.entry_fields(at=START + timedelta(seconds=seq), actor="operator1", role="operator",
                                            action="probe", entity_kind="test", entity_id=str(seq), result="ok",
                                            detail={"i": seq})
                digest = audit.entry_hash(seq, prev, audit.canonical_body(fields))
                copy.write_row((seq, *(fields[name] for name in ("at", "client_time", "actor", "role", "console_id",
                                                                  "offline", "action", "entity_kind", "entity_id",
                                                                  "result", "reason")),
                                Json(fields["detail"]), prev, digest))
                prev = digest
        conn.execute("ALTER TABLE audit_head DISABLE TRIGGER USER")
        conn.execute("UPDATE audit_head SET seq = %s, prev_hash = hash, hash = %s WHERE chain = ''", (n, prev))
        conn.execute("ALTER TABLE audit_head ENABLE TRIGGER USER")


def _rows_read(engine) -> int:
    """The rows PostgreSQL has read of `audit_log` so far, this connection's own reads included."""
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_stat_force_next_flush()"))
        conn.commit()  # the backend's pending counts go to the shared statistics as it goes idle
        return conn.execute(text("SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) "
                                 "FROM pg_stat_user_tables WHERE relname = 'audit_log'")).scalar_one()


def test_verify_reads_each_entry_about_once_before_postgres_has_statistics(pg_url):
    """20,000 entries verified in pages of 1,000: 20,000 rows read. Paged as `seq > after … LIMIT page`,
    without statistics PostgreSQL read every later entry for each page (here 210,000 rows; for the bench's
    million, 100 million)."""
    upgrade(pg_url)
    engine = create_engine(pg_url, poolclass=StaticPool)  # one connection: its read counts are flushed below
    with engine.begin() as conn:  # as after a bulk load: no ANALYZE ran yet
        conn.execute(text("ALTER TABLE audit_log SET (autovacuum_enabled = false)"))
    n, page = 20_000, 1000
    _copy_chain(pg_url, n)
    try:
        before = _rows_read(engine)
        report = audit_verify.verify_chain(sessionmaker(engine), chain="", page=page)
        read = _rows_read(engine) - before
    finally:
        engine.dispose()
    assert report.ok and report.entries == n, report.summary()
    assert read <= 2 * n, f"{read} rows read to verify {n} entries"


def test_a_gap_longer_than_a_page_is_named_as_a_gap(sqlite_url):
    upgrade(sqlite_url)
    _append(sqlite_url, 12)
    db = Database(sqlite_url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log WHERE chain = '' AND seq BETWEEN 3 AND 9"))
        report = audit_verify.verify_chain(db.reader, chain="", page=2)
        entries = [row.seq for row in audit_verify.iter_entries(db.reader, chain="", page=2)]
    finally:
        db.dispose()
    assert not report.ok and report.broken_seq == 10 and report.entries == 2
    assert "gap in sequence: entries 3 … 9 are missing" in report.problem
    assert entries == [1, 2, 10, 11, 12]


def test_times_and_values_postgres_formats_verify_as_the_reference_hashed_them(pg_url):
    """Years below 1000, whole seconds, no console time, non-ASCII and nested detail, offline: the canonical
    text read back from PostgreSQL is the one `chain.canonical_body` hashed at append."""
    upgrade(pg_url)
    _append(pg_url, 1, at=datetime(999, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    _append(pg_url, 1, at=datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=8))),
            client_time=datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc), offline=True, console_id="席位-3",
            detail={"说明": "井盖\n缺失 \"引号\"", "nested": {"b": [1, 2.5, None, True], "a": "\u2028"}})
    db = Database(pg_url)
    try:
        assert [r.ok for r in audit_verify.verify_all(db.reader)] == [True]
        with db.engine.begin() as conn:  # the check is real: one changed microsecond breaks the chain
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            conn.execute(text("UPDATE audit_log SET at = at + interval '1 microsecond' WHERE chain = '' AND seq = 2"))
        report = audit_verify.verify_chain(db.reader, chain="")
    finally:
        db.dispose()
    assert not report.ok and report.broken_seq == 2 and "hash mismatch" in report.problem


def test_the_chains_are_found_without_reading_the_trail(sqlite_url):
    """Each chain with entries (one with no head too), cities by code, the platform chain last."""
    upgrade(sqlite_url)
    db = Database(sqlite_url)
    try:
        with db.writer() as session, session.begin():
            for chain in ("3302", "3301", "", "3302"):
                audit.record(session, at=START, actor=None, role=None, action="probe", entity_kind="test",
                             entity_id="x", result="ok", chain=chain)
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_head WHERE chain = '3302'"))
        with db.reader() as session:
            assert audit_verify.chains(session) == ["3301", "3302", ""]
        reports = audit_verify.verify_all(db.reader)
    finally:
        db.dispose()
    assert [(r.chain, r.ok) for r in reports] == [("3301", True), ("3302", False), ("", True)]
    assert "audit_head row is missing" in reports[1].problem
