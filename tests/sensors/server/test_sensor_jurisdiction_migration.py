"""Migration 0023 on an existing database: sensor states and alarms written before it (as the 0020 schema's
server wrote them, naming no jurisdiction) get their sensor's street — in their JSON and in their feed rows —
and the upgraded server then serves the district operator only its district's sensors and alarms, the old
ones included (SQLite and PostgreSQL)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa

from server.admin.bootstrap import init_db
from server.platform.database import make_engine, upgrade
from tests.sensors.server.test_sensors_jurisdictions import AWAY, HOME
from tests.support.sensor_support import feed_entities

AT = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
ORPHAN = "xx-999"  # a sensor the reference data no longer holds: left as it was (every jurisdiction)


def _tables():
    md = sa.MetaData()
    refdata = sa.Table("refdata", md, sa.Column("id", sa.Integer), sa.Column("version", sa.String),
                       sa.Column("data", sa.JSON))
    feed = sa.Table("feed", md, sa.Column("kind", sa.String), sa.Column("entity_id", sa.String),
                    sa.Column("position", sa.BigInteger), sa.Column("data", sa.JSON), sa.Column("scope", sa.String),
                    sa.Column("jurisdiction", sa.String))
    alarms = sa.Table("sensor_alarms", md, sa.Column("id", sa.Uuid), sa.Column("sensor_id", sa.String),
                      sa.Column("episode_id", sa.Uuid), sa.Column("kind", sa.String), sa.Column("level", sa.SmallInteger),
                      sa.Column("state", sa.String), sa.Column("raised_at", sa.DateTime(timezone=True)),
                      sa.Column("updated_at", sa.DateTime(timezone=True)), sa.Column("data", sa.JSON))
    return refdata, feed, alarms


def _written_before(url: str, refdata) -> dict[str, str]:
    """Each sensor's state and one raised alarm, as the 0020 server wrote them; sensor id → alarm id."""
    refdata_t, feed, alarms = _tables()
    made = {}
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(refdata_t.insert().values(id=1, version=refdata.version, data=refdata.to_dict()))
            position = 100
            for sid, owner in ((HOME, "drainage"), (AWAY, "cj_roads"), (ORPHAN, "drainage")):
                alarm_id = uuid.uuid4()
                state = {"sensor_id": sid, "owner_unit_id": owner, "last_time": AT.isoformat(), "last_value": 30.0,
                         "level": "warning", "state": "warning", "reason": "high", "rejected": 0,
                         "updated_at": AT.isoformat()}
                alarm = {"id": str(alarm_id), "sensor_id": sid, "owner_unit_id": owner, "episode_id": str(uuid.uuid4()),
                         "kind": "high", "level": "warning", "state": "raised", "raised_at": AT.isoformat(),
                         "updated_at": AT.isoformat(), "value": 30.0, "peak_value": 30.0, "threshold": 20.0,
                         "message": "rain", "acknowledged_by": None, "acknowledged_at": None, "ack_note": None,
                         "cleared_at": None, "cleared_by": None, "clear_reason": None, "case_id": None}
                conn.execute(alarms.insert().values(id=alarm_id, sensor_id=sid, episode_id=uuid.UUID(alarm["episode_id"]),
                                                    kind="high", level=1, state="raised", raised_at=AT, updated_at=AT,
                                                    data=alarm))
                for kind, eid, data in (("sensor", sid, state), ("alarm", str(alarm_id), alarm)):
                    position += 1
                    conn.execute(feed.insert().values(kind=kind, entity_id=eid, position=position, data=data,
                                                      scope=owner))
                made[sid] = str(alarm_id)
    finally:
        engine.dispose()
    return made


def test_an_existing_database_is_backfilled(make_harness, server_db_url, refdata):
    upgrade(server_db_url, "0020")
    made = _written_before(server_db_url, refdata)
    upgrade(server_db_url)  # what `onegrid-server` runs at start
    _refdata, feed, alarms = _tables()
    engine = make_engine(server_db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(feed.c.kind, feed.c.entity_id, feed.c.jurisdiction, feed.c.data)
                                .where(feed.c.kind.in_(("sensor", "alarm")))).all()
            stored = dict(conn.execute(sa.select(alarms.c.sensor_id, alarms.c.data)).all())
    finally:
        engine.dispose()
    street = {HOME: refdata.sensor(HOME).jurisdiction, AWAY: refdata.sensor(AWAY).jurisdiction, ORPHAN: None}
    assert len(rows) == 6
    for kind, _eid, jurisdiction, data in rows:
        assert jurisdiction == street[data["sensor_id"]] and data.get("jurisdiction") == jurisdiction, (kind, data)
    assert {sid: data.get("jurisdiction") for sid, data in stored.items()} == street
    # the upgraded server: the district operator reads its district's (and the orphan, which names none)
    init_db(server_db_url, refdata=refdata, demo_users=True, throwaway=True)
    srv = make_harness(server_db_url, prepare=False)
    assert set(feed_entities(srv, "operator_cj", "sensor")) == {AWAY, ORPHAN}
    assert set(feed_entities(srv, "operator_cj", "alarm")) == {made[AWAY], made[ORPHAN]}
    assert set(feed_entities(srv, "operator1", "alarm")) == set(made.values())
    assert set(feed_entities(srv, "handler_drainage", "sensor")) == {HOME, ORPHAN}
