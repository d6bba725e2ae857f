"""The handover report as one HTML document — header, figures, the carried-over lists, the evaluation,
notes and signature — that screen, PDF and print share (`report_html`), and its file name
(`pdf_file_name`); every label translatable (context `HandoverReport`). Qt-free."""
from __future__ import annotations

import html
from typing import Any

from app.platform import times
from app.platform.enums import OrderLevel, Status
from app.platform.i18n import QT_TRANSLATE_NOOP, translate
from app.platform.labels import label as level_label
from app.platform.labels import localized_name, status_label
from app.refdata.people import display_name, person_text
from app.shifts.handover import CTX, HandoverState, shift_label

_METRICS = "Metrics"  # the figures' own labels and formulas (app.metrics), translated in their context


def _tr(text: str) -> str:
    return translate(CTX, text)

# ---- the report as HTML --------------------------------------------------------------------------------

# Every text of the report, by key (lupdate extracts them into context HandoverReport).
_TEXT = {
    "title": QT_TRANSLATE_NOOP("HandoverReport", "Shift handover report"),
    "window": QT_TRANSLATE_NOOP("HandoverReport", "{shift}, {start} – {end} (scheduled {sstart} – {send})"),
    "people": QT_TRANSLATE_NOOP("HandoverReport", "Outgoing lead: {lead}. On duty: {names}."),
    "none": QT_TRANSLATE_NOOP("HandoverReport", "None."),
    "more": QT_TRANSLATE_NOOP("HandoverReport", "… and {n} more."),
    "cases": QT_TRANSLATE_NOOP("HandoverReport", "Cases"),
    "figure": QT_TRANSLATE_NOOP("HandoverReport", "Figure"),
    "count": QT_TRANSLATE_NOOP("HandoverReport", "Count"),
    "open_by_status": QT_TRANSLATE_NOOP("HandoverReport", "Still open by status"),
    "status": QT_TRANSLATE_NOOP("HandoverReport", "Status"),
    "case": QT_TRANSLATE_NOOP("HandoverReport", "Case"),
    "unit": QT_TRANSLATE_NOOP("HandoverReport", "Unit"),
    "due": QT_TRANSLATE_NOOP("HandoverReport", "Due"),
    "category": QT_TRANSLATE_NOOP("HandoverReport", "Category"),
    "place": QT_TRANSLATE_NOOP("HandoverReport", "Place"),
    "remarks": QT_TRANSLATE_NOOP("HandoverReport", "Remarks of the incoming lead"),
    "overdue": QT_TRANSLATE_NOOP("HandoverReport", "Overdue cases"),
    "escalated": QT_TRANSLATE_NOOP("HandoverReport", "Escalated cases"),
    "escalated_to": QT_TRANSLATE_NOOP("HandoverReport", "Escalated to"),
    "open_escalations": QT_TRANSLATE_NOOP("HandoverReport", "Escalated cases still open (carried over)"),
    "escalation_level": QT_TRANSLATE_NOOP("HandoverReport", "Level"),
    "open_orders": QT_TRANSLATE_NOOP("HandoverReport", "Supervision orders still open (carried over)"),
    "order": QT_TRANSLATE_NOOP("HandoverReport", "Order"),
    "open_tasks": QT_TRANSLATE_NOOP("HandoverReport", "Co-handling tasks and on-site checks still open (carried over)"),
    "task": QT_TRANSLATE_NOOP("HandoverReport", "Task"),
    "task_co": QT_TRANSLATE_NOOP("HandoverReport", "co-handling"),
    "task_check": QT_TRANSLATE_NOOP("HandoverReport", "on-site check"),
    "task_who": QT_TRANSLATE_NOOP("HandoverReport", "Unit or inspector"),
    "order_state": QT_TRANSLATE_NOOP("HandoverReport", "Waiting for"),
    "order_open": QT_TRANSLATE_NOOP("HandoverReport", "the unit's reply"),
    "order_replied": QT_TRANSLATE_NOOP("HandoverReport", "the lead's decision"),
    "overdue_mark": QT_TRANSLATE_NOOP("HandoverReport", "OVERDUE"),
    "by": QT_TRANSLATE_NOOP("HandoverReport", "By"),
    "reason": QT_TRANSLATE_NOOP("HandoverReport", "Reason"),
    "automatic": QT_TRANSLATE_NOOP("HandoverReport", "automatic"),
    "returned": QT_TRANSLATE_NOOP("HandoverReport", "Returned cases"),
    "returned_by": QT_TRANSLATE_NOOP("HandoverReport", "Returned by"),
    "at": QT_TRANSLATE_NOOP("HandoverReport", "At"),
    "waiting": QT_TRANSLATE_NOOP("HandoverReport", "Waiting for a decision"),
    "extensions": QT_TRANSLATE_NOOP("HandoverReport", "Extension requests"),
    "minutes": QT_TRANSLATE_NOOP("HandoverReport", "Minutes"),
    "asked_by": QT_TRANSLATE_NOOP("HandoverReport", "Asked by"),
    "failures": QT_TRANSLATE_NOOP("HandoverReport", "Verification failures"),
    "alarms": QT_TRANSLATE_NOOP("HandoverReport", "Sensor alarms"),
    "raised": QT_TRANSLATE_NOOP("HandoverReport", "Raised during the shift"),
    "active": QT_TRANSLATE_NOOP("HandoverReport", "Still active at the end"),
    "sensor": QT_TRANSLATE_NOOP("HandoverReport", "Sensor"),
    "level": QT_TRANSLATE_NOOP("HandoverReport", "Level"),
    "raised_at": QT_TRANSLATE_NOOP("HandoverReport", "Raised"),
    "message": QT_TRANSLATE_NOOP("HandoverReport", "Message"),
    "emergency": QT_TRANSLATE_NOOP("HandoverReport", "Emergency mode"),
    "from": QT_TRANSLATE_NOOP("HandoverReport", "From"),
    "to": QT_TRANSLATE_NOOP("HandoverReport", "To"),
    "already_on": QT_TRANSLATE_NOOP("HandoverReport", "(already on)"),
    "still_on": QT_TRANSLATE_NOOP("HandoverReport", "still on"),
    "outages": QT_TRANSLATE_NOOP("HandoverReport", "Console outages"),
    "console": QT_TRANSLATE_NOOP("HandoverReport", "Console"),
    "user": QT_TRANSLATE_NOOP("HandoverReport", "User"),
    "notes": QT_TRANSLATE_NOOP("HandoverReport", "Notes of the outgoing lead"),
    "signature": QT_TRANSLATE_NOOP("HandoverReport", "Signature"),
    "signed": QT_TRANSLATE_NOOP("HandoverReport", "Signed by {lead} at {at}."),
    "signed_here": QT_TRANSLATE_NOOP("HandoverReport", "Signed on this console; waiting to be sent to the server."),
    "unsigned": QT_TRANSLATE_NOOP("HandoverReport", "Not signed yet (draft)."),
    "hash": QT_TRANSLATE_NOOP("HandoverReport", "Content hash: {hash}"),
    "evaluation": QT_TRANSLATE_NOOP("HandoverReport", "Evaluation of the shift (each stage charged to its owner)"),
    "posts": QT_TRANSLATE_NOOP("HandoverReport", "The center's posts"),
    "post": QT_TRANSLATE_NOOP("HandoverReport", "Post"),
    "value": QT_TRANSLATE_NOOP("HandoverReport", "Value"),
    "fraction": QT_TRANSLATE_NOOP("HandoverReport", "Numerator / denominator"),
    "formula": QT_TRANSLATE_NOOP("HandoverReport", "Formula"),
    "disputes": QT_TRANSLATE_NOOP("HandoverReport", "Open ownership disputes (权属争议)"),
    "since": QT_TRANSLATE_NOOP("HandoverReport", "In dispute since"),
    "returns": QT_TRANSLATE_NOOP("HandoverReport", "Returns"),
}
# The case figures, in the order shown: (report key, label).
_FIGURES = (
    ("opened", QT_TRANSLATE_NOOP("HandoverReport", "Opened")),
    ("registered", QT_TRANSLATE_NOOP("HandoverReport", "Registered")),
    ("dispatched", QT_TRANSLATE_NOOP("HandoverReport", "Dispatched")),
    ("handled", QT_TRANSLATE_NOOP("HandoverReport", "Handled")),
    ("closed", QT_TRANSLATE_NOOP("HandoverReport", "Closed")),
    ("voided", QT_TRANSLATE_NOOP("HandoverReport", "Voided")),
    ("returned", QT_TRANSLATE_NOOP("HandoverReport", "Returned")),
    ("escalated", QT_TRANSLATE_NOOP("HandoverReport", "Escalated")),
    ("verification_failures", QT_TRANSLATE_NOOP("HandoverReport", "Verification failures")),
    ("still_open", QT_TRANSLATE_NOOP("HandoverReport", "Still open at the end")),
    ("open_escalations", QT_TRANSLATE_NOOP("HandoverReport", "Escalated cases still open")),
    ("open_orders", QT_TRANSLATE_NOOP("HandoverReport", "Supervision orders still open")),
    ("overdue_orders", QT_TRANSLATE_NOOP("HandoverReport", "of which overdue")),
    ("open_tasks", QT_TRANSLATE_NOOP("HandoverReport", "Co-handling tasks and on-site checks still open")),
)
_EMPTY = {"total": 0, "items": []}


def t(key: str) -> str:
    return _tr(_TEXT[key])


def _time(text: str | None, tz) -> str:
    return times.fmt(text, "minutes", zone=tz) or "—"


def _category(refdata, code: str | None, language: str | None) -> str:
    if not code:
        return ""
    try:
        return f"{code} {localized_name(refdata.category(code), language)}"
    except Exception:  # RefDataError: a category the reference data no longer has
        return code


def _place(refdata, item: dict[str, Any], language: str | None) -> str:
    grid = item.get("grid_code")
    if grid:
        try:
            grid = localized_name(refdata.grid(grid), language) or grid
        except Exception:  # RefDataError: an old grid
            pass
    return " · ".join(part for part in (item.get("address") or "", grid or "") if part)


def _unit(refdata, unit_id: str | None, language: str | None) -> str:
    if not unit_id:
        return "—"
    if refdata is None or not refdata.has_unit(unit_id):  # e.g. an id from newer reference data
        return unit_id
    return localized_name(refdata.unit(unit_id), language)


def _table(headers: list[str], rows: list[list[str]], total: int | None = None) -> str:
    if not rows:
        return f"<p class='none'>{html.escape(t('none'))}</p>"
    head = "".join(f"<th>{html.escape(t(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    more = ""
    if total is not None and total > len(rows):
        more = f"<p>{html.escape(t('more').format(n=total - len(rows)))}</p>"
    return f"<table border='1' cellspacing='0' cellpadding='3' width='100%'><tr>{head}</tr>{body}</table>{more}"


def _case(item: dict[str, Any]) -> str:
    return item.get("number") or item["case_id"][:8]


def _heading(level: int, key: str) -> str:
    return f"<h{level}>{html.escape(t(key))}</h{level}>"


def _para(text: str) -> str:
    return "<p>" + html.escape(text).replace("\n", "<br/>") + "</p>"


def report_html(state: HandoverState, refdata, language: str | None = None) -> str:
    """The whole report — header, figures, lists, notes, signature — as HTML for QTextDocument."""
    tz = refdata.policy.calendar.tz
    data, report = state.server, state.report
    shift, window = data.get("shift", {}), report.get("window", {})

    def unit(unit_id: str | None) -> str:
        return _unit(refdata, unit_id, language)

    def when(text: str | None) -> str:
        return _time(text, tz)

    def who(username: str | None) -> str:
        return person_text(refdata, username) if username else ""

    def name(username: str | None) -> str:
        return display_name(refdata, username)

    parts = [_heading(1, "title"),
             _para(t("window").format(shift=shift_label(shift.get("name", "")), start=when(window.get("start")),
                                      end=when(window.get("end")), sstart=when(shift.get("scheduled_start")),
                                      send=when(shift.get("scheduled_end")))),
             _para(t("people").format(lead=who(data.get("outgoing_lead", "")),
                                      names=", ".join(person_text(refdata, u) for u in shift.get("on_duty", [])))),
             _heading(2, "cases")]
    counts = report.get("counts", {})
    parts.append(_table(["figure", "count"], [[_tr(label), str(counts.get(key, 0))] for key, label in _FIGURES]))
    parts.append(_heading(3, "open_by_status"))
    parts.append(_table(["status", "cases"], [[status_label(Status(s)), str(n)]
                                              for s, n in report.get("open_by_status", {}).items()]))

    overdue = report.get("overdue", _EMPTY)
    parts.append(_heading(2, "overdue"))
    parts.append(_table(["case", "category", "place", "status", "unit", "due"],
                        [[_case(c), _category(refdata, c.get("category_code"), language), _place(refdata, c, language),
                          status_label(Status(c["status"])), unit(c["unit_id"]), when(c["due_at"])]
                         for c in overdue["items"]], overdue["total"]))
    escalated = report.get("escalated", _EMPTY)
    parts.append(_heading(2, "escalated"))
    parts.append(_table(["case", "unit", "escalated_to", "by", "reason"],
                        [[_case(c), unit(c["unit_id"]), unit(c.get("escalated_to")),
                          t("automatic") if c.get("automatic") else name(c["actor"]), c["reason"]]
                         for c in escalated["items"]], escalated["total"]))
    carried = report.get("open_escalations", _EMPTY)
    parts.append(_heading(2, "open_escalations"))
    parts.append(_table(["case", "status", "unit", "escalated_to", "escalation_level"],
                        [[_case(c), status_label(Status(c["status"])), unit(c["unit_id"]), unit(c.get("escalated_to")),
                          str(c.get("escalation_level", 0))] for c in carried["items"]], carried["total"]))
    orders = report.get("open_orders", _EMPTY)
    parts.append(_heading(2, "open_orders"))
    parts.append(_table(["case", "order", "unit", "level", "due", "order_state"],
                        [[_case(c), f"#{c['order_number']}", unit(c["unit_id"]), level_label(OrderLevel(c["level"])),
                          when(c["due_at"]) + (" " + t("overdue_mark") if c.get("overdue") else ""),
                          t("order_open") if c["state"] == "open" else t("order_replied")]
                         for c in orders["items"]], orders["total"]))
    tasks = report.get("open_tasks", _EMPTY)
    parts.append(_heading(2, "open_tasks"))
    parts.append(_table(["case", "task", "task_who", "due"],
                        [[_case(c), t("task_co") if c["kind"] == "co_task" else t("task_check"),
                          unit(c["task_unit_id"]) if c["kind"] == "co_task" else name(c.get("inspector") or ""),
                          (when(c["due_at"]) if c.get("due_at") else "") + (" " + t("overdue_mark") if c.get("overdue")
                                                                            else "")]
                         for c in tasks["items"]], tasks["total"]))
    returned = report.get("returned", _EMPTY)
    parts.append(_heading(2, "returned"))
    parts.append(_table(["case", "returned_by", "at", "reason"],
                        [[_case(c), unit(c.get("returned_by_unit")), when(c["at"]), c["reason"]]
                         for c in returned["items"]], returned["total"]))

    waiting = report.get("awaiting_decision", {})
    extensions, failures = waiting.get("extension_requests", _EMPTY), waiting.get("verification_failures", _EMPTY)
    parts += [_heading(2, "waiting"), _heading(3, "extensions")]
    parts.append(_table(["case", "unit", "minutes", "asked_by", "reason"],
                        [[_case(c), unit(c["unit_id"]), str(c["minutes"]), name(c["requested_by"]), c["reason"]]
                         for c in extensions["items"]], extensions["total"]))
    parts.append(_heading(3, "failures"))
    parts.append(_table(["case", "unit", "status", "reason"],
                        [[_case(c), unit(c["unit_id"]), status_label(Status(c["status"])), c["reason"]]
                         for c in failures["items"]], failures["total"]))

    alarms = report.get("alarms", {})
    parts.append(_heading(2, "alarms"))
    for key in ("raised", "active"):
        block = alarms.get(key, _EMPTY)
        parts.append(_heading(3, key))
        parts.append(_table(["sensor", "level", "raised_at", "message"],
                            [[a["sensor_id"], a.get("level") or "", when(a["raised_at"]), a.get("message") or ""]
                             for a in block["items"]], block["total"]))
    parts.append(_heading(2, "emergency"))
    parts.append(_table(["from", "to", "reason", "by"],
                        [[when(p["start"]) + (" " + t("already_on") if p.get("started_before") else ""),
                          when(p["end"]) if p.get("end") else t("still_on"), p["reason"], name(p["by"])]
                         for p in report.get("emergency", [])]))
    parts.append(_heading(2, "outages"))
    parts.append(_table(["console", "user", "from", "to", "minutes"],
                        [[o["console_id"][:12], name(o["username"]), when(o["start"]), when(o["end"]), f"{o['minutes']:g}"]
                         for o in report.get("outages", [])]))

    parts += _evaluation_html(report, tz)

    parts.append(_heading(2, "notes"))
    parts.append(_para(state.notes.strip() or t("none")))
    parts.append(_heading(2, "signature"))
    if state.signed:
        parts.append(_para(t("signed").format(lead=who(data.get("signed_by", "")), at=when(data.get("signed_at")))))
        if (data.get("signed_remarks") or "").strip():
            parts.append(_heading(3, "remarks"))
            parts.append(_para(data["signed_remarks"].strip()))
    elif state.signature_pending:
        parts.append(_para(t("signed_here")))
    else:
        parts.append(_para(t("unsigned")))
    parts.append("<p class='hash'>" + html.escape(t("hash").format(hash=data.get("content_hash", ""))) + "</p>")
    return "<html><body>" + "".join(parts) + "</body></html>"


def pdf_file_name(shift: dict[str, Any], zone=None) -> str:
    """The report's file name after its shift, in city time (`zone`, else the console's):
    'handover-2026-03-02-0800-day-lead1.pdf'."""
    start = times.parse(shift.get("scheduled_start") or shift.get("opened_at"))
    when = times.to_city(start, zone).strftime("%Y-%m-%d-%H%M") if start is not None else "undated"
    parts = ["handover", when, shift.get("name") or "shift", shift.get("lead") or ""]
    safe = "-".join("".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in p) for p in parts if p)
    return f"{safe}.pdf"


def _evaluation_html(report: dict[str, Any], tz) -> list[str]:
    """The shift's figures with their formulas, the posts', and the open disputes (absent in old reports)."""
    def value(f: dict[str, Any]) -> str:  # as app.metrics formats it (this feature does not import that one)
        v = f.get("value")
        if v is None:
            return translate(_METRICS, "n/a")
        return f"{v * 100:.1f} %" if f.get("kind") == "rate" else str(int(v))

    def fraction(f: dict[str, Any]) -> str:
        return "" if f.get("numerator") is None else f"= {f['numerator']} / {f['denominator']}"

    def rows(figures: list[dict[str, Any]], post: str | None = None) -> list[list[str]]:
        out = []
        for f in figures:
            row = [translate(_METRICS, f["label"]), value(f), fraction(f), translate(_METRICS, f["formula"])]
            out.append(([translate(_METRICS, post)] if post is not None else []) + row)
        return out

    parts: list[str] = []
    evaluation = report.get("evaluation")
    if evaluation:
        parts.append(_heading(2, "evaluation"))
        parts.append(_table(["figure", "value", "fraction", "formula"], rows(evaluation.get("figures", []))))
        parts.append(_heading(3, "posts"))
        parts.append(_table(["post", "figure", "value", "fraction", "formula"],
                            [r for p in evaluation.get("posts", []) for r in rows(p["figures"], p["label"])]))
    disputes = report.get("disputes")
    if disputes is not None:
        parts.append(_heading(2, "disputes"))
        parts.append(_table(["case", "since", "returns"],
                            [[_case(c), _time(c["since"], tz), str(c["return_count"])] for c in disputes["items"]],
                            disputes["total"]))
    return parts
