"""The audit entries of the server's actions other than commands: logins, the emergency-mode switch,
account changes and reference-data imports (`server.cases.commands` records commands itself).

Each helper calls `server.audit.chain.record` in the caller's transaction (as its last statement), except the
`*_refused` helpers, which record a refusal in a transaction of their own: the request fails, but the
attempt stays on record (a failed login, too, is recorded in a transaction of its own, by
`server.platform.login_throttle.record_failed_login`, with the lockout it may start).
"""
from __future__ import annotations

import getpass
import logging
import os
import socket
import sys
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.platform import TokenRow, UserRow
from server.audit import chain as audit
from server.platform.auth import AuthUser, token_digest

log = logging.getLogger(__name__)

LOGIN = "login"
LOGOUT = "logout"
LOGIN_LOCKOUT = "login_lockout"
LOGIN_UNLOCK = "login_unlock"
EMERGENCY_MODE = "emergency_mode"
USER_ADD = "user_add"
USER_REPLACE = "user_replace"
REFDATA_IMPORT = "refdata_import"


def login_ok(session: Session, user: AuthUser, console_id: str | None, now: datetime) -> None:
    audit.record(session, at=now, actor=user.username, role=str(user.role), action=LOGIN, entity_kind="user",
                 entity_id=user.username, result="ok", console_id=console_id)


def logout(session: Session, user: AuthUser, console_id: str | None, now: datetime) -> None:
    audit.record(session, at=now, actor=user.username, role=str(user.role), action=LOGOUT, entity_kind="user",
                 entity_id=user.username, result="ok", console_id=console_id)


def login_failed(session: Session, actor: str, row: UserRow | None, console_id: str | None, now: datetime,
                 reason: str) -> None:
    """A refused login, in the caller's transaction (one of its own: the request fails, the attempt stays
    on record). `actor` is the username when it names an account, else its pseudonym
    (`LoginThrottle.pseudonym`): a name that is no account may be a password typed into the wrong field,
    and is never stored as text. `cause` says which check failed (shown to leads and admins only; the
    client is told no more than `bad_credentials`)."""
    cause = "unknown_user" if row is None else "inactive" if not row.active else "wrong_password"
    audit.record(session, at=now, actor=actor, role=row.role if row is not None else None, action=LOGIN,
                 entity_kind="user", entity_id=actor, result="failed", reason=reason,
                 console_id=console_id, detail={"cause": cause})


def login_lockout(session: Session, actor: str, row: UserRow | None, console_id: str | None, now: datetime,
                  lockout) -> None:
    """An account or a client address locked by the failed login of `actor` (`server.platform.login_throttle`)."""
    subject = lockout.subject
    audit.record(session, at=now, actor=actor, role=row.role if row is not None else None, action=LOGIN_LOCKOUT,
                 entity_kind="user" if subject.kind == "account" else "address", entity_id=subject.label,
                 result="ok", reason="too_many_attempts", console_id=console_id,
                 detail={"locked_until": lockout.until.isoformat(), "lockouts_in_a_row": lockout.lockouts,
                         "failures": lockout.failures,
                         "seconds": round((lockout.until - now).total_seconds())})


def login_unlock(session: Session, actor: str | None, role: str | None, console_id: str | None, now: datetime,
                 state: dict[str, Any]) -> None:
    """A shift lead or admin (or `onegrid-ctl users unlock`) cleared an account's failed logins."""
    audit.record(session, at=now, actor=actor, role=role, action=LOGIN_UNLOCK, entity_kind="user",
                 entity_id=state["username"], result="ok", console_id=console_id,
                 detail={"was_locked": state["was_locked"], "locked_until": state["locked_until"],
                         "failures": state["failures"]})


def console_of(session: Session, token: str | None) -> str | None:
    """The console a bearer token was issued to (its login's console_id)."""
    if not token:
        return None
    return session.execute(select(TokenRow.console_id).where(TokenRow.token_sha256 == token_digest(token))).scalar()


def emergency_mode(session: Session, user: AuthUser, on: bool, reason_text: str, now: datetime,
                   console_id: str | None, position: int | None = None) -> None:
    audit.record(session, at=now, actor=user.username, role=str(user.role), action=EMERGENCY_MODE,
                 entity_kind="setting", entity_id=EMERGENCY_MODE, result="accepted", console_id=console_id,
                 detail={"on": on, "reason": reason_text, "position": position})


def emergency_mode_refused(writer: sessionmaker[Session], user: AuthUser, on: bool, reason_text: str,
                           now: datetime, token: str | None, reason: str) -> None:
    try:
        with writer() as session, session.begin():
            audit.record(session, at=now, actor=user.username, role=str(user.role), action=EMERGENCY_MODE,
                         entity_kind="setting", entity_id=EMERGENCY_MODE, result="rejected", reason=reason,
                         console_id=console_of(session, token), detail={"on": on, "reason": reason_text})
    except Exception:
        log.exception("could not record the refused emergency-mode switch by %s", user.username)


# ---- administration (onegrid-ctl, server start-up): acted by the operating-system user ----------------

def local_actor() -> str:
    """The operating-system account running the admin command (`onegrid-ctl`, a demo server)."""
    try:
        return getpass.getuser()
    except Exception:  # no USER variable and no passwd entry (some containers)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def local_console() -> str:
    """Where an admin action came from: the program and the host, e.g. `onegrid-ctl@ops-01`."""
    program = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "python"
    return f"{program}@{socket.gethostname()}"[:64]


def user_changed(session: Session, now: datetime, username: str, role: str, unit_id: str | None,
                 display_name: str, *, replaced: bool, demo: bool = False) -> None:
    detail: dict[str, Any] = {"role": role, "unit_id": unit_id, "display_name": display_name}
    if demo:
        detail["demo"] = True
    audit.record(session, at=now, actor=local_actor(), role=None, action=USER_REPLACE if replaced else USER_ADD,
                 entity_kind="user", entity_id=username, result="ok", console_id=local_console(), detail=detail)


def refdata_imported(session: Session, now: datetime, refdata, source: str) -> None:
    audit.record(session, at=now, actor=local_actor(), role=None, action=REFDATA_IMPORT, entity_kind="refdata",
                 entity_id=refdata.version, result="ok", console_id=local_console(),
                 detail={"source": source, "units": len(refdata.units), "categories": len(refdata.categories),
                         "grids": len(refdata.grids)})
