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


TERMINAL_STATUSES = frozenset({Status.CLOSED, Status.VOIDED})


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
