"""What every `onegrid-ctl` client command stands on: the cache folder, the remembered login, the server
client and one sync. The case commands (`app.cli.main`) and the shift commands (`app.cli.shifts`) both
build on it."""
from __future__ import annotations

import asyncio
import getpass
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from app.cache import LocalCache
from app.cases.workflow import Actor
from app.photos import PhotoStore
from app.platform.enums import Role
from app.sync.client import ServerClient
from app.sync.engine import SyncEngine
from app.sync.session import Session

SESSION_FILE = "session.json"


class CliError(Exception):
    """A failure reported to the user as one line on stderr, exit status 1."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def open_cache(args) -> LocalCache:
    directory = Path(args.cache).expanduser()
    directory.mkdir(parents=True, exist_ok=True)
    return LocalCache(directory)


def client_for(args, session: dict | None = None) -> ServerClient:
    if not args.server:
        raise CliError("no server: give --server URL (or set ONEGRID_SERVER)")
    return ServerClient(args.server, token=(session or {}).get("token"))


def load_session(args) -> dict:
    path = Path(args.cache).expanduser() / SESSION_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CliError(f"not logged in: run 'onegrid-ctl --cache {args.cache} login USER' first") from None
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {path}: {exc}; log in again") from None


def save_session(args, session: Session) -> None:
    path = Path(args.cache).expanduser() / SESSION_FILE
    data = session.user_dict() | {"token": session.token, "offline": session.offline,
                                  "expires_at": session.expires_at.isoformat() if session.expires_at else None}
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, path)  # never a half-written session file


def actor_of(session: dict) -> Actor:
    return Actor(session["username"], Role(session["role"]), session.get("unit_id"))


def read_password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if env := os.environ.get("ONEGRID_PASSWORD"):
        return env
    return getpass.getpass(f"password for {args.username}: ")


def sync_once(cache: LocalCache, client: ServerClient) -> SyncEngine:
    engine = SyncEngine(cache, client)
    photos = PhotoStore(cache.directory)  # queued photos go up before the commands that name them
    engine.use_photos(photos)
    try:
        asyncio.run(engine.sync_once())
    finally:
        photos.close()
    return engine
