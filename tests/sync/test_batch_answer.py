"""A command batch's answer drops the case snapshots a later answer supersedes before it is validated
(`app.sync.batch_answer`); the cache still ends with each case's newest state and every refusal's case."""
from __future__ import annotations

import uuid

from app.sync.batch_answer import superseded_cases_dropped


def _result(status: str, case: dict | None, **extra) -> dict:
    return {"command_id": str(uuid.uuid4()), "case_id": case["id"] if case else None, "status": status,
            "case": case, **extra}


def test_only_each_cases_newest_snapshot_stays_on_accepted_answers():
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    results = [
        _result("accepted", {"id": a, "version": 1}),              # 0: superseded by 2
        _result("accepted", {"id": b, "version": 1}),              # 1: b's only one
        _result("accepted", {"id": a, "version": 2}),              # 2: superseded by 3 (same version, later)
        _result("rejected", {"id": a, "version": 2}, reason="wrong_state"),  # 3: a refusal keeps its case
        _result("accepted", None),                                  # 4: no case (not readable): left alone
    ]
    body = superseded_cases_dropped({"results": results, "server_time": "2026-12-07T08:00:00+00:00"})
    cases = [r["case"] for r in body["results"]]
    assert cases == [None, {"id": b, "version": 1}, None, {"id": a, "version": 2}, None]
    assert body["server_time"] == "2026-12-07T08:00:00+00:00"
    assert [r["status"] for r in body["results"]] == ["accepted", "accepted", "accepted", "rejected", "accepted"]


def test_the_newest_accepted_snapshot_stays_when_a_refusal_carries_an_older_one():
    a = str(uuid.uuid4())
    results = [_result("rejected", {"id": a, "version": 1}, reason="wrong_state"),
               _result("accepted", {"id": a, "version": 2})]
    body = superseded_cases_dropped({"results": results})
    assert [r["case"] for r in body["results"]] == [{"id": a, "version": 1}, {"id": a, "version": 2}]


def test_an_answer_of_unexpected_shape_is_left_for_validation():
    for body in (None, [], {"results": "x"}, {"results": [1, "x", None]},
                 {"results": [{"case": {"id": "a", "version": "1"}}, {"case": {"id": "a", "version": "2"}}]}):
        assert superseded_cases_dropped(body) == body


def test_a_drained_batch_leaves_each_case_newest_and_every_refusal_recorded(tmp_path, live_server, refdata, now):
    """Offline, notes and a registration on a case another console has registered meanwhile (refused):
    pushed in one batch, the answers a later one supersedes arrive without their snapshots, and the
    cache holds the server's case and the refusal with the case as the server had it."""
    import asyncio

    from app.platform.enums import Action, Status
    from tests.support.consoles import online_console
    from tests.support.sync_helpers import create_payload

    console = online_console(tmp_path / "a", live_server.url, "operator1")
    other = online_console(tmp_path / "b", live_server.url, "lead1")
    asyncio.run(console.engine.sync_once())
    case_id = console.cache.issue(console.actor, Action.CREATE, None, create_payload(refdata), now,
                                  offline=False).case_id
    asyncio.run(console.engine.sync_once())
    asyncio.run(other.engine.sync_once())
    other.cache.issue(other.actor, Action.REGISTER, case_id, {}, now, offline=False)
    asyncio.run(other.engine.sync_once())

    answers = []
    push = console.client.push
    console.client.push = lambda commands: answers.append(push(commands)) or answers[-1]
    for action, payload in ((Action.NOTE, {"text": "caller rang again"}), (Action.NOTE, {"text": "and again"}),
                            (Action.REGISTER, {}), (Action.NOTE, {"text": "crew informed"})):
        console.cache.issue(console.actor, action, case_id, payload, now, offline=True)
    asyncio.run(console.engine.sync_once())

    [answer] = answers
    assert [r.status for r in answer.results] == ["accepted", "accepted", "rejected", "accepted"]
    assert [r.case is None for r in answer.results] == [True, True, False, False]
    on_server = console.client.case(case_id)
    assert on_server.status == Status.REGISTERED and len(on_server.events) == 5
    assert console.cache.case(case_id) == on_server == console.cache.server_case(case_id)
    assert console.cache.outbox_size() == 0
    [conflict] = console.cache.conflicts()
    assert conflict.command.action == Action.REGISTER and conflict.server_case == answer.results[2].case
    assert conflict.server_case.version == on_server.version - 1  # as it stood before the last note
    for c in (console, other):
        c.engine.close()
        c.client.close()
        c.cache.close()
