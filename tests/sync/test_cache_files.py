"""The cache file is disposable: a bad one is moved aside and rebuilt; the outbox is never touched.
And the queue reads 100,000 rows from indexed columns alone."""
from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta

import pytest

from app.cache import CACHE_FILE, LocalCache
from app.cache.case_rows import case_columns
from app.cases import workflow
from app.platform.enums import Action, Priority, Status
from tests.support.sync_helpers import OPERATOR, create_payload


def _console_with_queued_commands(directory, refdata, now, n: int = 3):
    cache = LocalCache(directory)
    cache.store_refdata(refdata.to_dict())
    issued = [cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata, i), now, offline=True)
              for i in range(n)]
    cache.close()
    return issued


def _check_rebuilt(directory, refdata, issued):
    cache = LocalCache(directory)
    try:
        assert cache.rebuilt and cache.moved_aside_to is not None and cache.moved_aside_to.exists()
        assert cache.moved_aside_to.name.startswith(f"{CACHE_FILE}.corrupt-")
        assert cache.cursor() == 0 and cache.refdata() is None       # full resync from the server
        assert cache.pending_commands() == issued                    # the outbox is intact
        cache.store_refdata(refdata.to_dict())                       # as the first sync does
        assert {s.id for s in cache.summaries()} == {c.case_id for c in issued}
        assert all(s.pending for s in cache.summaries())
    finally:
        cache.close()


def test_garbage_cache_file_is_rebuilt_with_outbox_intact(tmp_path, refdata, now):
    directory = tmp_path / "console"
    issued = _console_with_queued_commands(directory, refdata, now)
    for suffix in ("", "-wal", "-shm"):
        (directory / (CACHE_FILE + suffix)).unlink(missing_ok=True)
    (directory / CACHE_FILE).write_bytes(b"this is not a database at all\x00" * 200)
    _check_rebuilt(directory, refdata, issued)


def test_damaged_pages_are_detected(tmp_path, refdata, now):
    directory = tmp_path / "console"
    issued = _console_with_queued_commands(directory, refdata, now, n=40)
    path = directory / CACHE_FILE
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page, len(data), page):  # scribble over every page but the header page
        data[offset + 8: offset + 64] = b"\xff" * 56
    path.write_bytes(bytes(data))
    _check_rebuilt(directory, refdata, issued)


def test_schema_version_mismatch_is_rebuilt(tmp_path, refdata, now):
    directory = tmp_path / "console"
    issued = _console_with_queued_commands(directory, refdata, now)
    with sqlite3.connect(directory / CACHE_FILE) as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    _check_rebuilt(directory, refdata, issued)


def test_healthy_cache_is_kept(tmp_path, refdata, now):
    directory = tmp_path / "console"
    _console_with_queued_commands(directory, refdata, now, n=1)
    cache = LocalCache(directory)
    assert not cache.rebuilt and cache.refdata().version == refdata.version and len(cache.summaries()) == 1
    cache.close()


def test_summaries_of_100k_rows(cache, refdata, now):
    create = workflow.new_command(uuid.uuid4(), Action.CREATE, create_payload(refdata), now)
    template = workflow.apply(None, create, OPERATOR, refdata, now)
    document = template.model_dump_json()
    base = case_columns(template)
    n = 100_000
    ids = [uuid.uuid4() for _ in range(n)]
    statuses = list(Status)

    def row(i: int, case_id: uuid.UUID) -> dict:
        return base | {"id": str(case_id), "status": statuses[i % len(statuses)].value, "pending": i % 10 == 0,
                       "server_version": 1, "return_count": i % 3, "number": f"2026-{i:06d}",
                       "due_at": (now + timedelta(minutes=i)).isoformat(timespec="microseconds"),
                       "created_at": now.isoformat(timespec="microseconds"),
                       "updated_at": now.isoformat(timespec="microseconds"), "data": document}

    columns = list(row(0, ids[0]))
    # Bulk insert through plain sqlite3: the JSON is serialised once, not 100,000 times.
    with cache._engine.begin() as conn:
        conn.connection.driver_connection.executemany(
            f"INSERT INTO cases ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [tuple(row(i, case_id).values()) for i, case_id in enumerate(ids)])

    summaries = cache.summaries()
    assert len(summaries) == n == cache.case_count()
    by_id = {s.id: s for s in summaries}
    assert set(by_id) == set(ids)
    sample = by_id[ids[12345]]
    assert sample.status == statuses[12345 % len(statuses)] and isinstance(sample.status, Status)
    assert sample.priority in Priority and sample.number == "2026-012345" and sample.return_count == 0
    assert sample.due_at == now + timedelta(minutes=12345) and sample.due_at.tzinfo is not None
    assert sample.created_at == now and sample.display_number == "2026-012345"
    assert sum(s.pending for s in summaries) == n // 10
    assert sample.lat == template.location.lat and sample.grid_code == template.location.grid_code
    subset = cache.summaries(ids[:7000])  # more ids than one IN clause takes
    assert {s.id for s in subset} == set(ids[:7000])
    assert cache.case(ids[5]) == template.model_copy()  # the display copy is still the full case


@pytest.mark.parametrize("resolution", ["bogus"])
def test_unknown_resolution_is_refused(cache, resolution, now):
    with pytest.raises(ValueError, match="discard"):
        cache.resolve_conflict(1, resolution, OPERATOR, now)


def test_full_integrity_check_only_when_the_file_changed_since_a_clean_close(tmp_path, refdata, now):
    """`quick_check` reads the whole file (seconds at 100k cases); a file exactly as a clean close left it
    skips it, and anything else (a crash, a change behind our back) gets it."""
    directory = tmp_path / "console"
    first = LocalCache(directory)
    assert first.integrity_checked  # no clean close recorded yet
    first.store_refdata(refdata.to_dict())
    first.close()
    again = LocalCache(directory)
    assert not again.integrity_checked and not again.rebuilt and again.refdata() is not None
    # No close: as after kill -9. The mark was taken at open, so the next open checks in full.
    again._engine.dispose()
    crashed = LocalCache(directory)
    assert crashed.integrity_checked and not crashed.rebuilt
    crashed.close()
    path = directory / CACHE_FILE
    with sqlite3.connect(path) as conn:  # changed after the clean close
        conn.execute("INSERT INTO meta (key, value) VALUES ('x', '1')")
    changed = LocalCache(directory)
    assert changed.integrity_checked and not changed.rebuilt
    changed.close()
