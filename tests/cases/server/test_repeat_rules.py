"""The repeat rule is reference data: a category given its own radius and window (categories.csv's
`merge_radius_m`, `merge_window_h`, `merge_group`) changes the outcome on every path — the server's check of
a new case, a detection joining an open case, the console's duplicate list from its cache — and migration
0025 gives an upgraded database today's rules. SQLite and PostgreSQL."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from app.cases.duplicates import find_duplicates
from app.cases.summary import CaseSummary
from app.refdata.loading import load_demo_refdata
from app.refdata.model import RefData
from server.detections import reference
from tests.cases.test_merging import with_rules

KEY = "gateway-key-1"
CAMERA_AT = (30.2540667, 120.1629918)  # cam-hubin-01
DEMO = load_demo_refdata()
# E0504 (illegal parking, the detection type illegal_parking): 400 m and 2 h instead of 200 m / 72 h
OWN = with_rules(DEMO, E0504={"merge_radius_m": 400, "merge_window_h": 2})


@pytest.fixture(params=["demo", "own"])
def rules(request):
    return request.param


@pytest.fixture
def refdata(rules):
    return DEMO if rules == "demo" else OWN


@pytest.fixture
def srv(make_harness, server_db_url):
    srv = make_harness(server_db_url, repeat_merge=True, ingest_keys=KEY)
    with srv.ctx.db.writer() as session, session.begin():
        reference.seed_if_empty(session, reference.demo_reference())
    return srv


def _north(metres: float) -> dict:
    return {"lat": CAMERA_AT[0] + metres / 111_195.0, "lon": CAMERA_AT[1], "address": "Hubin Rd"}


def test_a_new_case_350_m_away_is_a_repeat_only_under_the_categorys_own_radius(srv, rules):
    master = srv.new_case(category_code="E0504", location=_north(0))
    result = srv.do("operator1", "create", uuid.uuid4(), srv.create_payload(category_code="E0504",
                                                                           location=_north(350)))
    assert result["status"] == "accepted"
    assert result["case"]["merged_into"] == (master["id"] if rules == "own" else None)
    # another category keeps the defaults: 350 m is beyond its 200 m either way
    srv.new_case(category_code="E0503", location=_north(0))
    other = srv.do("operator1", "create", uuid.uuid4(), srv.create_payload(category_code="E0503",
                                                                          location=_north(350)))
    assert other["case"]["merged_into"] is None


def test_the_categorys_own_window_ends_the_check_sooner(srv, rules, clock):
    master = srv.new_case(category_code="E0504", location=_north(0))
    clock.advance(hours=3)
    srv.forget_logins()
    later = srv.do("operator1", "create", uuid.uuid4(), srv.create_payload(category_code="E0504",
                                                                          location=_north(50)))["case"]
    assert later["merged_into"] == (None if rules == "own" else master["id"])  # 3 h: beyond 2 h, within 72 h


def test_a_detection_joins_the_case_its_categorys_rule_finds(srv, rules):
    case = srv.new_case(category_code="E0504", location=_north(350))
    r = srv.client.post("/api/detections", headers={"X-OneGrid-Ingest-Key": KEY}, json={
        "source": "video_ai", "camera_id": "cam-hubin-01", "type": "illegal_parking", "confidence": 0.9,
        "time": srv.clock().isoformat()})
    assert r.status_code == 200, r.text
    d = r.json()["detection"]
    if rules == "own":
        assert (d["state"], d["case_id"]) == ("joined", case["id"])
    else:
        assert (d["state"], d["case_id"]) == ("pending", None)


def test_the_consoles_duplicate_list_uses_the_cached_rule(refdata, rules, now):
    from datetime import timedelta

    from app.platform.enums import Priority, Source, Status

    lat, lon = _north(350)["lat"], CAMERA_AT[1]
    near = CaseSummary(uuid.uuid4(), "2026-000001", None, Status.REGISTERED, Priority.ORDINARY, "E0504", None, None,
                       lat, lon, Source.HOTLINE, now - timedelta(hours=1), now, None, None, 0, 0, False, 1)
    # the console's copy of the reference data is the server's (GET /api/refdata → the cache), so offline too
    cached = RefData.from_dict(refdata.to_dict())
    found = find_duplicates([near], "E0504", *CAMERA_AT, now, refdata=cached)
    assert [d.summary for d in found] == ([near] if rules == "own" else [])


def test_migration_0025_gives_an_upgraded_database_todays_rules(server_db_url):
    """A database whose reference data was imported before the rules were reference data (no merge fields)
    is upgraded to today's values, with a new version (so consoles download it again)."""
    from server.platform.database import make_engine, upgrade

    old = with_rules(DEMO, **{c.code: {"merge_radius_m": None, "merge_window_h": None, "merge_group": ""}
                              for c in DEMO.categories})
    assert old.version != DEMO.version and all(c.merge_radius_m is None for c in old.categories)
    upgrade(server_db_url, "0020")
    engine = make_engine(server_db_url)
    try:
        with engine.begin() as conn:
            data = old.to_dict()
            import json
            conn.execute(text("INSERT INTO refdata (id, version, data) VALUES (1, :v, :d)"),
                         {"v": old.version, "d": json.dumps(data)})
            conn.execute(text("INSERT INTO cases (id, number, status, priority, category_code, created_at, "
                              "updated_at, version, data) VALUES (:id, '2026-000001', 'reported', 'ordinary', "
                              "'E0401', '2026-11-23 02:00:00', '2026-11-23 02:00:00', 1, '{}')"),
                         {"id": uuid.uuid4().hex if conn.dialect.name == "sqlite" else uuid.uuid4()})
        upgrade(server_db_url)
        with engine.connect() as conn:
            version, stored = conn.execute(text("SELECT version, data FROM refdata WHERE id = 1")).one()
            assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 1
    finally:
        engine.dispose()
    stored = json.loads(stored) if isinstance(stored, str) else stored
    upgraded = RefData.from_dict(stored)  # its version is its content's
    assert version == upgraded.version == DEMO.version  # exactly the demo city's rules, as categories.csv has them
    from app.cases import merging
    assert merging.rule_for("E0401", upgraded).radius_m == 300
    assert merging.related_categories("C0102", upgraded) == {"C0101", "C0102", "C0103"}
