"""The global lookup beyond the cache, driven by the keyboard: online, a case this workstation's cache does
not hold is found on the server (its scope), listed "on the server", and Enter fetches it, keeps it in the
cache and opens it; offline the lookup says the search covered this workstation's cache only."""
from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from app.platform.enums import Action
from tests.support.consoles import online_console
from tests.support.sync_helpers import create_payload
from ui.cases.lookup import ON_SERVER, CaseLookup

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")  # offscreen


def _case_on_the_server(tmp_path, url: str, refdata, description: str):
    """operator2 reports a case from its own console; the returned id is on the server only."""
    theirs = online_console(tmp_path / "theirs", url, "operator2")

    async def send():
        theirs.engine.start()
        deadline = time.monotonic() + 15
        while not theirs.cache.refdata():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        created = theirs.cache.issue(theirs.actor, Action.CREATE, None,
                                     {**create_payload(refdata), "description": description}, datetime.now(UTC),
                                     offline=False)
        while theirs.cache.outbox_size():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        await theirs.engine.stop()
        return created.case_id

    try:
        return asyncio.run(send())
    finally:
        theirs.close()


def _lookup(qtbot, ctx) -> tuple[CaseLookup, QMainWindow]:
    """The lookup over a window (returned too: the lookup lives as long as its window)."""
    window = QMainWindow()
    qtbot.addWidget(window)
    lookup = CaseLookup(ctx, window)
    window.show()
    lookup.start()
    qtbot.waitExposed(lookup)
    return lookup, window


def test_online_a_case_not_in_the_cache_is_found_on_the_server_and_opened(qtbot, make_ctx, tmp_path,
                                                                          live_server, refdata):
    mine = online_console(tmp_path / "mine", live_server.url, "operator1")
    mine.cache.store_refdata(refdata.to_dict())
    case_id = _case_on_the_server(tmp_path, live_server.url, refdata, "倒伏的路牌 fallen street sign on Pier Rd")
    assert mine.cache.case(case_id) is None  # this console never synced it
    ctx = make_ctx(mine.actor, cache=mine.cache)
    ctx.engine = mine.engine
    lookup, _window = _lookup(qtbot, ctx)
    qtbot.keyClicks(lookup.field, "pier rd")
    qtbot.waitUntil(lambda: lookup.server_searches == 1, timeout=10_000)
    assert lookup.hits_shown() == [case_id]
    item = lookup.results.item(0)
    assert item.data(ON_SERVER) is True and "on the server" in item.text() and "description" in item.text()
    assert "Searching" not in lookup.hint.text() and "1 case(s) found" in lookup.hint.text()
    qtbot.keyClick(lookup.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ctx.selected_case == case_id, timeout=10_000)
    assert not lookup.isVisible()
    kept = mine.cache.case(case_id)
    assert kept is not None and kept.description.startswith("倒伏的路牌")
    # now in the cache: found there, and not listed twice
    lookup.start("")
    qtbot.keyClicks(lookup.field, "pier rd")
    qtbot.waitUntil(lambda: lookup.server_searches == 2, timeout=10_000)
    assert lookup.hits_shown() == [case_id] and not lookup.results.item(0).data(ON_SERVER)
    mine.close()


def test_offline_the_lookup_says_it_searched_this_workstations_cache_only(qtbot, make_ctx, demo_cache):
    from app.cases.workflow import Actor
    from app.platform.enums import Role

    ctx = make_ctx(Actor("operator1", Role.OPERATOR), offline=True)
    lookup, _window = _lookup(qtbot, ctx)
    qtbot.keyClicks(lookup.field, "a case closed years ago")
    qtbot.waitUntil(lambda: lookup.searches == 1, timeout=5000)
    assert lookup.hits_shown() == []
    text = lookup.hint.text()
    assert "No case found" in text and "not in this workstation's cache" in text
    assert lookup.server_searches == 0
