"""`onegrid-ctl`: administration of a OneGrid server database, and a headless client.

Admin subcommands act directly on the server's database (`--database-url`, or ONEGRID_DATABASE_URL):
    init-db, migrate, users add, import
Client subcommands act through a local cache and the HTTP API, like a console (`--server`, `--cache`):
    login, sync, cases list/show, conflicts, report, and every case action (register, dispatch, …)

It lives in `server/` because the admin half needs the server's database code; the client half is
`app.cli`, which never imports the server.
"""
from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path

from app import cli as client_cli
from app.enums import Role
from app.refdata import RefData, RefDataError, parse_categories, parse_grids, parse_units
from server.bootstrap import BootstrapError, add_user, import_refdata, init_db
from server.database import Database, upgrade
from server.refdata_store import RefDataStore

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
    upgrade(_url(args))
    print("schema is at the newest revision")
    return 0


def cmd_users_add(args) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.username}: ")
        if password != getpass.getpass("again: "):
            raise client_cli.CliError("the two passwords differ; nothing was changed")
    if len(password) < 8:
        raise client_cli.CliError("a password needs at least 8 characters; nothing was changed")
    add_user(_url(args), args.username, password, args.role, args.unit, args.display_name, replace=args.replace)
    print(f"user {args.username} ({args.role}) {'updated' if args.replace else 'created'}")
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
        refdata = init_db(url, refdata=RefData.from_dict(bundle))
    print(f"imported {args.what} from {path}: {len(refdata.units)} units, {len(refdata.categories)} categories, "
          f"{len(refdata.grids)} grids; reference data version {refdata.version}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onegrid-ctl", description=__doc__.split("\n\n")[0])
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
    p.add_argument("--display-name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--replace", action="store_true")
    p.set_defaults(func=cmd_users_add)

    p = sub.add_parser("import", help="import reference data: a whole folder, or units / categories / grids")
    p.add_argument("what", choices=["all", "units", "categories", "grids"])
    p.add_argument("path", help="folder (all), units.json, categories.csv or grids.geojson")
    p.set_defaults(func=cmd_import)

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


if __name__ == "__main__":
    sys.exit(main())
