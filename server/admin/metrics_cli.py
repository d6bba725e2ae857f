"""`onegrid-ctl metrics`: a performance report from the server database, and `metrics rebuild-facts`.

    onegrid-ctl metrics --start 2026-11-01 --end 2026-11-30 [--unit roads] [--no-rollup] [--json]
    onegrid-ctl metrics rebuild-facts

The report is the same as `GET /api/metrics` (`server.metrics.facts.report`); the text form prints every figure
with its numerator, denominator and formula, then the ranking.
"""
from __future__ import annotations

import argparse
import json
import logging
from datetime import date

from app.cli.main import CliError
from app.metrics import figures as m
from server.metrics import facts as server_metrics
from server.metrics.evaluation import evaluation_settings
from server.platform.database import Database
from server.platform.settings import ServerSettings
from server.refdata.store import RefDataStore

log = logging.getLogger(__name__)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def add_commands(sub, url_of) -> None:
    """Register `metrics` on the `onegrid-ctl` subparsers; `url_of(args)` gives the database URL."""
    p = sub.add_parser("metrics", help="performance report from the server database, or rebuild its facts")
    p.add_argument("action", nargs="?", choices=["report", "rebuild-facts"], default="report",
                   help="report (default) or rebuild-facts (recompute every case's metric facts)")
    p.add_argument("--start", type=_day, help="first local day (YYYY-MM-DD)")
    p.add_argument("--end", type=_day, help="last local day, inclusive (YYYY-MM-DD)")
    p.add_argument("--unit", help="unit id (default: city-wide)")
    p.add_argument("--no-rollup", action="store_true", help="the unit alone, without its sub-units")
    p.add_argument("--json", action="store_true", help="the report as JSON (the shape of GET /api/metrics)")
    p.set_defaults(func=lambda args: cmd_metrics(args, url_of(args)))


def cmd_metrics(args, url: str) -> int:
    db = Database(url)
    try:
        refdata = RefDataStore(db.reader).current()
        if args.action == "rebuild-facts":
            with db.writer() as session, session.begin():
                count = server_metrics.rebuild_facts(session, refdata)
            print(f"metric facts rebuilt for {count} cases")
            return 0
        if args.start is None or args.end is None:
            raise CliError("metrics: give --start and --end (YYYY-MM-DD)")
        try:
            with db.reader() as session:
                rep = server_metrics.report(session, refdata, args.start, args.end, args.unit or None,
                                            not args.no_rollup, server_metrics._now(),
                                            evaluation_settings(ServerSettings.from_env()))
        except m.MetricsError as exc:
            raise CliError(f"metrics: {exc}") from None
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(rep.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print(format_text(rep, refdata))
    return 0


def format_text(rep: m.Report, refdata) -> str:
    scope = "city-wide" if rep.unit_id is None else f"unit {rep.unit_id}{' with sub-units' if rep.rollup else ''}"
    lines = [f"Performance {rep.period.start.isoformat()} .. {rep.period.end.isoformat()} ({rep.period.timezone}), "
             f"{scope}; as of {rep.period.as_of.isoformat(timespec='seconds')}", ""]
    for f in rep.figures:
        lines.append(f"{f.label}: {m.format_value(f)} {m.format_fraction(f)}".rstrip())
        lines.append(f"    {f.formula}")
    if rep.posts:
        lines += ["", "The center's posts (each on its own stages):"]
        for post in rep.posts:
            lines.append(f"  {post.label}")
            for f in post.figures:
                lines.append(f"    {f.label}: {m.format_value(f)} {m.format_fraction(f)}".rstrip())
                lines.append(f"        {f.formula}")
    lines += ["", f"Ranking: {rep.ranking_rule}"]
    keys = ("registered", "closed", "on_time_handling_rate", "timely_resolution_rate", "composite")
    lines.append("  #  unit                      " + "  ".join(f"{k:>22}" for k in keys) + "  peer group / why unranked")
    for row in rep.ranking:
        figs = {f.key: f for f in row.figures}
        cells = "  ".join(f"{m.format_value(figs[k]):>22}" for k in keys)
        rank = "-" if row.rank is None else str(row.rank)
        lines.append(f"{rank:>3}  {row.unit_id:<24}  {cells}  {row.peer_group}"
                     + (f": {row.unranked_reason}" if row.unranked_reason else ""))
    return "\n".join(lines)
