"""The queue's numpy columns read from the cache three ways (one row of concatenated columns, coded rows,
plain rows) hold exactly the summaries `LocalCache.summaries()` gives, and fall back when SQL cannot code."""
from __future__ import annotations

import numpy as np

from app.cache.case_rows import SUMMARY_COLUMNS
from app.cases.queue_columns import QueueColumns, load_columns
from app.cases.queue_rows import RowBatch
from app.platform.enums import Action
from tests.support.sync_helpers import OPERATOR, create_payload


def _cache_with_cases(cache, refdata, now, n: int = 12):
    cache.store_refdata(refdata.to_dict())
    ids = [cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata, i), now, offline=True).case_id
           for i in range(n)]
    cache.issue(OPERATOR, Action.REGISTER, ids[0], {}, now, offline=True)
    return ids


def _summaries(cols: QueueColumns) -> dict:
    return {s.id: s for s in (cols.summaries[slot] for slot in np.flatnonzero(cols.alive[:cols.size]))}


def test_every_way_of_reading_gives_the_cache_summaries(cache, refdata, now):
    _cache_with_cases(cache, refdata, now)
    expected = {s.id: s for s in cache.summaries()}
    together = QueueColumns()
    together.put_batch(RowBatch.from_columns(cache.summary_columns()), fresh=True)
    coded, plain = QueueColumns(), QueueColumns()
    coded.load_rows(cache.summary_rows(coded=True), coded=True)
    plain.load_rows(cache.summary_rows())
    for cols in (together, coded, plain, load_columns(cache)):
        cols.slot_of.resort()
        assert _summaries(cols) == expected
        assert all(cols.slot_of[case_id] is not None for case_id in expected)


def test_a_time_in_another_form_falls_back_to_plain_rows(cache, refdata, now):
    ids = _cache_with_cases(cache, refdata, now, 3)
    with cache._engine.begin() as conn:  # written by something else: a time with another offset
        conn.connection.driver_connection.execute(
            "UPDATE cases SET created_at = '2026-11-23T10:00:00+08:00' WHERE id = ?", (str(ids[1]),))
    row = cache.summary_columns()
    try:
        RowBatch.from_columns(row)
    except ValueError:
        pass
    else:
        raise AssertionError("from_columns accepted a time it could not code")
    cols = load_columns(cache)
    got = _summaries(cols)
    assert got == {s.id: s for s in cache.summaries()}
    assert got[ids[1]].created_at.isoformat() == "2026-11-23T02:00:00+00:00"


def test_an_empty_cache_gives_empty_columns(cache):
    assert cache.summary_columns()[0] == 0
    cols = load_columns(cache)
    assert len(cols) == 0 and cols.size == 0 and list(cols.slot_of) == []
    assert len(SUMMARY_COLUMNS) == 19
