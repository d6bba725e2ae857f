"""`onegrid-ctl tasks`: the open tasks inside cases (co-handling tasks of joint cases, on-site checks and
verifications sent to an inspector) for the logged-in user, from the cache (`app.cases.tasks`); and the
lines `cases show` prints about a case's tasks."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from app.cases import tasks
from app.cases.case import Case
from app.cli.common import actor_of, load_session, open_cache, utc_now

log = logging.getLogger(__name__)


def case_task_lines(case: Case) -> list[str]:
    """A case's co-handling tasks and on-site check, one line each (for `cases show`)."""
    lines = [f"co-unit {t.unit_id}: {t.status}, due {t.due_at.astimezone():%Y-%m-%d %H:%M}"
             + (f", handled {t.handled_at.astimezone():%m-%d %H:%M}" if t.handled_at else "")
             for t in case.co_tasks]
    if case.check is not None:
        c = case.check
        lines.append(f"on-site check by {c.inspector}, sent {c.sent_at.astimezone():%m-%d %H:%M}: "
                     + (f"{c.result} {c.confirmed_at.astimezone():%m-%d %H:%M}" if c.confirmed_at else "pending"))
    if case.inspector:
        lines.append(f"verification by {case.inspector}: {case.verification or 'pending'}")
    return lines


def cmd_tasks(args) -> int:
    session = load_session(args)
    cache = open_cache(args)
    actor = actor_of(session)
    found = tasks.visible_to(cache.open_tasks(), actor, cache.refdata())
    if args.kind:
        found = [t for t in found if t.kind in args.kind]
    now = utc_now()
    if args.json:
        json.dump([{"case_id": str(t.case_id), "number": t.number, "kind": t.kind, "assignee": t.assignee,
                    "state": t.state, "since": t.since.isoformat(),
                    "due_at": t.due_at.isoformat() if t.due_at else None, "overdue": t.overdue(now)}
                   for t in found], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for t in found:
            due = "-" if t.due_at is None else ("OVERDUE" if t.overdue(now) else f"{t.due_at.astimezone():%m-%d %H:%M}")
            print(f"{t.number:<16} {t.kind:<8} {t.assignee:<18} {t.state:<12} {due}")
    total, overdue = tasks.counts(found, now)
    print(f"{total} tasks, {overdue} overdue", file=sys.stderr)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tasks", help="open co-handling tasks, on-site checks and verifications for me")
    p.add_argument("--kind", action="append", choices=list(tasks.KINDS))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tasks)
