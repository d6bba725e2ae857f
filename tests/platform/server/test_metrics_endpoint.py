"""`GET /metrics`: scraped over HTTP and parsed with the Prometheus client library's own parser; who may
read it (an allowed network, or the scrape token)."""
from __future__ import annotations

import gc
import time
import uuid

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.platform.feed_partition import GLOBAL, Cursor
from tests.support.sensor_support import KEY, reading, send

LOOPBACK = ("127.0.0.1", 40000)


def scrape(h, client=LOOPBACK, headers=None) -> dict[str, dict[tuple, float]]:
    """name → {sorted label items: value} of every sample."""
    r = TestClient(h.app, client=client).get("/metrics", headers=headers or {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def wait_listening(h) -> None:
    deadline = time.monotonic() + 15
    while not h.ctx.notifier.listening:
        assert time.monotonic() < deadline, "the feed's LISTEN connection did not come up"
        time.sleep(0.05)


@pytest.mark.postgres
def test_scraped_and_parsed_by_the_client_library(make_harness, pg_url):
    h = make_harness(pg_url, ingest_keys=KEY, sensor_batch_ms=5, sensor_feed_interval_s=0)
    wait_listening(h)
    case = h.new_case()
    refused = h.do("operator1", "accept", case["id"])  # an operator may not accept for a unit
    assert refused["status"] == "rejected"
    assert h.client.get(f"/api/cases/{case['id']}", headers=h.login("operator1")).status_code == 200
    assert h.client.get(f"/api/cases/{uuid.uuid4()}", headers=h.login("operator1")).status_code == 404
    assert h.client.get("/no/such/page").status_code == 404
    send(h, [reading("rf-001", h.clock.now, 3.0), reading("no-such-sensor", h.clock.now, 1.0)])
    gc.collect()  # a full collection: its pause is measured

    m = scrape(h)
    requests_ = m["onegrid_http_requests_total"]
    assert requests_[(("method", "POST"), ("route", "/api/commands"), ("status", "200"))] == 2
    assert requests_[(("method", "GET"), ("route", "/api/cases/{case_id}"), ("status", "200"))] == 1
    assert requests_[(("method", "GET"), ("route", "/api/cases/{case_id}"), ("status", "404"))] == 1
    assert requests_[(("method", "GET"), ("route", "unmatched"), ("status", "404"))] == 1
    assert not any(dict(labels)["route"].startswith("/api/cases/") and dict(labels)["route"] != "/api/cases/{case_id}"
                   for labels in requests_)  # a template, never an id
    latency = m["onegrid_http_request_duration_seconds_count"]
    assert latency[(("method", "POST"), ("route", "/api/commands"))] == 2
    buckets = m["onegrid_http_request_duration_seconds_bucket"]
    assert buckets[(("le", "+Inf"), ("method", "POST"), ("route", "/api/commands"))] == 2

    commands = m["onegrid_commands_total"]
    assert commands[(("reason", ""), ("result", "accepted"))] == 1
    assert commands[(("reason", refused["reason"]), ("result", "rejected"))] == 1

    # each partition's newest position: the global one (the reading's) and the case's city's
    cursor = Cursor.from_wire(h.changes("admin", limit=1000)["cursors"])
    positions = {dict(labels)["partition"]: value for labels, value in m["onegrid_feed_position"].items()}
    assert positions[GLOBAL] == cursor.after(GLOBAL) >= 1
    city = case["location"]["grid_code"][:4]
    assert positions[city] == cursor.after(city) >= 1
    assert m["onegrid_long_polls"][()] == 0
    assert m["onegrid_feed_listening"][()] == 1
    pool = m["onegrid_db_pool_connections"]
    assert pool[(("state", "size"),)] >= 1 and pool[(("state", "checked_out"),)] >= 0
    readings = m["onegrid_sensor_readings_total"]
    assert readings[(("outcome", "stored"),)] == 1
    rejections = m["onegrid_sensor_rejections_total"]
    assert sum(v for labels, v in rejections.items() if dict(labels)["source"] == "http") == 1
    assert "onegrid_mqtt_connected" not in m  # no broker configured
    assert m["onegrid_gc_pause_seconds_count"][(("generation", "2"),)] >= 1
    assert "process_resident_memory_bytes" in m and "python_info" in m

    again = scrape(h)
    assert again["onegrid_http_requests_total"][(("method", "GET"), ("route", "/metrics"), ("status", "200"))] >= 1


def test_only_an_allowed_network_or_the_token_may_read_it(make_harness, sqlite_url):
    h = make_harness(sqlite_url, metrics_allow="10.20.0.0/16", metrics_token="scrape-secret")
    outsider = TestClient(h.app, client=("192.0.2.7", 40000))
    refused = outsider.get("/metrics")
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden" and "ONEGRID_METRICS_ALLOW" in refused.json()["message"]
    assert "onegrid_" not in refused.text
    assert outsider.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert outsider.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).status_code == 200
    assert TestClient(h.app, client=("10.20.3.4", 40000)).get("/metrics").status_code == 200
    assert TestClient(h.app, client=LOOPBACK).get("/metrics").status_code == 403  # not in this allow list
    assert h.client.get("/metrics").status_code == 403  # not an IP address at all


def test_loopback_only_by_default_and_no_token(make_harness, sqlite_url):
    h = make_harness(sqlite_url)
    assert TestClient(h.app, client=LOOPBACK).get("/metrics").status_code == 200
    assert TestClient(h.app, client=("::1", 40000)).get("/metrics").status_code == 200
    assert TestClient(h.app, client=("192.0.2.7", 40000)).get("/metrics", headers={"Authorization": "Bearer "}) \
        .status_code == 403  # an empty token setting is no token


def test_a_bad_allow_list_is_refused_naming_the_entry():
    from pydantic import ValidationError

    from server.platform.settings import ServerSettings

    with pytest.raises(ValidationError) as caught:
        ServerSettings.from_env({"ONEGRID_METRICS_ALLOW": "127.0.0.1/32, intranet"})
    assert "metrics_allow" in str(caught.value) and "'intranet' is not a network" in str(caught.value)
