"""`POST /api/commands?cases=newest` (`app.wire.cases.newest_cases_only`): each case's snapshot only in the last
answer of the batch carrying it, refusals with theirs; the stored answers (and a retry without the option)
unchanged; a value it does not know is a 422 naming it."""
from __future__ import annotations

import pytest

from tests.cases.server.test_group_commit import _batch


@pytest.fixture
def pg(make_harness, pg_url):
    return make_harness(pg_url, commit_group=8)


def _post(h, username: str, commands: list[dict], query: str = "") -> list[dict]:
    r = h.client.post("/api/commands" + query, json={"commands": commands}, headers=h.login(username))
    assert r.status_code == 200, r.text
    return r.json()["results"]


@pytest.mark.parametrize("group", [8, 1])
def test_newest_leaves_out_the_snapshots_a_later_answer_supersedes(make_harness, pg_url, group):
    h = make_harness(pg_url, commit_group=group)
    ids, commands = _batch(h, 3)  # per case: create, register, note, a refused close, dispatch
    newest = _post(h, "operator1", commands, "?cases=newest")
    full = _post(h, "operator1", commands)  # a retry without the option: every stored snapshot
    assert [r["command_id"] for r in newest] == [c["command_id"] for c in commands]
    for command, short, whole in zip(commands, newest, full):
        assert whole["case"] is not None
        if command["action"] in ("close", "dispatch"):  # a refusal keeps its case; the dispatch is the newest
            assert short == whole
        else:
            assert short == {**whole, "case": None}
    again = _post(h, "operator1", commands, "?cases=newest")
    assert again == newest  # a retry with the option: the same answer


def test_an_unknown_value_is_refused_naming_it(pg):
    case_id = pg.new_case()["id"]
    r = pg.client.post("/api/commands?cases=latest", json={"commands": [pg.command("note", case_id, {"text": "x"})]},
                       headers=pg.login("operator1"))
    assert r.status_code == 422, r.text
    assert "cases" in r.text
