"""Scale-out: several server processes (and two hosts' worth: two loopback addresses, 127.0.0.1 and 127.0.0.2,
each with its own group of processes) on one PostgreSQL behind nginx configured from the shipped
`packaging/server/nginx-onegrid.conf` (`bench.nginx`); long-polling consoles and a command sender all go
through nginx, which spreads them over the processes.

Per profile (one process; two processes on two hosts), on a fresh database:
- consoles: headless long-pollers (`bench.harness pollers`), caught up at the start, three quarters of them the
  city operator's (every case), one quarter the district operator's (`operator_cj`, 澄江区: its district's
  cases only), each pair of pollers processes in its own OS process;
- commands: the open-loop sender of `bench_server_load` (`bench.command_sender`: cases through their life,
  one command per POST), whose creates are spread over both districts' grids;
- after the sender stops and the feed stops moving, the bench waits until every console has every change of its
  scope (at most `CATCHUP_S`), comparing each console with the database: for every case of its scope the
  last change it received must be the case's feed row (its latest position: the console has the case's
  latest state), and it must have received no case outside its scope. A console short of a change, or
  holding one outside its scope, when the wait ends is not complete. How long the catch-up took is in
  the note, with the delivery latency (create sent → first seen by a console, p50/p95/max) from the first
  `SAMPLE` consoles of each group.
- the pollers read as the console does, with a partition cursor (`cursor=`), so the bench runs the same
  whether or not the server partitions its feed.

Rows: command p99 per profile (target 200 ms) and complete consoles per profile (target: all). The note says
how the two cores were shared (server processes, PostgreSQL, nginx, the pollers, this sender): the pollers
parse each distinct page once per process (`bench.tracking.Tracking`), so most of the machine goes to the
server and PostgreSQL. It also gives the long-poll answers per second while commands were sent and the first
server process's CPU per answer (all its CPU, commands included, over its share of the answers), and with
ONEGRID_BENCH_PYSPY (see `bench.harness.ServerProfile`) where that process's Python time went.
The server processes inherit the environment, so a tuning variable (e.g. ONEGRID_FEED_MAX_TICK_MS, named in the
note when set) can be compared in one session.
Pushed consoles read the compressed stream as the console does (ONEGRID_BENCH_PUSH_ENCODING=plain: uncompressed,
`bench.push_pollers`); the note gives the bytes over the connections and the pages' bytes.
Consoles: ONEGRID_BENCH_SCALEOUT_CONSOLES=pushed (the default: each console on the feed's push channel,
`GET /api/changes/stream`, `bench.push_pollers`) or long-polling (`bench.harness pollers`, as before the push
channel); the row names say which, so the two are compared side by side.
Env: ONEGRID_BENCH_SCALEOUT_SCALE (default 1.0) multiplies consoles and rate, for a machine that cannot
generate the full load; ONEGRID_BENCH_SCALEOUT_S the measured window (default 20 s).

    python -m bench scaleout
"""
from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import emit as _emit
from bench.command_sender import (
    DISTINCT_PROBLEMS,
    LATENCY_TARGET_MS,
    CommandSender,
    latency_summary,
    value_ms,
)
from bench.emit import percentile
from bench.harness import (
    HANDLED_UNITS,
    ROOT,
    CpuMeter,
    ServerProcess,
    ServerProfile,
    drop_stale_databases,
    fresh_database,
    install_sigterm_cleanup,
    log,
    login,
    psql_scalar,
    read_json_line,
    stop_process,
    wait_for_quiet,
)
from bench.nginx import Nginx
from bench.push_pollers import push_encoding
from bench.result import Row

SCALE = float(os.environ.get("ONEGRID_BENCH_SCALEOUT_SCALE", "1"))
LOAD_S = float(os.environ.get("ONEGRID_BENCH_SCALEOUT_S", "20"))
WARMUP_S = 3.0
CATCHUP_S = 120.0    # after the feed stopped moving: the longest the consoles are given to catch up
CHECK_EVERY_S = 2.0
SAMPLE = 20          # consoles per group whose arrival times are kept
DISTRICT, DISTRICT_USER, CITY_USER = "330108", "operator_cj", "operator2"
CONSOLES = os.environ.get("ONEGRID_BENCH_SCALEOUT_CONSOLES", "pushed")  # or "long-polling"
if CONSOLES not in ("pushed", "long-polling"):
    raise SystemExit(f"ONEGRID_BENCH_SCALEOUT_CONSOLES must be pushed or long-polling, not {CONSOLES!r}")


@dataclass(frozen=True)
class Profile:
    label: str
    hosts: tuple[str, ...]   # one server process per entry (its loopback address)
    consoles: int
    rate: float


PROFILES = (
    Profile("one process", ("127.0.0.1",), 2000, 200.0),
    Profile("two processes on two hosts", ("127.0.0.1", "127.0.0.2"), 4000, 400.0),
)


def _name(p: Profile, what: str) -> str:
    return f"scale-out: {what} ({p.label} behind nginx, {p.consoles:,} {CONSOLES} consoles + {p.rate:g} cmd/s)"


class TimedSender(CommandSender):
    """The load sender, every fourth case in the district (the others over the whole city), remembering when
    each case's create was sent (wall clock, as the pollers')."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: dict[str, float] = {}
        self.district_grids = [g for g in self.refdata.grids if g.code.startswith(DISTRICT)]

    def next_command(self):
        who, command, follow = super().next_command()
        if command["action"] == "create":
            if self.created % 4 == 0:
                grid = self.district_grids[self.created % len(self.district_grids)]
                lat, lon = grid.centroid
                command["payload"]["location"] = {"lat": lat, "lon": lon, "address": grid.name}
            self.sent[command["case_id"]] = time.time()
        return who, command, follow


def _spawn_pollers(port: int, token: str, count: int, after: int) -> subprocess.Popen:
    common = ["--port", str(port), f"--token={token}", "--count", str(count), "--after", str(after), "--duration",
              str(LOAD_S + WARMUP_S + CATCHUP_S + 300), "--track", str(SAMPLE)]
    command = ([sys.executable, "-m", "bench.push_pollers", *common] if CONSOLES == "pushed"
               else [sys.executable, "-m", "bench.harness", "pollers", *common, "--partitioned"])
    return subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _retrying(fn, *args, attempts: int = 20):
    """`fn(*args)`, again after a pause when PostgreSQL refuses the connection (its connection slots are shared
    with everything else on the machine: "too many clients" for a moment is not the bench's result)."""
    import psycopg

    for attempt in range(attempts):
        try:
            return fn(*args)
        except psycopg.OperationalError as exc:
            if attempt == attempts - 1:
                raise
            log(f"PostgreSQL refused a connection ({str(exc).strip()[-80:]}); again in 1 s")
            time.sleep(1.0)


def _settle(url: str, quiet_s: float = 3.0, bound_s: float = 120.0) -> float:
    """Wait until the feed stops moving (an overloaded server still commits the sender's backlog after it
    stopped sending): the consoles' catching up is measured from there. Returns the seconds waited."""
    started = time.monotonic()
    last, since = None, time.monotonic()
    while time.monotonic() - started < bound_s:
        top = _retrying(psql_scalar, url, "SELECT coalesce(max(position), 0) FROM feed")
        if top != last:
            last, since = top, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
        time.sleep(0.5)
    return time.monotonic() - started


def _expected(url: str, tmp: Path, since: int) -> tuple[Path, Path]:
    """Files of `{case id: its feed row's position}` for the city's scope (every case changed after the consoles'
    starting cursor `since`) and the district's: the latest change of each case, which a complete console
    holds (`bench.tracking.Tracking.check`)."""
    import psycopg

    from bench.harness import plain_url

    with psycopg.connect(plain_url(url), autocommit=True, connect_timeout=5) as conn:
        rows = conn.execute("SELECT f.entity_id, f.position, c.jurisdiction FROM feed f JOIN cases c "
                            "ON c.id = f.case_id WHERE f.kind = 'case' AND f.position > %s", (since,)).fetchall()
    files = (tmp / "expected-city.json", tmp / "expected-district.json")
    files[0].write_text(json.dumps({str(i): p for i, p, _j in rows}))
    files[1].write_text(json.dumps({str(i): p for i, p, j in rows if (j or "").startswith(DISTRICT)}))
    return files


def _catch_up(pollers: list[subprocess.Popen], expected: tuple[Path, Path]) -> tuple[float, list[dict]]:
    """Ask each group of pollers how its consoles compare with the database until every console is complete
    or `CATCHUP_S` ends; (seconds it took, the last answer of each group)."""
    started = time.monotonic()
    while True:
        checks = []
        for p, path in zip(pollers, expected):
            p.stdin.write(f"check {path}\n")
            p.stdin.flush()
            checks.append(read_json_line(p, timeout_s=120)["check"])
        took = time.monotonic() - started
        log(f"catching up, {took:.0f} s: {sum(c['complete'] for c in checks)} consoles complete, "
            f"{sum(len(c['short']) for c in checks)} not yet")
        if not any(c["short"] for c in checks) or took >= CATCHUP_S:
            return took, checks
        time.sleep(CHECK_EVERY_S)


def _pctl(values: list[float], q: float) -> str:
    v = percentile(values, q)
    return "n/a" if math.isnan(v) else f"{v:,.0f}"


def run_profile(profile: Profile) -> None:
    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db

    refdata = load_demo_refdata()
    consoles = max(int(profile.consoles * SCALE), 4)
    rate = profile.rate * SCALE
    district_n = consoles // 4
    city_n = consoles - district_n
    with fresh_database("scaleout") as url, tempfile.TemporaryDirectory(prefix="onegrid-bench-nginx-") as tmp:
        init_db(url, demo_users=True)
        servers = []
        pollers: list[subprocess.Popen] = []
        try:
            for host in profile.hosts:
                servers.append(ServerProcess(url, host=host, env=DISTINCT_PROBLEMS).start())
            with Nginx([(s.host, s.port) for s in servers], Path(tmp)) as proxy:
                who = {"operator": "operator1", "shift_lead": "lead1",
                       **{f"handler_{u}": f"handler_{u}" for u in HANDLED_UNITS}}
                # logins straight to a process: nginx's login rate limit is per address, and every bench
                # console comes from 127.0.0.1 (a token is good on every process: they share the database)
                tokens = {role: login(servers[0].url, user) for role, user in who.items()}
                city_token, district_token = login(servers[0].url, CITY_USER), login(servers[0].url, DISTRICT_USER)
                cursor = psql_scalar(url, "SELECT coalesce(max(position), 0) FROM feed")
                groups = {"city": (city_n, city_token), "district": (district_n, district_token)}
                for _group, (n, token) in groups.items():
                    pollers.append(_spawn_pollers(proxy.port, token, n, cursor))
                ready = [read_json_line(p, timeout_s=120) for p in pollers]
                log(f"{profile.label}: pollers {ready}")
                time.sleep(WARMUP_S)
                sender = TimedSender(proxy.port, tokens, refdata)
                wait_for_quiet()
                others = {f"server {i + 1}": s.pid for i, s in enumerate(servers[1:], start=1)}
                others |= {"nginx": proxy.proc.pid, "city pollers": pollers[0].pid, "district pollers": pollers[1].pid}
                meter = CpuMeter(servers[0].pid, others=others)
                log(f"{profile.label}: {rate:g} cmd/s for {LOAD_S:g} s with {consoles} consoles through nginx")
                profile_of = ServerProfile(servers[0].pid, LOAD_S)  # with ONEGRID_BENCH_PYSPY only
                meter.start()
                profile_of.start()
                window = [time.time()]
                latencies = asyncio.run(sender.run(rate, LOAD_S))
                window.append(time.time())
                meter.stop()
                settled = _settle(url)
                expected = _retrying(_expected, url, Path(tmp), cursor)
                every, district = (len(json.loads(path.read_text())) for path in expected)
                caught_up_s, checks = _catch_up(pollers, expected)
                reports = []
                for p in pollers:
                    p.stdin.write("stop\n")
                    p.stdin.flush()
                for p in pollers:
                    reports.append(read_json_line(p, timeout_s=120))
                nginx_errors = proxy.error_log()
                nginx_kinds = proxy.error_kinds()
        finally:
            for p in pollers:
                stop_process(p)
            for s in servers:
                s.stop()
    complete = sum(c["complete"] for c in checks)
    short = [s for c in checks for s in c["short"]]
    delivery = []
    for group, report in zip(groups, reports):
        track = report["track"]
        for case_id, times in track["first_seen"].items():
            if case_id in sender.sent:
                delivery += [(t - sender.sent[case_id]) * 1000 for t in times]
        got = track["seen"]
        log(f"{group}: {len(got)} consoles; min/max cases received {min(got)}/{max(got)}; "
            f"{report.get('pages_parsed', 0):,} distinct pages parsed; stats {report['stats']}")
    split = meter.describe()
    answers = sum(n for report in reports for second, n in report["buckets"].items()
                  if window[0] <= int(second) < int(window[1]))
    seconds = max(int(window[1]) - window[0], 1)
    what = "pushed pages" if CONSOLES == "pushed" else "long-poll answers"
    if CONSOLES == "pushed":
        sent = sum(r["stats"].get("wire_bytes", 0) for r in reports)
        read = sum(r["stats"].get("bytes", 0) for r in reports)
        split += (f"; the streams {'compressed (gzip members)' if push_encoding() == 'gzip' else 'uncompressed'}: "
                  f"{sent / 1e6:,.0f} MB over the connections for {read / 1e6:,.0f} MB of pages")
    split += (f"; {answers / seconds:,.0f} {what}/s while commands were sent, the first server process's "
              f"CPU {meter.result['server'] * meter.result['wall'] / max(answers / len(servers), 1) * 1e6:,.0f} µs "
              f"per delivery (commands included)")
    if tick := os.environ.get("ONEGRID_FEED_MAX_TICK_MS"):
        split += f"; ONEGRID_FEED_MAX_TICK_MS={tick}"
    if spent := profile_of.summary():
        split += f"; {spent}"
    hosts = " + ".join(f"{s.host}:{s.port}" for s in servers)
    note = (f"{latency_summary(latencies)}; {sender.describe()}; processes {hosts}; {split}")
    if SCALE != 1:
        note = f"SCALED to {SCALE:g} of the load ({consoles} consoles, {rate:g} cmd/s); " + note
    log(f"{profile.label}: {note}")
    emit = _emit.emit
    emit(Row(_name(profile, "p99 command latency"), value_ms(latencies, 99), "ms", LATENCY_TARGET_MS, note=note))
    if short:
        missing = (f"FAILED: {len(short)} consoles not complete after {CATCHUP_S:g} s: "
                   f"{sum(1 for m, s, o in short if m)} missing cases (up to {max(m for m, s, o in short)}), "
                   f"{sum(1 for m, s, o in short if s)} holding an older change of a case (up to "
                   f"{max(s for m, s, o in short)}), {sum(1 for m, s, o in short if o)} holding cases outside their "
                   f"scope (up to {max(o for m, s, o in short)})")
    else:
        missing = f"every console complete {caught_up_s:.1f} s after the feed stopped moving"
    delivered = (f"{city_n} city consoles expecting the latest change of every one of {every} cases, {district_n} "
                 f"district consoles the {district} of 澄江区 (and no other), checked against the database; "
                 f"{missing}; delivery create-sent → first seen by a console ({len(delivery):,} samples from "
                 f"{SAMPLE} consoles per group): p50 {_pctl(delivery, 50)} / p95 {_pctl(delivery, 95)} / max "
                 f"{_pctl(delivery, 100)} ms; the server went on committing the backlog {settled:.0f} s after the "
                 f"last command was sent")
    if "error" in nginx_errors or "upstream" in nginx_errors:
        delivered += f"; nginx errors by kind: {nginx_kinds}; the log's end: {nginx_errors[-300:]!r}"
    log(f"{profile.label}: {delivered}")
    emit(Row(_name(profile, "consoles that received every change of their scope"), complete, "consoles",
             float(consoles), lower_is_better=False, note=delivered))


def main() -> int:
    install_sigterm_cleanup()
    try:
        drop_stale_databases()
    except Exception as exc:  # noqa: BLE001 - PostgreSQL down: every row below says so
        log(f"PostgreSQL unusable: {exc}")
    only = os.environ.get("ONEGRID_BENCH_SCALEOUT_ONLY")  # "one" / "two": a single profile
    for profile in PROFILES:
        if only and not profile.label.startswith(only):
            continue
        started = time.monotonic()
        try:
            run_profile(profile)
        except Exception as exc:  # noqa: BLE001 - benchmarks never fail the build: say why in the rows
            import traceback

            traceback.print_exc()
            why = f"could not run: {type(exc).__name__}: {str(exc)[:200]}"
            _emit.emit(Row(_name(profile, "p99 command latency"), None, "ms", LATENCY_TARGET_MS, note=why))
            _emit.emit(Row(_name(profile, "consoles that received every change of their scope"), None, "consoles",
                           float(profile.consoles), lower_is_better=False, note=why))
        log(f"{profile.label}: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
