"""Gzip answers assembled from pieces compressed once, so that an answer costs a copy, not a compression.

A long-poll answer is the same page for every console of one scope and cursor, except its last few bytes
(`server_time`, a partitioned reader's `cursors`). Compressing each answer again — or copying a compressor's
state (a few hundred KiB) to compress only the tail — cost more than everything else an answer does when
thousands of consoles wait. Instead:

- a *piece* is raw deflate data from a fresh compressor, ended by a sync flush: byte-aligned, not final, and
  referring to nothing before itself. Pieces therefore concatenate into one valid deflate stream (RFC 1951
  allows any sequence of non-final blocks), in any combination: a page's changes can be compressed per
  stretch of the feed (`server.feed.segments`) and the stretches a cursor needs put side by side;
- the per-answer tail goes in a final *stored* block (no compression: a 5-byte header and the bytes);
- the gzip trailer's CRC-32 of the whole text is carried along (`zlib.crc32(tail, crc_of_the_rest)`).

The result is one ordinary gzip member — never a multi-member stream, which some HTTP clients decode only
up to its first member — so any client that accepts `Content-Encoding: gzip` reads it (tests/feed/
test_gzip_pieces.py decodes it with zlib, the `gzip` module and urllib3, as the console's `requests` does).
"""
from __future__ import annotations

import logging
import struct
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

log = logging.getLogger(__name__)

LEVEL = 5  # compressed once per piece, so the level is about size rather than per-answer CPU
# A first sync's page (`app.wire.feed.BULK_PAGE_MAX` cases, ~13 MB of JSON) is read by one console once: its
# compression is paid per answer, and at LEVEL it was half of the server's CPU for the page. Level 2 (zlib's fast
# strategy, as 1 and 3) takes half the CPU of LEVEL for about a third more bytes (measured on bench_server_load's
# 100,000 cases: 34 against 69 ms and 0.94 against 0.72 MB a page): on a LAN the bytes cost less than the CPU
# they save; over a link of a few Mbit/s they would cost more.
BULK_LEVEL = 2
# gzip header: magic, deflate, no flags, no mtime, no extra flags, OS unknown (RFC 1952)
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_STORED_MAX = 0xFFFF


def deflate_piece(data: bytes, level: int = LEVEL) -> bytes:
    """`data` as a piece: raw deflate from a fresh compressor, sync-flushed (byte-aligned, not final)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _stored_final(tail: bytes) -> bytes:
    """`tail` as stored blocks, the last one final (each at most 65,535 bytes)."""
    blocks = []
    for start in range(0, max(len(tail), 1), _STORED_MAX):
        chunk = tail[start:start + _STORED_MAX]
        final = start + _STORED_MAX >= len(tail)
        blocks.append(struct.pack("<BHH", 1 if final else 0, len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


@dataclass(frozen=True, slots=True)
class Compressed:
    """A text compressed as concatenated pieces: `deflated` (the pieces, joined), the text's CRC-32 and
    length. `answer(tail)` is the gzip member of the text followed by `tail`."""

    deflated: bytes
    crc: int
    size: int

    def answer(self, tail: bytes) -> bytes:
        return b"".join((HEADER, self.deflated, _stored_final(tail),
                         struct.pack("<II", zlib.crc32(tail, self.crc), (self.size + len(tail)) & 0xFFFFFFFF)))


_EMPTY = Compressed(b"", 0, 0)


def compressed(texts: list[bytes], pieces: list[bytes]) -> Compressed:
    """The concatenation of `texts`, each already compressed as the piece beside it."""
    crc = 0
    for text in texts:
        crc = zlib.crc32(text, crc)
    return Compressed(b"".join(pieces), crc, sum(len(t) for t in texts))


def stored_member(text: bytes) -> bytes:
    """`text` as a gzip member of its own, stored (not compressed): for a few bytes that differ every time, such
    as an event's head on a compressed stream of members (`server.feed.push`)."""
    return _EMPTY.answer(text)


def compress(text: bytes, level: int = LEVEL) -> Compressed:
    """One text as one piece."""
    return Compressed(deflate_piece(text, level), zlib.crc32(text), len(text))


class Background:
    """Texts compressed as pieces on a thread of their own while the caller makes the next ones: zlib's
    compression and CRC release the GIL, so a page's parts are compressed while the database reads and the
    caller serialises the next part (and no longer all at once by the event loop when it answers). One
    thread, so the pieces and the CRC are made in the order the texts came. `result()` waits for them."""

    def __init__(self, level: int = LEVEL):
        self._level = level
        self._texts: list[bytes] = []
        self._pieces: list[Future] = []
        self._crc = 0
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-gzip")

    def add(self, text: bytes, piece: bytes | None = None) -> None:
        """`text` next; `piece`: its piece when made already (a constant's)."""
        self._texts.append(text)
        self._pieces.append(self._worker.submit(self._piece, text, piece))

    def _piece(self, text: bytes, piece: bytes | None) -> bytes:
        self._crc = zlib.crc32(text, self._crc)  # in order: one thread takes the texts as they came
        return deflate_piece(text, self._level) if piece is None else piece

    def result(self) -> Compressed:
        try:
            pieces = [future.result() for future in self._pieces]
        finally:
            self._worker.shutdown(wait=True, cancel_futures=True)
        return Compressed(b"".join(pieces), self._crc, sum(len(t) for t in self._texts))

    def close(self) -> None:
        """Give up (the caller failed): the pieces not started are dropped."""
        self._worker.shutdown(wait=False, cancel_futures=True)
