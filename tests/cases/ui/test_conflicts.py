"""The conflicts dock: refused commands with reason, message and the server's version of the case;
Re-apply and Discard."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.cases.commands import CommandResult
from app.cases.workflow import Actor, apply, new_command
from app.platform import labels
from app.platform.enums import Action, Role, Status
from tests.support.ui import OPERATOR
from ui.cases.conflicts_dock import ConflictsDock

OTHER_DESK = Actor("operator2", Role.OPERATOR)


def answer_from_server(cache, refdata, *, refuse: dict):
    """Play the server: accept the queued commands in order, except those whose action is in `refuse`
    (action -> reason); before refusing a dispatch, someone else dispatches the case to 'roads'."""
    now = datetime.now(timezone.utc)
    server: dict = {}
    results = []
    for queued in cache.outbox_batch(100):
        cmd = queued.command
        case = server.get(cmd.case_id)
        if cmd.action in refuse:
            if cmd.action == Action.DISPATCH:
                other = new_command(cmd.case_id, Action.DISPATCH, {"unit_id": "roads"}, now)
                case = server[cmd.case_id] = apply(case, other, OTHER_DESK, refdata, now)
            results.append(CommandResult(command_id=cmd.command_id, case_id=cmd.case_id, status="rejected",
                                         reason=refuse[cmd.action], message=f"refused {cmd.action} for the test",
                                         case=case))
            continue
        case = server[cmd.case_id] = apply(case, cmd, queued.actor, refdata, now)
        results.append(CommandResult(command_id=cmd.command_id, case_id=cmd.case_id, status="accepted",
                                     version=case.version, case=case))
    cache.apply_results(results)


@pytest.fixture
def conflicted(cases, demo_cache, refdata):
    """Two refused commands: a dispatch overtaken by another desk's dispatch, and a refused note."""
    dispatched = cases.make(Status.DISPATCHED)
    noted = cases.make(Status.REPORTED)
    cases.act(noted, Action.NOTE)
    answer_from_server(demo_cache, refdata, refuse={Action.DISPATCH: "illegal_state", Action.NOTE: "forbidden"})
    assert len(demo_cache.conflicts()) == 2
    return dispatched, noted


def make_dock(qtbot, ctx):
    dock = ConflictsDock(ctx)
    qtbot.addWidget(dock)
    return dock


def row_of(dock, action):
    for row in range(dock.model.rowCount()):
        if dock.model.conflict(row).command.action == action:
            return row
    raise AssertionError(f"no conflict for {action}")


def test_lists_refused_commands_with_the_servers_version(qtbot, make_ctx, conflicted, refdata):
    dock = make_dock(qtbot, make_ctx())
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    row = row_of(dock, Action.DISPATCH)
    cells = [dock.model.index(row, c).data() for c in range(dock.model.columnCount())]
    assert cells[1] == labels.action_label(Action.DISPATCH)
    assert cells[2] == "illegal_state" and cells[3] == "refused dispatch for the test"
    assert cells[4] == labels.status_label(Status.DISPATCHED)
    assert cells[5] == refdata.unit("roads").name_en and cells[6] == "3"
    dock.select_row(row)
    assert "operator2" in dock.details.toPlainText() and '"unit_id"' in dock.details.toPlainText()
    assert "2 command(s) refused" in dock.summary.text()


def test_discard_removes_the_conflict(qtbot, make_ctx, conflicted, demo_cache):
    dock = make_dock(qtbot, make_ctx())
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    removed = []
    dock.model.rowsRemoved.connect(lambda *_: removed.append(1))
    resets = []
    dock.model.modelReset.connect(lambda: resets.append(1))
    dock.select_row(row_of(dock, Action.DISPATCH))
    dock.discard_button.click()
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=5000)
    assert removed == [1] and resets == []
    assert [c.command.action for c in demo_cache.conflicts()] == [Action.NOTE]
    qtbot.waitUntil(lambda: dock.message.text() == "Discarded.", timeout=5000)


def test_reapply_queues_the_command_again(qtbot, make_ctx, conflicted, demo_cache):
    _dispatched, noted = conflicted
    dock = make_dock(qtbot, make_ctx())
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    dock.select_row(row_of(dock, Action.NOTE))
    dock.reapply_button.click()
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=5000)
    pending = demo_cache.pending_commands(noted)
    assert [c.action for c in pending] == [Action.NOTE]
    qtbot.waitUntil(lambda: "Re-applied" in dock.message.text(), timeout=5000)


def test_reapply_that_still_does_not_apply_says_why(qtbot, make_ctx, conflicted, demo_cache):
    dock = make_dock(qtbot, make_ctx(OPERATOR))
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    dock.select_row(row_of(dock, Action.DISPATCH))
    dock.reapply_button.click()  # the case is already dispatched on the server: still refused
    qtbot.waitUntil(lambda: "moved on" in dock.message.text(), timeout=5000)
    assert dock.model.rowCount() == 2 and len(demo_cache.conflicts()) == 2
    assert dock.reapply_button.isEnabled()


def test_new_conflicts_arrive_as_inserted_rows(qtbot, make_ctx, cases, demo_cache, refdata):
    dock = make_dock(qtbot, make_ctx())
    qtbot.wait(50)
    assert dock.model.rowCount() == 0 and dock.summary.text() == "No conflicts."
    case_id = cases.make(Status.REPORTED)
    cases.act(case_id, Action.NOTE)
    inserted = []
    dock.model.rowsInserted.connect(lambda *_: inserted.append(1))
    answer_from_server(demo_cache, refdata, refuse={Action.NOTE: "forbidden"})
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=5000)
    assert inserted == [1]
    assert dock.current() is not None  # the first conflict is selected
    assert not dock.discard_button.isHidden() and dock.discard_button.isEnabled()


def test_a_refusal_without_the_servers_case_does_not_claim_the_case_is_gone(qtbot, make_ctx, cases, demo_cache,
                                                                            refdata):
    """The server sends no case the user may not read (e.g. reassigned away from a handler's unit): the
    dock shows the refusal's message, not "no such case"."""
    case_id = cases.make(Status.REPORTED)
    answer_from_server(demo_cache, refdata, refuse={})  # the server has the case
    note = cases.act(case_id, Action.NOTE)
    demo_cache.apply_results([CommandResult(command_id=note.command_id, case_id=case_id, status="rejected",
                                            reason="out_of_scope", message="not in the scope of your unit",
                                            case=None)])
    dock = make_dock(qtbot, make_ctx())
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=5000)
    assert dock.model.index(0, 4).data() == ""
    dock.select_row(0)
    details = dock.details.toPlainText()
    assert "not in the scope of your unit" in details and "no such case" not in details
