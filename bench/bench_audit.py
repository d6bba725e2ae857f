"""Audit trail benchmarks on PostgreSQL (issue 5):

- what the audit append adds to a command: the same commands applied with `server.audit.record` and with it
  replaced by a no-op, in alternating rounds (the best round of each is compared); the outbox drain's
  budget is < 3 ms per command on the server, the append should be a small part of it;
- `onegrid-ctl audit verify` on a long chain (1,000,000 entries by default, `BENCH_AUDIT_ENTRIES`): time,
  and the peak Python memory while verifying (bounded: keyset pages, nothing kept per entry).

The long chain is written with COPY (hashes computed here with `server.audit`'s reference functions), then
the head is set to its end, so verify checks exactly what the server would have appended.
"""
from __future__ import annotations

import io
import os
import time
import tracemalloc
import uuid
from datetime import datetime, timedelta, timezone

from bench.emit import emit
from bench.harness import fresh_database, log
from bench.result import Row

ENTRIES = int(os.environ.get("BENCH_AUDIT_ENTRIES", "1000000"))
COMMANDS = int(os.environ.get("BENCH_AUDIT_COMMANDS", "400"))
ROUNDS = 3


def _append_cost(url: str) -> tuple[float, float]:
    from app.commands import Command, CommandBatch
    from app.enums import Role
    from app.refdata import load_demo_refdata
    from server import commands
    from server.auth import AuthUser
    from server.bootstrap import init_db
    from server.database import Database

    refdata = load_demo_refdata()
    init_db(url, refdata=refdata)
    db = Database(url)
    user = AuthUser("operator1", "bench", Role.OPERATOR)
    lat, lon = refdata.grids[0].centroid
    payload = {"source": "hotline", "category_code": "C0101", "description": "bench",
               "location": {"lat": lat, "lon": lon}}

    def now() -> datetime:
        return datetime.now(timezone.utc)

    def round_ms() -> float:
        started = time.perf_counter()
        for _ in range(COMMANDS):
            batch = CommandBatch(commands=[Command(command_id=uuid.uuid4(), case_id=uuid.uuid4(), action="create",
                                                   payload=payload, issued_at=now())])
            commands.apply_batch(db.writer, user, batch, refdata, now)
        return (time.perf_counter() - started) / COMMANDS * 1000

    real = commands.audit.record
    with_audit, without = [], []
    try:
        round_ms()  # warm-up: caches, compiled statements
        for _ in range(ROUNDS):
            with_audit.append(round_ms())
            commands.audit.record = lambda *a, **k: None
            without.append(round_ms())
            commands.audit.record = real
    finally:
        commands.audit.record = real
        db.dispose()
    return min(with_audit), min(without)


def _long_chain(url: str, n: int) -> None:
    import psycopg

    from server import audit
    from server.database import upgrade

    upgrade(url)
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    prev = audit.GENESIS_HASH
    with psycopg.connect(plain) as conn:
        with conn.cursor().copy("COPY audit_log (seq, at, client_time, actor, role, console_id, offline, action, "
                                "entity_kind, entity_id, result, reason, detail, prev_hash, hash) FROM STDIN") as copy:
            for seq in range(1, n + 1):
                at = start + timedelta(seconds=seq * 3)
                fields = audit.entry_fields(at=at, actor=f"operator{seq % 7}", role="operator", action="note",
                                            entity_kind="case", entity_id=str(uuid.UUID(int=seq)),
                                            result="accepted" if seq % 11 else "rejected",
                                            reason=None if seq % 11 else "forbidden", console_id=f"desk-{seq % 40}",
                                            client_time=at - timedelta(seconds=2), offline=seq % 13 == 0,
                                            detail={"command_id": str(uuid.UUID(int=seq + 1)), "version": seq % 9,
                                                    "number": f"2026-{seq:06d}"})
                digest = audit.entry_hash(seq, prev, audit.canonical_body(fields))
                copy.write_row((seq, fields["at"], fields["client_time"], fields["actor"], fields["role"],
                                fields["console_id"], fields["offline"], fields["action"], fields["entity_kind"],
                                fields["entity_id"], fields["result"], fields["reason"],
                                psycopg.types.json.Json(fields["detail"]), prev, digest))
                prev = digest
                if seq % 200_000 == 0:
                    log(f"audit chain: {seq:,} entries written")
        conn.execute("ALTER TABLE audit_head DISABLE TRIGGER USER")
        conn.execute("UPDATE audit_head SET seq = %s, prev_hash = hash, hash = %s", (n, prev))
        conn.execute("ALTER TABLE audit_head ENABLE TRIGGER USER")
        conn.commit()


def run() -> None:
    with fresh_database("audit_append") as url:
        log(f"audit append: {ROUNDS} rounds of {COMMANDS} commands with and without the audit")
        with_ms, without_ms = _append_cost(url)
    emit(Row("audit: append cost per command (PostgreSQL)", round(with_ms - without_ms, 3), "ms", 1.0,
             note=f"command {with_ms:.2f} ms with the audit, {without_ms:.2f} ms without (best of {ROUNDS}); "
                  f"shared machine: noisy"))
    with fresh_database("audit_verify") as url:
        log(f"audit verify: writing a chain of {ENTRIES:,} entries")
        _long_chain(url, ENTRIES)
        from server import audit
        from server.database import Database

        db = Database(url)
        try:
            tracemalloc.start()
            started = time.perf_counter()
            report = audit.verify_chain(db.reader)
            took = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
        finally:
            db.dispose()
    ok = "" if report.ok else f"NOT OK: {report.summary()}; "
    emit(Row(f"audit verify: {ENTRIES:,} entries", round(took, 1), "s", 120.0,
             note=f"{ok}{ENTRIES / took:,.0f} entries/s (tracemalloc on)"))
    emit(Row("audit verify: peak Python memory", round(peak, 1), "MB", 100.0,
             note=f"{ENTRIES:,} entries in keyset pages of {audit.VERIFY_PAGE}"))


if __name__ == "__main__":
    from bench.harness import install_sigterm_cleanup

    install_sigterm_cleanup()
    run()
