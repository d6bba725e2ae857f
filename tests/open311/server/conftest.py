"""Open311 test helpers: a citizen app's key on a harness's database, and form posts."""
from __future__ import annotations

import pytest

from server.open311 import keys
from server.open311.api import Open311Service
from server.open311.settings import Open311Settings


def make_key(harness, app_name: str = "citizen-app") -> str:
    with harness.ctx.db.writer() as session, session.begin():
        return keys.create_key(session, app_name, harness.clock())


def revoke(harness, app_name: str = "citizen-app") -> bool:
    with harness.ctx.db.writer() as session, session.begin():
        return keys.revoke_key(session, app_name, harness.clock())


def set_limits(harness, **settings) -> None:
    harness.app.state.open311 = Open311Service(Open311Settings(**settings))


@pytest.fixture
def api_key(srv) -> str:
    return make_key(srv)


def report_fields(harness, key: str, **overrides) -> dict:
    lat, lon = harness.refdata.grids[0].centroid
    fields = {"api_key": key, "service_code": "C0101", "lat": f"{lat}", "long": f"{lon}",
              "address_string": "湖滨路 12 号", "description": "Manhole cover missing by the bus stop",
              "email": "li.na@example.com", "first_name": "Na", "last_name": "Li", "phone": "138 0013 8000",
              "device_id": "dev-1", "account_id": "acct-7"}
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}
