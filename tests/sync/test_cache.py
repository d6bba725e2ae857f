"""LocalCache: optimistic issue, rebasing on server changes, answers and conflicts, crash windows."""
from __future__ import annotations

import uuid
from datetime import timedelta, timezone

import pytest

from app.cache import LocalCache
from app.cases import workflow
from app.cases.commands import CommandResult
from app.cases.workflow import Actor, WorkflowError
from app.platform.enums import Action, Role, Status
from app.wire.feed import Change
from tests.support.sync_helpers import (
    LEAD,
    OPERATOR,
    OPERATOR2,
    create_payload,
    dispatch_unit,
)


def _record(cache: LocalCache) -> list:
    seen: list = []
    for name in ("cases_changed", "outbox_changed", "conflicts_changed", "settings_changed"):
        getattr(cache.events, name).connect(lambda *args, _n=name: seen.append((_n, *args)))
    return seen


def _server_case(refdata, now, *, registered: bool = True, n: int = 0):
    """A case as the server would hold it, built with the same workflow."""
    create = workflow.new_command(uuid.uuid4(), Action.CREATE, create_payload(refdata, n), now)
    case = workflow.apply(None, create, OPERATOR2, refdata, now)
    if registered:
        register = workflow.new_command(case.id, Action.REGISTER, {}, now)
        case = workflow.apply(case, register, LEAD, refdata, now)
    return case


def _feed(*cases, start: int = 1) -> list[Change]:
    return [Change(position=start + i, kind="case", id=str(c.id), data=c.model_dump(mode="json"))
            for i, c in enumerate(cases)]


def test_issue_queues_durably_and_shows_pending(cache, refdata, now):
    seen = _record(cache)
    command = cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata), now, offline=False)

    assert cache.outbox_size() == 1
    assert cache.pending_commands() == [command]
    shown = cache.case(command.case_id)
    assert shown.status == Status.REPORTED and shown.events[-1].command_id == command.command_id
    assert cache.server_case(command.case_id) is None
    [summary] = cache.summaries()
    assert summary.id == command.case_id and summary.pending and summary.server_version is None
    assert summary.status == Status.REPORTED and summary.due_at == shown.due_at
    names = [s[0] for s in seen]
    assert names == ["cases_changed", "outbox_changed"]
    assert seen[0][1].added == {command.case_id} and seen[1][1] == 1
    assert command.console_id == cache.console_id and not command.offline


def test_refused_command_writes_nothing(cache, refdata, now):
    created = cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata), now, offline=False)
    before = cache.case(created.case_id)
    with pytest.raises(WorkflowError) as refused:
        cache.issue(OPERATOR, Action.DISPATCH, created.case_id, {"unit_id": dispatch_unit(refdata)}, now,
                    offline=False)
    assert refused.value.code == "illegal_state"
    assert cache.outbox_size() == 1 and cache.case(created.case_id) == before


def test_issue_needs_reference_data(tmp_path, refdata, now):
    bare = LocalCache(tmp_path / "bare")
    with pytest.raises(WorkflowError, match="reference data"):
        bare.issue(OPERATOR, Action.CREATE, None, create_payload(refdata), now, offline=True)
    assert bare.outbox_size() == 0
    bare.close()


def test_offline_create_gets_provisional_numbers(cache, refdata, now):
    first = cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata, 1), now, offline=True)
    second = cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata, 2), now, offline=True)
    short = cache.console_id[:6].upper()
    assert first.payload["provisional_number"] == f"P-{short}-1"
    assert second.payload["provisional_number"] == f"P-{short}-2"
    assert first.offline and second.offline
    assert cache.case(first.case_id).display_number == f"P·{short}-1 (offline)"  # not like a case number
    with pytest.raises(WorkflowError):  # a refused create uses no number
        cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata, 3, category="nope"), now, offline=True)
    third = cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata, 4), now, offline=True)
    assert third.payload["provisional_number"] == f"P-{short}-3"


def test_apply_changes_rebases_pending_commands(cache, refdata, now):
    server = _server_case(refdata, now)
    cache.apply_changes(_feed(server), cursor=1)
    assert cache.case(server.id) == server and cache.cursor() == 1

    unit = dispatch_unit(refdata)
    mine = cache.issue(OPERATOR, Action.DISPATCH, server.id, {"unit_id": unit}, now, offline=False)
    # Meanwhile someone else adds a note on the server.
    note = workflow.new_command(server.id, Action.NOTE, {"text": "citizen called again"}, now)
    newer = workflow.apply(server, note, OPERATOR2, refdata, now + timedelta(minutes=1))
    seen = _record(cache)
    change_set = cache.apply_changes(_feed(newer, start=2), cursor=2)

    assert change_set.updated == {server.id} and not change_set.added
    assert cache.server_case(server.id) == newer
    shown = cache.case(server.id)
    assert shown.status == Status.DISPATCHED and shown.unit_id == unit
    assert [e.action for e in shown.events][-2:] == [Action.NOTE, Action.DISPATCH]
    assert cache.summaries()[0].pending and cache.pending_commands(server.id) == [mine]
    assert seen == [("cases_changed", change_set)]


def test_pending_command_that_no_longer_applies_stays_queued(cache, refdata, now):
    server = _server_case(refdata, now)
    cache.apply_changes(_feed(server), cursor=1)
    mine = cache.issue(OPERATOR, Action.DISPATCH, server.id, {"unit_id": dispatch_unit(refdata)}, now,
                       offline=False)
    void = workflow.new_command(server.id, Action.VOID, {"reason": "duplicate"}, now)
    voided = workflow.apply(server, void, LEAD, refdata, now)
    cache.apply_changes(_feed(voided, start=2), cursor=2)

    assert cache.case(server.id).status == Status.VOIDED  # the server's truth is shown
    assert cache.pending_commands() == [mine]             # but the server decides about mine
    assert cache.summaries()[0].pending


def test_command_already_applied_by_server_is_not_shown_twice(cache, refdata, now):
    server = _server_case(refdata, now)
    cache.apply_changes(_feed(server), cursor=1)
    mine = cache.issue(OPERATOR, Action.NOTE, server.id, {"text": "once"}, now, offline=False)
    # The feed brings the server's state including my note before the push answer arrives.
    with_note = workflow.apply(server, mine, OPERATOR, refdata, now + timedelta(seconds=2))
    cache.apply_changes(_feed(with_note, start=2), cursor=2)
    notes = [e for e in cache.case(server.id).events if e.action == Action.NOTE]
    assert len(notes) == 1


def test_older_snapshot_from_the_feed_is_ignored(cache, refdata, now):
    server = _server_case(refdata, now)
    note = workflow.new_command(server.id, Action.NOTE, {"text": "x"}, now)
    newer = workflow.apply(server, note, OPERATOR2, refdata, now)
    cache.apply_changes(_feed(newer), cursor=5)
    change_set = cache.apply_changes(_feed(server, start=3), cursor=6)
    assert not change_set and cache.case(server.id) == newer and cache.cursor() == 6


def test_accepted_result_replaces_pending_with_server_state(cache, refdata, now):
    command = cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata), now, offline=False)
    accepted = workflow.apply(None, command, OPERATOR, refdata, now + timedelta(seconds=3))
    accepted = accepted.model_copy(update={"number": "2026-000001"})
    seen = _record(cache)
    result = CommandResult(command_id=command.command_id, case_id=command.case_id, status="accepted",
                           version=accepted.version, position=1, case=accepted)
    change_set = cache.apply_results([result])

    assert change_set.updated == {command.case_id}
    assert cache.outbox_size() == 0 and cache.case(command.case_id) == accepted
    assert cache.server_case(command.case_id) == accepted
    [summary] = cache.summaries()
    assert not summary.pending and summary.number == "2026-000001" and summary.server_version == 1
    assert [s[0] for s in seen] == ["cases_changed", "outbox_changed"]


def test_rejected_result_becomes_a_conflict_once(cache, refdata, now):
    server = _server_case(refdata, now)
    cache.apply_changes(_feed(server), cursor=1)
    mine = cache.issue(OPERATOR, Action.DISPATCH, server.id, {"unit_id": dispatch_unit(refdata)}, now,
                       offline=False)
    void = workflow.new_command(server.id, Action.VOID, {"reason": "duplicate"}, now)
    voided = workflow.apply(server, void, LEAD, refdata, now)
    rejected = CommandResult(command_id=mine.command_id, case_id=server.id, status="rejected",
                             reason="illegal_state", message="case is 'voided'", case=voided)
    seen = _record(cache)
    cache.apply_results([rejected])

    [conflict] = cache.conflicts()
    assert conflict.command == mine and conflict.reason == "illegal_state" and conflict.server_case == voided
    assert cache.conflict(conflict.id) == conflict and cache.conflict(conflict.id + 1) is None
    assert cache.outbox_size() == 0 and cache.case(server.id) == voided
    assert ("conflicts_changed", 1) in seen
    cache.apply_results([rejected])  # the same answer again (a resend after a crash) adds nothing
    assert len(cache.conflicts()) == 1


def test_refusal_without_the_servers_case_keeps_the_known_case_and_records_the_conflict(cache, refdata, now):
    """A server never sends a case the user may not read: a handler's note on a case reassigned away from
    its unit comes back `out_of_scope` with no case. The console keeps what it knew and lists the conflict
    without claiming the case is gone."""
    unit = dispatch_unit(refdata)
    handler = Actor("handler", Role.UNIT_HANDLER, unit)
    server = _server_case(refdata, now)
    dispatch = workflow.new_command(server.id, Action.DISPATCH, {"unit_id": unit}, now)
    server = workflow.apply(server, dispatch, LEAD, refdata, now)
    cache.apply_changes(_feed(server), cursor=1)
    mine = cache.issue(handler, Action.NOTE, server.id, {"text": "on our way"}, now, offline=True)
    seen = _record(cache)
    refused = CommandResult(command_id=mine.command_id, case_id=server.id, status="rejected", reason="out_of_scope",
                            message="unit_handler 'handler' may not 'note' this case", case=None)
    cache.apply_results([refused])

    [conflict] = cache.conflicts()
    assert (conflict.command, conflict.reason, conflict.server_case) == (mine, "out_of_scope", None)
    assert not conflict.server_has_no_case
    assert cache.outbox_size() == 0 and cache.case(server.id) == server  # the last known state, no pending note
    assert not cache.summaries()[0].pending
    assert ("conflicts_changed", 1) in seen
    assert cache.resolve_conflict(conflict.id, "discard", handler, now) is None
    assert cache.conflicts() == [] and cache.case(server.id) == server


def test_rejected_offline_create_disappears_then_reapply_or_discard(cache, refdata, now):
    command = cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata), now, offline=True)
    rejected = CommandResult(command_id=command.command_id, case_id=command.case_id, status="rejected",
                             reason="forbidden", message="no", case=None)
    change_set = cache.apply_results([rejected])
    assert change_set.removed == {command.case_id} and cache.case(command.case_id) is None

    [conflict] = cache.conflicts()
    assert conflict.server_case is None and conflict.server_has_no_case  # a refused creation: none exists
    again = cache.resolve_conflict(conflict.id, "reapply", OPERATOR, now + timedelta(minutes=5))
    assert again.command_id != command.command_id and again.action == Action.CREATE
    assert cache.conflicts() == [] and cache.case(command.case_id).status == Status.REPORTED
    assert cache.pending_commands() == [again]

    rejected_again = CommandResult(command_id=again.command_id, case_id=again.case_id, status="rejected",
                                   reason="forbidden", message="still no", case=None)
    cache.apply_results([rejected_again])
    [conflict] = cache.conflicts()
    assert cache.resolve_conflict(conflict.id, "discard", OPERATOR, now) is None
    assert cache.conflicts() == [] and cache.summaries() == [] and cache.outbox_size() == 0
    with pytest.raises(KeyError, match="no conflict"):
        cache.resolve_conflict(conflict.id, "discard", OPERATOR, now)


def test_reapply_that_is_still_refused_keeps_the_conflict(cache, refdata, now):
    server = _server_case(refdata, now)
    void = workflow.new_command(server.id, Action.VOID, {"reason": "duplicate"}, now)
    voided = workflow.apply(server, void, LEAD, refdata, now)
    cache.apply_changes(_feed(server), cursor=1)
    mine = cache.issue(OPERATOR, Action.DISPATCH, server.id, {"unit_id": dispatch_unit(refdata)}, now,
                       offline=False)
    cache.apply_results([CommandResult(command_id=mine.command_id, case_id=server.id, status="rejected",
                                       reason="illegal_state", message="voided", case=voided)])
    [conflict] = cache.conflicts()
    with pytest.raises(WorkflowError):
        cache.resolve_conflict(conflict.id, "reapply", OPERATOR, now)
    assert len(cache.conflicts()) == 1 and cache.outbox_size() == 0


def test_settings_from_the_feed(cache, now):
    seen = _record(cache)
    value = {"on": True, "reason": "typhoon", "by": "lead1", "at": now.isoformat()}
    cache.apply_changes([Change(position=1, kind="setting", id="emergency_mode",
                                data={"key": "emergency_mode", "value": value})], cursor=1)
    assert cache.setting("emergency_mode") == value and cache.settings() == {"emergency_mode": value}
    assert seen == [("settings_changed", "emergency_mode", value)]


def test_crash_between_outbox_and_display_is_repaired_at_open(tmp_path, refdata, now):
    directory = tmp_path / "console"
    first = LocalCache(directory)
    first.store_refdata(refdata.to_dict())
    command = workflow.new_command(uuid.uuid4(), Action.CREATE, create_payload(refdata), now,
                                   console_id=first.console_id)
    first._outbox.add(command, OPERATOR, now)  # committed; the display update never happened
    first.close()

    reopened = LocalCache(directory)
    assert reopened.case(command.case_id).status == Status.REPORTED
    assert reopened.summaries()[0].pending
    reopened.close()


def test_crash_between_cache_commit_and_outbox_delete_only_resends(tmp_path, refdata, now, monkeypatch):
    directory = tmp_path / "console"
    first = LocalCache(directory)
    first.store_refdata(refdata.to_dict())
    command = first.issue(OPERATOR, Action.CREATE, None, create_payload(refdata), now, offline=False)
    rejected = CommandResult(command_id=command.command_id, case_id=command.case_id, status="rejected",
                             reason="forbidden", message="no", case=None)

    def crash(_ids):
        raise SystemExit("killed")

    monkeypatch.setattr(first._outbox, "remove", crash)
    with pytest.raises(SystemExit):
        first.apply_results([rejected])
    first.close()

    reopened = LocalCache(directory)
    assert reopened.outbox_size() == 1          # still queued: it will be sent again
    reopened.apply_results([rejected])          # the server answers the resend with the stored result
    assert reopened.outbox_size() == 0 and len(reopened.conflicts()) == 1
    reopened.close()


def test_console_id_is_generated_once(tmp_path):
    first = LocalCache(tmp_path / "c")
    console_id = first.console_id
    first.close()
    again = LocalCache(tmp_path / "c")
    assert again.console_id == console_id and len(console_id) == 32 and not again.rebuilt
    again.close()


def test_feed_case_without_pending_commands_is_stored_once(cache, refdata, now):
    server = _server_case(refdata, now)
    change_set = cache.apply_changes(_feed(server), cursor=1)
    assert change_set.added == {server.id}
    with cache._engine.connect() as conn:
        raw = conn.connection.driver_connection
        server_data, due_at = raw.execute("SELECT server_data, due_at FROM cases").fetchone()
    assert server_data is None  # same as data
    assert cache.case(server.id) == server == cache.server_case(server.id)
    [summary] = cache.summaries()
    assert summary.due_at == server.due_at and summary.created_at == server.created_at
    assert summary.status == server.status and summary.priority == server.priority
    assert summary.lat == server.location.lat and summary.grid_code == server.location.grid_code
    assert summary.server_version == server.version and not summary.pending
    assert due_at == server.due_at.astimezone(timezone.utc).isoformat(timespec="microseconds")
    # A pending command on it then keeps both copies; the answer folds them into one again.
    mine = cache.issue(OPERATOR, Action.NOTE, server.id, {"text": "x"}, now, offline=False)
    assert cache.server_case(server.id) == server and cache.case(server.id) != server
    note = workflow.new_command(server.id, Action.NOTE, {"text": "y"}, now)
    newer = workflow.apply(server, note, OPERATOR2, refdata, now)
    assert cache.apply_changes(_feed(newer, start=2), cursor=2).updated == {server.id}
    assert cache.server_case(server.id) == newer and cache.case(server.id).events[-1].command_id == mine.command_id
    accepted = workflow.apply(newer, mine, OPERATOR, refdata, now)
    cache.apply_results([CommandResult(command_id=mine.command_id, case_id=server.id, status="accepted",
                                       version=accepted.version, position=3, case=accepted)])
    assert cache.case(server.id) == accepted == cache.server_case(server.id)


def test_feed_times_in_any_zone_are_stored_as_fixed_width_utc(cache, refdata, now):
    """The fast path for pydantic's `…Z` form and the general path for other zones store the same text."""
    from datetime import datetime

    from app.cache.case_rows import feed_row, stored_time

    case = _server_case(refdata, now)
    data = case.model_dump(mode="json")
    assert data["created_at"].endswith("Z")
    utc = datetime(2026, 11, 30, 1, 2, 3, 456789, tzinfo=timezone.utc)
    forms = {"created_at": "2026-11-30T01:02:03.456789Z", "updated_at": "2026-11-30T09:02:03.456789+08:00",
             "due_at": "2026-11-30T01:02:03Z"}
    # Same length as the fast path's form, but not it: the general path makes them canonical.
    for odd in ("2026-11-30 01:02:03.456789Z", "2026-11-30T01:02:03,456789Z"):
        assert feed_row({**data, "created_at": odd})[2][11] == stored_time(utc)
    _, _, row = feed_row({**data, **forms})
    assert row[11] == row[12] == stored_time(utc)
    assert row[13] == stored_time(utc.replace(microsecond=0)) == "2026-11-30T01:02:03.000000+00:00"


def test_feed_snapshot_json_that_orjson_cannot_write_is_still_stored(cache, refdata, now):
    """Integers beyond 64 bits (which orjson, say, would refuse) are stored exactly."""
    case = _server_case(refdata, now)
    page = _feed(case)
    page[0].data["events"][0]["payload"]["huge"] = 2 ** 70
    cache.apply_changes(page, cursor=1)
    with cache._engine.connect() as conn:
        [(data,)] = conn.connection.driver_connection.execute("SELECT data FROM cases").fetchall()
    assert '"huge":1180591620717411303424' in data


@pytest.mark.parametrize("breakage", [
    lambda d: d.pop("status"),
    lambda d: d.update(status="nonsense"),
    lambda d: d.update(id="not-a-uuid"),
    lambda d: d.update(created_at=12),
    lambda d: d.update(due_at="2026-01-01T00:00:00"),  # no zone
    lambda d: d["location"].update(lat="north"),
    lambda d: d.update(escalation_level=True),
    lambda d: d.update(surprise=1),
])
def test_malformed_feed_page_changes_nothing(cache, refdata, now, breakage):
    first = _server_case(refdata, now, n=1)
    cache.apply_changes(_feed(first), cursor=1)
    good, bad = _server_case(refdata, now, n=2), _server_case(refdata, now, n=3)
    page = _feed(good, bad, start=2)
    breakage(page[1].data)
    seen = _record(cache)
    with pytest.raises(ValueError, match="malformed case in feed entry 3"):
        cache.apply_changes(page, cursor=3)
    assert cache.cursor() == 1 and cache.case_count() == 1 and cache.case(good.id) is None and not seen


def test_other_feed_kinds_are_stored_generically_newest_position_wins(tmp_path):
    cache = LocalCache(tmp_path / "c")
    seen: list = []
    cache.events.entities_changed.connect(lambda kind, ids: seen.append((kind, ids)))
    cache.apply_changes([Change(position=3, kind="alarm", id="a1", data={"id": "a1", "state": "raised"}),
                         Change(position=4, kind="sensor", id="wl-001", data={"level": "alarm"}),
                         Change(position=5, kind="alarm", id="a2", data={"id": "a2", "state": "raised"})], cursor=5)
    assert cache.entities("alarm") == {"a1": {"id": "a1", "state": "raised"}, "a2": {"id": "a2", "state": "raised"}}
    assert cache.entity("sensor", "wl-001") == {"level": "alarm"}
    assert cache.entity("sensor", "nope") is None and cache.entities("shift") == {}
    assert sorted(seen) == [("alarm", frozenset({"a1", "a2"})), ("sensor", frozenset({"wl-001"}))]

    # A replayed older page never overwrites a newer state; a newer one does.
    cache.apply_changes([Change(position=2, kind="alarm", id="a1", data={"id": "a1", "state": "stale"})], cursor=6)
    assert cache.entity("alarm", "a1")["state"] == "raised"
    cache.apply_changes([Change(position=7, kind="alarm", id="a1", data={"id": "a1", "state": "cleared"})], cursor=7)
    assert cache.entity("alarm", "a1")["state"] == "cleared" and cache.cursor() == 7
    cache.close()
    reopened = LocalCache(tmp_path / "c")
    assert reopened.entities("alarm", ["a1"]) == {"a1": {"id": "a1", "state": "cleared"}}
    reopened.close()


def test_release_memory_closes_idle_connections_and_reads_go_on(cache, refdata, now):
    command = cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata), now, offline=False)
    assert cache.case(command.case_id) is not None  # a pooled connection now sits idle
    assert cache._engine.pool.checkedin() >= 1
    cache.release_memory()
    assert cache._engine.pool.checkedin() == 0
    assert cache.case(command.case_id).id == command.case_id and cache.outbox_size() == 1
