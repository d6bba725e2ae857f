"""Fixtures shared by every test package.

PostgreSQL is not optional: server tests run against the real server at ONEGRID_TEST_PG_ADMIN_URL
(default: the machine's local cluster). When it cannot be reached the tests that need it *error* with
the reason, they are never skipped.
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

import pytest

PG_ADMIN_URL = os.environ.get("ONEGRID_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin_connect():
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # pragma: no cover - the environment's fault, said loudly
        pytest.fail(f"PostgreSQL is required for this test and is unreachable at {PG_ADMIN_URL}: {exc}",
                    pytrace=False)


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for one test (SQLAlchemy URL); dropped afterwards."""
    name = f"onegrid_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}/{name}"
    with _pg_admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
