"""Reading the feed stream's Server-Sent Events (`app.sync.sse`) and writing them (`server.feed.push`)."""
from __future__ import annotations

import json

import pytest

from app.platform.feed_partition import Cursor
from app.sync.sse import Event, EventReader
from server.feed.push import PING, end_event, page_event


def test_events_come_whole_however_the_bytes_are_cut():
    cursor = Cursor({"g": 12, "3301": 7})
    body = b'{"changes":[],\n"cursor":12}'  # a line break inside: sent as two data lines
    stream = page_event(body, cursor) + PING + end_event("invalid_token", "log in again")
    for cut in range(1, len(stream)):
        reader = EventReader()
        events = reader.feed(stream[:cut]) + reader.feed(stream[cut:])
        assert events == [Event("page", body, cursor.to_wire()), Event("ping", b""),
                          Event("end", json.dumps({"error": "invalid_token", "message": "log in again"}).encode())]


def test_crlf_line_ends_and_unknown_fields_are_read_as_the_spec_says():
    reader = EventReader()
    assert reader.feed(b"event: page\r\nid: g.3\r\nretry: 100\r\ndata: {}\r\n\r\n") == [Event("page", b"{}", "g.3")]


def test_an_endless_event_is_refused_rather_than_buffered():
    reader = EventReader(max_event_bytes=100)
    with pytest.raises(ValueError):
        reader.feed(b"data: " + b"x" * 200)


def test_a_large_event_in_many_small_reads_is_read_whole():
    body = b'{"changes":[' + b",".join(b'{"n":%d}' % i for i in range(20000)) + b"]}"
    stream = b"event: page\nid: g.1\ndata: " + body + b"\n\n"
    reader = EventReader()
    events = []
    for i in range(0, len(stream), 4096):
        events += reader.feed(stream[i:i + 4096])
    assert events == [Event("page", body, "g.1")]
