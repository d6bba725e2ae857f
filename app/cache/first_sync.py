"""An empty cache's first sync written as a bulk load: the `cases` table's widest secondary indexes are
dropped while the pages come and built once at the end (`DEFERRED`), and those transactions skip the disk
flushes.

Why: a first sync writes every case the user's scope holds (100,000 of them, ~300 MB) a page at a time.
Each page's thousand cases land at random places of the indexes keyed by random ids or spread times (the
covering `ix_cases_summary` alone is ~20 MB), so every commit wrote most of those indexes again into the
WAL, and every checkpoint flushed it to disk: most of the sync's time. Built once from the full table (one sort
each) they cost a fraction of that. The indexes whose keys come in a few runs ordered by the growing row id
(status, unit, pending) are cheap to keep as the pages come, and are kept.

What holds it safe:
- Only a cache that holds nothing from the server is loaded this way (its cursor is 0 in every partition
  and it has no server copy of any case), and only while the server says more pages follow.
- Each page is still one transaction with its cursor, so a crash leaves a prefix the next sync resumes
  from. The `loading` mark is committed with the first page's writes (the indexes are dropped inside that
  transaction); the last page builds the indexes and clears the mark in its own transaction. A cache
  opened with the mark set, or with an index missing, has them built at once (`repair`), so a crash or a
  stop mid-sync leaves a cache that works, and the resumed sync writes it as usual.
- `synchronous=OFF` on those transactions only: a killed process loses nothing (SQLite's writes are in the
  OS already); a power cut may damage the file, which the next open's integrity check finds (the close
  was not clean), and the cache is then rebuilt from the server, as for any damaged cache. A first sync
  has nothing else to lose.
- Readers meanwhile: every query works without the indexes (slower); the whole-queue reads that name
  `ix_cases_summary` fall back to the plain table (`app.cache.case_reads`).
"""
from __future__ import annotations

import logging
import time

from sqlalchemy import Connection, Engine, select

from app.cache import cache_tables as tables
from app.platform.feed_partition import Cursor
from db.cache import cases

log = logging.getLogger(__name__)

LOADING = "loading"  # meta key: true while a first sync writes without the deferred indexes
# The indexes built at the end: those whose entries land all over them, page after page (the covering index
# leads with the random case id; due times spread over months). The others (status, unit, the pending flag)
# order a page's rows by a value shared by many and then by the row id, which only grows: each page adds to
# the end of a few runs, a few index pages per commit. Kept, they cost the pages about what building them
# cost the last one, whose time nothing overlaps (the load's other pages overlap the next page's fetch).
DEFERRED = ("ix_cases_summary", "ix_cases_due_at")
# Each index build reads the whole table (~300 MB at 100,000 cases, just written, so in the OS's cache): with
# the file mapped, SQLite reads its pages in place instead of copying each into its own cache, a fifth less
# CPU for the build that ends a first sync, the part of it nothing overlaps. Only for the build: an I/O error
# on a mapped file stops the process instead of raising, a risk taken for seconds on a file just written, not
# for the cache's whole life. SQLite caps the size at its build's maximum (2 GB by default).
BUILD_MMAP_BYTES = 1 << 31


def may_start(conn: Connection) -> bool:
    """Whether the cache holds nothing from the server: its cursor is 0 everywhere and it has no server copy
    of a case (cases created here, not yet accepted, may be there: the load's upserts leave them be)."""
    if Cursor.from_stored(tables.get_meta(conn, "cursor")):
        return False
    return conn.execute(select(cases.c.id).where(cases.c.server_version.is_not(None)).limit(1)).first() is None


def start(conn: Connection) -> None:
    """Mark the cache as loading and drop the deferred indexes (`DEFERRED`), in the caller's transaction (the
    mark is written first: SQLite's DDL joins a transaction that a write has opened)."""
    tables.set_meta(conn, LOADING, True)
    for index in cases.indexes:
        if index.name in DEFERRED:
            index.drop(conn, checkfirst=True)
    log.info("first sync of an empty cache: writing it without its indexes %s until the last page",
             ", ".join(DEFERRED))


def finish(conn: Connection) -> None:
    """Build the missing indexes and clear the mark, in the caller's transaction. The file is memory-mapped
    meanwhile (`BUILD_MMAP_BYTES`)."""
    began = time.perf_counter()
    tables.set_meta(conn, LOADING, False)
    raw = conn.connection.driver_connection
    raw.execute(f"PRAGMA mmap_size={BUILD_MMAP_BYTES}")
    try:
        for index in cases.indexes:
            index.create(conn, checkfirst=True)
    finally:
        raw.execute("PRAGMA mmap_size=0")  # the cache's other work reads as before
    log.info("cache indexes built in %.2f s", time.perf_counter() - began)


def repair(engine: Engine) -> None:
    """At open: a cache left loading (a crash or a stop mid-sync), or missing an index, gets them now."""
    with engine.begin() as conn:
        present = {name for (name,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases'")}
        if tables.get_meta(conn, LOADING) or any(index.name not in present for index in cases.indexes):
            log.warning("the cache's last first sync did not finish: building its indexes now")
            finish(conn)
