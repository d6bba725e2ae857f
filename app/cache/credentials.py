"""Offline login verifiers: an argon2id hash of the password of each user who logged in online here.

The cache never stores a password or a server token; it can only confirm that someone typing a password
now typed the same one at their last successful online login on this console.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from db.cache import credentials

_hasher = PasswordHasher()


class OfflineLoginError(Exception):
    """An offline login that cannot be granted. `code`: unknown_user | bad_password."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def make_verifier(password: str) -> str:
    return _hasher.hash(password)  # deliberately slow (argon2id defaults): call it outside any lock


def store_verifier(conn: Connection, username: str, verifier: str, user: dict[str, Any], now: datetime) -> None:
    stmt = sqlite_insert(credentials).values(username=username, verifier=verifier, user=user, last_online_login=now)
    conn.execute(stmt.on_conflict_do_update(index_elements=[credentials.c.username], set_={
        "verifier": stmt.excluded.verifier, "user": stmt.excluded.user,
        "last_online_login": stmt.excluded.last_online_login}))


def known_usernames(conn: Connection) -> list[str]:
    return list(conn.execute(select(credentials.c.username).order_by(credentials.c.username)).scalars())


def verify(conn: Connection, username: str, password: str) -> dict[str, Any]:
    """The stored user record when `password` matches the last online login; OfflineLoginError if not."""
    row = conn.execute(select(credentials).where(credentials.c.username == username)).one_or_none()
    if row is None:
        raise OfflineLoginError("unknown_user", f"user '{username}' has never logged in online on this console, "
                                                "so cannot log in while the server is unreachable")
    try:
        _hasher.verify(row.verifier, password)
    except (VerificationError, InvalidHashError):
        raise OfflineLoginError("bad_password", f"wrong password for '{username}' (checked against the last "
                                                "successful online login on this console)") from None
    return dict(row.user)
