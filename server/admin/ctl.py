"""`onegrid-ctl`: administration of a OneGrid server database, and a headless client.

Admin subcommands act directly on the server's database (`--database-url`, or ONEGRID_DATABASE_URL):
    init-db, migrate, users add/unlock, import, audit verify/head/export
Client subcommands act through a local cache and the HTTP API, like a console (`--server`, `--cache`):
    login, sync, cases list/show, conflicts, report, and every case action (register, dispatch, …)

It lives in `server/` because the admin half needs the server's database code; the client half is
`app.cli.main`, which never imports the server.
"""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from app.cli import main as client_cli
from app.platform.enums import Role
from app.platform.gc_tuning import tune_collector
from app.platform.version import app_version
from app.refdata.categories import parse_categories
from app.refdata.errors import RefDataError
from app.refdata.grids import parse_grids
from app.refdata.model import RefData
from app.refdata.units import parse_units
from server.admin.bootstrap import BootstrapError, add_user, import_refdata, init_db
from server.admin.metrics_cli import add_commands as add_metrics_commands
from server.admin.password_policy import password_problem
from server.audit import actions as audit_actions
from server.audit import chain as audit
from server.audit import verify as audit_verify
from server.audit.query import CSV_COLUMNS, AuditFilter, csv_line, csv_row, oldest_first
from server.map.ctl import add_commands as add_basemap_commands
from server.open311.ctl import add_commands as add_open311_commands
from server.platform.database import Database, current_revision, upgrade
from server.platform.login_throttle import LoginThrottle
from server.refdata.store import RefDataStore
from server.webhooks.ctl import add_commands as add_webhook_commands

log = logging.getLogger(__name__)


def _url(args) -> str:
    url = args.database_url or os.environ.get("ONEGRID_DATABASE_URL")
    if not url:
        raise client_cli.CliError("no database: give --database-url URL or set ONEGRID_DATABASE_URL")
    return url


def cmd_init_db(args) -> int:
    refdata = init_db(_url(args), args.refdata, demo_users=args.demo_users)
    print(f"database ready: {len(refdata.units)} units, {len(refdata.categories)} categories, "
          f"{len(refdata.grids)} grids, reference data version {refdata.version}"
          f"{'; demo users created' if args.demo_users else ''}")
    return 0


def cmd_migrate(args) -> int:
    url = _url(args)
    before = current_revision(url)
    upgrade(url)
    after = current_revision(url)
    if before == after:
        print(f"schema is at the newest revision ({after}); nothing to do")
    else:
        print(f"schema upgraded from {before or 'an empty database'} to {after} (the newest revision)")
    return 0


def cmd_users_add(args) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.username}: ")
        if password != getpass.getpass("again: "):
            raise client_cli.CliError("the two passwords differ; nothing was changed")
    problem = password_problem(password, args.username, args.role)
    if problem:
        raise client_cli.CliError(f"weak password refused: {problem}; nothing was changed")
    add_user(_url(args), args.username, password, args.role, args.unit, args.display_name, replace=args.replace,
             jurisdictions=tuple(args.jurisdiction or ()))
    print(f"user {args.username} ({args.role}) {'updated' if args.replace else 'created'}")
    return 0


def cmd_users_unlock(args) -> int:
    """End an account's lockout after failed logins and forget its failures (`server.platform.login_throttle`)."""
    db = Database(_url(args))
    try:
        now = datetime.now(timezone.utc)
        throttle = LoginThrottle(db)
        with db.writer() as session, session.begin():
            state = throttle.unlock(session, args.username, now)
            if state is None:
                raise client_cli.CliError(f"no account '{args.username}'; nothing was changed")
            audit_actions.login_unlock(session, audit_actions.local_actor(), None, audit_actions.local_console(),
                                       now, state)
    finally:
        db.dispose()
    if state["was_locked"]:
        print(f"unlocked {args.username} (was locked until {state['locked_until']})")
    else:
        print(f"{args.username} was not locked; {state['failures']} failed login(s) forgotten")
    return 0


_PIECES = {"units": parse_units, "categories": parse_categories, "grids": parse_grids}


def cmd_import(args) -> int:
    url = _url(args)
    path = Path(args.path)
    if args.what == "all":
        refdata = import_refdata(url, path)
    else:
        # Replace one piece of the reference data in force, then validate the whole bundle again so a
        # new units file cannot orphan the responsibility matrix (nothing is stored if it would).
        db = Database(url)
        try:
            current = RefDataStore(db.reader).current()
        finally:
            db.dispose()
        parse = _PIECES[args.what]
        items = parse(path, current.policy.calendar) if args.what == "categories" else parse(path)
        bundle = current.to_dict(include_secrets=True)
        bundle[args.what] = [item.to_dict() for item in items]
        bundle.pop("version", None)
        refdata = init_db(url, refdata=RefData.from_dict(bundle), source=f"{args.what}: {path}")
    print(f"imported {args.what} from {path}: {len(refdata.units)} units, {len(refdata.categories)} categories, "
          f"{len(refdata.grids)} grids; reference data version {refdata.version}")
    return 0


def _audit_time(text: str | None, option: str):
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise client_cli.CliError(f"{option} {text!r} is not an ISO-8601 time (e.g. 2026-12-01T08:00+08:00)") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise client_cli.CliError(f"{option} {text!r} needs a time zone (e.g. {text}+08:00)")
    return value


def _chain_arg(args) -> str | None:
    """`--chain`: a city's 4 digits or `platform` (None: every chain)."""
    name = getattr(args, "chain", None)
    if name is None:
        return None
    if name == "platform":
        return ""
    if not audit.valid_chain(name) or not name:
        raise client_cli.CliError(f"--chain {name!r} is neither `platform` nor a city's 4 digits")
    return name


def cmd_audit_verify(args) -> int:
    """Walk every chain (or `--chain`'s) from entry 1 (keyset pages: bounded memory for any length); a line
    per chain; exit 1 if any is broken, naming its first broken entry."""
    try:
        # `"$(cat heads-file)"`: the lines `audit head` printed, in one argument
        expect = [audit_verify.parse_head(head) for text in args.expect_head or () for head in text.split()]
    except ValueError as exc:
        raise client_cli.CliError(f"--expect-head: {exc}") from None
    chain = _chain_arg(args)
    if chain is not None and any(head.chain != chain for head in expect):
        raise client_cli.CliError(f"--expect-head: a head of another chain than --chain {args.chain}")
    db = Database(_url(args))
    try:
        started = time.monotonic()
        if chain is not None:
            reports = [audit_verify.verify_chain(db.reader, chain=chain, expect_head=expect[0] if expect else None)]
        else:
            reports = audit_verify.verify_all(db.reader, expect_heads=expect)
    except ValueError as exc:
        raise client_cli.CliError(f"--expect-head: {exc}") from None
    finally:
        db.dispose()
    took = time.monotonic() - started
    for report in reports:
        if report.ok:
            print(f"{report.summary()}; verified in {took:.1f} s")
        else:
            print(f"onegrid-ctl: {report.summary()}", file=sys.stderr)
    return 0 if all(report.ok for report in reports) else 1


def cmd_audit_head(args) -> int:
    """Every chain's head (or `--chain`'s), one a line: `SEQ:HASH` for the platform chain, `CITY@SEQ:HASH`."""
    chain = _chain_arg(args)
    db = Database(_url(args))
    try:
        with db.reader() as session:
            heads = audit_verify.read_heads(session)
    finally:
        db.dispose()
    if chain is not None:
        heads = [head for head in heads if head.chain == chain]
    if not heads:
        raise client_cli.CliError("this database has no audit chain (run `onegrid-ctl migrate`)" if chain is None
                                  else f"no audit chain {args.chain} in this database")
    for head in heads:
        print(head)
    return 0


def cmd_audit_export(args) -> int:
    start, end = _audit_time(args.start, "--start"), _audit_time(args.end, "--end")
    if start is not None and end is not None and end <= start:
        raise client_cli.CliError(f"--end {args.end} is not after --start {args.start}")
    where = AuditFilter(start=start, end=end, actor=args.actor, action=args.action)
    db = Database(_url(args))
    out = open(args.output, "w", encoding="utf-8-sig" if args.format == "csv" else "utf-8", newline="") \
        if args.output else sys.stdout
    count = 0
    try:
        if args.format == "csv":
            out.write(csv_line(list(CSV_COLUMNS)))
        for entry in oldest_first(db.reader, where):
            out.write(csv_line(csv_row(entry)) if args.format == "csv"
                      else json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")
    finally:
        if out is not sys.stdout:
            out.close()
        db.dispose()
    if args.output:
        print(f"exported {count} audit entries to {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onegrid-ctl", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=app_version())
    parser.add_argument("--database-url", help="server database (admin commands; ONEGRID_DATABASE_URL)")
    parser.add_argument("-v", "--verbose", action="store_true")
    client_cli.add_client_options(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init-db", help="create or upgrade the schema and load reference data")
    p.add_argument("--refdata", help="reference data folder (default: the demo city, only into an empty database)")
    p.add_argument("--demo-users", action="store_true", help="also create the demo accounts (demo only)")
    p.set_defaults(func=cmd_init_db)

    sub.add_parser("migrate", help="upgrade the schema to the newest revision (after an upgrade)") \
        .set_defaults(func=cmd_migrate)

    users = sub.add_parser("users", help="manage accounts").add_subparsers(dest="users_cmd", required=True)
    p = users.add_parser("add", help="create an account (or --replace an existing one)")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=[str(r) for r in Role if r != Role.SYSTEM])
    p.add_argument("--unit", help="member unit id (required for unit_handler)")
    p.add_argument("--jurisdiction", nargs="+", metavar="CODE",
                   help="the city (4 digits), district (6) or street (9) codes the user works in (none: the "
                        "whole reference data)")
    p.add_argument("--display-name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--replace", action="store_true")
    p.set_defaults(func=cmd_users_add)

    p = users.add_parser("unlock", help="end an account's lockout after failed logins (and forget its failures)")
    p.add_argument("username")
    p.set_defaults(func=cmd_users_unlock)

    p = sub.add_parser("import", help="import reference data: a whole folder, or units / categories / grids")
    p.add_argument("what", choices=["all", "units", "categories", "grids"])
    p.add_argument("path", help="folder (all), units.json, categories.csv or grids.geojson")
    p.set_defaults(func=cmd_import)

    audit_cmds = sub.add_parser("audit", help="the audit trail: verify the chain, print its head, export") \
        .add_subparsers(dest="audit_cmd", required=True)
    p = audit_cmds.add_parser("verify", help="check every entry's hash and link in every chain; exit 1 naming "
                                             "the first broken one")
    p.add_argument("--expect-head", metavar="HEAD", action="append",
                   help="heads printed earlier by `audit head` (SEQ:HASH or CITY@SEQ:HASH, several separated by "
                        "white space, or the option repeated): each must still be in its chain")
    p.add_argument("--chain", metavar="CITY", help="only this chain: a city's 4 digits or `platform`")
    p.set_defaults(func=cmd_audit_verify)
    p = audit_cmds.add_parser("head", help="print every chain's head, SEQ:HASH for the platform chain and "
                                           "CITY@SEQ:HASH for a city's (record them outside the database)")
    p.add_argument("--chain", metavar="CITY", help="only this chain: a city's 4 digits or `platform`")
    p.set_defaults(func=cmd_audit_head)
    p = audit_cmds.add_parser("export", help="entries in a time range, oldest first, as CSV or JSON lines")
    p.add_argument("--start", help="from this server time (ISO-8601 with zone), inclusive")
    p.add_argument("--end", help="to this server time, exclusive")
    p.add_argument("--actor")
    p.add_argument("--action")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--csv", dest="format", action="store_const", const="csv", help="CSV (default; UTF-8 with "
                                                                                     "BOM when written to a file)")
    form.add_argument("--json", dest="format", action="store_const", const="json", help="one JSON object per line")
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
    p.set_defaults(func=cmd_audit_export, format="csv")

    add_metrics_commands(sub, _url)
    add_open311_commands(sub, _url)
    add_webhook_commands(sub, _url)
    add_basemap_commands(sub, _url)

    client_cli.add_client_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return client_cli.run(args)
    except (BootstrapError, RefDataError) as exc:
        print(f"onegrid-ctl: {exc}", file=sys.stderr)
        return 1


def script() -> int:
    """The `onegrid-ctl` console script: `main()` in a process of its own, with the collector tuned
    (`app.platform.gc_tuning`; a `sync` of 100,000 cases otherwise spends a third of its time collecting)."""
    tune_collector(report_slow=False)
    return main()


if __name__ == "__main__":
    sys.exit(script())
