"""The feed's push channel through nginx configured from the shipped `packaging/server/nginx-onegrid.conf`
(`bench.nginx`), in front of two server processes on one PostgreSQL: a case made through process 1 reaches a
district console's open stream, whichever process holds it, while the stream stays open (nginx passes each
event as it comes, it does not hold them until the answer ends); the other district's case never does."""
from __future__ import annotations

import json
import queue
import threading

import pytest
import requests

from app.sync.sse import EventReader, GzipMembers
from bench.nginx import SHIPPED
from tests.feed.test_jurisdictions import AWAY, HOME
from tests.feed.test_scaleout_nginx import _create, cluster  # noqa: F401 - the fixture
from tests.feed.test_two_processes import _caught_up_cursor, _login

pytestmark = pytest.mark.postgres


def test_the_shipped_config_passes_the_stream_unbuffered():
    text = SHIPPED.read_text(encoding="utf-8")
    block = text[text.index("location = /api/changes/stream {"):]
    block = block[:block.index("}")]
    assert "proxy_buffering off;" in block and "gzip off;" in block and "proxy_read_timeout 1h;" in block


def test_a_case_through_process_1_reaches_a_stream_held_via_nginx(cluster):  # noqa: F811
    (first, _second), proxy = cluster
    writer = _login(first, "operator1")
    district = _login(proxy, "operator_cj")
    cursor = _caught_up_cursor(proxy, district)
    # compressed, as the console reads it: nginx passes each gzip member at once, untouched
    response = requests.get(f"{proxy.url}/api/changes/stream", params={"cursor": cursor, "compress": "gzip"},
                            headers=district, stream=True, timeout=(5, 60))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events: queue.Queue = queue.Queue()

    assert response.headers["content-encoding"] == "gzip"

    def read() -> None:
        reader, members = EventReader(), GzipMembers()
        try:
            for chunk in response.raw.stream(65536, decode_content=False):
                for piece in members.feed(chunk):
                    for event in reader.feed(piece):
                        events.put(event)
        except Exception:  # noqa: BLE001 - closed at the end of the test
            pass
        events.put(None)

    threading.Thread(target=read, daemon=True).start()
    first_page = events.get(timeout=30)
    assert first_page is not None and first_page.event == "page"
    other = _create(first, writer, HOME, 98)  # not the district's: never pushed to it
    mine = _create(first, writer, AWAY, 99)
    seen: set[str] = set()
    while mine not in seen:
        event = events.get(timeout=40)  # the stream is open all along: pushed, not held until it ends
        assert event is not None, proxy.error_log()
        if event.event == "page":
            seen |= {c["id"] for c in json.loads(event.data)["changes"] if c["kind"] == "case"}
    assert other not in seen
    response.close()
