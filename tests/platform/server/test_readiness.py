"""`GET /readyz`: 200 when the database, the feed's LISTEN connection, the MQTT broker (when configured) and
the migrations are as they must be; 503 naming each part that is down, each part taken down for real."""
from __future__ import annotations

import time

import psycopg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from server.feed.notifier import FeedNotifier
from server.platform.database import alembic_config
from server.platform.ops_api import newest_revisions
from tests.support.db_templates import PG_ADMIN_URL
from tests.support.server import Harness
from tests.support.sync_helpers import free_port

BROKER = "mqtt://127.0.0.1:1883"


def ready(h, *, until: str | None = None, timeout_s: float = 15) -> tuple[int, dict]:
    """The answer of /readyz; with `until`, polled until that check says ok (a connection coming up)."""
    deadline = time.monotonic() + timeout_s
    while True:
        r = h.client.get("/readyz")
        body = r.json()
        if until is None or body["checks"][until] == "ok" or time.monotonic() > deadline:
            return r.status_code, body
        time.sleep(0.05)


def test_sqlite_is_ready_without_listen_or_mqtt(lite):
    assert ready(lite) == (200, {"status": "ready", "down": [], "checks": {
        "database": "ok", "migrations": "ok", "listen": "not used", "mqtt": "not configured"}})


@pytest.mark.postgres
def test_postgres_with_a_broker_is_ready_once_both_connections_are_up(make_harness, pg_url):
    h = make_harness(pg_url, mqtt_url=BROKER, mqtt_topic_prefix=f"readyz{free_port()}")
    ready(h, until="listen")
    status, body = ready(h, until="mqtt")
    assert (status, body) == (200, {"status": "ready", "down": [], "checks": {
        "database": "ok", "migrations": "ok", "listen": "ok", "mqtt": "ok"}})


def test_an_unreachable_broker_is_named(make_harness, sqlite_url):
    h = make_harness(sqlite_url, mqtt_url=f"mqtt://127.0.0.1:{free_port()}")  # nothing listens there
    status, body = ready(h)
    assert status == 503
    assert body["status"] == "unavailable" and body["down"] == ["mqtt"]
    assert body["checks"]["mqtt"] == "not connected to the broker" and body["checks"]["database"] == "ok"


@pytest.mark.postgres
def test_a_lost_listen_connection_is_named(refdata, clock, pg_url):
    from tests.support.server import prepare_database

    prepare_database(pg_url, refdata)
    h = Harness(pg_url, refdata, clock, maintenance_interval_s=0)
    # The feed's LISTEN connection goes to a port where no PostgreSQL answers; everything else is real.
    h.ctx.notifier = FeedNotifier(listen_conninfo=f"host=127.0.0.1 port={free_port()} dbname=x user=postgres")
    with h:
        status, body = ready(h)
    assert status == 503 and body["down"] == ["listen"]
    assert body["checks"]["listen"] == "the LISTEN connection for feed wake-ups is down"
    assert body["checks"]["database"] == "ok"


@pytest.mark.postgres
def test_an_unreachable_database_is_named(make_harness, pg_url):
    h = make_harness(pg_url)
    ready(h, until="listen")
    name = make_url(pg_url).database
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            status, body = ready(h)
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert status == 503 and "database" in body["down"]
    assert body["checks"]["database"].startswith("unreachable: ") and name in body["checks"]["database"]
    assert body["checks"]["migrations"] == "not checked: the database is unreachable"


@pytest.mark.postgres
def test_a_database_behind_the_newest_migration_is_named(make_harness, pg_url):
    h = make_harness(pg_url)
    ready(h, until="listen")
    (head,) = newest_revisions()
    previous = ScriptDirectory.from_config(alembic_config(pg_url)).get_revision(head).down_revision
    with h.ctx.db.writer() as session, session.begin():  # as if the new version's migration had not run
        session.execute(text("UPDATE alembic_version SET version_num = :previous"), {"previous": previous})
    status, body = ready(h)
    assert status == 503 and body["down"] == ["migrations"]
    assert body["checks"]["migrations"] == (f"the database is at {previous}, the newest is {head}: "
                                            f"run onegrid-ctl migrate")
