"""Fixtures for the central server's tests: a database initialised with the demo city and its users, an
app on it with a controllable clock, and helpers to log in and send commands through the HTTP API."""
from __future__ import annotations

import tempfile
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.platform.feed_partition import Cursor
from server.admin.bootstrap import init_db
from server.app import create_app
from server.platform.settings import ServerSettings
from tests.support import db_templates

CATEGORY = "C0101"   # water supply manhole cover: the demo matrix routes it to unit `water_supply`
UNIT = "water_supply"
HANDLER = "handler_water_supply"
OTHER_HANDLER = "handler_roads"


class FakeClock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def password_of(username: str) -> str:
    return f"demo-{username}"  # the demo city's convention (resources/demo_city/users.json)


class Harness:
    """One app on one database, entered (lifespan running) for the duration of a test."""

    def __init__(self, url: str, refdata, clock: FakeClock, **settings: Any):
        self.url = url
        self.refdata = refdata
        self.clock = clock
        settings.setdefault("maintenance_interval_s", 0)
        settings.setdefault("api_docs", True)
        # most tests report many cases at one spot on purpose; the repeat check's own tests turn it on
        settings.setdefault("repeat_merge", False)
        # a test's persistent MQTT session need not outlive it on the machine's shared broker for a day
        settings.setdefault("mqtt_session_expiry_s", 120)  # tests read /openapi.json (a production server serves none)
        # photo files in the test's own folder, never in the working directory (a server's default for PostgreSQL)
        self._photos = None
        if "photo_storage" not in settings:
            self._photos = tempfile.TemporaryDirectory(prefix="onegrid-test-photos-")
            settings["photo_storage"] = self._photos.name
        self.app = create_app(ServerSettings(database_url=url, **settings), refdata=refdata, clock=clock)
        self.ctx = self.app.state.ctx
        self.client = TestClient(self.app)
        self._tokens: dict[str, str] = {}

    def __enter__(self) -> Harness:
        self.client.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.client.__exit__(*exc)
        if self._photos is not None:
            self._photos.cleanup()

    # ---- auth ----
    def login(self, username: str, console_id: str | None = None) -> dict[str, str]:
        """Headers with a token of `username` (logged in once per console id; None = a login without one)."""
        key = username if console_id is None else f"{username}@{console_id}"
        if key not in self._tokens:
            body = {"username": username, "password": password_of(username)}
            if console_id is not None:
                body["console_id"] = console_id
            r = self.client.post("/api/login", json=body)
            assert r.status_code == 200, r.text
            self._tokens[key] = r.json()["token"]
        return {"Authorization": f"Bearer {self._tokens[key]}"}

    def forget_logins(self) -> None:
        """Log in afresh on next use (e.g. after moving the clock past the tokens' expiry)."""
        self._tokens.clear()

    # ---- commands ----
    def command(self, action: str, case_id, payload: dict | None = None, *, command_id=None,
                issued_at: datetime | None = None, **extra) -> dict:
        return {"command_id": str(command_id or uuid.uuid4()), "case_id": str(case_id), "action": action,
                "payload": payload or {}, "issued_at": (issued_at or self.clock()).isoformat(), **extra}

    def create_payload(self, **overrides) -> dict:
        lat, lon = self.refdata.grids[0].centroid
        payload = {"source": "hotline", "category_code": CATEGORY, "description": "manhole cover missing",
                   "location": {"lat": lat, "lon": lon, "address": "Hubin Rd 1"}}
        payload.update(overrides)
        return payload

    def post(self, username: str, *commands: dict, expect: int = 200) -> list[dict]:
        r = self.client.post("/api/commands", json={"commands": list(commands)}, headers=self.login(username))
        assert r.status_code == expect, r.text
        return r.json()["results"] if expect == 200 else r.json()

    def do(self, username: str, action: str, case_id, payload: dict | None = None, **kw) -> dict:
        (result,) = self.post(username, self.command(action, case_id, payload, **kw))
        return result

    def new_case(self, username: str = "operator1", **payload_overrides) -> dict:
        result = self.do(username, "create", uuid.uuid4(), self.create_payload(**payload_overrides))
        assert result["status"] == "accepted", result
        return result["case"]

    def case_at(self, status: str) -> dict:
        """A new case walked through the lifecycle to `status` (one of the main path's statuses)."""
        steps = [("registered", "operator1", "register", {}),
                 ("dispatched", "operator1", "dispatch", {"unit_id": UNIT}),
                 ("in_progress", HANDLER, "accept", {}),
                 ("handled", HANDLER, "report_handled", {"note": "cover replaced"}),
                 ("verifying", "operator1", "send_verify", {"inspector": "inspector1"})]
        case = self.new_case()
        for reached, user, action, payload in steps:
            if case["status"] == status:
                break
            result = self.do(user, action, case["id"], payload)
            assert result["status"] == "accepted", result
            case = result["case"]
            assert case["status"] == reached
        assert case["status"] == status
        return case

    # ---- the feed ----
    def changes(self, username: str, after: Cursor | str | int = 0, **params) -> dict:
        """One feed page for `username`, read as the console reads it: with a partition cursor (`cursor=`).
        `after` is where the reader stands: a previous page's `cursors` (or a `Cursor`), or 0 (the start).
        A single position means nothing on a partitioned feed: `changes_after` sends one (`after=`)."""
        if isinstance(after, int):
            assert after == 0, "a partition cursor (a page's `cursors`) or 0; changes_after() sends one position"
            after = Cursor()
        wire = after.to_wire() if isinstance(after, Cursor) else after
        r = self.client.get("/api/changes", params={"cursor": wire, **params}, headers=self.login(username))
        assert r.status_code == 200, r.text
        return r.json()

    def changes_after(self, username: str, after: int = 0, **params) -> dict:
        """One feed page after a single position (`after=`): what a console older than partitions sends, read
        by a server with `feed_partitions` off (a partitioned one answers 409 where one number cannot say
        where the reader stands)."""
        r = self.client.get("/api/changes", params={"after": after, **params}, headers=self.login(username))
        assert r.status_code == 200, r.text
        return r.json()

    def read_feed(self, username: str, after: Cursor | str | int = 0, **params) -> tuple[list[dict], str]:
        """Every change after `after` (pages of `limit`, 1000 by default), as a console catching up reads
        them, and the cursor after the last page (its `cursors`, to read on from)."""
        params.setdefault("limit", 1000)
        seen: list[dict] = []
        while True:
            page = self.changes(username, after, **params)
            seen += page["changes"]
            after = page["cursors"]
            if not page["more"]:
                return seen, after


def prepare_database(url: str, refdata) -> None:
    """Schema, `refdata` and the demo users in the database at `url`: a fresh test database becomes a copy
    of one prepared once per test process (tests/support/db_templates.py), any other is prepared by init_db."""
    def build(target: str) -> None:
        init_db(target, refdata=refdata, demo_users=True)

    key = ("demo users", refdata.version, tuple((u.username, u.password) for u in refdata.users))
    if not db_templates.prepared.copy_into(url, key, build):
        build(url)


@pytest.fixture
def clock(now) -> FakeClock:
    return FakeClock(now)


@pytest.fixture
def make_harness(refdata, clock):
    """Build (and enter) harnesses on prepared databases; all are closed at the end of the test."""
    opened: list[Harness] = []

    def make(url: str, *, prepare: bool = True, **settings) -> Harness:
        if prepare:
            prepare_database(url, refdata)
        harness = Harness(url, refdata, clock, **settings).__enter__()
        opened.append(harness)
        return harness

    yield make
    for harness in reversed(opened):
        harness.__exit__(None, None, None)


@pytest.fixture
def srv(make_harness, server_db_url) -> Harness:
    """The server on SQLite and on PostgreSQL."""
    return make_harness(server_db_url)


@pytest.fixture
def lite(make_harness, sqlite_url) -> Harness:
    """The server on SQLite only, for behaviour that does not depend on the database."""
    return make_harness(sqlite_url)


@pytest.fixture
def pg(make_harness, pg_url) -> Harness:
    """The server on PostgreSQL only."""
    return make_harness(pg_url)


# The feed's one counter (`feed_partitions` off): a server upgraded but not partitioned, what an old console's
# single position (`after=`) reads. The tests of that design, and of the recent feed in memory over one
# position space (every position compared with the reference reader), run on it.
@pytest.fixture
def single_srv(make_harness, server_db_url) -> Harness:
    """A one-counter server on SQLite and on PostgreSQL."""
    return make_harness(server_db_url, feed_partitions=False)


@pytest.fixture
def single_lite(make_harness, sqlite_url) -> Harness:
    """A one-counter server on SQLite only."""
    return make_harness(sqlite_url, feed_partitions=False)
