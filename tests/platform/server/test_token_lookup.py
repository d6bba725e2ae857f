"""A bearer token is looked up in the database once at a time, however many requests carry it at once
(`ServerContext.user_for_token`): when a control room's shared token ages out of the cache, its 500
long-polls would otherwise all look it up together."""
from __future__ import annotations

import asyncio
import threading

from sqlalchemy import event

from server.platform.errors import ApiError


def _count_token_lookups(engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, _params, _context, _executemany):
        if "FROM tokens" in statement:
            seen.append(statement)

    return seen


def _token(srv, username: str) -> str:
    return srv.login(username)["Authorization"].removeprefix("Bearer ")


def test_concurrent_requests_with_one_token_share_one_lookup(srv):
    token = _token(srv, "operator1")
    srv.ctx.token_cache.clear()
    lookups = _count_token_lookups(srv.ctx.db.engine)

    async def many() -> list:
        return await asyncio.gather(*[srv.ctx.user_for_token(token) for _ in range(50)])

    users = asyncio.run(many())
    assert {u.username for u in users} == {"operator1"}
    assert len(lookups) == 1, lookups
    asyncio.run(many())  # now cached: no lookup at all
    assert len(lookups) == 1


def test_an_unknown_token_is_refused_for_every_waiter_and_not_cached(lite):
    lookups = _count_token_lookups(lite.ctx.db.engine)

    async def many() -> list:
        return await asyncio.gather(*[lite.ctx.user_for_token("forged") for _ in range(10)],
                                    return_exceptions=True)

    for _ in range(2):
        errors = asyncio.run(many())
        assert all(isinstance(e, ApiError) and e.error == "invalid_token" for e in errors), errors
    assert len(lookups) == 2  # once per round: a refusal is not remembered


def test_a_lookup_that_started_before_a_user_change_is_not_cached(lite, monkeypatch):
    """The cache is cleared when a user or token row changes; a lookup already running then must not
    put the user it read before the change back into the cache."""
    token = _token(lite, "operator1")
    lite.ctx.token_cache.clear()
    reading, go_on = threading.Event(), threading.Event()

    @event.listens_for(lite.ctx.db.engine, "after_cursor_execute")
    def _hold(_conn, _cursor, statement, _params, _context, _executemany):
        if "FROM tokens" in statement and not go_on.is_set():
            reading.set()
            go_on.wait(5)

    async def look_up_while_cleared() -> None:
        task = asyncio.ensure_future(lite.ctx.user_for_token(token))
        await asyncio.to_thread(reading.wait, 5)
        lite.ctx.token_cache.clear()  # e.g. the user was deactivated meanwhile
        go_on.set()
        await task

    asyncio.run(look_up_while_cleared())
    assert lite.ctx.token_cache.get(token, lite.clock()) is None


def test_the_changes_fast_path_looks_up_a_token_it_has_not_cached(srv):
    srv.new_case()
    headers = srv.login("operator1")
    srv.ctx.token_cache.clear()
    answered = _fast_path(srv).answered
    r = srv.client.get("/api/changes?cursor=any.0&limit=5", headers=headers)
    assert r.status_code == 200 and r.json()["changes"]
    assert _fast_path(srv).answered == answered + 1  # answered in front of the framework all the same


def _fast_path(srv):
    from server.feed.fast_path import ChangesFastPath

    app = srv.app.middleware_stack
    while not isinstance(app, ChangesFastPath):
        app = app.app
    return app
