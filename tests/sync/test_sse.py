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


# ---- compressed streams: gzip members, decoded as they arrive --------------------------------------------------

def _pages():
    from app.wire import raw
    from server.feed.pages import RawPage
    changes = [b'{"kind":"case","id":"%d","data":{"n":%d,"text":"%s"}}' % (i, i, b"x" * (i % 50)) for i in range(300)]
    return RawPage(raw.page_prefix(changes, 300, False, b'"all"'), 300, 300, False)


def _compressed_stream(page, cursor):
    from server.feed import gzip_pieces
    from server.feed.push import _GZIP_PING, gzip_page_event
    end = end_event("invalid_token", "log in again")
    plain = page_event(page.body("2026-12-07T10:00:00+00:00", b',"cursors":"g.3"'), cursor) + PING + end
    packed = (gzip_page_event(page, "2026-12-07T10:00:00+00:00", b',"cursors":"g.3"', cursor) + _GZIP_PING
              + gzip_pieces.stored_member(end))
    return plain, packed


def test_a_compressed_stream_decodes_to_the_plain_one_however_its_bytes_are_cut():
    import gzip

    from app.sync.sse import GzipMembers
    cursor = Cursor({"g": 3})
    plain, packed = _compressed_stream(_pages(), cursor)
    assert len(packed) < len(plain) / 4  # the changes compressed, only the heads and tails stored
    assert gzip.decompress(packed) == plain  # ordinary gzip members: any multi-member reader reads it
    for cut in list(range(1, 64)) + list(range(64, len(packed), 97)):
        members, reader = GzipMembers(), EventReader()
        events = []
        for part in (packed[:cut], packed[cut:]):
            for piece in members.feed(part):
                events += reader.feed(piece)
        assert events == EventReader().feed(plain)


def test_each_member_gives_its_event_before_the_next_bytes_arrive():
    from app.sync.sse import GzipMembers
    from server.feed import gzip_pieces
    from server.feed.push import _GZIP_PING
    plain, packed = _compressed_stream(_pages(), Cursor({"g": 3}))
    ping_at = len(packed) - len(_GZIP_PING) - len(gzip_pieces.stored_member(end_event("invalid_token", "log in again")))
    members, reader = GzipMembers(), EventReader()
    first = [e for piece in members.feed(packed[:ping_at]) for e in reader.feed(piece)]
    assert [e.event for e in first] == ["page"]  # the page is whole before anything after it is read


def test_a_page_with_a_line_break_is_compressed_as_its_plain_event():
    import gzip

    from server.feed.pages import RawPage
    from server.feed.push import gzip_page_event
    page = RawPage(b'{"changes":[],\n"cursor":1,"more":false,"scope":"all"', 0, 1, False)
    cursor = Cursor({"g": 1})
    packed = gzip_page_event(page, "t", b"", cursor)
    assert gzip.decompress(packed) == page_event(page.body("t"), cursor)
    assert EventReader().feed(gzip.decompress(packed))[0].data == page.body("t")


def test_a_member_that_inflates_enormously_is_refused_without_being_held_whole():
    import zlib

    from app.sync.sse import GzipMembers
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = compressor.compress(b"data: " + b"0" * (200 << 20)) + compressor.flush()
    assert len(bomb) < 1 << 20
    members, reader = GzipMembers(), EventReader(max_event_bytes=8 << 20)
    with pytest.raises(ValueError):
        for piece in members.feed(bomb):
            assert len(piece) <= 1 << 20
            reader.feed(piece)


def test_bytes_that_are_not_gzip_fail_the_stream():
    import zlib

    from app.sync.sse import GzipMembers
    with pytest.raises(zlib.error):
        list(GzipMembers().feed(b"event: page\ndata: {}\n\n"))


def test_readers_of_one_tick_share_one_event_and_its_server_time():
    from server.feed.push import SHARED_EVENT_S, PageEvents
    page, events, made = _pages(), PageEvents(), []

    def clock():
        made.append(len(made))
        return f"2026-12-07T10:00:0{len(made)}+00:00"

    a, b = Cursor({"g": 300}), Cursor({"g": 300, "3301": 4})
    first = events.event(page, a, True, 100.0, clock)
    assert events.event(page, a, True, 100.5, clock) is first and len(made) == 1  # the same bytes, made once
    other = events.event(page, b, True, 100.5, clock)  # another cursor: its own event (its `id`, its `cursors`)
    plain = events.event(page, a, False, 100.5, clock)
    assert len(made) == 3 and other != first
    import gzip
    assert gzip.decompress(first) == page_event(page.body("2026-12-07T10:00:01+00:00", b',"cursors":"g.300"'), a)
    assert plain == page_event(page.body("2026-12-07T10:00:03+00:00", b',"cursors":"g.300"'), a)
    later = events.event(page, a, True, 100.0 + SHARED_EVENT_S, clock)  # a later tick: made again, its own time
    assert later != first and len(made) == 4
    # bounded in bytes too: a storm of cursors does not pile events up
    events.MAX_BYTES = len(plain) * 3
    for n in range(20):
        events.event(page, Cursor({"g": 1000 + n}), False, 101.5, clock)
        assert events._bytes == sum(len(v[2]) for v in events._made.values()) <= events.MAX_BYTES


def test_the_bench_consoles_inflate_each_run_of_bytes_once_however_it_is_cut():
    import gzip
    import random

    from bench.push_pollers import SharedInflate
    from server.feed.push import _GZIP_PING, gzip_page_event
    page = _pages()
    stream = b"".join(gzip_page_event(page, f"t{k}", b"", Cursor({"g": k})) + _GZIP_PING for k in range(4))
    shared = SharedInflate()
    for trial in range(30):
        cuts = sorted(random.Random(trial % 3).sample(range(1, len(stream)), 12))
        state, out = None, b""
        for start, end in zip([0, *cuts], [*cuts, len(stream)]):
            decoded, state = shared.feed(state, stream[start:end])
            out += decoded
        assert out == gzip.decompress(stream) and state is None
    assert shared.misses == 3 * 13 and shared.hits == 27 * 13  # three ways of cutting: each decoded once
