"""Citizen apps' API keys: created (shown once) and revoked by an admin with `onegrid-ctl open311 keys`,
stored as their SHA-256 only, looked up on every POST (a revoked key is refused at once)."""
from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.open311 import Open311KeyRow

log = logging.getLogger(__name__)

KEY_PREFIX = "o311_"


@dataclass(frozen=True)
class AppKey:
    id: uuid.UUID
    app_name: str


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create_key(session: Session, app_name: str, now: datetime) -> str:
    """A new key for `app_name` (an app's key in use must be revoked first; revoked keys are kept, for the
    requests made with them); the key itself is returned once and never stored."""
    if _active(session, app_name) is not None:
        raise ValueError(f"app {app_name!r} has a key already; revoke it first")
    key = KEY_PREFIX + secrets.token_urlsafe(24)
    session.add(Open311KeyRow(id=uuid.uuid4(), app_name=app_name, key_sha256=digest(key), created_at=now,
                              revoked_at=None))
    log.info("open311 key created for app %s", app_name)
    return key


def _active(session: Session, app_name: str) -> Open311KeyRow | None:
    return session.execute(select(Open311KeyRow).where(Open311KeyRow.app_name == app_name,
                                                       Open311KeyRow.revoked_at.is_(None))).scalar_one_or_none()


def revoke_key(session: Session, app_name: str, now: datetime) -> bool:
    row = _active(session, app_name)
    if row is None:
        return False
    row.revoked_at = now
    log.info("open311 key of app %s revoked", app_name)
    return True


def list_keys(session: Session) -> list[Open311KeyRow]:
    return list(session.execute(select(Open311KeyRow).order_by(Open311KeyRow.app_name, Open311KeyRow.created_at)).scalars())


def resolve(session: Session, key: str) -> AppKey | None:
    """The app of a key that is known and not revoked; else None."""
    if not key or len(key) > 200:
        return None
    row = session.execute(select(Open311KeyRow.id, Open311KeyRow.app_name)
                          .where(Open311KeyRow.key_sha256 == digest(key), Open311KeyRow.revoked_at.is_(None))).first()
    return None if row is None else AppKey(row.id, row.app_name)
