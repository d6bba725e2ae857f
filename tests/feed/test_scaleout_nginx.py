"""The deployment of packaging/README.md, run for real: two `onegrid-server` processes on one PostgreSQL behind
nginx configured from (a copy of) the shipped `packaging/server/nginx-onegrid.conf` (`bench.nginx`). A case
made through process 1 reaches a district console whose long-poll, sent to nginx, is held by process 2 —
and only a case of its district does: the other district's never reaches it.

nginx is installed from Debian by the fixture when it is missing (`bench.nginx.ensure_nginx`); a failure to
install or start it fails the test, it never skips. Which process held a poll is the copy's
`X-OneGrid-Upstream` header (nginx's `$upstream_addr`). No timing is a pass/fail threshold but "woken, not
timed out" (answered well before the poll's own wait ran out).
"""
from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timezone

import pytest
import requests

from bench.nginx import UPSTREAM_HEADER, Nginx
from tests.feed.test_jurisdictions import AWAY, HOME
from tests.feed.test_two_processes import (
    HELD_BEFORE_COMMIT_S,
    WAIT_S,
    ServerProcess,
    _caught_up_cursor,
    _login,
)
from tests.support.server import prepare_database

pytestmark = pytest.mark.postgres

ROUNDS = 6  # nginx takes turns between the two processes: one of the first rounds lands on process 2


@pytest.fixture
def cluster(pg_url, refdata, tmp_path):
    prepare_database(pg_url, refdata)
    servers = [ServerProcess(pg_url, tmp_path / f"server-{n}.log") for n in (1, 2)]
    proxy = None
    try:
        for server in servers:
            server.wait_ready()
        try:
            proxy = Nginx([("127.0.0.1", s.port) for s in servers], tmp_path / "nginx").start()
        except RuntimeError as exc:  # the environment's fault, said loudly
            pytest.fail(f"nginx is required for this test: {exc}", pytrace=False)
        yield servers, proxy
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers:
            server.stop()


def _create(server: ServerProcess, headers: dict, grid, n: int) -> str:
    case_id = str(uuid.uuid4())
    lat, lon = grid.centroid
    command = {"command_id": str(uuid.uuid4()), "case_id": case_id, "action": "create",
               "issued_at": datetime.now(timezone.utc).isoformat(),
               "payload": {"source": "hotline", "category_code": "C0101", "description": f"scale-out case {n}",
                           "location": {"lat": lat, "lon": lon, "address": grid.name}}}
    r = requests.post(f"{server.url}/api/commands", json={"commands": [command]}, headers=headers, timeout=30)
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted", r.text
    return case_id


def test_a_change_through_process_1_reaches_a_console_polling_process_2_via_nginx(cluster):
    (first, second), proxy = cluster
    writer = _login(first, "operator1")            # straight to process 1
    district = _login(proxy, "operator_cj")        # the console's login, through nginx
    cursor = _caught_up_cursor(proxy, district)
    second_addr = f"127.0.0.1:{second.port}"
    crossed, answered_by, made_here = None, [], []
    for n in range(ROUNDS):
        answer: dict = {}

        def long_poll(after=cursor, answer=answer) -> None:
            started = time.monotonic()
            r = requests.get(f"{proxy.url}/api/changes", params={"cursor": after, "wait": WAIT_S}, headers=district,
                             timeout=WAIT_S + 15)
            answer.update(status=r.status_code, body=r.json(), upstream=r.headers.get(UPSTREAM_HEADER),
                          held=time.monotonic() - started)

        thread = threading.Thread(target=long_poll, name=f"district-console-poll-{n}")
        thread.start()
        time.sleep(HELD_BEFORE_COMMIT_S)
        assert not answer, f"the long-poll answered before anything changed: {answer}"
        case_id = _create(first, writer, AWAY, n)
        made_here.append(case_id)
        thread.join(timeout=WAIT_S + 20)
        assert answer and answer["status"] == 200, (answer, proxy.error_log())
        assert case_id in [c["id"] for c in answer["body"]["changes"] if c["kind"] == "case"], answer["body"]
        assert answer["held"] < WAIT_S - 5, f"held {answer['held']:.1f} s: timed out instead of being woken"
        answered_by.append(answer["upstream"])
        cursor = answer["body"]["cursors"]  # a position per feed partition: the servers partition per city
        if answer["upstream"] == second_addr:
            crossed = case_id
            break
    assert crossed is not None, f"no poll was held by process 2 ({second_addr}) in {ROUNDS} rounds: {answered_by}"
    # the other district's case, made through process 1 as well, never reaches the district console
    other = _create(first, writer, HOME, 99)
    seen = set()
    after, more = "any.0", True
    while more:
        r = requests.get(f"{proxy.url}/api/changes", params={"cursor": after, "limit": 1000}, headers=district,
                         timeout=30)
        assert r.status_code == 200, r.text
        seen |= {c["id"] for c in r.json()["changes"] if c["kind"] == "case"}
        after, more = r.json()["cursors"], r.json()["more"]
    assert set(made_here) <= seen and other not in seen
    # the city operator, through nginx too, has both
    city = _login(proxy, "operator2")
    r = requests.get(f"{proxy.url}/api/changes", params={"cursor": "any.0", "limit": 1000}, headers=city, timeout=30)
    assert {other, crossed} <= {c["id"] for c in r.json()["changes"] if c["kind"] == "case"}
