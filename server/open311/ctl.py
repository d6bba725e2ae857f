"""`onegrid-ctl open311 keys`: citizen apps' API keys.

    onegrid-ctl open311 keys create APP     prints the new key once (store it in the app)
    onegrid-ctl open311 keys revoke APP     the key is refused from the next request on
    onegrid-ctl open311 keys list
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from app.cli.main import CliError
from server.open311 import keys
from server.platform.database import Database

log = logging.getLogger(__name__)


def add_commands(sub, url_of) -> None:
    """Register `open311` on the `onegrid-ctl` subparsers; `url_of(args)` gives the database URL."""
    p = sub.add_parser("open311", help="Open311 GeoReport v2: citizen apps' API keys")
    key_cmds = p.add_subparsers(dest="open311_cmd", required=True).add_parser("keys", help="API keys per app") \
        .add_subparsers(dest="keys_cmd", required=True)
    for name, text in (("create", "create an app's key and print it once"), ("revoke", "revoke an app's key")):
        q = key_cmds.add_parser(name, help=text)
        q.add_argument("app", help="the citizen app's name")
        q.set_defaults(func=lambda args, url_of=url_of: cmd_keys(args, url_of(args)))
    key_cmds.add_parser("list", help="every app, its key's state").set_defaults(
        func=lambda args: cmd_keys(args, url_of(args)))


def cmd_keys(args, url: str) -> int:
    db = Database(url)
    now = datetime.now(timezone.utc)
    try:
        with db.writer() as session, session.begin():
            if args.keys_cmd == "create":
                app = args.app.strip()
                if not app or len(app) > 100:
                    raise CliError("open311: an app name of 1 to 100 characters")
                try:
                    key = keys.create_key(session, app, now)
                except ValueError as exc:
                    raise CliError(f"open311: {exc}") from None
                print(key)
            elif args.keys_cmd == "revoke":
                if not keys.revoke_key(session, args.app, now):
                    raise CliError(f"open311: app {args.app!r} has no key in use")
                print(f"key of {args.app} revoked")
            else:
                for row in keys.list_keys(session):
                    state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
                    print(f"{row.app_name}\tcreated {row.created_at:%Y-%m-%d %H:%M}\t{state}")
    finally:
        db.dispose()
    return 0
