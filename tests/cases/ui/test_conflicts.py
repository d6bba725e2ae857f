"""The conflicts dock and banner: refused commands in plain words, the remedies that can still succeed
(driven by the mouse), settled refusals listed but not counted, and a real offline → online refusal
from a live server raising the banner."""
from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from app.cases.commands import CommandResult
from app.cases.refusals import Remedy
from app.cases.workflow import Actor, apply, new_command
from app.platform import times
from app.platform.enums import Action, Role, Status
from tests.support.consoles import online_console
from tests.support.sync_helpers import create_payload
from ui.cases.conflict_banner import ConflictBanner
from ui.cases.conflicts_dock import ConflictsDock

OTHER_DESK = Actor("operator2", Role.OPERATOR)
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")  # shown offscreen


@pytest.fixture(autouse=True)
def city_time():
    times.set_city_zone(ZoneInfo("Asia/Shanghai"))
    yield
    times.set_city_zone(None)


def answer_from_server(cache, refdata, *, refuse: dict, other_unit: str = "roads"):
    """Play the server: accept the queued commands in order, except those whose action is in `refuse`
    (action -> reason); before refusing a dispatch, operator2 dispatches the case to `other_unit`."""
    now = datetime.now(UTC)
    server: dict = {}
    results = []
    for queued in cache.outbox_batch(100):
        cmd = queued.command
        case = server.get(cmd.case_id)
        if cmd.action in refuse:
            if cmd.action == Action.DISPATCH:
                other = new_command(cmd.case_id, Action.DISPATCH, {"unit_id": other_unit}, now)
                case = server[cmd.case_id] = apply(case, other, OTHER_DESK, refdata, now + timedelta(seconds=1))
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
    """Two refused commands: a dispatch (to drainage) overtaken by operator2's dispatch to roads, and a
    refused note."""
    dispatched = cases.create()
    cases.act(dispatched, Action.REGISTER)
    cases.act(dispatched, Action.DISPATCH, {"unit_id": "drainage"})
    noted = cases.make(Status.REPORTED)
    cases.act(noted, Action.NOTE)
    answer_from_server(demo_cache, refdata, refuse={Action.DISPATCH: "illegal_state", Action.NOTE: "forbidden"})
    assert len(demo_cache.conflicts()) == 2
    return dispatched, noted


def make_dock(qtbot, ctx):
    dock = ConflictsDock(ctx)
    qtbot.addWidget(dock)
    dock.resize(1100, 500)
    return dock


def row_of(dock, action):
    for row in range(dock.model.rowCount()):
        if dock.model.conflict(row).command.action == action:
            return row
    raise AssertionError(f"no conflict for {action}")


def click_row(qtbot, dock, row):
    rect = dock.table.visualRect(dock.model.index(row, 2))
    qtbot.mouseClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_an_overtaken_dispatch_reads_as_a_sentence_and_offers_reassign_not_reapply(qtbot, make_ctx, conflicted):
    dock = make_dock(qtbot, make_ctx())
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    row = row_of(dock, Action.DISPATCH)
    click_row(qtbot, dock, row)
    said = dock.model.index(row, 2).data()
    assert said.startswith("李强 dispatched ") and " to District Municipal Roads Management Centre at " in said
    assert said.endswith("before your command arrived; your dispatch to District Drainage Management Centre "
                         "was not applied.")
    assert "illegal_state" not in said and "{" not in said
    assert dock.offered() == [Remedy.REASSIGN, Remedy.NOTE, Remedy.OPEN, Remedy.DISCARD]
    assert dock.buttons[Remedy.REASSIGN].text() == "Reassign to District Drainage Management Centre"
    details = dock.details.toPlainText()
    assert "Why: The case had moved on" in details and "Unit: District Drainage Management Centre" in details
    assert "2 command(s) refused" in dock.summary.text()


def test_reassign_queues_the_unit_that_was_wanted_and_clears_the_conflict(qtbot, make_ctx, conflicted, demo_cache):
    dispatched, _noted = conflicted
    dock = make_dock(qtbot, make_ctx())
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    click_row(qtbot, dock, row_of(dock, Action.DISPATCH))
    qtbot.mouseClick(dock.buttons[Remedy.REASSIGN], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=5000)
    pending = demo_cache.pending_commands(dispatched)
    assert [(c.action, c.payload["unit_id"]) for c in pending] == [(Action.REASSIGN, "drainage")]
    assert demo_cache.case(dispatched).unit_id == "drainage"
    qtbot.waitUntil(lambda: "Reassigned to District Drainage" in dock.message.text(), timeout=5000)


def test_add_a_note_says_what_was_wanted(qtbot, make_ctx, conflicted, demo_cache):
    dispatched, _noted = conflicted
    dock = make_dock(qtbot, make_ctx())
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    click_row(qtbot, dock, row_of(dock, Action.DISPATCH))
    c = dock.current()
    suggestion = dock.note_suggestion(c)
    assert suggestion.startswith("Wanted to Dispatch to District Drainage Management Centre (")
    dock.ask_note(c, suggestion)
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=5000)
    assert [x.action for x in demo_cache.pending_commands(dispatched)] == [Action.NOTE]


def test_open_the_case_selects_it(qtbot, make_ctx, conflicted):
    dispatched, _ = conflicted
    ctx = make_ctx()
    dock = make_dock(qtbot, ctx)
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    click_row(qtbot, dock, row_of(dock, Action.DISPATCH))
    qtbot.mouseClick(dock.buttons[Remedy.OPEN], Qt.MouseButton.LeftButton)
    assert ctx.selected_case == dispatched


def test_dismiss_removes_the_conflict(qtbot, make_ctx, conflicted, demo_cache):
    dock = make_dock(qtbot, make_ctx())
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    click_row(qtbot, dock, row_of(dock, Action.DISPATCH))
    qtbot.mouseClick(dock.discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=5000)
    assert [c.command.action for c in demo_cache.conflicts()] == [Action.NOTE]
    qtbot.waitUntil(lambda: dock.message.text() == "Dismissed.", timeout=5000)


def test_apply_again_is_offered_only_when_the_rules_now_allow_it(qtbot, make_ctx, conflicted, demo_cache):
    _dispatched, noted = conflicted
    dock = make_dock(qtbot, make_ctx())
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    click_row(qtbot, dock, row_of(dock, Action.NOTE))  # refused `forbidden`, but a note is allowed now
    assert Remedy.REAPPLY in dock.offered()
    qtbot.mouseClick(dock.reapply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=5000)
    assert [c.action for c in demo_cache.pending_commands(noted)] == [Action.NOTE]


def test_a_refusal_whose_outcome_holds_is_settled_listed_and_not_counted(qtbot, make_ctx, cases, demo_cache,
                                                                           refdata):
    case_id = cases.create()
    cases.act(case_id, Action.REGISTER)
    cases.act(case_id, Action.DISPATCH, {"unit_id": "roads"})
    ctx = make_ctx()
    banner = ConflictBanner(ctx, sound=False)
    qtbot.addWidget(banner)
    qtbot.wait(100)
    answer_from_server(demo_cache, refdata, refuse={Action.DISPATCH: "illegal_state"}, other_unit="roads")
    assert demo_cache.conflict_count() == 0 and len(demo_cache.conflicts()) == 1
    dock = make_dock(qtbot, ctx)
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=5000)
    assert dock.model.index(0, 1).data() == "Dispatch (settled)"
    assert dock.model.index(0, 2).data().startswith("Already done: 李强 dispatched")
    assert "No conflicts." in dock.summary.text() and "1 refusal(s) settled" in dock.summary.text()
    qtbot.wait(200)
    assert banner.isHidden() and banner.alerts == 0


def test_a_refusal_without_the_servers_case_says_it_left_the_scope(qtbot, make_ctx, cases, demo_cache, refdata):
    case_id = cases.make(Status.REPORTED)
    answer_from_server(demo_cache, refdata, refuse={})
    note = cases.act(case_id, Action.NOTE)
    demo_cache.apply_results([CommandResult(command_id=note.command_id, case_id=case_id, status="rejected",
                                            reason="out_of_scope", message="not in the scope of your unit",
                                            case=None)])
    dock = make_dock(qtbot, make_ctx())
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=5000)
    dock.select_row(0)
    assert "no longer in your unit's scope" in dock.model.index(0, 2).data()
    assert dock.offered() == [Remedy.DISCARD]


def test_the_banner_announces_a_new_refusal_and_opens_its_case(qtbot, make_ctx, conflicted, cases, demo_cache,
                                                               refdata):
    ctx = make_ctx()
    banner = ConflictBanner(ctx, sound=False)
    qtbot.addWidget(banner)
    qtbot.waitUntil(lambda: not banner.isHidden(), timeout=5000)  # the two waiting at start: a count
    assert "2 command(s) refused by the server are waiting" in banner.label.text() and banner.open_button.isHidden()
    banner.hide()
    case_id = cases.create()
    cases.act(case_id, Action.REGISTER)
    cases.act(case_id, Action.DISPATCH, {"unit_id": "drainage"})
    answer_from_server(demo_cache, refdata, refuse={Action.DISPATCH: "illegal_state"})
    qtbot.waitUntil(lambda: not banner.isHidden() and banner.latest is not None, timeout=5000)
    assert banner.alerts == 2
    assert "李强 dispatched" in banner.label.text() and "(3 conflict(s) waiting)" in banner.label.text()
    qtbot.mouseClick(banner.open_button, Qt.MouseButton.LeftButton)
    assert ctx.selected_case == case_id and banner.isHidden()


def test_a_real_offline_dispatch_refused_after_reconnecting(qtbot, make_ctx, tmp_path, live_server, refdata):
    """operator1 dispatches offline; meanwhile operator2 dispatches the same case to another unit on the
    server; when operator1's console reconnects the server refuses, and the banner says so in words."""
    mine = online_console(tmp_path / "a", live_server.url, "operator1")
    theirs = online_console(tmp_path / "b", live_server.url, "operator2")
    now = datetime.now(UTC)

    async def until(predicate, what):
        deadline = time.monotonic() + 15
        while not predicate():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            await asyncio.sleep(0.05)

    async def prepare():
        mine.engine.start()
        theirs.engine.start()
        await until(lambda: mine.cache.refdata() and theirs.cache.refdata(), "reference data")
        created = mine.cache.issue(mine.actor, Action.CREATE, None, create_payload(refdata), now, offline=False)
        mine.cache.issue(mine.actor, Action.REGISTER, created.case_id, {}, now, offline=False)
        await until(lambda: theirs.cache.case(created.case_id) is not None
                    and theirs.cache.case(created.case_id).status == Status.REGISTERED, "the case on operator2's")
        await until(lambda: mine.cache.outbox_size() == 0, "operator1's outbox sent")
        await mine.engine.stop()  # operator1's network goes away
        theirs.cache.issue(theirs.actor, Action.DISPATCH, created.case_id, {"unit_id": "roads"},
                           datetime.now(UTC), offline=False)
        await until(lambda: theirs.cache.outbox_size() == 0, "operator2's dispatch accepted")
        await theirs.engine.stop()
        return created.case_id

    case_id = asyncio.run(prepare())
    ctx = make_ctx(Actor("operator1", Role.OPERATOR), cache=mine.cache)
    banner = ConflictBanner(ctx, sound=False)
    qtbot.addWidget(banner)
    qtbot.wait(100)
    mine.cache.issue(mine.actor, Action.DISPATCH, case_id, {"unit_id": "drainage"}, datetime.now(UTC),
                     offline=True)

    async def reconnect():
        mine.engine.start()
        await until(lambda: mine.cache.outbox_size() == 0, "operator1's outbox answered")
        await mine.engine.stop()

    asyncio.run(reconnect())
    qtbot.waitUntil(lambda: banner.latest is not None, timeout=5000)
    text = banner.label.text()
    assert "李强 dispatched " in text and "to District Municipal Roads Management Centre at" in text
    assert "while you were offline; your dispatch to District Drainage Management Centre was not applied." in text
    assert mine.cache.conflict_count() == 1 and banner.alerts == 1
    mine.close()
    theirs.close()


@pytest.fixture
def chinese():
    from ui.shell import i18n

    assert i18n.install_language("zh_CN")
    yield
    i18n.install_language("en")


def test_the_conflict_reads_in_chinese(qtbot, make_ctx, conflicted, chinese):
    dock = make_dock(qtbot, make_ctx())
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    row = row_of(dock, Action.DISPATCH)
    click_row(qtbot, dock, row)
    said = dock.model.index(row, 2).data()
    assert said.startswith("在您的命令到达之前，李强 于 ") and "派遣给 区市政道路管理中心；您派给 区排水管理中心 的“派遣”未执行。" in said
    assert dock.buttons[Remedy.REASSIGN].text() == "改派给 区排水管理中心"
    assert "原因：案件状态已变化，此操作已不适用。" in dock.details.toPlainText()
    assert dock.summary.text().startswith("2 条命令被服务器拒绝")
