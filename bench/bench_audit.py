"""Audit trail benchmarks on PostgreSQL:

- what the audit append adds to a command: the time spent inside `server.audit.chain.record` (its UPDATE … INSERT
  round trip, in the command's transaction) for each of a few hundred rejected commands, median and p90
  (an accepted command appends within its one-statement tail, timed whole in the note); the outbox
  drain's budget is < 3 ms per command on the server, the append should be a small part of it. (Measured
  inside the transaction, not as the difference of two whole-command timings, which the commit's fsync
  and a shared machine make far noisier than the append itself.)
- `onegrid-ctl audit verify` (the real command, in its own process) on a long chain (1,000,000 entries by
  default, `BENCH_AUDIT_ENTRIES`): wall time, and the process's peak resident memory (bounded: keyset
  pages, nothing kept per entry, so it does not grow with the chain).

The long chain (the platform chain, as the one chain of a database from before chains per city becomes) is
written with COPY (hashes computed here with `server.audit.chain`'s reference functions), then
the head is set to its end, so verify checks exactly what the server would have appended.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

from bench.emit import emit, percentile
from bench.harness import fresh_database, log, now_utc, plain_url
from bench.result import Row

ENTRIES = int(os.environ.get("BENCH_AUDIT_ENTRIES", "1000000"))
COMMANDS = int(os.environ.get("BENCH_AUDIT_COMMANDS", "400"))


def _append_cost(url: str) -> tuple[list[float], float]:
    from app.cases.commands import Command, CommandBatch
    from app.platform.enums import Role
    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db
    from server.cases import commands
    from server.platform.auth import AuthUser
    from server.platform.database import Database

    refdata = load_demo_refdata()
    init_db(url, refdata=refdata)
    db = Database(url)
    user = AuthUser("operator1", "bench", Role.OPERATOR)
    lat, lon = refdata.grids[0].centroid
    payload = {"source": "hotline", "category_code": "C0101", "description": "bench",
               "location": {"lat": lat, "lon": lon}}

    real_record, real_accept = commands.audit.record, commands._pg_accept
    inside: list[float] = []  # audit.record: a rejected command's append
    tails: list[float] = []   # _pg_accept: an accepted command's feed change, stored answer and append

    def timed(real, into):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                into.append((time.perf_counter() - started) * 1000)
        return wrapper

    def apply_all(action: str) -> float:
        started = time.perf_counter()
        for _ in range(COMMANDS):
            batch = CommandBatch(commands=[Command(command_id=uuid.uuid4(), case_id=uuid.uuid4(), action=action,
                                                   payload=payload if action == "create" else {},
                                                   issued_at=now_utc())])
            (result,) = commands.apply_batch(db.writer, user, batch, refdata, now_utc).results
            assert result.status == ("accepted" if action == "create" else "rejected"), result
        return (time.perf_counter() - started) / COMMANDS * 1000

    try:
        apply_all("create")  # warm-up: caches, compiled statements
        apply_all("register")
        commands.audit.record = timed(real_record, inside)
        commands._pg_accept = timed(real_accept, tails)  # noqa: SLF001 - timing it in place
        whole = apply_all("create")
        apply_all("register")  # no such case: rejected, and audited like every answer
    finally:
        commands.audit.record, commands._pg_accept = real_record, real_accept
        db.dispose()
    assert len(tails) == COMMANDS and len(inside) == COMMANDS, (len(tails), len(inside))
    return inside, tails, whole


def _long_chain(url: str, n: int) -> None:
    import psycopg

    from server.audit import chain as audit
    from server.platform.database import upgrade

    upgrade(url)
    plain = plain_url(url)
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
        conn.execute("UPDATE audit_head SET seq = %s, prev_hash = hash, hash = %s WHERE chain = ''", (n, prev))
        conn.execute("ALTER TABLE audit_head ENABLE TRIGGER USER")
        conn.commit()


def run() -> None:
    with fresh_database("audit_append") as url:
        log(f"audit append: {COMMANDS} commands, timing the append inside each")
        inside, tails, whole = _append_cost(url)
    emit(Row("audit: append inside a command, median (PostgreSQL)", round(percentile(inside, 50), 3), "ms", 0.5,
             note=f"`audit.record` in {COMMANDS} rejected commands (p90 {percentile(inside, 90):.2f} ms); an "
                  f"accepted command appends in the statement that takes the feed counter and stores its "
                  f"answer (server/cases/commands.py _pg_accept): that whole statement median "
                  f"{percentile(tails, 50):.2f} ms, p90 {percentile(tails, 90):.2f} ms; whole accepted "
                  f"command {whole:.2f} ms incl. commit; shared machine: noisy"))
    with fresh_database("audit_verify") as url:
        log(f"audit verify: writing a chain of {ENTRIES:,} entries")
        _long_chain(url, ENTRIES)
        log("audit verify: onegrid-ctl audit verify")
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "server.admin.ctl", "--database-url", url, "audit", "verify"],
                              capture_output=True, text=True, timeout=1800)
        took = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    answer = (proc.stdout or proc.stderr).strip().splitlines()[-1:] or ["no output"]
    ok = "" if proc.returncode == 0 and f"{ENTRIES} entries" in answer[0] else f"NOT OK: {answer[0][:80]}; "
    emit(Row(f"audit verify: {ENTRIES:,} entries", round(took, 1), "s", 120.0,
             note=f"{ok}{ENTRIES / took:,.0f} entries/s incl. process start; shared machine: noisy"))
    emit(Row("audit verify: peak resident memory", round(peak_mb, 1), "MB", 200.0,
             note=f"the whole onegrid-ctl process, {ENTRIES:,} entries"))


if __name__ == "__main__":
    from bench.harness import install_sigterm_cleanup

    install_sigterm_cleanup()
    run()
