"""LocalCache.case_texts (SQL JSON functions) answers exactly what the Python fallback computes."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from app.cases.saved_views import involves
from app.cases.search import case_text
from app.cases.workflow import Actor
from app.platform.enums import Action, Role, Status
from tests.support.sync_helpers import create_payload


def test_case_texts_match_the_full_cases(cache, refdata):
    now = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
    alice, bob = Actor("alice", Role.OPERATOR), Actor("bob", Role.OPERATOR)
    ids = []
    for n in range(6):
        payload = create_payload(refdata, n) | {"reporter_name": f"王先生{n}", "description": f"井盖 {n}"}
        cmd = cache.issue(alice if n % 2 else bob, Action.CREATE, None, payload, now, offline=True)
        ids.append(cmd.case_id)
    cache.issue(alice, Action.REGISTER, ids[0], {}, now, offline=True)  # bob's case, alice acted on it
    texts, mine, co_units = cache.case_texts(ids + [uuid.uuid4()], "alice")
    for case_id in ids:
        case = cache.case(case_id)
        assert texts[case_id] == case_text(case)
        assert (case_id in mine) == involves(case, "alice")
    assert ids[0] in mine and ids[2] not in mine and len(texts) == 6
    assert co_units == {}  # no joint case among them


def test_case_texts_name_a_joint_cases_co_units_with_their_states(cache, refdata):
    from tests.support.ui import CaseMaker, handler_for

    maker = CaseMaker(cache, refdata)
    joint, alone = maker.make(Status.DISPATCHED), maker.make(Status.DISPATCHED)
    now = datetime.now(timezone.utc)
    desk = Actor("alice", Role.OPERATOR)
    cache.issue(desk, Action.ADD_CO_UNIT, joint, {"unit_id": "roads"}, now, offline=True)
    cache.issue(desk, Action.ADD_CO_UNIT, joint, {"unit_id": "greenery"}, now, offline=True)
    cache.issue(handler_for("greenery"), Action.CO_ACCEPT, joint, {}, now, offline=True)
    co_units = cache.case_texts([joint, alone], "alice").co_units
    assert co_units == {joint: (("roads", "dispatched"), ("greenery", "in_progress"))}
