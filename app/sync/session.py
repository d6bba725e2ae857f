"""Logging in, online or offline. A Session is who is at the console: the Actor every command is issued
as, the server token (None when logged in offline) and whether the console started offline.

Offline login is only for a user who logged in online on this console before: the cache keeps an argon2
verifier of that password (never the password or the token). Commands issued in an offline session are
queued under the same identity with `offline=True` and sent once the server is back and the user has
logged in online again (the sync engine reports `auth_expired` until then).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from app.cache import LocalCache, OfflineLoginError
from app.cases.workflow import Actor
from app.platform.enums import Role
from app.sync.client import ServerClient, ServerRefused
from app.wire.platform import UserInfo

log = logging.getLogger(__name__)


class LoginError(Exception):
    """A login the server or the cache refused. `code`: bad_credentials, unknown_user, bad_password, ...

    A server that cannot be reached is not a LoginError: login_online lets ServerUnreachable through so
    the UI can offer an offline login instead."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Session:
    actor: Actor
    display_name: str
    token: str | None          # None in an offline session
    offline: bool
    expires_at: datetime | None = None

    @property
    def username(self) -> str:
        return self.actor.username

    def user_dict(self) -> dict[str, Any]:
        return {"username": self.actor.username, "display_name": self.display_name,
                "role": self.actor.role.value, "unit_id": self.actor.unit_id,
                "jurisdictions": list(self.actor.jurisdictions)}


def _actor_of(user: UserInfo) -> Actor:
    return Actor(user.username, Role(user.role), user.unit_id, tuple(user.jurisdictions))


def login_online(client: ServerClient, cache: LocalCache, username: str, password: str, *,
                 now: datetime | None = None) -> Session:
    """Log in at the server; remember a verifier so the same user can log in offline later.

    Raises LoginError for refused credentials, ServerUnreachable when there is no server to ask."""
    try:
        result = client.login(username, password, console_id=cache.console_id)
    except ServerRefused as exc:
        raise LoginError(exc.error, exc.message or f"the server refused the login of '{username}'") from None
    user = result.user
    previous = cache.server_url()
    if previous and previous != client.base_url:
        log.warning("cache %s was filled from %s, now logging in at %s; use one cache directory per server",
                    cache.directory, previous, client.base_url)
    session = Session(actor=_actor_of(user), display_name=user.display_name or user.username,
                      token=result.token, offline=False, expires_at=result.expires_at)
    cache.store_credentials(username, password, session.user_dict(), now or datetime.now(timezone.utc))
    cache.store_server_url(client.base_url)
    log.info("%s '%s' logged in online at %s", user.role, username, client.base_url)
    return session


def login_offline(cache: LocalCache, username: str, password: str) -> Session:
    """Log in without a server, as a user who logged in online on this console before."""
    try:
        user = UserInfo.model_validate(cache.verify_offline(username, password))
    except OfflineLoginError as exc:
        raise LoginError(exc.code, exc.message) from None
    log.info("%s '%s' logged in offline", user.role, username)
    return Session(actor=_actor_of(user), display_name=user.display_name or user.username, token=None,
                   offline=True)
