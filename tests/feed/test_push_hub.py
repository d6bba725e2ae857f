"""Caught-up feed streams delivered to together (`server.feed.push_hub`): one page per scope and tick written
straight to each connection, and everything the hub cannot do at once done by the stream's own coroutine, so
nothing is skipped, sent twice or sent to a reader who may no longer read it."""
from __future__ import annotations

import asyncio
import time

import pytest
import requests

from app.platform.feed_partition import Cursor
from app.sync.sse import EventReader
from server.feed import push_api
from server.platform.http_protocol import BODY_WRITER
from tests.feed.test_push_stream import (
    HANDLER,
    Stream,
    _json,
    _until,
    create,
    login,
    push_streams,
)
from tests.support.live_server import LiveServer


@pytest.fixture
def server(tmp_path, refdata):
    directory = tmp_path / "server"
    directory.mkdir()
    live = LiveServer(directory, refdata, users=("operator1", "operator2", HANDLER), feed_push_heartbeat_s=0.3,
                      feed_push_send_timeout_s=1.0).start()
    yield live
    live.stop()


def hub_of(server):
    return push_streams(server).hub(server.ctx)


def test_streams_of_one_scope_get_each_commit_once_in_order_from_the_hub(server, refdata):
    writer = login(server, "operator1")
    readers = [Stream(server, login(server, "operator2")) for _ in range(4)]
    handler = Stream(server, login(server, HANDLER))
    for stream in readers + [handler]:
        assert stream.next().event == "page"
    hub = hub_of(server)
    _until(lambda: hub.parked == 5)
    pushed = [create(server, writer, refdata, n) for n in range(4)]
    for stream in readers:
        assert [c["id"] for c in stream.pages_until(set(pushed))] == pushed  # each once, in commit order
    assert hub.deliveries >= 4  # written by the hub, not by each stream's coroutine
    # the unit handler's stream: only what its unit may read (none of these cases is dispatched to it)
    _until(lambda: hub.parked == 5)
    assert all(_json(e.data)["changes"] == [] for e in _drain(handler) if e.event == "page")
    for stream in readers + [handler]:
        stream.close()
    _until(lambda: hub.parked == 0 and push_streams(server).open == 0)


def test_without_our_http_protocol_streams_deliver_one_by_one(tmp_path, refdata):
    """Under another server's HTTP protocol (no `BodyWriter`), each stream writes its own pages, as before."""
    directory = tmp_path / "server"
    directory.mkdir()
    live = LiveServer(directory, refdata, users=("operator1", "operator2"), http="httptools").start()
    try:
        writer = login(live, "operator1")
        stream = Stream(live, login(live, "operator2"))
        stream.next()
        pushed = [create(live, writer, refdata, n) for n in range(3)]
        assert [c["id"] for c in stream.pages_until(set(pushed))] == pushed
        assert hub_of(live).deliveries == 0 and push_streams(live).deliveries >= 2
        stream.close()
    finally:
        live.stop()


class Writer:
    """A stand-in for the connection's `BodyWriter`: takes what the hub writes, or refuses as a full transport
    does."""

    def __init__(self):
        self.refuse = False
        self.data: list[bytes] = []

    def write(self, data: bytes) -> bool:
        if self.refuse:
            return False
        self.data.append(data)
        return True


class Opened:
    """A stream answered in the server's own loop with `Writer` as its connection's direct writer: what the hub
    writes is in `writer.data`, what the coroutine sends in `sent`."""

    def __init__(self, server, headers: dict, **settings):
        self.writer = Writer()
        self.sent: list[bytes] = []
        token = headers["Authorization"][len("Bearer "):]
        ctx, streams = server.ctx, push_streams(server)

        async def send(message):
            if message["type"] == "http.response.body":
                self.sent.append(message.get("body", b""))

        async def receive():
            await asyncio.Event().wait()  # the client never goes away by itself

        async def run():
            user = await ctx.user_for_token(token)
            await push_api.FeedStream(ctx, streams, token, user, Cursor(), 500)(
                {"type": "http", "extensions": {BODY_WRITER: self.writer}}, receive, send)

        self.done = asyncio.run_coroutine_threadsafe(run(), ctx.notifier._loop)

    def events(self, source: list[bytes]) -> list:
        reader = EventReader()
        return [e for chunk in list(source) for e in reader.feed(chunk)]

    def ids(self, source: list[bytes]) -> list[str]:
        return [c["id"] for e in self.events(source) if e.event == "page" for c in _json(e.data)["changes"]]


def test_a_page_the_hub_cannot_write_is_written_by_the_streams_coroutine_once(server, refdata):
    writer = login(server, "operator1")
    hub = hub_of(server)
    opened = Opened(server, login(server, "operator2"))
    _until(lambda: len(opened.sent) == 1 and hub.parked == 1)  # the first page: the coroutine's
    first = create(server, writer, refdata, 1)
    _until(lambda: first in opened.ids(opened.writer.data))  # then the hub's, straight to the connection
    assert first not in opened.ids(opened.sent)
    opened.writer.refuse = True  # the transport is above its high-water mark
    handed = hub.handed_back
    second = create(server, writer, refdata, 2)
    _until(lambda: second in opened.ids(opened.sent))  # the long way, waiting for the reader
    assert hub.handed_back > handed
    opened.writer.refuse = False
    third = create(server, writer, refdata, 3)
    _until(lambda: third in opened.ids(opened.writer.data))  # parked again: the hub's once more
    everything = opened.ids(opened.sent) + opened.ids(opened.writer.data)
    assert sorted(everything.count(c) for c in (first, second, third)) == [1, 1, 1]  # none twice, none missed
    opened.done.cancel()


def test_the_hub_pings_a_quiet_stream_and_ends_it_when_the_session_ends(server, refdata):
    headers = login(server, "operator2")
    hub = hub_of(server)
    opened = Opened(server, headers)
    _until(lambda: len(opened.sent) == 1 and hub.parked == 1)
    _until(lambda: any(b": ping" in d for d in opened.writer.data), timeout=5)  # heartbeat 0.3 s
    assert hub.pings >= 1
    assert requests.post(f"{server.url}/api/logout", headers=headers, timeout=10).status_code == 204
    create(server, login(server, "operator1"), refdata, 1)  # a delivery, or the next ping, checks the token
    opened.done.result(timeout=10)
    ends = [e for e in opened.events(opened.sent) if e.event == "end"]
    assert len(ends) == 1 and _json(ends[0].data)["error"] == "invalid_token"
    assert push_streams(server).refused_ended >= 1 and hub.parked == 0


def test_the_hub_hands_a_stream_at_its_lifetime_back_to_end_it(tmp_path, refdata):
    directory = tmp_path / "server"
    directory.mkdir()
    live = LiveServer(directory, refdata, users=("operator1",), feed_push_max_s=0.5).start()
    try:
        opened = Opened(live, login(live, "operator1"))
        opened.done.result(timeout=10)
        kinds = [e.event for e in opened.events(opened.sent)]
        assert kinds[0] == "page" and kinds[-1] == "end"
        assert _json(opened.events(opened.sent)[-1].data)["error"] == "stream_expired"
        assert hub_of(live).parked == 0
    finally:
        live.stop()


def _drain(stream: Stream, quiet_s: float = 0.5) -> list:
    events = []
    while True:
        try:
            event = stream.events.get(timeout=quiet_s)
        except Exception:  # noqa: BLE001 - queue.Empty: nothing more came
            return events
        if event is not None:
            events.append(event)



def test_a_stream_parked_after_a_commit_its_read_missed_is_delivered_at_once(server, refdata):
    """Under a steady stream of commits a stream's read is nearly always older than the last commit when it
    parks: the hub then reads again at once instead of waiting for the next commit."""
    from server.feed.push_hub import Parked

    hub = hub_of(server)
    hub.sweep_s = 30.0  # no round of its own meanwhile: only the poke can deliver
    headers = login(server, "operator2")
    opened = Opened(server, headers)  # keeps the hub running, waiting for a commit
    _until(lambda: len(opened.sent) == 1 and hub.parked == 1)
    case = create(server, login(server, "operator1"), refdata, 1)
    _until(lambda: case in opened.ids(opened.writer.data))  # the hub waits again, at the new generation
    ctx = server.ctx
    token = headers["Authorization"][len("Bearer "):]
    late = Writer()

    async def park_behind():
        user = await ctx.user_for_token(token)
        stream = Parked(token, user, ctx.feed_scope(user), 500, False, late, b": ping\n\n", Cursor(),
                        ctx.notifier._loop.time(), ctx.notifier._loop.time() + 3600)
        return await hub.park(stream, ctx.notifier.generation - 1)  # read before the last commit

    parked = asyncio.run_coroutine_threadsafe(park_behind(), ctx.notifier._loop)
    _until(lambda: case in Opened.ids(opened, late.data), timeout=5)  # from its cursor (0): the snapshot
    parked.cancel()


def test_when_the_hub_fails_its_streams_deliver_themselves_and_the_next_park_starts_it_again(
        server, refdata, monkeypatch):
    from server.feed import push_hub

    hub = hub_of(server)
    writer = login(server, "operator1")
    opened = Opened(server, login(server, "operator2"))
    _until(lambda: len(opened.sent) == 1 and hub.parked == 1)

    async def broken(*args, **kwargs):
        raise RuntimeError("a bug in the hub's round")

    monkeypatch.setattr(push_hub, "cursor_page", broken)
    first = create(server, writer, refdata, 1)
    _until(lambda: first in opened.ids(opened.sent))  # handed back: its own coroutine wrote it
    rounds = hub.rounds
    time.sleep(0.5)
    assert hub.rounds - rounds <= 1  # a lasting fault: the hub pauses, it does not fail in a busy loop
    monkeypatch.undo()
    _until(lambda: hub.parked == 1)  # parked again, in a hub started afresh
    second = create(server, writer, refdata, 2)
    _until(lambda: second in opened.ids(opened.writer.data))
    assert (opened.ids(opened.sent) + opened.ids(opened.writer.data)).count(first) == 1
    opened.done.cancel()
