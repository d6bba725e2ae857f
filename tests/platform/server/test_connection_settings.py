"""The database connections of a server process are settings: the pool's size and overflow, and the
direct URL (past a transaction-mode pooler such as PgBouncer) that the LISTEN connection and the
advisory locks use."""
from __future__ import annotations

from sqlalchemy.engine import make_url

from server.context import ServerContext
from server.platform.settings import ServerSettings


def test_pool_size_and_the_direct_url_come_from_the_settings(pg_url):
    direct = make_url(pg_url).update_query_dict({"application_name": "direct"}).render_as_string(hide_password=False)
    settings = ServerSettings.from_env({"ONEGRID_DATABASE_URL": pg_url, "ONEGRID_DB_POOL_SIZE": "7",
                                        "ONEGRID_DB_MAX_OVERFLOW": "3", "ONEGRID_DIRECT_DATABASE_URL": direct})
    ctx = ServerContext.create(settings)
    try:
        assert (ctx.db.engine.pool.size(), ctx.db.engine.pool._max_overflow) == (7, 3)
        assert ctx.locks.url == direct
        assert "application_name=direct" in ctx.notifier._listen_conninfo
    finally:
        ctx.db.dispose()


def test_without_a_direct_url_the_database_url_serves(pg_url):
    ctx = ServerContext.create(ServerSettings(database_url=pg_url))
    try:
        assert ctx.locks.url == pg_url
        assert (ctx.db.engine.pool.size(), ctx.db.engine.pool._max_overflow) == (54, 10)
    finally:
        ctx.db.dispose()
