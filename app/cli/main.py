"""The headless client half of `onegrid-ctl`: log in, sync, list and show cases, and take every case
action — through the same LocalCache, outbox and sync engine as the console, so a command issued here
while the server is down is queued and sent by the next `sync`.

Every subcommand takes `--server URL` and `--cache DIR`. The login is remembered in DIR/session.json
(readable by the user only); commands issued with an expired login still queue under that identity.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from uuid import UUID

from app.cache import LocalCache
from app.cases.workflow import WorkflowError
from app.cli import followups as followup_commands
from app.cli import photos as photo_commands
from app.cli import shifts as shift_commands
from app.cli import tasks as task_commands
from app.cli.common import (
    SESSION_FILE,
    CliError,
    actor_of,
    client_for,
    load_session,
    open_cache,
    read_password,
    save_session,
    sync_once,
    utc_now,
)
from app.platform.enums import TERMINAL_STATUSES, Action, Priority, Source, Status
from app.sync.client import AuthExpired, ServerRefused, ServerUnreachable
from app.sync.session import LoginError, login_offline, login_online

log = logging.getLogger(__name__)

def _find_case(cache: LocalCache, ref: str) -> UUID:
    """A case by UUID, server number, provisional number or unique UUID prefix."""
    try:
        return UUID(ref)
    except ValueError:
        pass
    matches = cache.find_case_ids(ref, id_prefix=True)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CliError(f"no case '{ref}' in the cache (run 'sync' first?)")
    raise CliError(f"'{ref}' matches {len(matches)} cases; give more of the id")


def _summary_json(s) -> dict:
    return {"id": str(s.id), "number": s.number or s.provisional_number, "status": str(s.status),
            "priority": str(s.priority), "category": s.category_code, "unit": s.unit_id, "grid": s.grid_code,
            "due_at": s.due_at.isoformat() if s.due_at else None, "pending": s.pending}


# ---------------------------------------------------------------------------------------------- commands

def cmd_login(args) -> int:
    cache = open_cache(args)
    password = read_password(args)
    try:
        if args.offline:
            session = login_offline(cache, args.username, password)
        else:
            client = client_for(args)
            session = login_online(client, cache, args.username, password)
            sync_once(cache, client)
    except LoginError as exc:
        raise CliError(f"login refused: {exc.message}") from None
    except ServerUnreachable as exc:
        raise CliError(f"server {args.server} unreachable ({exc}); use --offline if you logged in here before") \
            from None
    save_session(args, session)
    mode = "offline" if session.offline else "online"
    print(f"logged in {mode} as {session.username} ({session.actor.role}); cache {args.cache}")
    return 0


def cmd_logout(args) -> int:
    """End the server session (when online) and forget the remembered login; queued commands stay."""
    path = Path(args.cache).expanduser() / SESSION_FILE
    session = load_session(args)
    if session.get("token") and not args.offline:
        client = client_for(args, session)
        try:
            client.logout()
        except ServerUnreachable as exc:
            raise CliError(f"server {args.server} unreachable ({exc}); the login is kept: retry, or use "
                           f"--offline to forget it here only (the token then lapses at its expiry)") from None
        except ServerRefused as exc:
            raise CliError(f"logout refused: {exc.message}") from None
        finally:
            client.close()
    path.unlink(missing_ok=True)
    cache = open_cache(args)
    try:
        queued = cache.outbox_size()
    finally:
        cache.close()
    print(f"logged out {session.get('username')}" + (f"; {queued} queued commands stay queued for the next login"
                                                      if queued else ""))
    return 0


def cmd_sync(args) -> int:
    session = load_session(args)
    cache = open_cache(args)
    try:
        engine = sync_once(cache, client_for(args, session))
    except ServerUnreachable as exc:
        raise CliError(f"server unreachable ({exc}); {cache.outbox_size()} commands stay queued") from None
    except AuthExpired:
        raise CliError("login expired: run 'login' again (queued commands are kept)") from None
    state = engine.state
    print(f"synced: cursor {cache.cursor()}, {cache.case_count()} cases, outbox {state.outbox}, "
          f"conflicts {state.conflicts}")
    return 0


def cmd_cases_list(args) -> int:
    cache = open_cache(args)
    rows = cache.summaries()
    if args.status:
        rows = [s for s in rows if str(s.status) in args.status]
    elif not args.all:
        rows = [s for s in rows if s.status not in TERMINAL_STATUSES]
    rows.sort(key=lambda s: (s.due_at or datetime.max.replace(tzinfo=timezone.utc)))
    if args.json:
        json.dump([_summary_json(s) for s in rows], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    now = utc_now()
    for s in rows:
        due = "" if s.due_at is None else ("OVERDUE" if s.due_at < now else s.due_at.astimezone().strftime("%m-%d %H:%M"))
        print(f"{(s.number or s.provisional_number or str(s.id)[:8]):<16} {s.status!s:<12} {s.priority!s:<9} "
              f"{s.category_code:<6} {s.unit_id or '-':<18} {due:<12}{' *pending' if s.pending else ''}")
    print(f"{len(rows)} cases", file=sys.stderr)
    return 0


def cmd_cases_show(args) -> int:
    cache = open_cache(args)
    case = cache.case(_find_case(cache, args.case))
    assert case is not None
    if args.json:
        print(case.model_dump_json(indent=1))
        return 0
    print(f"{case.display_number}  {case.status}  {case.priority}  {case.category_code}  unit={case.unit_id or '-'}")
    print(f"  {case.description}")
    print(f"  {case.location.address} ({case.location.lat:.5f}, {case.location.lon:.5f}) grid {case.location.grid_code}")
    if case.due_at:
        print(f"  {case.stage} due {case.due_at.astimezone():%Y-%m-%d %H:%M}")
    for line in task_commands.case_task_lines(case):
        print(f"  {line}")
    for e in case.events:
        flag = " (offline)" if e.offline else ""
        print(f"  {e.at.astimezone():%m-%d %H:%M} {e.actor:<18} {e.action!s:<18} -> {e.to_status}{flag} "
              f"{json.dumps(e.payload, ensure_ascii=False) if e.payload else ''}")
    pending = cache.pending_commands(case.id)
    if pending:
        print(f"  {len(pending)} command(s) waiting to be sent")
    return 0


# Each action: CLI name, the arguments it takes, and how they become the payload.
def _payload_create(a) -> dict:
    p: dict[str, Any] = {"source": a.source, "category_code": a.category, "description": a.description,
                         "location": {"lat": a.lat, "lon": a.lon, "address": a.address or ""}}
    if a.grid:
        p["location"]["grid_code"] = a.grid
    if a.priority:
        p["priority"] = a.priority
    if a.reporter_name:
        p["reporter_name"] = a.reporter_name
    if a.reporter_phone:
        p["reporter_phone"] = a.reporter_phone
    return p


ACTIONS: dict[Action, tuple[str, list[tuple[str, dict]], Callable[[Any], dict]]] = {
    Action.REGISTER: ("register", [], lambda a: {}),
    Action.VOID: ("void", [("--reason", {"required": True})], lambda a: {"reason": a.reason}),
    Action.DISPATCH: ("dispatch", [("--unit", {"required": True})], lambda a: {"unit_id": a.unit}),
    Action.ACCEPT: ("accept", [], lambda a: {}),
    Action.RETURN: ("return", [("--reason", {"required": True})], lambda a: {"reason": a.reason}),
    Action.REPORT_HANDLED: ("handled", [("--note", {"required": True})], lambda a: {"note": a.note}),
    Action.SEND_VERIFY: ("send-verify", [("--inspector", {})],
                         lambda a: {"inspector": a.inspector} if a.inspector else {}),
    Action.VERIFY_PASS: ("verify-pass", [("--note", {"default": ""})], lambda a: {"note": a.note}),
    Action.VERIFY_FAIL: ("verify-fail", [("--reason", {"required": True})], lambda a: {"reason": a.reason}),
    Action.CLOSE: ("close", [], lambda a: {}),
    Action.REQUEST_EXTENSION: ("request-extension", [("--minutes", {"type": int, "required": True}),
                                                     ("--calendar-time", {"action": "store_true"}),
                                                     ("--reason", {"required": True})],
                               lambda a: {"minutes": a.minutes, "working": not a.calendar_time, "reason": a.reason}),
    Action.APPROVE_EXTENSION: ("approve-extension", [], lambda a: {}),
    Action.DENY_EXTENSION: ("deny-extension", [("--reason", {"required": True})], lambda a: {"reason": a.reason}),
    Action.SUSPEND: ("suspend", [("--reason", {"required": True})], lambda a: {"reason": a.reason}),
    Action.RESUME: ("resume", [], lambda a: {}),
    Action.ESCALATE: ("escalate", [("--reason", {"required": True}), ("--to", {"dest": "target"})],
                      lambda a: {"reason": a.reason} | ({"target_unit_id": a.target} if a.target else {})),
    Action.REASSIGN: ("reassign", [("--unit", {"required": True})], lambda a: {"unit_id": a.unit}),
    Action.NOTE: ("note", [("--text", {"required": True})], lambda a: {"text": a.text}),
    Action.DECIDE_OWNER: ("decide-owner", [("--unit", {"required": True}), ("--reason", {"required": True})],
                          lambda a: {"unit_id": a.unit, "reason": a.reason}),
    Action.ADD_CO_UNIT: ("add-co-unit", [("--unit", {"required": True}), ("--note", {"default": ""})],
                         lambda a: {"unit_id": a.unit, "note": a.note}),
    Action.REMOVE_CO_UNIT: ("remove-co-unit", [("--unit", {"required": True}), ("--reason", {"required": True})],
                            lambda a: {"unit_id": a.unit, "reason": a.reason}),
    Action.CO_ACCEPT: ("co-accept", [], lambda a: {}),
    Action.CO_RETURN: ("co-return", [("--reason", {"required": True})], lambda a: {"reason": a.reason}),
    Action.CO_HANDLED: ("co-handled", [("--note", {"required": True})], lambda a: {"note": a.note}),
    Action.SEND_CHECK: ("send-check", [("--inspector", {}), ("--note", {"default": ""})],
                        lambda a: ({"inspector": a.inspector} if a.inspector else {}) | {"note": a.note}),
    Action.CONFIRM_CHECK: ("confirm-check", [("--not-found", {"action": "store_true"}), ("--note", {"default": ""})],
                           lambda a: {"found": not a.not_found, "note": a.note}),
    Action.ARRIVE: ("arrive", [], lambda a: {}),  # the crew or the inspector is on site (到场)
}


def _issue(args, action: Action, case_ref: str | None, payload: dict) -> int:
    session = load_session(args)
    cache = open_cache(args)
    case_id = _find_case(cache, case_ref) if case_ref else None
    offline = bool(args.offline or session.get("offline"))
    try:
        command = cache.issue(actor_of(session), action, case_id, payload, utc_now(), offline=offline)
    except WorkflowError as exc:
        raise CliError(f"refused ({exc.code}): {exc.message}") from None
    case = cache.case(command.case_id)
    print(f"queued {action} on {case.display_number if case else command.case_id} (command {command.command_id})")
    if offline or not args.server:
        print(f"offline: {cache.outbox_size()} command(s) wait for 'sync'", file=sys.stderr)
        return 0
    try:
        sync_once(cache, client_for(args, session))
    except (ServerUnreachable, AuthExpired) as exc:
        print(f"not sent now ({exc.__class__.__name__}: {exc}); {cache.outbox_size()} command(s) wait for 'sync'",
              file=sys.stderr)
        return 0
    rejected = [c for c in cache.conflicts() if c.command.command_id == command.command_id]
    if rejected:
        raise CliError(f"the server rejected it ({rejected[0].reason}): {rejected[0].message}")
    case = cache.case(command.case_id)
    print(f"accepted: {case.display_number} is now {case.status}" if case else "accepted")
    return 0


def cmd_report(args) -> int:
    return _issue(args, Action.CREATE, None, _payload_create(args))


def cmd_conflicts(args) -> int:
    cache = open_cache(args)
    items = cache.conflicts()
    if args.json:
        json.dump([{"id": c.id, "command": c.command.model_dump(mode="json"), "reason": c.reason,
                    "message": c.message} for c in items], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for c in items:
            print(f"#{c.id} {c.command.action} on {c.command.case_id}: {c.reason}: {c.message}")
        print(f"{len(items)} conflicts", file=sys.stderr)
    return 0


def add_client_commands(sub: argparse._SubParsersAction) -> None:
    """Register the client subcommands on an `onegrid-ctl` parser."""
    p = sub.add_parser("login", help="log in (online, or --offline as a user who logged in here before)")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_login)

    p = sub.add_parser("logout", help="end the server session and forget the login kept in the cache folder")
    p.set_defaults(func=cmd_logout)

    sub.add_parser("sync", help="send queued commands and pull every change").set_defaults(func=cmd_sync)

    cases = sub.add_parser("cases", help="list or show cached cases").add_subparsers(dest="cases_cmd", required=True)
    p = cases.add_parser("list", help="active cases (or --all / --status)")
    p.add_argument("--status", action="append", choices=[str(s) for s in Status])
    p.add_argument("--all", action="store_true", help="include closed and voided cases")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cases_list)
    p = cases.add_parser("show", help="one case with its full history")
    p.add_argument("case", help="number, provisional number, UUID or UUID prefix")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cases_show)

    p = sub.add_parser("conflicts", help="commands the server rejected")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_conflicts)

    p = sub.add_parser("report", help="report a new case (hotline call, inspector report …)")
    p.add_argument("--category", required=True, help="category code, e.g. C0101")
    p.add_argument("--description", required=True)
    p.add_argument("--lat", type=float, required=True)
    p.add_argument("--lon", type=float, required=True)
    p.add_argument("--address")
    p.add_argument("--grid", help="14-digit grid code (found from lat/lon when omitted)")
    p.add_argument("--source", default=str(Source.HOTLINE), choices=[str(s) for s in Source])
    p.add_argument("--priority", choices=[str(x) for x in Priority])
    p.add_argument("--reporter-name")
    p.add_argument("--reporter-phone")
    p.set_defaults(func=cmd_report)

    for action, (name, options, to_payload) in ACTIONS.items():
        p = sub.add_parser(name, help=f"case action '{action}'")
        p.add_argument("case", help="number, provisional number, UUID or UUID prefix")
        for flag, kw in options:
            p.add_argument(flag, **kw)
        p.set_defaults(func=lambda a, _act=action, _tp=to_payload: _issue(a, _act, a.case, _tp(a)))

    shift_commands.add_commands(sub)
    task_commands.add_commands(sub)
    followup_commands.add_commands(sub, _issue, _find_case)
    photo_commands.add_commands(sub, _issue, _find_case, cmd_sync)


def add_client_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", default=os.environ.get("ONEGRID_SERVER"), help="server URL (ONEGRID_SERVER)")
    parser.add_argument("--cache", default=os.environ.get("ONEGRID_CACHE", "./onegrid-cache"),
                        help="local cache directory (ONEGRID_CACHE, default ./onegrid-cache)")
    parser.add_argument("--offline", action="store_true", help="queue commands without contacting the server")


def run(args) -> int:
    try:
        return args.func(args)
    except CliError as exc:
        print(f"onegrid-ctl: {exc}", file=sys.stderr)
        return 1
    except ServerRefused as exc:
        print(f"onegrid-ctl: the server refused: {exc}", file=sys.stderr)
        return 1
