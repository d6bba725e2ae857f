"""A group of commands (`server.cases.group_commit`) wakes the feed's listeners with one NOTIFY per partition it
moved, naming the partition's last position (`server.feed.record.notify_payload`), sent with the counter's step
(`record_positions`) and not by a statement of its own; the first step of a partition (its counter row created)
still NOTIFYs."""
from __future__ import annotations

import time
import uuid

import psycopg
import pytest
from sqlalchemy import event, make_url, select

from db.feed import FeedRow
from server.feed.notifier import FEED_CHANNEL


def _listen(pg_url: str) -> psycopg.Connection:
    url = make_url(pg_url)
    conn = psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                           dbname=url.database, autocommit=True)
    conn.execute(f"LISTEN {FEED_CHANNEL}")
    return conn


def _received(conn: psycopg.Connection) -> list[str]:
    payloads: list[str] = []
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        for note in conn.notifies(timeout=0.2, stop_after=1):
            payloads.append(note.payload)
        if payloads and not list(conn.notifies(timeout=0.3)):
            break
    return payloads


def _statements(engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _log(_conn, _cursor, statement, _params, _context, _many):
        seen.append(statement)

    return seen


@pytest.mark.parametrize("partitions", [False, True])
def test_a_group_notifies_each_partition_once_with_its_step(make_harness, pg_url, partitions):
    h = make_harness(pg_url, commit_group=8, feed_partitions=partitions)
    expected_partition = "3301:" if partitions else ""  # the demo city's cases
    listener = _listen(pg_url)
    try:
        ids = [uuid.uuid4() for _ in range(3)]
        # a group of one accepted command (operators do not close), the partition's first position: its counter
        # row is created, and the listeners told all the same
        first = h.post("operator1", h.command("create", ids[0], h.create_payload()), h.command("close", ids[0]))
        assert [r["status"] for r in first] == ["accepted", "rejected"]
        assert _received(listener) == [f"{expected_partition}{first[0]['position']}"]
        seen = _statements(h.ctx.db.engine)
        results = h.post("operator1", *[h.command("create", case_id, h.create_payload()) for case_id in ids[1:]],
                         *[h.command("register", case_id) for case_id in ids],
                         h.command("note", ids[0], {"text": "again"}))
        assert [r["status"] for r in results] == ["accepted"] * 6
        positions = [r["position"] for r in results]
        assert positions == list(range(first[0]["position"] + 1, first[0]["position"] + 7))  # one group, gap-free
        assert _received(listener) == [f"{expected_partition}{positions[-1]}"]
        assert not [s for s in seen if s.lstrip().upper().startswith("SELECT PG_NOTIFY")], seen
        with h.ctx.db.reader() as session:
            feed = dict(session.execute(select(FeedRow.entity_id, FeedRow.position)).all())
        assert feed[str(ids[0])] == positions[-1] and feed[str(ids[2])] == positions[4]
    finally:
        listener.close()
