"""An answer's head and body leave in one socket write (`server.platform.http_protocol`), and answers stay
whole and in order: plain, streamed with a late body, several on one keep-alive connection."""
from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest
import uvicorn

from server.platform.http_protocol import (
    BODY_WRITER,
    HTTP_PROTOCOL,
    HeadHoldingTransport,
    OneWriteHttpProtocol,
)

HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n"


class RecordingTransport:
    def __init__(self):
        self.calls: list[tuple[str, tuple[bytes, ...]]] = []
        self.closed = False

    def write(self, data):
        self.calls.append(("write", (bytes(data),)))

    def writelines(self, chunks):
        self.calls.append(("writelines", tuple(bytes(c) for c in chunks)))

    def close(self):
        self.calls.append(("close", ()))
        self.closed = True

    def is_closing(self):
        return self.closed

    def get_write_buffer_size(self):
        return 0

    def get_extra_info(self, name, default=None):
        return ("127.0.0.1", 1) if name == "peername" else default


def _held(loop=None) -> tuple[HeadHoldingTransport, RecordingTransport, asyncio.AbstractEventLoop]:
    loop = loop or asyncio.new_event_loop()
    real = RecordingTransport()
    return HeadHoldingTransport(real, loop), real, loop


def test_a_head_and_its_body_go_out_in_one_write():
    held, real, loop = _held()
    try:
        held.write(HEAD)
        assert real.calls == []  # waiting for its body
        held.write(b"hello")
        assert real.calls == [("writelines", (HEAD, b"hello"))]
        held.write(b"more")  # not a head: straight through
        assert real.calls[-1] == ("write", (b"more",))
        loop.run_until_complete(asyncio.sleep(0))  # the turn's flush finds nothing left
        assert len(real.calls) == 2
    finally:
        loop.close()


def test_a_head_whose_body_is_late_goes_out_on_the_next_loop_turn():
    held, real, loop = _held()
    try:
        held.write(HEAD)
        loop.run_until_complete(asyncio.sleep(0))
        assert real.calls == [("write", (HEAD,))]
        held.write(b"hello")
        assert real.calls[-1] == ("write", (b"hello",))
    finally:
        loop.close()


def test_close_writes_a_held_head_first_and_the_rest_is_delegated():
    held, real, loop = _held()
    try:
        held.write(HEAD)
        assert held.get_write_buffer_size() == len(HEAD)
        held.close()
        assert real.calls == [("write", (HEAD,)), ("close", ())]
        assert held.is_closing() and held.get_extra_info("peername") == ("127.0.0.1", 1)
        held.write(HEAD)
        held.flush()  # a closed transport is not written to
        assert real.calls[-1] == ("close", ())
    finally:
        loop.close()


async def _app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/direct":  # a streamed answer partly written straight to the connection
        writer = scope["extensions"][BODY_WRITER]
        wrote = [writer.write(b"too early")]  # not started: refused, nothing written
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        wrote += [writer.write(b"direct"), writer.write(b"")]  # an empty chunk would end the body: refused
        await send({"type": "http.response.body", "body": b"-sent-", "more_body": True})
        wrote.append(writer.write(b"again"))
        await send({"type": "http.response.body", "body": repr(wrote).encode()})
        wrote.append(writer.write(b"after the end"))
        _DIRECT.append(wrote)
        return
    if scope["path"] == "/late":  # a streamed answer whose first chunk comes after a wait
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await asyncio.sleep(0.05)
        await send({"type": "http.response.body", "body": b"late", "more_body": True})
        await send({"type": "http.response.body", "body": b"!"})
        return
    body = scope["path"].encode() * 1000
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


_DIRECT: list[list[bool]] = []


@pytest.fixture
def one_write_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_app, host="127.0.0.1", port=port, http=HTTP_PROTOCOL, lifespan="off",
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    assert server.config.http_protocol_class is OneWriteHttpProtocol
    yield port
    server.should_exit = True
    thread.join(10)


def _read_answer(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    if b"content-length:" in head:
        length = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
        while len(body) < length:
            body += sock.recv(65536)
        return head, body
    while not body.endswith(b"0\r\n\r\n"):  # chunked
        body += sock.recv(65536)
    return head, body


def test_answers_stay_whole_and_in_order_on_a_keep_alive_connection(one_write_server):
    with socket.create_connection(("127.0.0.1", one_write_server), timeout=10) as sock:
        for path in ("/a", "/late", "/bb", "/late", "/c"):
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            head, body = _read_answer(sock)
            assert head.startswith(b"HTTP/1.1 200 OK"), head
            if path == "/late":
                assert body == b"4\r\nlate\r\n1\r\n!\r\n0\r\n\r\n"
            else:
                assert body == path.encode() * 1000


def test_a_streamed_answer_written_straight_to_the_connection_stays_in_order(one_write_server):
    """`BodyWriter`: chunks written between `send`s land in order in the chunked body; it refuses (writing
    nothing) before the answer starts, an empty chunk, and after it ended."""
    with socket.create_connection(("127.0.0.1", one_write_server), timeout=10) as sock:
        sock.sendall(b"GET /direct HTTP/1.1\r\nHost: x\r\n\r\n")
        head, body = _read_answer(sock)
        assert b"transfer-encoding: chunked" in head
        summary = b"[False, True, False, True]"
        assert body == (b"6\r\ndirect\r\n6\r\n-sent-\r\n5\r\nagain\r\n" + b"%x\r\n" % len(summary) + summary
                        + b"\r\n0\r\n\r\n")
        sock.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")  # the connection goes on as usual
        assert _read_answer(sock)[1] == b"/a" * 1000
    assert _DIRECT[-1][-1] is False
