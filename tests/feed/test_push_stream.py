"""The feed's push channel (`GET /api/changes/stream`, `server.feed.push`) through a real server on
loopback: the pages it pushes, its refusals, and that it ends when its reader may no longer read it or
stops reading."""
from __future__ import annotations

import asyncio
import queue
import threading
import time
import types
import uuid
from datetime import datetime, timezone

import pytest
import requests

from app.platform.feed_partition import Cursor
from app.sync.sse import EventReader, GzipMembers
from server.admin.bootstrap import add_user
from server.feed import push_api
from tests.support.live_server import LiveServer
from tests.support.sync_helpers import PASSWORDS, create_payload

STREAM = "/api/changes/stream"
HANDLER = "handler_water_supply"


@pytest.fixture
def server(tmp_path, refdata):
    directory = tmp_path / "server"
    directory.mkdir()
    live = LiveServer(directory, refdata, users=("operator1", "operator2", HANDLER), feed_push_heartbeat_s=0.3,
                      feed_push_send_timeout_s=1.0, feed_push_max_streams=3).start()
    yield live
    live.stop()


def login(server, username: str) -> dict:
    r = requests.post(f"{server.url}/api/login", json={"username": username, "password": PASSWORDS[username]},
                      timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def create(server, headers: dict, refdata, n: int) -> str:
    case_id = str(uuid.uuid4())
    command = {"command_id": str(uuid.uuid4()), "case_id": case_id, "action": "create",
               "issued_at": datetime.now(timezone.utc).isoformat(), "payload": create_payload(refdata, n)}
    r = requests.post(f"{server.url}/api/commands", json={"commands": [command]}, headers=headers, timeout=30)
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted", r.text
    return case_id


class Stream:
    """A stream read in a thread: its events in a queue (None once it closed)."""

    def __init__(self, server, headers: dict, **params):
        self.response = requests.get(f"{server.url}{STREAM}", headers=headers, params=params, stream=True,
                                     timeout=(5, 30))
        self.events: queue.Queue = queue.Queue()
        if self.response.status_code == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        reader = EventReader()
        members = GzipMembers() if self.response.headers.get("Content-Encoding") == "gzip" else None
        try:
            for chunk in self.response.raw.stream(65536, decode_content=False):
                for piece in ([chunk] if members is None else members.feed(chunk)):
                    for event in reader.feed(piece):
                        self.events.put(event)
        except Exception:  # noqa: BLE001 - closed under us: the end of the stream
            pass
        self.events.put(None)

    def next(self, kinds=("page", "end"), timeout: float = 15.0):
        deadline = time.monotonic() + timeout
        while True:
            event = self.events.get(timeout=max(deadline - time.monotonic(), 0.01))
            if event is None or event.event in kinds:
                return event

    def pages_until(self, ids: set[str], timeout: float = 20.0) -> list[dict]:
        """The changes of the pages read until every one of `ids` came."""
        changes: list[dict] = []
        while not ids <= {c["id"] for c in changes}:
            event = self.next(timeout=timeout)
            assert event is not None and event.event == "page", event
            changes.extend(_json(event.data)["changes"])
        return changes

    def close(self) -> None:
        self.response.close()


def _json(data: bytes) -> dict:
    import json
    return json.loads(data)


def test_the_stream_refuses_a_missing_or_bad_token_and_a_bad_cursor(server):
    r = requests.get(f"{server.url}{STREAM}", timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "missing_token"
    r = requests.get(f"{server.url}{STREAM}", headers={"Authorization": "Bearer forged"}, timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    headers = login(server, "operator1")
    r = requests.get(f"{server.url}{STREAM}", headers=headers, params={"cursor": "nonsense"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "bad_cursor"
    r = requests.get(f"{server.url}{STREAM}", headers={**headers, "Last-Event-ID": "g.x"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "bad_cursor"
    r = requests.get(f"{server.url}{STREAM}", headers=headers, params={"limit": 0}, timeout=10)
    assert r.status_code == 422
    operation = server.app.openapi()["paths"][STREAM]["get"]  # documented, with its refusals
    assert {"200", "400", "401", "422", "503"} <= set(operation["responses"])
    assert "text/event-stream" in operation["responses"]["200"]["content"]


def test_the_stream_pushes_each_commit_and_a_reconnect_continues_gap_free(server, refdata):
    writer, reader = login(server, "operator1"), login(server, "operator2")
    before = [create(server, writer, refdata, n) for n in range(3)]
    stream = Stream(server, reader)
    assert stream.response.headers["content-type"].startswith("text/event-stream")
    first = stream.next()
    assert first.event == "page" and first.id and Cursor.from_wire(first.id) is not None
    assert set(before) <= {c["id"] for c in _json(first.data)["changes"]}  # cursor 0: the snapshot
    assert _json(first.data)["cursors"] == first.id
    pushed = [create(server, writer, refdata, 10 + n) for n in range(3)]
    seen = stream.pages_until(set(pushed))
    assert [c["id"] for c in seen] == pushed  # each once, in commit order
    stream.close()
    # the first page's cursor sent back: everything after it, nothing before it, nothing twice
    later = [create(server, writer, refdata, 20 + n) for n in range(2)]
    resumed = Stream(server, reader, cursor=first.id)
    got = resumed.pages_until(set(later))
    assert [c["id"] for c in got] == pushed + later
    resumed.close()


def test_a_compressed_stream_pushes_the_same_events_in_gzip_members(server, refdata):
    writer, reader = login(server, "operator1"), login(server, "operator2")
    before = [create(server, writer, refdata, n) for n in range(3)]
    plain, packed = Stream(server, reader), Stream(server, reader, compress="gzip")
    assert "content-encoding" not in plain.response.headers
    assert packed.response.headers["content-encoding"] == "gzip"
    pushed = [create(server, writer, refdata, 10 + n) for n in range(3)]
    got_plain, got_packed = plain.pages_until(set(before + pushed)), packed.pages_until(set(before + pushed))
    assert got_packed == got_plain and [c["id"] for c in got_packed] == before + pushed
    # a generic reader (urllib3 decoding the body itself, member after member) reads it as it comes too
    generic = requests.get(f"{server.url}{STREAM}", headers=reader, params={"compress": "gzip"}, stream=True,
                           timeout=(5, 30))
    events = EventReader()
    first: list = []
    for chunk in generic.raw.stream(65536, decode_content=True):
        first += [e for e in events.feed(chunk) if e.event == "page"]
        if first:
            break
    assert {c["id"] for c in _json(first[0].data)["changes"]} >= set(before + pushed)
    generic.close()
    r = requests.get(f"{server.url}{STREAM}", headers=reader, params={"compress": "br"}, timeout=10)
    assert r.status_code == 422 and "compress" in r.text
    plain.close()
    packed.close()


def test_a_reconnect_with_last_event_id_gets_only_what_came_after(server, refdata):
    writer, reader = login(server, "operator1"), login(server, "operator2")
    stream = Stream(server, reader)
    stream.next()
    first = create(server, writer, refdata, 1)
    while True:
        event = stream.next()
        if first in {c["id"] for c in _json(event.data)["changes"]}:
            break
    stream.close()
    second = create(server, writer, refdata, 2)
    resumed = Stream(server, {**reader, "Last-Event-ID": event.id})
    page = resumed.next()
    assert {c["id"] for c in _json(page.data)["changes"]} == {second}
    resumed.close()


def test_the_stream_ends_when_the_session_is_revoked(server):
    headers = login(server, "operator2")
    stream = Stream(server, headers)
    assert stream.next().event == "page"
    assert requests.post(f"{server.url}/api/logout", headers=headers, timeout=10).status_code == 204
    end = stream.next(timeout=10)
    assert end is not None and end.event == "end" and _json(end.data)["error"] == "invalid_token"
    assert stream.next(timeout=10) is None  # and the stream closed
    _until(lambda: push_streams(server).open == 0)


def test_the_stream_ends_when_the_users_scope_changes(server, refdata):
    headers = login(server, HANDLER)
    stream = Stream(server, headers)
    assert stream.next().event == "page"
    add_user(server.database_url, HANDLER, PASSWORDS[HANDLER], "unit_handler", "roads", replace=True)
    server.ctx.token_cache.clear()  # as another process's write is noticed once this one's cache ages out
    end = stream.next(timeout=10)
    assert end is not None and end.event == "end" and _json(end.data)["error"] == "scope_changed"
    assert stream.next(timeout=10) is None


def test_a_stream_ends_at_its_lifetime_and_the_next_one_continues(tmp_path, refdata):
    """With a lifetime of 0 a stream ends after its first page: an `end` the console answers by opening it
    again from the page's cursor (`app.sync.push_feed`), so nothing is missed across the two."""
    directory = tmp_path / "server"
    directory.mkdir()
    live = LiveServer(directory, refdata, users=("operator1",), feed_push_max_s=0).start()
    try:
        headers = login(live, "operator1")
        first = create(live, headers, refdata, 1)
        stream = Stream(live, headers)
        page = stream.next()
        assert page.event == "page" and first in {c["id"] for c in _json(page.data)["changes"]}
        end = stream.next(timeout=10)
        assert end is not None and end.event == "end" and _json(end.data)["error"] == "stream_expired"
        assert stream.next(timeout=10) is None
        second = create(live, headers, refdata, 2)
        again = Stream(live, headers, cursor=page.id)
        page = again.next()
        assert page.event == "page" and {c["id"] for c in _json(page.data)["changes"]} == {second}
        assert again.next(timeout=10).event == "end"
    finally:
        live.stop()


def test_a_quiet_stream_is_pinged(server):
    stream = Stream(server, login(server, "operator1"))
    stream.next()
    assert stream.next(kinds=("ping",), timeout=5).event == "ping"
    stream.close()


def test_streams_are_bounded(server):
    headers = login(server, "operator1")
    streams = push_streams(server)
    open_ = [Stream(server, headers) for _ in range(3)]  # the limit is 3
    _until(lambda: streams.open == 3)
    refused = requests.get(f"{server.url}{STREAM}", headers=headers, timeout=10)
    assert refused.status_code == 503 and refused.json()["error"] == "too_many_streams"
    assert "event:" not in refused.text
    for stream in open_:
        stream.close()
    _until(lambda: streams.open == 0)  # a reader going away frees its place
    again = Stream(server, headers)
    assert again.response.status_code == 200 and again.next().event == "page"
    again.close()


def test_a_reader_that_stops_reading_is_cut_off(server, refdata):
    """The transport makes a write wait while the reader's buffers are full (uvicorn pauses the writer above
    its high-water mark): a write still waiting after `feed_push_send_timeout_s` ends the stream, so it
    holds at most those buffers and one page however much the feed moves."""
    headers = login(server, "operator1")
    token = headers["Authorization"][len("Bearer "):]
    loop = server.ctx.notifier._loop
    streams = push_streams(server)
    writes: list[dict] = []
    stuck = threading.Event()

    async def send(message):  # takes the answer's start and the first page, then never another write
        writes.append(message)
        if len(writes) > 2:
            stuck.set()
            await asyncio.Event().wait()

    async def receive():
        await asyncio.Event().wait()  # the client never goes away by itself

    async def open_stream():
        user = await server.ctx.user_for_token(token)
        await push_api.FeedStream(server.ctx, streams, token, user, Cursor(), 500)({"type": "http"}, receive, send)

    done = asyncio.run_coroutine_threadsafe(open_stream(), loop)
    _until(lambda: len(writes) == 2 and streams.open == 1)
    create(server, headers, refdata, 1)
    assert stuck.wait(10)
    started = time.monotonic()
    done.result(timeout=10)  # the stream ended by itself
    assert time.monotonic() - started >= 0.5  # after the send timeout (1 s), not at once
    assert streams.slow_ended == 1 and streams.open == 0


def push_streams(server):
    return push_api.push_streams(types.SimpleNamespace(app=server.app))


def _until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)
