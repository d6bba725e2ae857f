"""`onegrid-ctl` client commands for supervision orders (督办) and callbacks (回访), like the console's docks:

    orders [--overdue] [--json]                    open orders in the cache, overdue first
    issue-order CASE --unit U --text T [--level ordinary|urgent|leader] [--due ISO-TIME]
    reply-order CASE --order N --text T            (a handler of the addressed unit)
    accept-order-reply CASE --order N [--note T]   (a shift lead)
    reject-order-reply CASE --order N --reason T   (a shift lead)
    callbacks [--json]                             closed citizen cases waiting for a callback or a lead
    callback CASE --reached --satisfaction S [--note T] | --not-reached [--note T]  [--report REPORT]
                                                   (REPORT: a merged report whose reporter was called)
    reopen CASE --reason T                         (a shift lead, after a dissatisfied callback)
    decline-reopen CASE --reason T                 (a shift lead: not reopened, the reason the reporter is told)

N is the order's number on the case (1, 2 …) or its id. Every action is a case command through the cache
and its outbox, so `--offline` queues it for `sync`.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from app.cases import callbacks, supervision
from app.cli.common import CliError, open_cache, utc_now
from app.platform.enums import Action, OrderLevel, Satisfaction

Issue = Callable[[argparse.Namespace, Action, str | None, dict], int]
FindCase = Callable[..., UUID]


def _order_id(cache, find_case: FindCase, case_ref: str, order_ref: str) -> str:
    case = cache.case(find_case(cache, case_ref))
    assert case is not None
    for order in case.orders:
        if order_ref == str(order.number) or str(order.id).startswith(order_ref.lower()):
            return str(order.id)
    raise CliError(f"case {case.display_number} has no supervision order '{order_ref}' "
                   f"(orders: {', '.join(str(o.number) for o in case.orders) or 'none'})")


def _order_row(case, order, now: datetime) -> dict:
    return {"case": case.display_number, "case_id": str(case.id), "order": order.number, "order_id": str(order.id),
            "level": str(order.level), "unit": order.unit_id, "state": order.state,
            "due_at": order.due_at.isoformat(), "overdue": supervision.is_overdue(order, now),
            "text": order.text, "reply": order.reply}


def cmd_orders(args) -> int:
    cache, now = open_cache(args), utc_now()
    rows = [_order_row(case, order, now) for case in cache.follow_up_cases()
            for order in supervision.open_orders(case)]
    if args.overdue:
        rows = [r for r in rows if r["overdue"]]
    rows.sort(key=lambda r: (not r["overdue"], r["due_at"]))
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for r in rows:
        flag = "  OVERDUE" if r["overdue"] else ""
        print(f"{r['case']} #{r['order']} {r['level']:<8} to {r['unit']:<16} {r['state']:<8} due {r['due_at']}{flag}")
        print(f"    {r['text']}" + (f"\n    reply: {r['reply']}" if r["reply"] else ""))
    counts = supervision.counts(cache.follow_up_cases(), now)
    print(f"{counts['open']} waiting for a reply ({counts['overdue']} overdue), {counts['replied']} replied",
          file=sys.stderr)
    return 0


def _callback_rows(cache, case) -> list[dict]:
    """One row per reporter still to call (a merged report's named by its number), or one for a case whose
    dissatisfied reporter waits for a lead."""
    waiting = callbacks.to_call(case)
    repeats = {r.id: r for r in cache.merged_reports(case.id)} if callbacks.reports_due(case) else {}
    rows = []
    for reporter in waiting or ([None] if callbacks.awaiting_lead(case) else []):
        report_id = reporter.report_id if reporter is not None else None
        source = case if report_id is None else repeats.get(report_id)
        cb = case.callback if reporter is None else reporter.callback
        rows.append({"case": case.display_number, "case_id": str(case.id),
                     "report": reporter.number if report_id is not None else None,
                     "report_id": str(report_id) if report_id is not None else None,
                     "reporter": source.reporter_name if source is not None else "",
                     "phone": source.reporter_phone if source is not None else "",
                     "closed_at": case.updated_at.isoformat(),
                     "waiting_for": "callback" if reporter is not None else "lead",
                     "attempts": cb.attempts if cb else 0,
                     "satisfaction": str(cb.satisfaction) if cb and cb.satisfaction else None,
                     "note": cb.note if cb else ""})
    return rows


def cmd_callbacks(args) -> int:
    cache = open_cache(args)
    cases = cache.follow_up_cases()
    rows = [row for case in cases for row in _callback_rows(cache, case)]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for r in rows:
        report = f" (report {r['report']})" if r["report"] else ""
        what = (f"call {r['phone']} ({r['reporter'] or 'reporter'}{report}), attempts so far {r['attempts']}"
                if r["waiting_for"] == "callback" else f"dissatisfied: {r['note']} — a lead reopens it or declines")
        print(f"{r['case']}  {what}")
    counts = callbacks.counts(cases)
    print(f"{counts['waiting']} callbacks waiting ({counts['retry']} tried before), {counts['dissatisfied']} "
          f"dissatisfied reporters", file=sys.stderr)
    return 0


def add_commands(sub: argparse._SubParsersAction, issue: Issue, find_case: FindCase) -> None:
    p = sub.add_parser("orders", help="open supervision orders in the cache")
    p.add_argument("--overdue", action="store_true", help="only those past their deadline without a reply")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_orders)
    p = sub.add_parser("callbacks", help="closed citizen cases waiting for a callback or a lead's decision")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_callbacks)

    def case_parser(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("case", help="number, provisional number, UUID or UUID prefix")
        return p

    p = case_parser("issue-order", "issue a supervision order (督办) to a unit about a case")
    p.add_argument("--unit", required=True)
    p.add_argument("--text", required=True)
    p.add_argument("--level", default=str(OrderLevel.ORDINARY), choices=[str(x) for x in OrderLevel])
    p.add_argument("--due", help="its deadline, ISO-8601 with a zone (default: the level's limit)")
    p.set_defaults(func=lambda a: issue(a, Action.ISSUE_ORDER, a.case, {
        "unit_id": a.unit, "text": a.text, "level": a.level} | ({"due_at": a.due} if a.due else {})))

    def order_action(action: Action, to_payload: Callable[[argparse.Namespace], dict]):
        def run(a) -> int:
            order_id = _order_id(open_cache(a), find_case, a.case, a.order)
            return issue(a, action, a.case, {"order_id": order_id} | to_payload(a))
        return run

    p = case_parser("reply-order", "the addressed unit's written reply to a supervision order")
    p.add_argument("--order", required=True, help="the order's number on the case, or its id")
    p.add_argument("--text", required=True)
    p.set_defaults(func=order_action(Action.REPLY_ORDER, lambda a: {"text": a.text}))
    p = case_parser("accept-order-reply", "accept the unit's reply: the order is done")
    p.add_argument("--order", required=True)
    p.add_argument("--note", default="")
    p.set_defaults(func=order_action(Action.ACCEPT_ORDER_REPLY, lambda a: {"reason": a.note}))
    p = case_parser("reject-order-reply", "reject the unit's reply: the order goes back to the unit")
    p.add_argument("--order", required=True)
    p.add_argument("--reason", required=True)
    p.set_defaults(func=order_action(Action.REJECT_ORDER_REPLY, lambda a: {"reason": a.reason}))

    p = case_parser("callback", "record the callback (回访) of the reporter of a closed case")
    reached = p.add_mutually_exclusive_group(required=True)
    reached.add_argument("--reached", dest="reached", action="store_true")
    reached.add_argument("--not-reached", dest="reached", action="store_false")
    p.add_argument("--satisfaction", choices=[str(s) for s in Satisfaction])
    p.add_argument("--note", default="")
    p.add_argument("--report", help="the merged report whose reporter was called (its number or id; "
                                    "default: the case's own reporter)")

    def record_callback(a) -> int:
        payload = {"reached": a.reached, "note": a.note} | ({"satisfaction": a.satisfaction} if a.satisfaction else {})
        if a.report:
            payload["report_id"] = str(find_case(open_cache(a), a.report))
        return issue(a, Action.RECORD_CALLBACK, a.case, payload)
    p.set_defaults(func=record_callback)
    p = case_parser("reopen", "reopen a closed case whose reporter was dissatisfied (back to dispatch)")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=lambda a: issue(a, Action.REOPEN, a.case, {"reason": a.reason}))
    p = case_parser("decline-reopen", "do not reopen for a dissatisfied reporter, with the reason they are told")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=lambda a: issue(a, Action.DECLINE_REOPEN, a.case, {"reason": a.reason}))
