"""Scale-out: several server processes (and two hosts' worth: two loopback addresses, 127.0.0.1 and 127.0.0.2,
each with its own group of processes) on one PostgreSQL behind nginx configured from the shipped
`packaging/server/nginx-onegrid.conf` (`bench.nginx`); long-polling consoles and a command sender all go
through nginx, which spreads them over the processes.

Per profile (one process; two processes on two hosts), on a fresh database:
- consoles: headless long-pollers (`bench.harness pollers`), caught up at the start, three quarters of them the
  city operator's (every case), one quarter the district operator's (`operator_cj`, 澄江区: its district's
  cases only), each pair of pollers processes in its own OS process;
- commands: the open-loop sender of `bench_server_load` (cases through their life, one command per POST),
  whose creates are spread over both districts' grids;
- after the sender stops, the consoles get `DRAIN_S` to catch up; then every console's received case ids
  are compared with the database: a console is complete when it received every case of its scope (and none
  outside it). Delivery latency (create sent → first seen by a console) from the first `SAMPLE` consoles of
  each group.

Rows: command p99 per profile (target 200 ms) and complete consoles per profile (target: all). The note says
how the two cores were shared (server processes, PostgreSQL, nginx, the pollers, this sender).
Env: ONEGRID_BENCH_SCALEOUT_SCALE (default 1.0) multiplies consoles and rate, for a machine that cannot
generate the full load; ONEGRID_BENCH_SCALEOUT_S the measured window (default 20 s).

    python -m bench scaleout
"""
from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import emit as _emit
from bench.bench_server_load import (
    DISTINCT_PROBLEMS,
    LATENCY_TARGET_MS,
    CommandSender,
    _latency_summary,
    _read_json_line,
    _value_ms,
)
from bench.emit import percentile
from bench.harness import (
    HANDLED_UNITS,
    ROOT,
    CpuMeter,
    ServerProcess,
    drop_stale_databases,
    fresh_database,
    install_sigterm_cleanup,
    log,
    login,
    psql_scalar,
    stop_process,
    wait_for_quiet,
)
from bench.nginx import Nginx
from bench.result import Row

SCALE = float(os.environ.get("ONEGRID_BENCH_SCALEOUT_SCALE", "1"))
LOAD_S = float(os.environ.get("ONEGRID_BENCH_SCALEOUT_S", "20"))
WARMUP_S = 3.0
DRAIN_S = 10.0       # after the last command: the consoles catch up
SAMPLE = 20          # consoles per group whose arrival times are kept
DISTRICT, DISTRICT_USER, CITY_USER = "330108", "operator_cj", "operator2"


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
    return f"scale-out: {what} ({p.label} behind nginx, {p.consoles:,} long-polling consoles + {p.rate:g} cmd/s)"


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
    return subprocess.Popen(
        [sys.executable, "-m", "bench.harness", "pollers", "--port", str(port), "--token", token, "--count",
         str(count), "--after", str(after), "--duration", str(LOAD_S + WARMUP_S + DRAIN_S + 120),
         "--track", str(SAMPLE)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _settle(url: str, quiet_s: float = 3.0, bound_s: float = 120.0) -> float:
    """Wait until the feed stops moving (an overloaded server still commits the sender's backlog after it
    stopped sending): the consoles' catching up is measured from there. Returns the seconds waited."""
    started = time.monotonic()
    last, since = None, time.monotonic()
    while time.monotonic() - started < bound_s:
        top = psql_scalar(url, "SELECT coalesce(max(position), 0) FROM feed")
        if top != last:
            last, since = top, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
        time.sleep(0.5)
    return time.monotonic() - started


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
                ready = [_read_json_line(p, timeout_s=120) for p in pollers]
                log(f"{profile.label}: pollers {ready}")
                time.sleep(WARMUP_S)
                sender = TimedSender(proxy.port, tokens, refdata)
                wait_for_quiet()
                others = {f"server {i + 1}": s.pid for i, s in enumerate(servers[1:], start=1)}
                others |= {"nginx": proxy.proc.pid, "city pollers": pollers[0].pid, "district pollers": pollers[1].pid}
                meter = CpuMeter(servers[0].pid, others=others)
                log(f"{profile.label}: {rate:g} cmd/s for {LOAD_S:g} s with {consoles} consoles through nginx")
                meter.start()
                latencies = asyncio.run(sender.run(rate, LOAD_S))
                meter.stop()
                settled = _settle(url)
                time.sleep(DRAIN_S)
                top = psql_scalar(url, "SELECT coalesce(max(position), 0) FROM feed")
                reports = []
                for p in pollers:
                    p.stdin.write("stop\n")
                    p.stdin.flush()
                for p in pollers:
                    reports.append(_read_json_line(p, timeout_s=120))
                nginx_errors = proxy.error_log()
            every = int(psql_scalar(url, "SELECT count(*) FROM cases"))
            district = int(psql_scalar(url, f"SELECT count(*) FROM cases WHERE jurisdiction LIKE '{DISTRICT}%'"))
        finally:
            for p in pollers:
                stop_process(p)
            for s in servers:
                s.stop()
    expected = {"city": every, "district": district}
    complete, short, delivery = 0, [], []
    for (group, _spec), report in zip(groups.items(), reports):
        track = report["track"]
        got = track["seen"]
        complete += sum(1 for n in got if n == expected[group])
        short += [expected[group] - n for n in got if n != expected[group]]
        for case_id, times in track["first_seen"].items():
            if case_id in sender.sent:
                delivery += [(t - sender.sent[case_id]) * 1000 for t in times]
        log(f"{group}: {len(got)} consoles, expected {expected[group]} cases each; min/max received "
            f"{min(got)}/{max(got)}; lowest cursor {min(track['cursors'])} of {top}; stats {report['stats']}")
    split = meter.describe()
    hosts = " + ".join(f"{s.host}:{s.port}" for s in servers)
    note = (f"{_latency_summary(latencies)}; {sender.describe()}; processes {hosts}; {split}")
    if SCALE != 1:
        note = f"SCALED to {SCALE:g} of the load ({consoles} consoles, {rate:g} cmd/s); " + note
    log(f"{profile.label}: {note}")
    emit = _emit.emit
    emit(Row(_name(profile, "p99 command latency"), _value_ms(latencies, 99), "ms", LATENCY_TARGET_MS, note=note))
    missing = (f"{len(short)} consoles short of their scope (by {min(short)}–{max(short)} cases)" if short
               else "none missing")
    delivered = (f"{city_n} city consoles expecting every one of {every} cases, {district_n} district consoles "
                 f"expecting the {district} of 澄江区 (and no other); {missing}; delivery create-sent → first seen "
                 f"by a console ({len(delivery):,} samples from {SAMPLE} consoles per group): p50 "
                 f"{_pctl(delivery, 50)} / p95 {_pctl(delivery, 95)} / p99 {_pctl(delivery, 99)} ms; the server "
                 f"went on committing the backlog {settled:.0f} s after the last command was sent, then the "
                 f"consoles were given {DRAIN_S:g} s to catch up")
    if "error" in nginx_errors or "upstream" in nginx_errors:
        delivered += f"; nginx error log: {nginx_errors[-300:]!r}"
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
