"""Logging in at start: online at the server, or offline from the local cache for a user who logged in
online on this console before. Qt-free, and imported only when a login is near (`ui.shell.login_dialog`
loads it on a thread while the operator types): its libraries, SQLAlchemy for the cache and requests for
the server, are not needed to show the login dialog. Within `log_in` the cache opens, and the queue's
read starts, before requests loads.
"""
from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.cache import LocalCache
from app.platform.settings import user_cache_dir

if TYPE_CHECKING:  # the server's client (requests) loads in log_in, once the queue's read has started
    from app.cases.queue_prefetch import ColumnsPrefetch
    from app.sync.client import ServerClient
    from app.sync.session import Session

log = logging.getLogger(__name__)


@dataclass
class LoginOutcome:
    session: Session
    cache: LocalCache
    client: ServerClient
    server_url: str
    offline_reason: str | None = None  # why the login is offline (the server's unreachability), if it is
    queue_prefetch: ColumnsPrefetch | None = None  # the queue's read of `cache`, started with the login


class ServerUnreachableNoCache(Exception):
    """The server cannot be reached and this user has no local cache here to work offline from."""


def log_in(server_url: str, cache_root: Path, username: str, password: str) -> LoginOutcome:
    """Online login (downloading reference data if this cache has none), or offline when the server
    cannot be reached and the user has a local cache here. Raises LoginError, ServerUnreachableNoCache.

    An existing cache's queue is read while the password is checked (`LoginOutcome.queue_prefetch`): the
    read is handed over only with a successful login, and cancelled otherwise."""
    server_url = server_url.strip().rstrip("/")
    directory = user_cache_dir(cache_root, server_url, username)
    existed = (directory / "cache.sqlite").exists()
    cache = LocalCache(directory)
    # argon2 (offline: verifying; online: the verifier stored after the server's yes), the server's answer
    # and loading the server's client take ~0.3 s that the queue's read (~0.5 s of SQLite) spends on the
    # other core
    prefetch = None
    if existed:  # imported here: the read's numpy loads on its own thread, not before the dialog shows
        from app.cases.queue_prefetch import ColumnsPrefetch

        prefetch = ColumnsPrefetch(cache)
    client = None
    try:
        from app.sync.client import ServerClient, ServerUnreachable
        from app.sync.session import login_offline, login_online

        client = ServerClient(server_url)
        try:
            session = login_online(client, cache, username, password)
        except ServerUnreachable as exc:
            if not existed:
                raise ServerUnreachableNoCache(str(exc)) from exc
            return LoginOutcome(login_offline(cache, username, password), cache, client, server_url, str(exc),
                                queue_prefetch=prefetch)
        if cache.refdata() is None:  # the docks need categories, units and grids from the first screen on
            cache.store_refdata(client.refdata())
            if prefetch is not None:  # read without the names the queue's search matches: read again
                prefetch.cancel()
                prefetch = None
        return LoginOutcome(session, cache, client, server_url, queue_prefetch=prefetch)
    except BaseException:
        if prefetch is not None:
            prefetch.cancel()
        cache.close()
        if client is not None:
            client.close()
        if not existed:  # leave no cache behind for a login that never succeeded
            shutil.rmtree(directory, ignore_errors=True)
        raise


def log_in_again(client: ServerClient, cache: LocalCache, username: str, password: str) -> Session:
    """Online login for the running session (after an offline login or an expired token)."""
    from app.sync.session import login_online

    return login_online(client, cache, username, password)
