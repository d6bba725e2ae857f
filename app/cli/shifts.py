"""`onegrid-ctl` client commands for shifts and handovers, like the console's handover view:

    shift status                          the open shift (server)
    shift open [--name SLOT] [--on-duty USER …]
    shift close [--notes TEXT]            closes the open shift; the server drafts its handover report
    handover list [--json]                the handovers in the cache
    handover show SHIFT [--json]          one report (SHIFT = shift id or a unique prefix)
    handover notes SHIFT --text TEXT      queue the outgoing lead's notes, then sync
    handover sign SHIFT                   queue the signature of the version in the cache, then sync

Notes and signatures go through the console's entity outbox, so `--offline` queues them for `sync`.
"""
from __future__ import annotations

import argparse
import json
import sys

from app.cli import common as base
from app.shifts import handover as model
from app.sync.client import AuthExpired, ServerUnreachable


def _shift_ref(cache, ref: str) -> str:
    ids = [h["shift_id"] for h in model.handovers(cache) if h["shift_id"].startswith(ref.lower())]
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise base.CliError(f"no handover of shift '{ref}' in the cache (run 'sync' first?)")
    raise base.CliError(f"'{ref}' matches {len(ids)} handovers; give more of the id")


def cmd_shift_status(args) -> int:
    session = base.load_session(args)
    current = base.client_for(args, session).shifts(limit=1).current
    if current is None:
        print("no shift is open")
    else:
        print(f"{current.name} shift {current.id} open since {current.opened_at}, lead {current.lead}, "
              f"on duty: {', '.join(current.on_duty)}")
    return 0


def cmd_shift_open(args) -> int:
    session = base.load_session(args)
    shift = base.client_for(args, session).open_shift(args.on_duty or [], args.name)
    print(f"opened {shift.name} shift {shift.id} ({shift.scheduled_start} – {shift.scheduled_end})")
    return 0


def cmd_shift_close(args) -> int:
    session = base.load_session(args)
    client = base.client_for(args, session)
    current = client.shifts(limit=1).current
    if current is None:
        raise base.CliError("no shift is open")
    draft = client.close_shift(current.id, args.notes or "")
    base.sync_once(base.open_cache(args), client)
    print(f"closed shift {current.id}; handover drafted (content hash {draft.content_hash[:12]})")
    return 0


def cmd_handover_list(args) -> int:
    items = model.handovers(base.open_cache(args))
    if args.json:
        json.dump([{k: h[k] for k in ("shift_id", "status", "version", "outgoing_lead", "signed_by", "content_hash")}
                   for h in items], sys.stdout, indent=1)
        print()
    for h in items if not args.json else ():
        print(f"{h['shift_id'][:8]} {h['shift']['name']} {h['shift']['opened_at'][:16]} {h['status']}"
              f"{' by ' + h['signed_by'] if h['signed_by'] else ''}")
    return 0


def cmd_handover_show(args) -> int:
    cache = base.open_cache(args)
    state = model.handover_state(cache, _shift_ref(cache, args.shift))
    if args.json:
        json.dump(state.server, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    report = state.report
    print(f"shift {state.shift_id} ({state.server['status']}, version {state.server['version']}, "
          f"hash {state.server['content_hash'][:12]})")
    print("counts: " + ", ".join(f"{k} {v}" for k, v in report.get("counts", {}).items()))
    for refusal in state.refusals:
        print(f"REFUSED {refusal.action}: {refusal.reason}: {refusal.message}")
    print(f"notes: {state.notes}{' (not sent yet)' if state.notes_pending else ''}")
    return 0


def _queue_and_sync(args, queue) -> int:
    session = base.load_session(args)
    cache = base.open_cache(args)
    state = model.handover_state(cache, _shift_ref(cache, args.shift))
    offline = bool(args.offline or session.get("offline"))
    try:
        command = queue(cache, session, state, offline)
    except ValueError as exc:
        raise base.CliError(str(exc)) from None
    print(f"queued {command.action} on handover {state.shift_id[:8]} (command {command.command_id})")
    if offline or not args.server:
        print("offline: it waits for 'sync'", file=sys.stderr)
        return 0
    try:
        base.sync_once(cache, base.client_for(args, session))
    except (ServerUnreachable, AuthExpired) as exc:
        print(f"not sent now ({exc.__class__.__name__}: {exc}); it waits for 'sync'", file=sys.stderr)
        return 0
    refused = [r for r in model.handover_state(cache, state.shift_id).refusals if r.command_id == command.command_id]
    if refused:
        raise base.CliError(f"the server refused it ({refused[0].reason}): {refused[0].message}")
    print(f"accepted: handover is {cache.entity('handover', state.shift_id)['status']}")
    return 0


def cmd_handover_notes(args) -> int:
    return _queue_and_sync(args, lambda cache, session, state, offline: model.queue_notes(
        cache, session["username"], state, args.text, base.utc_now(), offline=offline))


def cmd_handover_sign(args) -> int:
    return _queue_and_sync(args, lambda cache, session, state, offline: model.queue_signature(
        cache, session["username"], base.actor_of(session).role, state, base.utc_now(), offline=offline))


def add_commands(sub: argparse._SubParsersAction) -> None:
    shift = sub.add_parser("shift", help="the shift under way: status, open, close").add_subparsers(
        dest="shift_cmd", required=True)
    shift.add_parser("status", help="the open shift").set_defaults(func=cmd_shift_status)
    p = shift.add_parser("open", help="open a shift that you lead (shift_lead)")
    p.add_argument("--name", help="schedule slot (default: the one under way)")
    p.add_argument("--on-duty", nargs="*", metavar="USER", help="who is on duty besides you")
    p.set_defaults(func=cmd_shift_open)
    p = shift.add_parser("close", help="close the open shift; the server drafts the handover report")
    p.add_argument("--notes", help="notes for the incoming lead")
    p.set_defaults(func=cmd_shift_close)

    handover = sub.add_parser("handover", help="handover reports: list, show, notes, sign").add_subparsers(
        dest="handover_cmd", required=True)
    p = handover.add_parser("list", help="the handovers in the cache, newest first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_handover_list)
    p = handover.add_parser("show", help="one handover report")
    p.add_argument("shift", help="shift id or a unique prefix")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_handover_show)
    p = handover.add_parser("notes", help="replace the notes (outgoing lead; queued)")
    p.add_argument("shift")
    p.add_argument("--text", required=True)
    p.set_defaults(func=cmd_handover_notes)
    p = handover.add_parser("sign", help="sign the version in the cache (incoming lead; queued)")
    p.add_argument("shift")
    p.set_defaults(func=cmd_handover_sign)
