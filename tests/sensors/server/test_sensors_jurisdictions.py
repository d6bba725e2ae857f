"""Sensors and their alarms by jurisdiction (docs/jurisdictions.md): a sensor lies in its grid's street, its
state and its alarms with it. The demo's district operator (`operator_cj`, 澄江区 330108) is served only its
district's sensors and alarms — in the feed, GET /api/sensors, /api/alarms and a sensor's readings — and is
refused, naming nothing of it, what lies elsewhere; the city operator sees both districts; a unit handler
sees its unit's sensors wherever they lie, as before (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest

from tests.sensors.server.test_sensors_alarms import ack, clear, raise_warning
from tests.support.sensor_support import KEY, feed_entities

CITY_OPERATOR, DISTRICT_OPERATOR, HANDLER = "operator1", "operator_cj", "handler_drainage"
HOME, AWAY = "rf-001", "rf-004"  # rain gauges: 清源区 (owner `drainage`), 澄江区 (owner `cj_roads`)


@pytest.fixture
def srv(make_harness, server_db_url):
    return make_harness(server_db_url, ingest_keys=KEY, sensor_feed_interval_s=0, sensor_batch_ms=5)


@pytest.fixture
def both(srv):
    """A warning alarm on each district's rain gauge."""
    return raise_warning(srv, HOME), raise_warning(srv, AWAY)


def test_the_demo_has_sensors_in_both_districts(refdata):
    assert refdata.sensor(HOME).jurisdiction.startswith("330106")
    assert refdata.sensor(AWAY).jurisdiction.startswith("330108")
    assert {s.jurisdiction[:6] for s in refdata.sensors} == {"330106", "330108"}


def test_the_feed_carries_each_district_its_own_sensors_and_alarms(srv, both, refdata):
    home_alarm, away_alarm = both
    city = feed_entities(srv, CITY_OPERATOR, "sensor")
    assert {HOME, AWAY} <= set(city)
    assert city[AWAY]["jurisdiction"] == refdata.sensor(AWAY).jurisdiction
    district = feed_entities(srv, DISTRICT_OPERATOR, "sensor")
    assert set(district) == {AWAY}
    assert set(feed_entities(srv, DISTRICT_OPERATOR, "alarm")) == {away_alarm["id"]}
    assert {home_alarm["id"], away_alarm["id"]} <= set(feed_entities(srv, CITY_OPERATOR, "alarm"))
    # a unit handler by its unit, as before: `drainage` owns the first district's gauge only
    assert HOME in feed_entities(srv, HANDLER, "sensor") and AWAY not in feed_entities(srv, HANDLER, "sensor")
    assert set(feed_entities(srv, HANDLER, "alarm")) == {home_alarm["id"]}
    # a later change of the other district's alarm does not reach the district operator either
    assert ack(srv, CITY_OPERATOR, home_alarm["id"]).status_code == 200
    assert set(feed_entities(srv, DISTRICT_OPERATOR, "alarm")) == {away_alarm["id"]}


def test_the_sensor_reads_as_each_role(srv, both):
    home_alarm, away_alarm = both

    def get(user, path):
        return srv.client.get(path, headers=srv.login(user))

    ids = {user: {s["sensor_id"] for s in get(user, "/api/sensors").json()["sensors"]}
           for user in (CITY_OPERATOR, DISTRICT_OPERATOR, HANDLER)}
    assert {HOME, AWAY} <= ids[CITY_OPERATOR]
    assert ids[DISTRICT_OPERATOR] == {"wl-016", "wl-017", "rf-004"}
    assert AWAY not in ids[HANDLER] and HOME in ids[HANDLER]
    alarms = {user: {a["id"] for a in get(user, "/api/alarms").json()["alarms"]}
              for user in (CITY_OPERATOR, DISTRICT_OPERATOR, HANDLER)}
    assert alarms[CITY_OPERATOR] >= {home_alarm["id"], away_alarm["id"]}
    assert home_alarm["id"] not in alarms[DISTRICT_OPERATOR] and away_alarm["id"] in alarms[DISTRICT_OPERATOR]
    assert away_alarm["id"] not in alarms[HANDLER]
    assert get(DISTRICT_OPERATOR, f"/api/sensors/{AWAY}/readings").status_code == 200
    for path in (f"/api/sensors/{HOME}/readings", f"/api/alarms?sensor_id={HOME}"):
        refused = get(DISTRICT_OPERATOR, path)
        assert refused.status_code == 403 and refused.json()["error"] == "out_of_scope", path
        # nothing of the sensor: not its owner unit, not where it lies, not a reading
        assert "drainage" not in refused.text and "330106" not in refused.text and "values" not in refused.text
    assert get(CITY_OPERATOR, f"/api/sensors/{HOME}/readings").status_code == 200


def test_alarm_actions_out_of_the_district_are_refused(srv, both):
    home_alarm, away_alarm = both
    refused = ack(srv, DISTRICT_OPERATOR, home_alarm["id"])
    assert refused.status_code == 403 and refused.json()["error"] == "out_of_scope"
    assert HOME not in refused.text and "drainage" not in refused.text and "state" not in refused.json()
    refused = clear(srv, "lead_cj", home_alarm["id"])
    assert refused.status_code == 403 and refused.json()["error"] == "out_of_scope"
    assert feed_entities(srv, CITY_OPERATOR, "alarm")[home_alarm["id"]]["state"] == "raised"  # untouched
    done = ack(srv, DISTRICT_OPERATOR, away_alarm["id"])
    assert done.status_code == 200 and done.json()["state"] == "acknowledged"
    assert ack(srv, CITY_OPERATOR, home_alarm["id"]).status_code == 200
