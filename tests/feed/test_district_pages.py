"""A jurisdiction user's page read as a merge of one ordered range per street (`server.feed.read.page_rows`) is
the page the one filtered scan reads: the same rows, exits and cursors, page after page, from any cursor."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from server.feed import read
from server.feed.pages import read_changes_raw
from server.platform.database import make_engine, upgrade

DISTRICT = ("@", "@330108001", "@330108002")
STREETS = ["330108001", "330106001", "330201001", None, "330108002", "330108001", "330202001"]


def _pages(engine, after: int, limit: int, partition: str) -> list[tuple]:
    found, more = [], True
    with Session(engine) as session:
        while more:
            page = read_changes_raw(session, after, limit, DISTRICT, partition)
            found.append((page.changes_bytes(), page.cursor, page.more))
            after, more = page.cursor, page.more
    return found


@pytest.mark.parametrize("limit", [1, 3, 7, 1000])
def test_merged_street_ranges_read_what_the_filtered_scan_reads(server_db_url, monkeypatch, limit):
    upgrade(server_db_url)
    engine = make_engine(server_db_url)
    row = ("INSERT INTO feed (kind, entity_id, position, partition, data, scope, jurisdiction, exits) "
           "VALUES ('sensor', :id, :pos, :partition, '{}', '', :street, :exits)")
    try:
        with engine.begin() as conn:
            for pos in range(1, 61):
                street = STREETS[pos % len(STREETS)]
                # rows that left a district street, some now in the district's other street, some elsewhere
                exits = '{"@330108001": %d}' % pos if pos % 4 == 1 else None
                for partition in ("", "3301"):
                    conn.execute(text(row), {"id": f"s{partition}-{pos}", "pos": pos, "partition": partition,
                                             "street": street, "exits": exits})
        for partition in ("", "3301"):
            for after in (0, 1, 13, 58, 60):
                merged = _pages(engine, after, limit, partition)
                with monkeypatch.context() as patch:
                    patch.setattr(read, "MERGED_STREETS", 0)  # every user read by the one filtered scan
                    filtered = _pages(engine, after, limit, partition)
                assert merged == filtered, (partition, after)
                assert after == 60 or any(page[0] for page in merged)
    finally:
        engine.dispose()
