"""Migration 0021 on an existing single-city database (docs/ARCHITECTURE.md, "The changes feed and the cursor
gap"): every feed row keeps its position, in the global partition; a console's cursor from before the upgrade
(one number) reads exactly what came after it, from a server that then partitions per city too; positions
become unique per partition."""
from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from app.platform.feed_partition import GLOBAL, Cursor
from server.audit import chain as audit
from server.platform.database import alembic_config, make_engine, upgrade
from tests.feed.test_jurisdictions import AWAY, CITY_OPERATOR, _new_case
from tests.feed.test_partitions import CursorFollower


def _downgrade(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


def _rows(url: str) -> tuple[dict, list[dict]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            feed = {(k, e): p for k, e, p in conn.execute(text("SELECT kind, entity_id, position FROM feed"))}
            indexes = inspect(conn).get_indexes("feed")
            columns = {c["name"] for c in inspect(conn).get_columns("feed")}
            partitions = (conn.execute(text("SELECT DISTINCT partition FROM feed")).scalars().all()
                          if "partition" in columns else None)
    finally:
        engine.dispose()
    return {"feed": feed, "partitions": partitions, "columns": columns}, indexes


def test_an_existing_single_city_database_is_upgraded_and_its_cursors_stay_valid(make_harness, server_db_url,
                                                                                 monkeypatch):
    # an existing database: made by the server before partitions (its cases, a setting), at schema 0020; its
    # audit trail one chain, as that server wrote it (migration 0026 makes it the platform chain)
    monkeypatch.setattr(audit, "chain_params", lambda entity_kind, entity_id, chain=None: {"audit_chain": "",
                                                                                           "audit_case": None})
    srv = make_harness(server_db_url, feed_partitions=False)  # the server before partitions: one counter
    before = [_new_case(srv, AWAY) for _ in range(3)]
    assert srv.client.put("/api/settings/emergency_mode", json={"on": True, "reason": "flood"},
                          headers=srv.login("lead1")).status_code == 200
    assert srv.do(CITY_OPERATOR, "note", before[0]["id"], {"text": "before the upgrade"})["status"] == "accepted"
    old_cursor = srv.changes_after(CITY_OPERATOR)["cursor"]  # a console that read everything so far
    srv.__exit__(None, None, None)
    _downgrade(server_db_url, "0020")
    old, indexes = _rows(server_db_url)
    assert "partition" not in old["columns"]
    assert any(i["name"] == "ix_feed_position" and i["unique"] for i in indexes)
    # the upgrade (what `onegrid-server` runs at start)
    upgrade(server_db_url)
    monkeypatch.undo()
    new, indexes = _rows(server_db_url)
    assert new["feed"] == old["feed"] and new["partitions"] == [GLOBAL]  # every position kept, all global
    assert any(i["name"] == "ix_feed_partition_position" and i["unique"] for i in indexes)
    assert not any(i["name"] == "ix_feed_position" and i["unique"] for i in indexes)
    # the upgraded server partitions: new cases go to the city's partition, numbered above every old position
    parted = make_harness(server_db_url, prepare=False, feed_partitions=True)
    after = _new_case(parted, AWAY)
    assert parted.do(CITY_OPERATOR, "note", before[1]["id"], {"text": "after"})["status"] == "accepted"
    # the old console's cursor (one number, for every partition) reads exactly what came after it
    console = CursorFollower(parted, CITY_OPERATOR, Cursor(default=old_cursor))
    seen = console.sync(limit=1)
    assert [c["id"] for c in seen] == [after["id"], before[1]["id"]]
    assert min(c["position"] for c in seen) > old_cursor
    # a fresh console reads everything once: the old rows in the global partition, the moved one in the city's
    fresh = CursorFollower(parted, CITY_OPERATOR)
    fresh.sync(limit=2)
    assert fresh.ids == {c["id"] for c in before} | {after["id"]}
