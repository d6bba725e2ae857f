"""Preparing a server database: schema, reference data and user accounts. Called by the admin CLI and
by `onegrid-server --demo`; each function opens and closes its own engine.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from app.platform.enums import Role
from app.refdata.devices import load_devices
from app.refdata.errors import RefDataError
from app.refdata.jurisdictions import check_code
from app.refdata.loading import demo_dir, load_demo_refdata, load_refdata
from app.refdata.model import RefData
from db.platform import UserRow
from db.refdata import RefDataRow
from server.audit import actions as audit_actions
from server.avl.store import replace_devices
from server.platform.auth import hash_password, join_jurisdictions
from server.platform.database import Database, upgrade

log = logging.getLogger(__name__)


class BootstrapError(ValueError):
    """A user or reference-data request that cannot be carried out; the message says why."""


def init_db(url: str, refdata_dir: str | Path | None = None, demo_users: bool = False, *,
            refdata: RefData | None = None, source: str | None = None, throwaway: bool = False) -> RefData:
    """Upgrade the schema, load reference data and optionally create the demo users.

    Reference data comes from `refdata` or `refdata_dir` when given (replacing what is stored); with
    neither, the demo city is loaded only into a database that has none yet. Demo users (the accounts in
    the reference data, with their demo passwords) are created if missing, never overwritten.
    Returns the reference data in force. `source` names where `refdata` came from, for the audit trail.
    `throwaway` (the console's embedded demo database only): the demo users' password hashes are made
    with cheap parameters (`auth.demo_password_hasher`); a server not in demo mode would upgrade them at
    their first login.
    """
    upgrade(url)
    if refdata is None and refdata_dir is not None:
        refdata = load_refdata(Path(refdata_dir))
    db = Database(url)
    try:
        with db.writer() as session, session.begin():
            if refdata is not None:
                _store_refdata(session, refdata, str(refdata_dir or source or "reference data bundle"))
            else:
                stored = session.execute(select(RefDataRow.data).where(RefDataRow.id == 1)).scalar()
                if stored is None:
                    refdata = load_demo_refdata()
                    _store_refdata(session, refdata, "demo city")
                else:
                    refdata = RefData.from_dict(stored)
            if demo_users:
                _create_demo_users(session, refdata, quick=throwaway)
            _store_devices(session, refdata, refdata_dir, demo_users)
    finally:
        db.dispose()
    return refdata


def import_refdata(url: str, directory: str | Path) -> RefData:
    """Validate the reference-data folder and make it the one in force (running servers pick it up
    within a few seconds). Raises RefDataError naming the file and place of the first problem."""
    refdata = load_refdata(Path(directory))
    db = Database(url)
    try:
        with db.writer() as session, session.begin():
            _store_refdata(session, refdata, str(directory))
            _store_devices(session, refdata, directory, False)
    finally:
        db.dispose()
    return refdata


def _store_devices(session, refdata: RefData, directory: str | Path | None, demo: bool) -> None:
    """The AVL devices of the folder's devices.json (checked against its units and people), or the demo
    city's with the demo users when they fit the reference data in force."""
    if directory is not None:
        replace_devices(session, load_devices(Path(directory), refdata))
    elif demo:
        try:
            replace_devices(session, load_devices(demo_dir(), refdata))
        except RefDataError as exc:
            log.info("the demo city's devices do not fit this reference data (%s): none stored", exc)


def add_user(url: str, username: str, password: str, role: Role | str, unit_id: str | None = None,
             display_name: str | None = None, *, replace: bool = False, jurisdictions: tuple[str, ...] = ()) -> None:
    """Create an account (argon2 hash of `password`). With `replace`, an existing account with that
    username is overwritten (new password, role, unit, jurisdictions) and reactivated; otherwise it is an
    error. `jurisdictions`: the codes the user works in (`app.refdata.jurisdictions`; none: everything)."""
    try:
        role = Role(role)
    except ValueError:
        raise BootstrapError(f"unknown role {role!r}; expected one of "
                             f"{[str(r) for r in Role if r != Role.SYSTEM]}") from None
    if role == Role.SYSTEM:
        raise BootstrapError("the 'system' role is the server's own; it cannot log in")
    if not username or len(username) > 64 or username == "system":
        raise BootstrapError(f"bad username {username!r} (1-64 characters, not 'system')")
    if not password:
        raise BootstrapError("the password must not be empty")
    if role == Role.UNIT_HANDLER and not unit_id:
        raise BootstrapError("a unit_handler needs a unit_id")
    for code in jurisdictions:
        if why := check_code(code):
            raise BootstrapError(why)
    db = Database(url)
    try:
        if unit_id is not None:
            _check_unit(db, unit_id)
        password_hash = hash_password(password)
        with db.writer() as session, session.begin():
            row = session.get(UserRow, username)
            if row is not None and not replace:
                raise BootstrapError(f"user {username!r} already exists")
            replaced = row is not None
            now = datetime.now(timezone.utc)
            if row is None:
                row = UserRow(username=username, created_at=now)
                session.add(row)
            row.display_name = display_name or username
            row.role = str(role)
            row.unit_id = unit_id
            row.jurisdictions = join_jurisdictions(jurisdictions)
            row.password_hash = password_hash
            row.active = True
            audit_actions.user_changed(session, now, username, str(role), unit_id, row.display_name,
                                       replaced=replaced)
    finally:
        db.dispose()
    log.info("user %s (%s%s) %s", username, role, f", unit {unit_id}" if unit_id else "",
             "replaced" if replace else "added")


def _check_unit(db: Database, unit_id: str) -> None:
    with db.reader() as session:
        stored = session.execute(select(RefDataRow.data).where(RefDataRow.id == 1)).scalar()
    if stored is None:
        raise BootstrapError("load reference data before adding users with a unit (init_db / import_refdata)")
    try:
        RefData.from_dict(stored).unit(unit_id)
    except RefDataError:
        raise BootstrapError(f"unknown unit {unit_id!r}") from None


def _store_refdata(session, refdata: RefData, source: str) -> None:
    row = session.get(RefDataRow, 1)
    data = refdata.to_dict()  # passwords are never stored here: accounts live in `users`
    if row is None:
        session.add(RefDataRow(id=1, version=refdata.version, data=data))
    else:
        row.version, row.data = refdata.version, data
    audit_actions.refdata_imported(session, datetime.now(timezone.utc), refdata, source)
    log.info("reference data version %s stored", refdata.version)


def _create_demo_users(session, refdata: RefData, *, quick: bool = False) -> None:
    existing = set(session.execute(select(UserRow.username)).scalars())
    now = datetime.now(timezone.utc)
    created = 0
    for user in refdata.users:
        if user.username in existing or not user.password:
            continue
        session.add(UserRow(username=user.username, display_name=user.display_name, role=str(user.role),
                            unit_id=user.unit_id, jurisdictions=join_jurisdictions(user.jurisdictions),
                            password_hash=hash_password(user.password, demo=quick), active=True,
                            created_at=now))
        audit_actions.user_changed(session, now, user.username, str(user.role), user.unit_id, user.display_name,
                                   replaced=False, demo=True)
        created += 1
    log.info("demo users: %d created, %d already present", created, len(existing))
