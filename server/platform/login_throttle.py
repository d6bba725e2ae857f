"""Refusing password guessing: failed logins counted per account and per client address, and lockouts.

Every failed login counts against two subjects: the account (the username tried, whether or not it
exists, so a lockout does not tell which names are accounts) and the client address. When a subject's
failures reach its limit (`ServerSettings.login_max_failures`, `login_address_max_failures`) it is
locked for `login_lockout_s`, doubled for each further lockout in a row up to `login_lockout_max_s`.
While either subject of a login is locked the login is refused with 429 `too_many_attempts` and
`Retry-After` before the password is looked at, so the right password is refused too — otherwise a
lockout would only slow a guesser down, not stop them. A success clears the account's failures (not the
address's: one valid account must not let a guesser reset the count of the address it guesses from).
A failure older than `login_failure_window_s`, with its lockout over by as long, no longer counts.

The counts live in the database (`db.platform`), so every server process and a restart see the same
ones; rows are locked (`SELECT … FOR UPDATE`, in key order) while counted, so concurrent failures on
several processes are all counted. Lockouts and unlocks are audited (`server.audit.actions`).

Nothing typed into the username field is stored as text unless it names an account: a row's key is an
HMAC of the subject under a random key of this server (`server_keys`, created on first use), and a
name that is no account appears — in these rows and in the audit trail — only as its pseudonym
`unknown:<8 hex digits of an HMAC>:<length>ch`: equal for equal names, so repeated attempts can be
told apart, but not reversible without the server's key (a password typed into the wrong field is a
common slip). Behind nginx, the client address is the one nginx saw (uvicorn's proxy headers; see
packaging/README.md).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from db.platform import LoginThrottleRow, ServerKeyRow, UserRow
from server.audit import actions as audit_actions
from server.platform.database import Database, dialect_insert
from server.platform.errors import ApiError

if TYPE_CHECKING:
    from server.platform.settings import ServerSettings

log = logging.getLogger(__name__)

ACCOUNT = "account"
ADDRESS = "address"
KEY_NAME = "login_subjects"  # the `server_keys` row whose key the subjects' HMACs use


@dataclass(frozen=True)
class Policy:
    max_failures: int          # per account; 0 = never locked
    address_max_failures: int  # per client address; 0 = never locked
    window: timedelta
    lockout: timedelta
    lockout_max: timedelta

    @classmethod
    def from_settings(cls, settings: ServerSettings) -> Policy:
        return cls(settings.login_max_failures, settings.login_address_max_failures,
                   timedelta(seconds=settings.login_failure_window_s), timedelta(seconds=settings.login_lockout_s),
                   timedelta(seconds=settings.login_lockout_max_s))

    def limit(self, kind: str) -> int:
        return self.max_failures if kind == ACCOUNT else self.address_max_failures

    def lockout_for(self, lockouts: int) -> timedelta:
        """The length of the `lockouts`-th lockout in a row (1 = the first)."""
        seconds = self.lockout.total_seconds() * 2.0 ** min(max(lockouts - 1, 0), 40)
        return timedelta(seconds=min(seconds, self.lockout_max.total_seconds()))


@dataclass(frozen=True)
class Subject:
    kind: str   # ACCOUNT or ADDRESS
    key: str    # HMAC of the subject (the row's primary key)
    label: str  # what the audit trail and an operator see


@dataclass(frozen=True)
class Lockout:
    subject: Subject
    until: datetime
    lockouts: int   # in a row, this one included
    failures: int   # the failures that led to it


def too_many_attempts(seconds: float, kinds: list[str]) -> ApiError:
    """The 429 answer: how long to wait (also as `Retry-After`) and what is locked."""
    wait = max(1, math.ceil(seconds))
    what = {(ACCOUNT,): "this account", (ADDRESS,): "this address"}.get(tuple(kinds), "this account and address")
    hint = " or ask a shift lead to unlock the account" if ACCOUNT in kinds else ""
    return ApiError(429, "too_many_attempts", f"too many failed logins for {what}; try again in {wait} s{hint}",
                    details=[{"retry_after_s": wait, "locked": kinds}], headers={"Retry-After": str(wait)})


class LoginThrottle:
    """One per server process (`ServerContext.login_throttle`) or admin command; the state is in the
    database, this object only caches the server's key."""

    def __init__(self, db: Database, policy: Policy | None = None):
        self.db = db
        self.policy = policy
        self._secret: bytes | None = None
        self._secret_lock = threading.Lock()

    # ---- keys and pseudonyms ---------------------------------------------------------------------

    def secret(self, now: datetime) -> bytes:
        """The server's key for subject HMACs: read once per process, created by whichever process
        needs it first (the insert does nothing when another process was quicker)."""
        if self._secret is None:
            with self._secret_lock:
                if self._secret is None:
                    self._secret = bytes.fromhex(self._load_or_create_secret(now))
        return self._secret

    def _load_or_create_secret(self, now: datetime) -> str:
        with self.db.reader() as session:
            value = session.get(ServerKeyRow, KEY_NAME)
            if value is not None:
                return value.value
        with self.db.writer() as session, session.begin():
            session.execute(dialect_insert(session)(ServerKeyRow)
                            .values(name=KEY_NAME, value=secrets.token_hex(32), created_at=now)
                            .on_conflict_do_nothing(index_elements=["name"]))
            return session.execute(select(ServerKeyRow.value).where(ServerKeyRow.name == KEY_NAME)).scalar_one()

    def _digest(self, text: str, now: datetime) -> str:
        return hmac.new(self.secret(now), text.encode("utf-8"), hashlib.sha256).hexdigest()

    def pseudonym(self, name: str, now: datetime) -> str:
        """How a name that is no account is shown: never the text itself (it may be a password)."""
        return f"unknown:{self._digest('name:' + name, now)[:8]}:{len(name)}ch"

    def subjects(self, username: str, known: bool, address: str | None, now: datetime) -> list[Subject]:
        """The account and the client address a login counts against (in key order: rows are locked in
        that order, so concurrent logins cannot deadlock)."""
        label = username if known else self.pseudonym(username, now)
        found = [Subject(ACCOUNT, self._digest(f"{ACCOUNT}:{username}", now), label)]
        if address:
            found.append(Subject(ADDRESS, self._digest(f"{ADDRESS}:{address}", now), address[:128]))
        return sorted(found, key=lambda s: s.key)

    # ---- the login's checks ----------------------------------------------------------------------

    def locked(self, session: Session, subjects: list[Subject], now: datetime) -> ApiError | None:
        """The 429 to answer when any of `subjects` is locked at `now`, else None."""
        rows = session.execute(select(LoginThrottleRow.kind, LoginThrottleRow.locked_until)
                               .where(LoginThrottleRow.key.in_([s.key for s in subjects]),
                                      LoginThrottleRow.locked_until > now)).all()
        if not rows:
            return None
        until = max(r.locked_until for r in rows)
        return too_many_attempts((until - now).total_seconds(), sorted({r.kind for r in rows}))

    def failed(self, session: Session, subjects: list[Subject], now: datetime) -> list[Lockout]:
        """Count a failed login against each subject (in the caller's transaction); the lockouts it
        started."""
        started: list[Lockout] = []
        policy = self.policy
        if policy is None:
            raise RuntimeError("LoginThrottle.failed needs a Policy")
        for subject in subjects:
            limit = policy.limit(subject.kind)
            if limit <= 0:
                continue
            session.execute(dialect_insert(session)(LoginThrottleRow)
                            .values(key=subject.key, kind=subject.kind, label=subject.label, failures=0, lockouts=0,
                                    last_failure_at=now, locked_until=None)
                            .on_conflict_do_nothing(index_elements=["key"]))
            row = session.execute(select(LoginThrottleRow).where(LoginThrottleRow.key == subject.key)
                                  .with_for_update().execution_options(populate_existing=True)).scalar_one()
            if row.locked_until is not None and row.locked_until > now:
                continue  # locked by a concurrent failure since this login was let in: counted there
            forgotten = now - policy.window
            if row.last_failure_at < forgotten and (row.locked_until is None or row.locked_until < forgotten):
                row.failures, row.lockouts = 0, 0
            row.failures += 1
            row.last_failure_at = now
            row.label = subject.label
            if row.failures >= limit:
                row.lockouts += 1
                row.locked_until = now + policy.lockout_for(row.lockouts)
                started.append(Lockout(subject, row.locked_until, row.lockouts, row.failures))
                row.failures = 0
        session.flush()
        return started

    def succeeded(self, session: Session, subjects: list[Subject], now: datetime) -> None:
        """A correct password (in the login's transaction, before its token is stored): refused with 429
        if a subject was locked meanwhile (by failures on another process), else the account's failures
        are forgotten."""
        refusal = self.locked(session, subjects, now)
        if refusal is not None:
            raise refusal
        session.execute(delete(LoginThrottleRow).where(LoginThrottleRow.key.in_(
            [s.key for s in subjects if s.kind == ACCOUNT])))

    # ---- administration ----------------------------------------------------------------------------

    def unlock(self, session: Session, username: str, now: datetime) -> dict | None:
        """Forget an existing account's failures and lockout (in the caller's transaction); what it was
        (`{"username", "was_locked", "locked_until", "failures"}`), or None when there is no such account."""
        if session.get(UserRow, username) is None:
            return None
        key = self._digest(f"{ACCOUNT}:{username}", now)
        row = session.execute(select(LoginThrottleRow).where(LoginThrottleRow.key == key)
                              .with_for_update()).scalar_one_or_none()
        state = {"username": username, "was_locked": False, "locked_until": None, "failures": 0}
        if row is not None:
            locked = row.locked_until is not None and row.locked_until > now
            state.update(was_locked=locked, locked_until=row.locked_until.isoformat() if locked else None,
                         failures=row.failures)
            session.delete(row)
            session.flush()
        return state

    def purge(self, session: Session, now: datetime) -> int:
        """Delete rows nothing counts any more (their last failure, and so their lockout, long over)."""
        policy = self.policy
        if policy is None:
            return 0
        forgotten = now - policy.window  # as `failed` judges it
        result = session.execute(delete(LoginThrottleRow).where(
            LoginThrottleRow.last_failure_at < forgotten,
            or_(LoginThrottleRow.locked_until.is_(None), LoginThrottleRow.locked_until < forgotten)))
        return result.rowcount or 0


def record_failed_login(throttle: LoginThrottle, *, subjects: list[Subject], row: UserRow | None,
                        console_id: str | None, now: datetime, error: ApiError) -> ApiError:
    """A refused login, in a transaction of its own: counted against its account and address
    (`LoginThrottle.subjects`), audited (with the lockouts it started). Returns the answer to give:
    `error` (401), or 429 when this failure locked the account or the address. Never raises for the
    bookkeeping: the refusal stands either way."""
    actor = next(s.label for s in subjects if s.kind == ACCOUNT)
    try:
        with throttle.db.writer() as session, session.begin():
            lockouts = throttle.failed(session, subjects, now)
            audit_actions.login_failed(session, actor, row, console_id, now, error.error)
            for lockout in lockouts:
                audit_actions.login_lockout(session, actor, row, console_id, now, lockout)
    except Exception:
        log.exception("could not record a failed login")
        return error
    if not lockouts:
        return error
    for lockout in lockouts:
        log.warning("login: %s %s locked until %s after %d failed logins (lockout %d in a row)",
                    lockout.subject.kind, lockout.subject.label, lockout.until.isoformat(), lockout.failures,
                    lockout.lockouts)
    until = max(lockout.until for lockout in lockouts)
    return too_many_attempts((until - now).total_seconds(), sorted({lockout.subject.kind for lockout in lockouts}))
