"""LocalCache.case_texts (SQL JSON functions) answers exactly what the Python fallback computes."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from app.cases.saved_views import involves
from app.cases.search import case_text
from app.cases.workflow import Actor
from app.platform.enums import Action, Role
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
    texts, mine = cache.case_texts(ids + [uuid.uuid4()], "alice")
    for case_id in ids:
        case = cache.case(case_id)
        assert texts[case_id] == case_text(case)
        assert (case_id in mine) == involves(case, "alice")
    assert ids[0] in mine and ids[2] not in mine and len(texts) == 6
