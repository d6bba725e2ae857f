"""The demo's shift handover: the outgoing lead (`lead2`) opens a shift when the demo server starts and
closes it a few minutes later, so the handover report is drafted from what the simulated city did in
that time and waits for the incoming lead (`lead1`, the demo's own shift-lead login) to review and sign.

Through the same functions as the endpoints (`server.shifts.shifts`, `server.shifts.handover`), so the report, the feed
entries and the audit entries are the real ones. A shift already open (a demo restarted on its old
database) is left alone.
"""
from __future__ import annotations

import logging
import threading
import uuid

from app.platform.enums import Role
from app.shifts.schedule import parse_schedule
from db.platform import UserRow
from server.platform.auth import AuthUser
from server.platform.errors import ApiError
from server.shifts import handover, shifts

log = logging.getLogger(__name__)

OUTGOING_LEAD = "lead2"
NOTES = ("本班暴雨期间下穿通道积水报警已派排水养护所处置，请接班关注积水点水位回落情况。\n"
         "Underpass flooding alarms during the storm were dispatched to drainage maintenance; please watch "
         "the water levels fall back.")


def shift_demo_hooks(close_after_s: float | None = None):
    """(on_startup, on_shutdown) lifespan hooks: open the demo shift now, close it after `close_after_s`
    (None: the server's `settings.demo_shift_close_s`)."""
    stop = threading.Event()
    holder: dict[str, threading.Thread] = {}

    def start(ctx) -> None:
        with ctx.db.reader() as session:
            row = session.get(UserRow, OUTGOING_LEAD)
        if row is None or row.role != Role.SHIFT_LEAD:
            log.info("demo shift: no shift lead %r in this database; no demo handover", OUTGOING_LEAD)
            return
        lead = AuthUser(row.username, row.display_name, Role.SHIFT_LEAD, row.unit_id)
        slots, tz = parse_schedule(ctx.settings.shift_schedule), ctx.refdata.policy.calendar.tz
        try:
            with ctx.db.writer() as session, session.begin():
                opened = shifts.open_shift(session, lead, slots=slots, tz=tz, now=ctx.now(), name=None,
                                           on_duty=[], console_id="demo")
        except ApiError as exc:
            log.info("demo shift: not opened (%s)", exc.message)
            return

        delay = ctx.settings.demo_shift_close_s if close_after_s is None else close_after_s

        def close_later() -> None:
            if stop.wait(delay):
                return
            try:
                with ctx.db.writer() as session, session.begin():
                    shift = shifts.lock_shift(session, uuid.UUID(opened["id"]))
                    shifts.close_shift_row(session, shift, lead, ctx.now())
                    handover.close_and_draft(session, shift, lead, ctx.now(), NOTES, console_id="demo")
                log.info("demo shift %s closed by %s; its handover report waits for a signature",
                         opened["id"], OUTGOING_LEAD)
            except ApiError as exc:  # closed meanwhile by a person: fine
                log.info("demo shift: not closed (%s)", exc.message)
            except Exception:
                log.exception("demo shift: closing failed")

        holder["thread"] = threading.Thread(target=close_later, name="demo-shift", daemon=True)
        holder["thread"].start()

    def stop_hook(_ctx) -> None:
        stop.set()
        if "thread" in holder:
            holder["thread"].join(timeout=5)

    return [start], [stop_hook]
