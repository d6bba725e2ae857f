"""Passwords, login tokens and the `Authorization: Bearer` dependency.

Passwords are argon2id hashes. A login token is 32 random bytes (URL-safe text) handed to the console
once; the server keeps only its SHA-256, so a leaked database does not leak usable tokens. Tokens expire
after `token_ttl_minutes`.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.cases.workflow import Actor
from app.platform.enums import Role
from db.platform import TokenRow, UserRow
from server.platform.errors import ApiError

log = logging.getLogger(__name__)

# Replaced by tests with cheap parameters; production uses argon2-cffi's recommended defaults.
password_hasher = PasswordHasher()
# Verified against for unknown usernames, so a wrong username costs as long as a wrong password.
_DUMMY_HASH: str | None = None


@dataclass(frozen=True)
class AuthUser:
    """The authenticated user of a request. Commands act as this user, never as what a client claims."""

    username: str
    display_name: str
    role: Role
    unit_id: str | None = None
    # the city, district or street codes the user works in (`app.refdata.jurisdictions`); none: everything
    jurisdictions: tuple[str, ...] = ()
    # the console the token was issued to (logs only: who the user is does not depend on it)
    console_id: str | None = field(default=None, compare=False)

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.role, self.unit_id, self.jurisdictions)

    def to_dict(self) -> dict:
        return {"username": self.username, "display_name": self.display_name, "role": str(self.role),
                "unit_id": self.unit_id, "jurisdictions": list(self.jurisdictions)}

    @classmethod
    def from_row(cls, row: UserRow) -> AuthUser:
        return cls(row.username, row.display_name, Role(row.role), row.unit_id, parse_jurisdictions(row.jurisdictions))


def parse_jurisdictions(column: str | None) -> tuple[str, ...]:
    """`users.jurisdictions` (codes joined by ',', NULL for none) as a tuple."""
    return tuple(c for c in column.split(",") if c) if column else ()


def join_jurisdictions(codes) -> str | None:
    return ",".join(codes) or None


SYSTEM_USER = AuthUser("system", "System", Role.SYSTEM)


# For the accounts of a throw-away demo database only (`onegrid --demo`: local, on 127.0.0.1, passwords
# published in the demo reference data): the slowest step of a demo's first start was hashing its 22
# demo passwords with the production cost. A login upgrades such a hash to the production parameters
# (`check_credentials` rehashes whatever `check_needs_rehash` flags).
demo_password_hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


def hash_password(password: str, *, demo: bool = False) -> str:
    return (demo_password_hasher if demo else password_hasher).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _waste_a_verification(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = password_hasher.hash(secrets.token_urlsafe(16))
    verify_password(_DUMMY_HASH, password)


def check_credentials(row: UserRow | None, password: str, *, upgrade: bool = True) -> tuple[AuthUser, str | None]:
    """The user `row` is if `password` is theirs, plus a fresh hash when the stored one uses outdated
    parameters (else None; never without `upgrade`: a demo server keeps its demo hashes); 401
    `bad_credentials` otherwise. Takes the row already loaded, so the slow hash check runs without holding
    a database connection."""
    if row is None or not row.active:
        _waste_a_verification(password)
        raise ApiError(401, "bad_credentials", "unknown user or wrong password")
    if not verify_password(row.password_hash, password):
        raise ApiError(401, "bad_credentials", "unknown user or wrong password")
    rehashed = hash_password(password) if upgrade and password_hasher.check_needs_rehash(row.password_hash) else None
    return AuthUser.from_row(row), rehashed


def issue_token(session: Session, user: AuthUser, console_id: str | None, now: datetime, ttl: timedelta,
                rehashed: str | None = None) -> tuple[str, datetime]:
    """Store a new token's digest (and an upgraded password hash); return the token and its expiry."""
    if rehashed is not None:
        row = session.get(UserRow, user.username)
        if row is not None:
            row.password_hash = rehashed
    token = secrets.token_urlsafe(32)
    expires_at = now + ttl
    session.add(TokenRow(token_sha256=token_digest(token), username=user.username, console_id=console_id,
                         issued_at=now, expires_at=expires_at))
    log.info("login: %s (%s) from console %s", user.username, user.role, console_id or "-")
    return token, expires_at


def revoke_token(session: Session, token: str) -> TokenRow | None:
    """Delete the login session of `token` (log out) in the caller's transaction; its row, or None when
    the token was unknown. Deleted through the session, so the commit clears the token cache."""
    row = session.get(TokenRow, token_digest(token))
    if row is not None:
        session.delete(row)
    return row


def _unauthorized(error: str, message: str) -> ApiError:
    return ApiError(401, error, message, headers={"WWW-Authenticate": "Bearer"})


def resolve_token(session: Session, token: str, now: datetime) -> AuthUser:
    """The user a bearer token belongs to; 401 `invalid_token` or `token_expired` otherwise."""
    return resolve_token_with_expiry(session, token, now)[0]


def resolve_token_with_expiry(session: Session, token: str, now: datetime) -> tuple[AuthUser, datetime]:
    """`resolve_token` plus the token's expiry (for `TokenCache`)."""
    found = session.execute(
        select(TokenRow.expires_at, TokenRow.console_id, UserRow).join(UserRow, UserRow.username == TokenRow.username)
        .where(TokenRow.token_sha256 == token_digest(token))
    ).first()
    if found is None:
        raise _unauthorized("invalid_token", "the token is unknown or was forged; log in again")
    expires_at, console, user = found
    if now >= expires_at:
        raise expired(expires_at, now)
    if not user.active:
        raise _unauthorized("invalid_token", f"user '{user.username}' is deactivated")
    return replace(AuthUser.from_row(user), console_id=console), expires_at


def expired(expires_at: datetime, now: datetime) -> ApiError:
    return _unauthorized("token_expired", f"the token expired at {expires_at.isoformat()}; log in again")


class TokenCache:
    """Token digest → (user, expiry) for a few seconds, so a long-poll does not look its token up on
    every wake-up. Bounded: entries live `ttl_s` at most and the map is cleared when it grows past
    `max_entries`. The expiry is checked on every hit, so an expired token is refused at once; the
    server clears the cache when a user or token row changes (e.g. a user is deactivated)."""

    def __init__(self, ttl_s: float = 5.0, max_entries: int = 10_000):
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[str, tuple[AuthUser, datetime, float]] = {}
        # Moves with every `clear()`: a lookup that started before a clear must not put its (maybe
        # outdated) user back afterwards (`put(..., generation=)`).
        self.generation = 0

    def get(self, token: str, now: datetime, digest: str | None = None) -> AuthUser | None:
        """The cached user, None on a miss; raises 401 `token_expired` for a cached, now expired token.
        `digest`: the token's `token_digest`, when the caller keeps it (a feed stream checks its token on
        every delivery)."""
        if self.ttl_s <= 0:
            return None
        digest = digest or token_digest(token)
        entry = self._entries.get(digest)
        if entry is None:
            return None
        user, expires_at, cached_at = entry
        if time.monotonic() - cached_at > self.ttl_s:
            self._entries.pop(digest, None)
            return None
        if now >= expires_at:
            raise expired(expires_at, now)
        return user

    def put(self, token: str, user: AuthUser, expires_at: datetime, generation: int | None = None) -> None:
        """Cache a lookup; with `generation` (read before the lookup started), only if no `clear()` came
        in between."""
        if self.ttl_s <= 0 or (generation is not None and generation != self.generation):
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[token_digest(token)] = (user, expires_at, time.monotonic())

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise _unauthorized("missing_token", "this endpoint needs 'Authorization: Bearer <token>' (log in first)")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("invalid_token", "the Authorization header must be 'Bearer <token>'")
    return token.strip()


def purge_expired_tokens(session: Session, now: datetime) -> int:
    """Delete tokens that expired more than a day ago (recent ones still answer `token_expired`)."""
    result = session.execute(delete(TokenRow).where(TokenRow.expires_at < now - timedelta(days=1)))
    return result.rowcount or 0


def require_role(user: AuthUser, *roles: Role) -> None:
    if user.role not in roles:
        wanted = " or ".join(str(r) for r in roles)
        raise ApiError(403, "forbidden", f"{user.role} '{user.username}' may not do this (needs {wanted})")
