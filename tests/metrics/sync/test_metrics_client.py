"""`ServerClient.metrics` against a real server over HTTP: the report parses into `app.metrics.figures.Report`,
other roles and bad input arrive as ServerRefused with the server's error code."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from app.metrics import figures as m
from app.sync.client import ServerClient, ServerRefused
from tests.support.sync_helpers import PASSWORDS


def client_for(live_server, username: str) -> ServerClient:
    client = ServerClient(live_server.url)
    client.login(username, PASSWORDS[username])
    return client


def test_a_lead_gets_the_report(live_server):
    client = client_for(live_server, "lead1")
    today = datetime.now(timezone.utc).astimezone(live_server.refdata.policy.calendar.tz).date()
    try:
        rep = client.metrics(today.replace(day=1), today, "roads", rollup=True)
    finally:
        client.close()
    assert isinstance(rep, m.Report) and rep.source == "server"
    assert rep.unit_id == "roads" and rep.rollup
    assert [f.key for f in rep.figures] == [d.key for d in m.FIGURES]
    assert rep.figure("closure_rate").value is None  # nothing registered: n/a, not 0 %
    assert {r.unit_id for r in rep.ranking} == set(live_server.refdata.descendants("roads"))


def test_an_operator_is_refused(live_server):
    client = client_for(live_server, "operator1")
    try:
        with pytest.raises(ServerRefused) as err:
            client.metrics(date(2026, 11, 1), date(2026, 11, 30))
    finally:
        client.close()
    assert err.value.status == 403 and err.value.error == "forbidden"


def test_bad_input_is_refused_with_the_reason(live_server):
    client = client_for(live_server, "lead1")
    try:
        with pytest.raises(ServerRefused) as err:
            client.metrics(date(2026, 11, 30), date(2026, 11, 1))
        assert err.value.status == 400 and err.value.error == "bad_period" and "before start" in err.value.message
        with pytest.raises(ServerRefused) as err:
            client.metrics(date(2026, 11, 1), date(2026, 11, 30), "nowhere")
        assert err.value.error == "unknown_unit"
    finally:
        client.close()
