"""An empty cache's first sync: pages read from their bytes with each case kept as text, written as a bulk
load (`app.cache.first_sync`). It must leave the same cache as the page-by-page path, and a sync cut short
(an error, a stop, kill -9) must leave a cache that works and resumes."""
from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from app.cache import LocalCache, first_sync
from app.platform.feed_partition import Cursor
from app.sync.client import ServerUnreachable
from app.sync.engine import SyncEngine
from app.wire.feed import ChangesPage
from app.wire.feed_decode import CaseText, DecodedPage, NotFast, decode_page
from app.wire.shifts import OutagesAnswer
from db.cache import cases
from tests.support import ROOT
from tests.support.feed_pages import feed_pages

COUNT, PAGE = 120, 25
INDEXES = {index.name for index in cases.indexes}
LOADING_INDEXES = INDEXES - set(first_sync.DEFERRED)  # the ones a bulk load keeps as the pages come


def _cursor(position: int) -> Cursor:
    return Cursor().moved("", position)


def _slow_path(directory, bodies: list[bytes]) -> LocalCache:
    """The pages as every page was applied before: parsed by `ChangesPage`, written page by page."""
    cache = LocalCache(directory)
    for body in bodies:
        page = ChangesPage.model_validate_json(body)
        cache.apply_changes(page.changes, _cursor(page.cursor))
    return cache


def _fast_path(directory, bodies: list[bytes]) -> LocalCache:
    cache = LocalCache(directory)
    for body in bodies:
        page = decode_page(body)
        cache.apply_changes(page.changes, _cursor(page.cursor), page.more)
    return cache


def _contents(cache: LocalCache) -> dict:
    """Everything a sync writes, the JSON documents compared as values (their texts' spacing may differ)."""
    path = cache.directory / "cache.sqlite"
    conn = sqlite3.connect(path)
    try:
        columns = [c.name for c in cases.columns if c.name not in ("data", "server_data")]
        rows = {row[0]: row for row in conn.execute(f"SELECT {', '.join(columns)} FROM cases")}
        data = {id_: (json.loads(d), s) for id_, d, s in conn.execute("SELECT id, data, server_data FROM cases")}
        entities = sorted((k, i, p, json.loads(d)) for k, i, p, d in conn.execute("SELECT * FROM entities"))
        settings = dict(conn.execute("SELECT key, value FROM settings"))
        indexes = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                                    "AND tbl_name = 'cases' AND sql IS NOT NULL")}
        loading = conn.execute("SELECT value FROM meta WHERE key = 'loading'").fetchone()
    finally:
        conn.close()
    return {"rows": rows, "data": data, "entities": entities, "settings": settings, "indexes": indexes,
            "cursor": cache.cursor(), "loading": bool(loading and json.loads(loading[0]))}


@pytest.fixture(scope="module")
def bodies(refdata):
    return feed_pages(refdata, COUNT, PAGE)


def test_decoded_page_keeps_cases_as_text_and_agrees_with_changes_page(bodies):
    for body in bodies:
        fast, slow = decode_page(body), ChangesPage.model_validate_json(body)
        assert (fast.cursor, fast.more, fast.scope, fast.cursors, fast.server_time) == \
               (slow.cursor, slow.more, slow.scope, slow.cursors, slow.server_time)
        assert len(fast.changes) == len(slow.changes)
        for mine, theirs in zip(fast.changes, slow.changes):
            assert (mine.position, mine.kind, mine.id) == (theirs.position, theirs.kind, theirs.id)
            assert json.loads(mine.text) == theirs.data if isinstance(mine, CaseText) else mine.data == theirs.data
        assert any(isinstance(c, CaseText) for c in fast.changes)


@pytest.mark.parametrize("body", [
    b'{"changes": [{"position": "1", "kind": "case", "id": "x", "data": {}}], "cursor": 1, "more": false, '
    b'"server_time": "2026-12-01T08:00:00+00:00"}',                     # a number as a string: pydantic's lax mode
    b'{"changes": [], "cursor": 1, "more": false, "server_time": 1764576000}',  # a time as a number
    b'{"changes": [{"position": 1, "kind": "case", "id": "x", "data": {"t": "\\ud800"}}], "cursor": 1, '
    b'"more": false, "server_time": "2026-12-01T08:00:00+00:00"}',      # a lone surrogate escape
    b'{"changes": [{"position": 1, "kind": "case", "id": "x", "data": []}], "cursor": 1, "more": false, '
    b'"server_time": "2026-12-01T08:00:00+00:00"}',                     # data not an object
    b'{"changes": [], "cursor": 1}',                                    # members missing
    b'not json',
])
def test_what_the_fast_reader_does_not_take_goes_to_changes_page(body):
    with pytest.raises(NotFast):
        decode_page(body)


def test_first_sync_stores_what_the_page_by_page_path_stores(tmp_path, bodies):
    slow = _slow_path(tmp_path / "slow", bodies)
    seen: list = []
    fast = LocalCache(tmp_path / "fast")
    fast.events.cases_changed.connect(seen.append)
    for body in bodies:
        page = decode_page(body)
        fast.apply_changes(page.changes, _cursor(page.cursor), page.more)
        if page.more:  # written as a bulk load: the indexes wait for the last page
            assert _contents(fast)["indexes"] == LOADING_INDEXES and _contents(fast)["loading"]
        with fast._engine.connect() as conn:  # its flushes skipped for the load's transactions only
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            # and the file mapped only while the last page builds the indexes
            assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == 0
    expected, got = _contents(slow), _contents(fast)
    assert len(got["rows"]) == COUNT and got["cursor"] == COUNT + 2
    assert got == expected and got["indexes"] == INDEXES and not got["loading"]
    assert sum(len(s.added) for s in seen) == COUNT and not any(s.updated or s.removed for s in seen)
    assert fast.summaries() and len(fast.summaries()) == COUNT  # the whole-queue read names its index again
    with fast._engine.connect() as conn:  # the indexes kept through the load hold every row, as rebuilt ones do
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    slow.close()
    fast.close()


def test_the_deferred_indexes_are_the_cases_table_s():
    """A renamed index would silently stay through the load (and cost every page what dropping it saves)."""
    assert set(first_sync.DEFERRED) <= INDEXES and "ix_cases_summary" in first_sync.DEFERRED


def test_whole_queue_reads_work_while_the_indexes_wait(tmp_path, bodies):
    cache = LocalCache(tmp_path / "c")
    first = decode_page(bodies[0])
    cache.apply_changes(first.changes, _cursor(first.cursor), first.more)
    assert _contents(cache)["indexes"] == LOADING_INDEXES
    assert len(cache.summaries()) == len(list(cache.summary_rows(coded=True))[0]) == PAGE - 2
    assert cache.summary_columns()[0] == PAGE - 2
    cache.close()


def test_a_cache_holding_server_data_is_never_bulk_loaded(tmp_path, bodies):
    cache = _fast_path(tmp_path / "c", bodies[:1] + [bodies[-1]])  # a full sync, then more pages
    again = decode_page(bodies[1])
    cache.apply_changes(again.changes, _cursor(COUNT + 3), True)
    assert _contents(cache)["indexes"] == INDEXES and not _contents(cache)["loading"]
    cache.close()


def test_first_sync_cut_short_leaves_a_working_cache_that_resumes(tmp_path, bodies):
    expected = _contents(_slow_path(tmp_path / "slow", bodies))
    directory = tmp_path / "fast"
    cache = LocalCache(directory)
    for body in bodies[:2]:
        page = decode_page(body)
        cache.apply_changes(page.changes, _cursor(page.cursor), page.more)
    cache._engine.dispose()  # the process ends here without closing: nothing more is written
    cache._outbox.close()
    assert _contents(cache)["loading"] and _contents(cache)["indexes"] == LOADING_INDEXES

    reopened = LocalCache(directory)
    state = _contents(reopened)
    assert state["indexes"] == INDEXES and not state["loading"] and state["cursor"] == 2 * PAGE
    assert set(state["rows"]) == {k for k in list(expected["rows"])[:2 * PAGE - 2]}
    for body in bodies[2:]:  # the resumed sync, from the stored cursor
        page = decode_page(body)
        reopened.apply_changes(page.changes, _cursor(page.cursor), page.more)
    assert _contents(reopened) == expected
    reopened.close()


@pytest.mark.slow
def test_first_sync_killed_at_random_moments_resumes_to_the_same_cache(tmp_path, refdata):
    bodies = feed_pages(refdata, 3000, 50)  # 61 pages: the kills below land well before the last
    expected = _contents(_slow_path(tmp_path / "slow", bodies))
    pages = tmp_path / "pages.json"
    pages.write_text(json.dumps([b.decode() for b in bodies]), encoding="utf-8")
    directory = tmp_path / "console"
    # killed after a number of pages, not after a time: on an idle machine a time could let the child finish
    for pages_in, delay in ((2, 0.0), (5, 0.01), (9, 0.004)):
        proc = subprocess.Popen([sys.executable, "-m", "tests.support.feed_pages", "--cache", str(directory),
                                 "--pages", str(pages)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(pages_in):
            assert proc.stdout.readline().startswith("applied")  # mid-sync from here on
        time.sleep(delay)  # somewhere inside the next page's transaction
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        cache = LocalCache(directory)  # opened after a kill: checked, its indexes built
        state = _contents(cache)
        assert state["indexes"] == INDEXES and not state["loading"]
        assert len(state["rows"]) == state["cursor"] - 2  # the stored cursor says exactly what is there
        assert all(state["data"][k] == expected["data"][k] for k in state["data"])
        cache.close()
    proc = subprocess.run([sys.executable, "-m", "tests.support.feed_pages", "--cache", str(directory),
                           "--pages", str(pages)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    final = LocalCache(directory)
    assert _contents(final) == expected
    final.close()


class _Pages:
    """A server stand-in answering the pages in order, failing on the `fail_at`-th fetch."""

    token = "t"
    clock_offset_s = None

    def __init__(self, bodies: list[bytes], fail_at: int | None = None):
        self.bodies, self.fail_at, self.fetches = bodies, fail_at, 0

    def set_token(self, token):
        self.token = token

    def refdata(self, etag=None):
        return None

    def fetch_changes(self, after, limit=1000, wait=0):
        self.fetches += 1
        if self.fetches == self.fail_at:
            raise ServerUnreachable("connection reset")
        position = after.after("") if isinstance(after, Cursor) else after
        return next((b for b in self.bodies if decode_page(b).cursor > position), self.bodies[-1])

    @staticmethod
    def parse_changes(body: bytes) -> DecodedPage:
        return decode_page(body)

    @staticmethod
    def report_outages(console_id, outages) -> OutagesAnswer:  # the failure was an offline period
        return OutagesAnswer(stored=len(outages), duplicates=0)


def test_engine_ends_a_load_cut_short_by_a_failure(tmp_path, bodies):
    cache = LocalCache(tmp_path / "c")
    engine = SyncEngine(cache, _Pages(bodies, fail_at=3), page=PAGE)
    with pytest.raises(ServerUnreachable):
        asyncio.run(engine.sync_once())
    state = _contents(cache)
    assert state["cursor"] == 2 * PAGE and state["indexes"] == INDEXES and not state["loading"]
    engine.client.fail_at = None
    asyncio.run(engine.sync_once())  # the rest, written as usual
    assert _contents(cache)["cursor"] == COUNT + 2 and len(cache.summaries()) == COUNT
    engine.close()
    cache.close()


@pytest.mark.parametrize("breakage", [
    lambda d: d.pop("status"),
    lambda d: d.update(status="nonsense"),
    lambda d: d.update(id="not-a-uuid"),
    lambda d: d.update(created_at=12),
    lambda d: d.update(due_at="2026-01-01T00:00:00"),  # no zone
    lambda d: d["location"].update(lat="north"),
    lambda d: d["location"].update(lat=91.0),
    lambda d: d["location"].update(grid_code="33"),
    lambda d: d["location"].update(surprise=1),
    lambda d: d.update(escalation_level=True),
    lambda d: d.update(events={"not": "a list"}),
    lambda d: d.update(surprise=1),
])
def test_a_malformed_case_in_text_changes_nothing(tmp_path, bodies, breakage):
    """`text_feed_row` refuses what `feed_row` refuses (tests/sync/test_cache.py), the page as a whole."""
    cache = _fast_path(tmp_path / "c", [bodies[-1]])  # holds something: a plain page, not a load
    page = json.loads(bodies[1])
    broken = next(c for c in page["changes"][3:] if c["kind"] == "case")
    breakage(broken["data"])
    seen: list = []
    cache.events.cases_changed.connect(seen.append)
    before = _contents(cache)
    decoded = decode_page(json.dumps(page).encode())
    with pytest.raises(ValueError, match=f"malformed case in feed entry {broken['position']}"):
        cache.apply_changes(decoded.changes, _cursor(COUNT + 5), True)
    assert _contents(cache) == before and not seen
    cache.close()


class _Sized(_Pages):
    """`_Pages` noting the page size each fetch asks for."""

    def __init__(self, bodies: list[bytes]):
        super().__init__(bodies)
        self.limits: list[int] = []

    def fetch_changes(self, after, limit=1000, wait=0):
        self.limits.append(limit)
        return super().fetch_changes(after, limit, wait)


def test_a_first_sync_asks_its_pages_after_the_first_bigger(tmp_path, bodies):
    cache = LocalCache(tmp_path / "c")
    client = _Sized(bodies)
    engine = SyncEngine(cache, client, page=PAGE, bulk_page=4 * PAGE)
    asyncio.run(engine.sync_once())
    # the first page as usual (the first cases show soon), the load's others bigger
    assert client.limits == [PAGE] + [4 * PAGE] * (len(bodies) - 1)
    client.limits.clear()
    asyncio.run(engine.sync_once())  # caught up: the cache holds the server's data, pages are as usual again
    assert client.limits == [PAGE]
    assert len(cache.summaries()) == COUNT
    engine.close()
    cache.close()


def test_a_case_id_in_another_form_is_stored_canonical_as_the_dict_path_stores_it(bodies):
    from app.cache.case_rows import feed_row, text_feed_row

    case = next(c for c in decode_page(bodies[0]).changes if isinstance(c, CaseText))
    for form in (case.id.upper(), case.id.replace("-", ""), "{" + case.id + "}"):
        text = case.text.replace(f'"{case.id}"', f'"{form}"', 1)
        assert text != case.text
        assert text_feed_row(text)[2][0] == feed_row(json.loads(text))[2][0] == case.id
