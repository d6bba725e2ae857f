"""The tasks inside open cases that a handover carries over: each co-handling unit's task not reported
handled yet (joint handling, `app.cases.joint`) and each on-site check not confirmed yet (`app.cases.onsite`).
Like open escalations and orders, they are listed whenever they began: the incoming lead inherits them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.platform.enums import TERMINAL_STATUSES, Action
from db.cases import CaseEventRow, CaseRow

LIMIT = 200


def open_tasks(session: Session, end: datetime, case_ref) -> dict[str, Any]:
    """`{total, overdue, items}`: the open co-tasks (overdue first, then by deadline) and pending checks of
    cases still open at `end`; `case_ref(row)` names a case as the rest of the report does."""
    touched = (select(CaseEventRow.case_id)
               .where(CaseEventRow.action.in_([str(Action.ADD_CO_UNIT), str(Action.SEND_CHECK)])).distinct())
    rows = session.execute(select(CaseRow).where(CaseRow.id.in_(touched),
                                                 CaseRow.status.not_in([str(s) for s in TERMINAL_STATUSES]))
                           .order_by(CaseRow.created_at, CaseRow.id)).scalars().all()
    items: list[dict[str, Any]] = []
    for row in rows:
        for task in row.data.get("co_tasks") or []:
            if task.get("status") == "handled":
                continue
            due = datetime.fromisoformat(task["due_at"])
            items.append({**case_ref(row), "kind": "co_task", "task_unit_id": task["unit_id"],
                          "state": task.get("status", "dispatched"), "due_at": task["due_at"],
                          "overdue": due < end, "inspector": None})
        check = row.data.get("check")
        if check and check.get("confirmed_at") is None:
            items.append({**case_ref(row), "kind": "check", "task_unit_id": None, "state": "sent",
                          "due_at": None, "overdue": False, "inspector": check.get("inspector"),
                          "sent_at": check.get("sent_at")})
    items.sort(key=lambda i: (not i["overdue"], i["due_at"] or "9999", i["case_id"]))
    return {"total": len(items), "overdue": sum(i["overdue"] for i in items), "items": items[:LIMIT]}
