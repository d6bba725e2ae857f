"""Fixtures shared by every test package.

PostgreSQL is not optional: server tests run against the real server at ONEGRID_TEST_PG_ADMIN_URL
(default: the machine's local cluster). When it cannot be reached the tests that need it *error* with
the reason, they are never skipped.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.support import db_templates

# Fixtures of each layer, for tests of every feature (tests/<feature>/{server,sync,ui}/): the server's
# harness, caches and a live server on loopback, and the Qt set-up (which must load before any QApplication).
pytest_plugins = ["tests.support.server", "tests.support.sync", "tests.support.ui"]

PG_ADMIN_URL = db_templates.PG_ADMIN_URL


@pytest.fixture(scope="session", autouse=True)
def prepared_databases():
    """The prepared databases copied into fresh test databases (tests/support/db_templates.py); dropped at the
    end of the test process."""
    yield db_templates.prepared
    db_templates.prepared.close()


@pytest.fixture(autouse=True)
def workstation_zone():
    """Times are shown in the city's zone once a console context has read the reference data
    (`app.platform.times`, process-wide); each test starts with none set."""
    from app.platform import times

    times.set_city_zone(None)
    yield
    times.set_city_zone(None)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """argon2 at production cost takes ~0.3 s per hash on a small machine (seconds when the tests share it);
    tests need correctness only. Applies to every server a test runs in its own process."""
    from argon2 import PasswordHasher

    import server.platform.auth

    monkeypatch.setattr(server.platform.auth, "password_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setattr(server.platform.auth, "_DUMMY_HASH", None)


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for one test (SQLAlchemy URL); dropped afterwards."""
    import psycopg

    try:
        url = db_templates.prepared.create_pg()
    except psycopg.OperationalError as exc:  # pragma: no cover - the environment's fault, said loudly
        pytest.fail(f"PostgreSQL is required for this test and is unreachable at {PG_ADMIN_URL}: {exc}",
                    pytrace=False)
    yield url
    db_templates.prepared.drop_pg(url)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'server.sqlite'}"


@pytest.fixture(params=["sqlite", "postgres"])
def server_db_url(request, tmp_path):
    """Run a server test once on an embedded SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def refdata():
    from app.refdata.loading import load_demo_refdata

    return load_demo_refdata()


@pytest.fixture
def now():
    return datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai
