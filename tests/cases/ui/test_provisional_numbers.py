"""Provisional numbers read as provisional (`P·5C9C2A-1 (offline)`) in the queue, the detail and the
map's numbers until the server numbers the case; the urgent-case banner does not announce the
operator's own new cases."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from app.cases.workflow import Actor, apply, new_command
from app.platform.enums import Role
from app.wire.feed import Change
from tests.support.sync_helpers import create_payload
from ui.cases.queue_dock import CaseQueueDock
from ui.cases.queue_model import Column

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
ELSEWHERE = Actor("operator2", Role.OPERATOR)
_position = [10_000]


def arrive_from_server(cache, refdata, *, priority="urgent", number=None):
    """A case another desk created, as the feed delivers it; its id."""
    now = datetime.now(timezone.utc)
    payload = {**create_payload(refdata), "priority": priority}
    case = apply(None, new_command(uuid.uuid4(), "create", payload, now), ELSEWHERE, refdata, now)
    _position[0] += 1
    case = case.model_copy(update={"number": number or f"2026-{_position[0]:06d}"})
    cache.apply_changes([Change(position=_position[0], kind="case", id=str(case.id),
                                data=case.model_dump(mode="json"))], _position[0])
    return case.id


def test_an_offline_case_number_reads_provisional_until_the_server_numbers_it(qtbot, make_ctx, demo_cache, refdata):
    now = datetime.now(timezone.utc)
    me = Actor("operator1", Role.OPERATOR)
    created = demo_cache.issue(me, "create", None, create_payload(refdata), now, offline=True)
    short = demo_cache.console_id[:6].upper()
    dock = CaseQueueDock(make_ctx(me, offline=True), sound=False)
    qtbot.addWidget(dock)
    qtbot.waitUntil(lambda: dock.model.rowCount() >= 1, timeout=5000)
    numbers = [dock.model.index(r, Column.NUMBER).data() for r in range(dock.model.rowCount())]
    assert f"P·{short}-1 (offline)" in numbers
    summary = demo_cache.summaries([created.case_id])[0]
    assert summary.display_number == f"P·{short}-1 (offline)"
    assert demo_cache.case(created.case_id).display_number == f"P·{short}-1 (offline)"
    cols = dock.model.cols
    assert f"P·{short}-1 (offline)".encode() in cols.display_numbers().tolist()
    numbered = demo_cache.case(created.case_id).model_copy(update={"number": "2026-000777", "version": 1})
    demo_cache.apply_changes([Change(position=1, kind="case", id=str(numbered.id),
                                     data=numbered.model_dump(mode="json"))], 1)
    assert demo_cache.summaries([created.case_id])[0].display_number == "2026-000777"


def test_my_own_new_urgent_case_is_not_announced(qtbot, make_ctx, cases, demo_cache, refdata):
    dock = CaseQueueDock(make_ctx(), sound=False)
    qtbot.addWidget(dock)
    qtbot.wait(100)
    announced = []
    dock.notifier.notified.connect(announced.append)
    cases.create(priority="urgent")  # mine, from the hotline form
    qtbot.wait(400)
    assert announced == [] and dock.banner.isHidden()
    theirs = arrive_from_server(demo_cache, refdata)
    qtbot.waitUntil(lambda: announced != [], timeout=3000)
    assert [s.id for s in announced[0]] == [theirs]
