"""Migration 0014 on an existing database: cases written before it (as the 0012 schema's server wrote them)
get the street of their grid, their feed rows too, existing users keep seeing everything, and the upgraded
server then serves a district operator only its district's cases, old ones included."""
from __future__ import annotations

from sqlalchemy import text

from server.admin.bootstrap import init_db
from server.platform.database import make_engine, upgrade
from tests.feed.test_jurisdictions import AWAY, HOME, _new_case, _snapshot


def test_an_existing_database_is_backfilled(make_harness, server_db_url, refdata):
    # a database at 0012 with the demo city, its users and cases made by the server of that schema
    upgrade(server_db_url, "0012")
    engine = make_engine(server_db_url)
    try:
        with engine.begin() as conn:
            for column in ("cases.jurisdiction", "feed.jurisdiction", "users.jurisdictions"):
                table, name = column.split(".")
                assert name not in {c["name"] for c in _columns(conn, table)}
    finally:
        engine.dispose()
    before = _cases_made_before(server_db_url, refdata)
    # the upgrade (what `onegrid-server` runs at start)
    upgrade(server_db_url)
    engine = make_engine(server_db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT grid_code, jurisdiction FROM cases")).all()
            feed = conn.execute(text("SELECT jurisdiction FROM feed WHERE kind = 'case'")).scalars().all()
            users = conn.execute(text("SELECT count(*) FROM users WHERE jurisdictions IS NOT NULL")).scalar()
    finally:
        engine.dispose()
    assert len(rows) == len(before) == 2
    assert all(street == grid[:9] for grid, street in rows)
    assert sorted(feed) == sorted(street for _grid, street in rows)
    assert users == 0  # NULL: the whole reference data, as every desk user saw before
    # the server on the upgraded database: the demo accounts (the district operator's assigned district) and
    # the feed as each reads it, the cases made before the upgrade included
    init_db(server_db_url, refdata=refdata, demo_users=True, throwaway=True)
    srv = make_harness(server_db_url, prepare=False)
    (home_id, _), (away_id, _) = before
    assert _snapshot(srv, "operator_cj") == {str(away_id)}
    assert {str(home_id), str(away_id)} <= _snapshot(srv, "operator1")


def _columns(conn, table: str) -> list[dict]:
    from sqlalchemy import inspect

    return inspect(conn).get_columns(table)


def _cases_made_before(url: str, refdata) -> list[tuple]:
    """Two cases (one in each district) written as the 0012 schema's server wrote them: a case row and its
    feed row, without any jurisdiction."""
    import uuid

    engine = make_engine(url)
    made = []
    try:
        with engine.begin() as conn:
            pg = conn.dialect.name == "postgresql"
            for n, grid in enumerate((HOME, AWAY), start=1):
                case_id = uuid.uuid4()
                cid = case_id if pg else case_id.hex
                conn.execute(text(
                    "INSERT INTO cases (id, number, status, priority, category_code, unit_id, grid_code, created_at, "
                    "updated_at, version, data) VALUES (:id, :number, 'reported', 'normal', 'C0101', NULL, :grid, "
                    ":at, :at, 1, '{}')"), {"id": cid, "number": f"2026-{n:06d}", "grid": grid.code,
                                            "at": "2026-11-23 02:00:00"})
                conn.execute(text("INSERT INTO feed (kind, entity_id, position, case_id, data, scope) "
                                  "VALUES ('case', :eid, :pos, :cid, NULL, '')"),
                             {"eid": str(case_id), "pos": 100 + n, "cid": cid})
                made.append((case_id, grid.code))
    finally:
        engine.dispose()
    return made


def test_the_upgraded_server_scopes_a_district_operator(srv):
    """After the upgrade (the test database is built by the migrations, 0014 included), cases made then
    are scoped by district from the first write."""
    home, away = _new_case(srv, HOME), _new_case(srv, AWAY)
    assert _snapshot(srv, "operator_cj") == {away["id"]}
    assert {home["id"], away["id"]} <= _snapshot(srv, "operator1")
