"""`onegrid-ctl webhooks`: subscriptions of the outbound event stream, and their dead letters.

    onegrid-ctl webhooks add NAME URL [--secret S] [--from-start]   prints the secret once
    onegrid-ctl webhooks remove NAME
    onegrid-ctl webhooks list
    onegrid-ctl webhooks dead NAME [--partition P]  the dead letters (events given up after every retry)
    onegrid-ctl webhooks replay NAME [--id ID …] [--partition P]
                                                    send them again (all, those, or one feed partition's: a
                                                    city's code or `global`), before the stream goes on
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone

from app.cli.main import CliError
from app.platform.feed_partition import wire_name
from server.platform.database import Database
from server.webhooks import store

log = logging.getLogger(__name__)


def add_commands(sub, url_of) -> None:
    p = sub.add_parser("webhooks", help="the outbound event stream: subscriptions and dead letters")
    cmds = p.add_subparsers(dest="webhooks_cmd", required=True)
    run = {"func": lambda args: cmd_webhooks(args, url_of(args))}
    q = cmds.add_parser("add", help="subscribe a URL (prints its HMAC secret once)")
    q.add_argument("name")
    q.add_argument("url")
    q.add_argument("--secret", help="the HMAC secret (default: a random one, printed)")
    q.add_argument("--from-start", action="store_true", help="send every case's current state first")
    q.set_defaults(**run)
    q = cmds.add_parser("remove", help="end a subscription (its dead letters go with it)")
    q.add_argument("name")
    q.set_defaults(**run)
    cmds.add_parser("list", help="subscriptions, their cursor and state").set_defaults(**run)
    q = cmds.add_parser("dead", help="a subscription's dead letters")
    q.add_argument("name")
    q.add_argument("--partition", help="only one feed partition's: a city's code, or `global`")
    q.set_defaults(**run)
    q = cmds.add_parser("replay", help="deliver dead letters again (all, --id, or --partition)")
    q.add_argument("name")
    q.add_argument("--id", nargs="+", default=[], help="dead letters' ids (default: all of them)")
    q.add_argument("--partition", help="only one feed partition's: a city's code, or `global`")
    q.set_defaults(**run)


def cmd_webhooks(args, url: str) -> int:
    db = Database(url)
    now = datetime.now(timezone.utc)
    try:
        with db.writer() as session, session.begin():
            _run(session, args, now)
    except store.WebhookError as exc:
        raise CliError(f"webhooks: {exc}") from None
    finally:
        db.dispose()
    return 0


def _run(session, args, now: datetime) -> None:
    command = args.webhooks_cmd
    if command == "add":
        row, secret = store.add_subscription(session, args.name, args.url, now, secret=args.secret,
                                             from_start=args.from_start)
        print(f"subscription {row.name} → {row.url} from feed cursor {row.cursor}")
        print(f"secret: {secret}")
    elif command == "remove":
        store.remove_subscription(session, args.name)
        print(f"subscription {args.name} removed")
    elif command == "list":
        for row in store.list_subscriptions(session):
            waiting = f", try {row.attempts} failed: {row.last_error}" if row.attempts else ""
            print(f"{row.name}\t{row.url}\tcursor {row.cursor or row.position}\tdelivered {row.delivered}{waiting}")
    elif command == "dead":
        partition = store.partition_arg(args.partition) if args.partition else None
        for dead in store.dead_letters(session, args.name, partition=partition):
            print(f"{dead.id}\t{dead.event_id}\tpartition {wire_name(dead.partition)} position {dead.position}"
                  f"\t{dead.attempts} tries\t{dead.last_error}")
    else:
        try:
            ids = [uuid.UUID(value) for value in args.id]
        except ValueError:
            raise CliError("webhooks replay: --id takes a dead letter's id (a UUID)") from None
        partition = store.partition_arg(args.partition) if args.partition else None
        print(f"{store.replay(session, args.name, ids, partition=partition)} dead letters will be delivered again")
