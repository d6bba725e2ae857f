"""Ten cities in one PostgreSQL database (issue: "10 cities × 100,000 cases in one database"): a district
console's initial sync and its incremental (long-poll) reads against the same reads in a one-city database,
and the commit latency of city A while city B drains 10,000 commands, in the same run, in three designs:
the feed's one counter row and one audit chain (the design before partitions), a feed counter per city but
still one audit chain (`feed_partitions` on before the audit had a chain per city: every command still
took the one audit head's row lock), and a counter and an audit chain per city (today's default). The one
audit chain is reproduced by sending every entry to the platform chain (`server.audit.chain.chain_params`
patched in this process): one head row, locked by every command, as before.

While each drain runs, a sampler reads `pg_stat_activity` / `pg_locks` every 10 ms and logs which
statements waited on a lock (a row lock shared across cities shows up as city A's note waiting on city
B's transaction): `BENCH_CITIES_LOCKS=0` turns it off.

Data: `BENCH_CITIES_CASES` cases per city (default 20,000; the issue's 100,000 with
`BENCH_CITIES_CASES=100000` — the default keeps the run under 4 minutes on this shared 2-core machine,
where writing 1,000,000 rows and indexing them takes most of that alone). The drain is `BENCH_CITIES_DRAIN`
commands (default 10,000, the issue's: about 100 s per design here, in-process with the GIL shared, so the
three drains take about 5 minutes). Cases are replicated with
INSERT … SELECT from one real case (its JSON, ~2 KB) into each city's streets, with feed rows in creation
order; a tenth of city 3301's cases lie in the district 330108 (the demo's district operator `operator_cj`).
The one-counter database keeps every row in the global partition (as a database upgraded by migration 0021
and never partitioned); the partitioned one has each city's rows in its partition.
Reads are the server's own serialised page reads (`server.feed.pages.read_changes_raw`, what the endpoint
sends for a cursor older than the in-memory ring), 1,000 rows a page, in one process (no HTTP): the
database's share of a sync; the sync is read `SYNCS` times and the row takes the median. The district's
rows are found through `ix_feed_partition_jurisdiction` (migration 0027), so a district reads its own rows
whatever else the database holds; what still grows with the other cities is where those rows lie (one heap
page each when ten cities' writes interleave, against a few to a page in a one-city database) and the size
of the `cases` table they are joined with. The drain is `server.cases.commands.apply_batch` with group commit (100), in a
forked process of its own (its own connections and interpreter lock, as a second server process behind
nginx would be), while a thread of this process commits one note at a time on a case of city A every 20 ms,
so A's latency is what the database makes it wait. `BENCH_CITIES_DRAIN_PROCESS=0` drains in a thread of
A's process instead: there a 100-command group's Python holds the interpreter lock A's thread needs, which is
most of A's p99 once no row is shared (one server process serving two busy cities; more processes fix it).
"""
from __future__ import annotations

import contextlib
import os
import statistics
import threading
import time
import uuid
from datetime import datetime, timezone

from bench.emit import emit, percentile
from bench.harness import (
    drop_stale_databases,
    fresh_database,
    install_sigterm_cleanup,
    log,
    plain_url,
)
from bench.result import Row

CASES = int(os.environ.get("BENCH_CITIES_CASES", "20000"))
CITIES = [f"33{n:02d}" for n in range(1, 11)]
DRAIN = int(os.environ.get("BENCH_CITIES_DRAIN", "10000"))  # ~100 s per design here, see the docstring
SAMPLE_LOCKS = os.environ.get("BENCH_CITIES_LOCKS", "1") != "0"
# B's drain in a process of its own (forked, its own connections) instead of a thread beside A's commits: A's
# latency then shows the database's waits without the Python interpreter lock the two threads share
DRAIN_PROCESS = os.environ.get("BENCH_CITIES_DRAIN_PROCESS", "1") == "1"
PAGE = 1000
# A district's initial sync is read this many times from each database, the three in turn, and the row takes the
# fastest: the reads do the same work each time, so whatever else the shared machine does only adds to a read
SYNCS = 5


def _template(url: str, refdata):
    """One real case (created by the server's own command path) and the operator who made it."""
    from app.cases.commands import Command, CommandBatch
    from app.platform.enums import Role
    from bench.harness import create_payload
    from server.cases.commands import apply_batch
    from server.platform.auth import AuthUser
    from server.platform.database import Database

    db = Database(url)
    user = AuthUser("operator1", "bench", Role.OPERATOR)
    try:
        case_id = uuid.uuid4()
        batch = CommandBatch(commands=[Command(command_id=uuid.uuid4(), case_id=case_id, action="create",
                                               payload=create_payload(refdata, 0), issued_at=_now())])
        assert apply_batch(db.writer, user, batch, refdata, _now).results[0].status == "accepted"
    finally:
        db.dispose()
    return case_id


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _fill(url: str, cities: list[str], partitioned: bool) -> None:
    """`CASES` cases per city, copied from the template case, each with its feed row (positions in creation
    order across the cities, interleaved as a province's writes would be)."""
    import psycopg

    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        template = conn.execute("SELECT id FROM cases LIMIT 1").fetchone()[0]
        n = len(cities)
        conn.execute("CREATE TEMP TABLE gen AS SELECT g AS k, gen_random_uuid() AS id, "
                     "(%s::text[])[1 + (g %% %s)] AS city FROM generate_series(1, %s) g",
                     (cities, n, CASES * n))
        # a tenth of each city's cases in street 08001 of its district 08 (the demo's 330108001 for 3301)
        conn.execute("""INSERT INTO cases (id, number, status, priority, category_code, unit_id, grid_code,
                            created_at, updated_at, due_at, version, data, jurisdiction)
                        SELECT gen.id, 'B-' || gen.k, c.status, c.priority, c.category_code, c.unit_id,
                               gen.city || CASE WHEN (gen.k / %s) %% 10 = 0 THEN '08001' ELSE '06001' END || '00101',
                               c.created_at, c.updated_at, c.due_at, c.version, c.data,
                               gen.city || CASE WHEN (gen.k / %s) %% 10 = 0 THEN '08001' ELSE '06001' END
                        FROM gen, cases c WHERE c.id = %s""", (n, n, template))
        top = conn.execute("SELECT value FROM counters WHERE name = 'feed'").fetchone()[0]
        conn.execute("""INSERT INTO feed (kind, entity_id, position, case_id, scope, jurisdiction, partition)
                        SELECT 'case', gen.id::text, %s + gen.k, gen.id, '', c.jurisdiction,
                               CASE WHEN %s THEN gen.city ELSE '' END
                        FROM gen JOIN cases c ON c.id = gen.id""", (top, partitioned))
        last = top + CASES * n
        conn.execute("UPDATE counters SET value = %s WHERE name = 'feed'", (last,))
        if partitioned:  # each city's counter at its last position
            for city in cities:
                conn.execute("INSERT INTO counters (name, value) SELECT %s, max(position) FROM feed "
                             "WHERE partition = %s", (f"feed:{city}", city))
        conn.execute("ANALYZE")


def _sync_ms(url: str, refdata, partitions: list[str], times: int = SYNCS) -> tuple[float, int, float, int]:
    """A district console's initial sync (every page from 0, each partition it reads) and an incremental
    read near the top of its city's partition (the last 100 changes of its city): (sync ms, entities,
    incremental ms median, entities)."""
    from app.platform.enums import Role
    from server.feed.pages import read_changes_raw
    from server.platform.auth import AuthUser
    from server.platform.database import Database
    from server.platform.scope import feed_units

    user = AuthUser("operator_cj", "bench", Role.OPERATOR, jurisdictions=("330108",))
    units = tuple(sorted(feed_units(user, refdata)))
    db = Database(url)
    try:
        syncs = []
        for _ in range(times):
            began, count = time.perf_counter(), 0
            for partition in partitions:
                after, more = 0, True
                while more:
                    with db.reader() as session, session.begin():
                        page = read_changes_raw(session, after, PAGE, units, partition)
                    count, after, more = count + page.count, page.cursor, page.more
            syncs.append((time.perf_counter() - began) * 1000)
        sync_ms = min(syncs)
        city = partitions[-1]
        with db.reader() as session:
            from sqlalchemy import text
            mine = session.execute(text("SELECT position FROM feed WHERE jurisdiction LIKE '330108%' AND "
                                        "partition = :p ORDER BY position DESC LIMIT 1 OFFSET 100"),
                                   {"p": city}).scalar()
        times, got = [], 0
        for _ in range(7):
            with db.reader() as session, session.begin():
                t0 = time.perf_counter()
                page = read_changes_raw(session, mine, PAGE, units, city)
                times.append((time.perf_counter() - t0) * 1000)
                got = page.count
        return sync_ms, count, statistics.median(times[1:]), got
    finally:
        db.dispose()


def _lock_waits(url: str, stop: threading.Event, waits: dict) -> None:
    """Until `stop`: every 10 ms, each statement of the database waiting on a lock (heavyweight: a row
    lock waits on the holder's transaction id), counted by what it waits for and its first words."""
    import psycopg

    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        while not stop.is_set():
            for locktype, relation, query in conn.execute(
                    """SELECT l.locktype, l.relation::regclass::text, left(regexp_replace(a.query, '\s+', ' ', 'g'), 70)
                       FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
                       WHERE a.datname = current_database() AND a.wait_event_type = 'Lock'""").fetchall():
                key = (locktype, relation or "", query)
                waits[key] = waits.get(key, 0) + 1
            time.sleep(0.01)


def _drain_latency(url: str, refdata, partitioned: bool, chains: bool) -> tuple[float, float, float, int, dict]:
    """City B drains `DRAIN` notes (batches of 500, group commit 100) while city A commits one note every
    20 ms: (A's p50 ms, A's p99 ms, B's drain s, A's commits, the lock waits sampled). `chains` False: every
    audit entry to one chain (the platform's), as before chains per city."""
    from app.cases.commands import Command, CommandBatch
    from app.platform.enums import Role
    from bench.harness import create_payload
    from server.audit import chain as audit
    from server.cases.commands import apply_batch
    from server.feed.record import FEED_PARTITIONS
    from server.platform.auth import AuthUser
    from server.platform.database import Database

    db = Database(url)
    db.writer.configure(info={FEED_PARTITIONS: partitioned})
    user = AuthUser("operator1", "bench", Role.OPERATOR)
    own_chains = audit.chain_params
    if not chains:
        audit.chain_params = lambda entity_kind, entity_id, chain=None: {"audit_chain": "", "audit_case": None}
    stop, waits = threading.Event(), {}
    sampler = threading.Thread(target=_lock_waits, args=(url, stop, waits), daemon=True)

    def batch(commands):
        return CommandBatch(commands=[Command(command_id=uuid.uuid4(), case_id=c, action=a, payload=p,
                                              issued_at=_now()) for c, a, p in commands])

    try:
        a_cases = [uuid.uuid4() for _ in range(5)]
        b_cases = [uuid.uuid4() for _ in range(100)]
        result = apply_batch(db.writer, user, batch([(c, "create", create_payload(refdata, i))
                                                     for i, c in enumerate(a_cases + b_cases)]), refdata, _now,
                             group=100)
        assert all(r.status == "accepted" for r in result.results)
        import psycopg
        with psycopg.connect(plain_url(url), autocommit=True) as conn:  # B's cases into the second city
            conn.execute("""UPDATE cases SET grid_code = '3302' || substr(grid_code, 5),
                                             jurisdiction = '3302' || substr(jurisdiction, 5),
                                             data = jsonb_set(data::jsonb, '{location,grid_code}',
                                                   to_jsonb('3302' || substr(grid_code, 5)))::json
                            WHERE id = ANY(%s)""", (b_cases,))
        import multiprocessing
        fork = multiprocessing.get_context("fork")
        done = fork.Event() if DRAIN_PROCESS else threading.Event()
        took = fork.Value("d", 0.0)

        def drain():
            own = Database(url) if DRAIN_PROCESS else db  # a forked process never uses its parent's connections
            own.writer.configure(info={FEED_PARTITIONS: partitioned})
            try:
                began = time.perf_counter()
                for start in range(0, DRAIN, 500):
                    notes = [(b_cases[i % len(b_cases)], "note", {"text": f"b{i}"})
                             for i in range(start, start + 500)]
                    apply_batch(own.writer, user, batch(notes), refdata, _now, group=100)
                took.value = time.perf_counter() - began
            finally:
                if DRAIN_PROCESS:
                    own.dispose()
                done.set()

        t = fork.Process(target=drain) if DRAIN_PROCESS else threading.Thread(target=drain)
        latencies = []
        t.start()
        if SAMPLE_LOCKS:
            sampler.start()
        i = 0
        while not done.is_set():
            t0 = time.perf_counter()
            r = apply_batch(db.writer, user, batch([(a_cases[i % 5], "note", {"text": f"a{i}"})]), refdata, _now)
            latencies.append((time.perf_counter() - t0) * 1000)
            assert r.results[0].status == "accepted", r.results[0]
            i += 1
            time.sleep(0.02)
        t.join()
        return percentile(latencies, 50), percentile(latencies, 99), took.value, len(latencies), waits
    finally:
        stop.set()
        if sampler.is_alive():
            sampler.join()
        audit.chain_params = own_chains
        db.dispose()


def run() -> None:
    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db

    refdata = load_demo_refdata()
    results = {}
    designs = {"10 cities, one counter": [("one counter, one audit chain", False)],
               "10 cities, partitioned": [("partitioned, one audit chain", False),
                                          ("partitioned, an audit chain per city", True)]}
    with contextlib.ExitStack() as databases:
        made = {}
        for label, cities, partitioned in (("one city", CITIES[:1], False), ("10 cities, one counter", CITIES, False),
                                           ("10 cities, partitioned", CITIES, True)):
            url = databases.enter_context(fresh_database("cities"))
            init_db(url, refdata=refdata)
            _template(url, refdata)
            began = time.perf_counter()
            _fill(url, cities, partitioned)
            log(f"{label}: {CASES * len(cities):,} cases written in {time.perf_counter() - began:.1f} s")
            made[label] = (url, ["", "3301"] if partitioned else [""], partitioned)
        # the three databases read in turn, SYNCS rounds: whatever the shared machine does at a moment falls on
        # each of them alike (read one database after the other, the ratio moved ±25 % between runs)
        reads: dict[str, list] = {label: [] for label in made}
        for _ in range(SYNCS):
            for label, (url, partitions, _partitioned) in made.items():
                reads[label].append(_sync_ms(url, refdata, partitions, times=1))
        for label, rounds in reads.items():
            results[label] = (min(r[0] for r in rounds), rounds[0][1], statistics.median(r[2] for r in rounds),
                              rounds[0][3])
            log(f"{label}: sync {results[label]} (each round: {[round(r[0], 1) for r in rounds]} ms)")
        for label, (url, _partitions, partitioned) in made.items():
            for design, chains in designs.get(label, []):
                results[design] = _drain_latency(url, refdata, partitioned, chains)
                p50, p99, drain_s, n, waits = results[design]
                log(f"{design}: A p50 {p50:.1f} ms, p99 {p99:.1f} ms over {n} commits; B drained {DRAIN:,} in "
                    f"{drain_s:.1f} s; lock waits sampled: {len(waits) and sum(waits.values())}")
                for (locktype, relation, query), count in sorted(waits.items(), key=lambda kv: -kv[1])[:8]:
                    log(f"    {count:5d} × {locktype} {relation} — {query}")
    one = results["one city"]
    for label in ("10 cities, one counter", "10 cities, partitioned"):
        sync_ms, count, inc_ms, inc = results[label]
        emit(Row(f"district console initial sync, {label} / one city (DB reads)", round(sync_ms / one[0], 2), "×",
                 1.25, note=f"{sync_ms:,.0f} ms for {count:,} entities vs {one[0]:,.0f} ms for {one[1]:,} with one "
                            f"city (fastest of {SYNCS}); {CASES:,} cases per city; target: no slower (±25 % noise "
                            f"on a shared machine); load average {os.getloadavg()[0]:.1f}"))
        emit(Row(f"district console incremental read (last 100 of its city), {label} / one city",
                 round(inc_ms / one[2], 2), "×", 1.25,
                 note=f"{inc_ms:.1f} ms ({inc} entities) vs {one[2]:.1f} ms ({one[3]}) with one city; median of 6"))
    for design in ("one counter, one audit chain", "partitioned, one audit chain",
                   "partitioned, an audit chain per city"):
        p50, p99, drain_s, n, waits = results[design]
        where = ", B in its own process" if DRAIN_PROCESS else ""
        emit(Row(f"city A command p99 while city B drains {DRAIN:,} commands{where}, {design}", round(p99, 1), "ms",
                 200,
                 note=f"p50 {p50:.1f} ms over {n} commits; B's drain {drain_s:.1f} s (group commit 100); "
                      f"{sum(waits.values())} lock waits sampled (every 10 ms)"))


if __name__ == "__main__":
    install_sigterm_cleanup()
    drop_stale_databases()
    run()
