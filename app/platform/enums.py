"""The domain's closed vocabularies, shared by the console, the CLI and the server.

String enums so that values travel unchanged through JSON, SQL and the UI's translation tables.
"""
from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    REPORTED = "reported"        # 上报, awaiting acceptance
    REGISTERED = "registered"    # 立案
    DISPATCHED = "dispatched"    # 派遣
    IN_PROGRESS = "in_progress"  # 处置中
    RETURNED = "returned"        # 退单, back in the dispatch queue
    HANDLED = "handled"          # 处置完成
    VERIFYING = "verifying"      # 核查
    SUSPENDED = "suspended"      # 缓办/挂账
    CLOSED = "closed"            # 结案
    VOIDED = "voided"            # 作废 / 不予立案
    MERGED = "merged"            # 合并: a repeat report, closed with a pointer to its master case


TERMINAL_STATUSES = frozenset({Status.CLOSED, Status.VOIDED, Status.MERGED})


class Action(StrEnum):
    CREATE = "create"
    REGISTER = "register"
    VOID = "void"
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    RETURN = "return"
    REPORT_HANDLED = "report_handled"
    SEND_VERIFY = "send_verify"
    VERIFY_PASS = "verify_pass"
    VERIFY_FAIL = "verify_fail"
    CLOSE = "close"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    DENY_EXTENSION = "deny_extension"
    SUSPEND = "suspend"
    RESUME = "resume"
    ESCALATE = "escalate"
    REASSIGN = "reassign"
    NOTE = "note"
    DECIDE_OWNER = "decide_owner"  # a lead settles an ownership dispute (权属争议)
    # joint handling (主办/协办): the co-handling units' own tasks (`app.cases.joint`)
    ADD_CO_UNIT = "add_co_unit"
    REMOVE_CO_UNIT = "remove_co_unit"
    CO_ACCEPT = "co_accept"
    CO_RETURN = "co_return"
    CO_HANDLED = "co_handled"
    # on-site check (核实) of a reported case before it is registered (`app.cases.onsite`)
    SEND_CHECK = "send_check"
    CONFIRM_CHECK = "confirm_check"
    # supervision orders (督办) and callbacks (回访): app/cases/supervision.py
    ISSUE_ORDER = "issue_order"
    REPLY_ORDER = "reply_order"
    ACCEPT_ORDER_REPLY = "accept_order_reply"
    REJECT_ORDER_REPLY = "reject_order_reply"
    DECLINE_REOPEN = "decline_reopen"  # a lead does not reopen for a dissatisfied reporter, with the reason
    CO_OVERDUE = "co_overdue"  # the system escalates a co-handling task past its deadline to the co-unit's parent
    ORDER_OVERDUE = "order_overdue"  # the system marks an order past its deadline without a reply
    RECORD_CALLBACK = "record_callback"
    REOPEN = "reopen"
    ARRIVE = "arrive"  # the crew or the inspector reached the case (app/cases/arrival.py)
    # repeats (重复件): a report of a problem another open case already has (`app.cases.merging`)
    MERGE = "merge"
    UNMERGE = "unmerge"


class Role(StrEnum):
    OPERATOR = "operator"
    SHIFT_LEAD = "shift_lead"
    INSPECTOR = "inspector"
    UNIT_HANDLER = "unit_handler"
    ADMIN = "admin"
    SYSTEM = "system"  # the server's own rules: automatic escalation, sensor alarms


class Priority(StrEnum):
    URGENT = "urgent"      # e.g. 2 hours
    ORDINARY = "ordinary"  # e.g. 1 working day
    COMPLEX = "complex"    # e.g. 3-5 working days


class Source(StrEnum):
    HOTLINE = "hotline"          # 12345
    GRID_INSPECTOR = "grid_inspector"
    SENSOR_ALARM = "sensor_alarm"
    VIDEO_AI = "video_ai"
    CITIZEN_APP = "citizen_app"
    WALK_IN = "walk_in"
    DRONE = "drone"              # a drone patrol's detection (`app.detections`)


CITIZEN_SOURCES = frozenset({Source.HOTLINE, Source.CITIZEN_APP, Source.WALK_IN})  # a reporter to call back


class OrderLevel(StrEnum):
    """A supervision order's level (督办级别)."""

    ORDINARY = "ordinary"  # 一般督办
    URGENT = "urgent"      # 紧急督办
    LEADER = "leader"      # 领导督办


class Satisfaction(StrEnum):
    """A reporter's answer to a callback (回访满意度)."""

    SATISFIED = "satisfied"                      # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"                # 不满意


class Stage(StrEnum):
    """The stage whose deadline is running; each status belongs to at most one stage."""

    REGISTER = "register"
    DISPATCH = "dispatch"
    HANDLE = "handle"
    VERIFY = "verify"


STAGE_OF_STATUS: dict[Status, Stage] = {
    Status.REPORTED: Stage.REGISTER,
    Status.REGISTERED: Stage.DISPATCH,
    Status.RETURNED: Stage.DISPATCH,
    Status.DISPATCHED: Stage.HANDLE,
    Status.IN_PROGRESS: Stage.HANDLE,
    Status.HANDLED: Stage.VERIFY,
    Status.VERIFYING: Stage.VERIFY,
}
