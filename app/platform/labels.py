"""Display names for the domain's closed vocabularies, in one place for the console, the CLI and reports.

Every text is marked with `QT_TRANSLATE_NOOP(context, text)` so `pyside6-lupdate` extracts it into the
shared catalogue, and rendered with `translate()` (English without a UI). The Chinese terms of the
national standards are given in comments as a guide for translators.
"""
from __future__ import annotations

from enum import StrEnum

from app.platform.enums import (
    Action,
    OrderLevel,
    Priority,
    Role,
    Satisfaction,
    Source,
    Stage,
    Status,
)
from app.platform.i18n import QT_TRANSLATE_NOOP, translate

CTX = "Labels"

_STATUS = {
    Status.REPORTED: QT_TRANSLATE_NOOP("Labels", "Reported"),          # 上报
    Status.REGISTERED: QT_TRANSLATE_NOOP("Labels", "Registered"),      # 立案
    Status.DISPATCHED: QT_TRANSLATE_NOOP("Labels", "Dispatched"),      # 派遣
    Status.IN_PROGRESS: QT_TRANSLATE_NOOP("Labels", "In progress"),    # 处置中
    Status.RETURNED: QT_TRANSLATE_NOOP("Labels", "Returned"),          # 退单
    Status.HANDLED: QT_TRANSLATE_NOOP("Labels", "Handled"),            # 处置完成
    Status.VERIFYING: QT_TRANSLATE_NOOP("Labels", "Verifying"),        # 核查
    Status.SUSPENDED: QT_TRANSLATE_NOOP("Labels", "Suspended"),        # 缓办
    Status.CLOSED: QT_TRANSLATE_NOOP("Labels", "Closed"),              # 结案
    Status.VOIDED: QT_TRANSLATE_NOOP("Labels", "Voided"),              # 作废
    Status.MERGED: QT_TRANSLATE_NOOP("Labels", "Merged"),              # 已合并
}

_ACTION = {
    Action.CREATE: QT_TRANSLATE_NOOP("Labels", "Report"),                    # 上报
    Action.REGISTER: QT_TRANSLATE_NOOP("Labels", "Register"),                # 立案
    Action.VOID: QT_TRANSLATE_NOOP("Labels", "Void"),                        # 作废
    Action.DISPATCH: QT_TRANSLATE_NOOP("Labels", "Dispatch"),                # 派遣
    Action.ACCEPT: QT_TRANSLATE_NOOP("Labels", "Accept"),                    # 接单
    Action.RETURN: QT_TRANSLATE_NOOP("Labels", "Return"),                    # 退单
    Action.REPORT_HANDLED: QT_TRANSLATE_NOOP("Labels", "Report handled"),    # 处置反馈
    Action.SEND_VERIFY: QT_TRANSLATE_NOOP("Labels", "Send to verify"),       # 派发核查
    Action.VERIFY_PASS: QT_TRANSLATE_NOOP("Labels", "Verification passed"),  # 核查通过
    Action.VERIFY_FAIL: QT_TRANSLATE_NOOP("Labels", "Verification failed"),  # 核查不通过（返工）
    Action.CLOSE: QT_TRANSLATE_NOOP("Labels", "Close"),                      # 结案
    Action.REQUEST_EXTENSION: QT_TRANSLATE_NOOP("Labels", "Request extension"),  # 申请延期
    Action.APPROVE_EXTENSION: QT_TRANSLATE_NOOP("Labels", "Approve extension"),  # 批准延期
    Action.DENY_EXTENSION: QT_TRANSLATE_NOOP("Labels", "Deny extension"),        # 驳回延期
    Action.SUSPEND: QT_TRANSLATE_NOOP("Labels", "Suspend"),                  # 缓办
    Action.RESUME: QT_TRANSLATE_NOOP("Labels", "Resume"),                    # 恢复
    Action.ESCALATE: QT_TRANSLATE_NOOP("Labels", "Escalate"),                # 督办/升级
    Action.REASSIGN: QT_TRANSLATE_NOOP("Labels", "Reassign"),                # 改派
    Action.NOTE: QT_TRANSLATE_NOOP("Labels", "Note"),                        # 备注
    Action.DECIDE_OWNER: QT_TRANSLATE_NOOP("Labels", "Decide owner"),        # 权属裁定
    Action.ADD_CO_UNIT: QT_TRANSLATE_NOOP("Labels", "Add co-handling unit"),      # 增加协办单位
    Action.REMOVE_CO_UNIT: QT_TRANSLATE_NOOP("Labels", "Remove co-handling unit"),  # 撤销协办单位
    Action.CO_ACCEPT: QT_TRANSLATE_NOOP("Labels", "Accept co-handling task"),       # 协办接单
    Action.CO_RETURN: QT_TRANSLATE_NOOP("Labels", "Return co-handling task"),       # 协办退单
    Action.CO_HANDLED: QT_TRANSLATE_NOOP("Labels", "Report co-handling done"),      # 协办反馈
    Action.SEND_CHECK: QT_TRANSLATE_NOOP("Labels", "Send for on-site check"),       # 派发核实
    Action.CONFIRM_CHECK: QT_TRANSLATE_NOOP("Labels", "Confirm on-site check"),     # 核实反馈
    Action.ISSUE_ORDER: QT_TRANSLATE_NOOP("Labels", "Issue supervision order"),      # 下发督办单
    Action.REPLY_ORDER: QT_TRANSLATE_NOOP("Labels", "Reply to order"),               # 督办回复
    Action.ACCEPT_ORDER_REPLY: QT_TRANSLATE_NOOP("Labels", "Accept order reply"),    # 督办办结
    Action.REJECT_ORDER_REPLY: QT_TRANSLATE_NOOP("Labels", "Reject order reply"),    # 督办退回
    Action.DECLINE_REOPEN: QT_TRANSLATE_NOOP("Labels", "Decline to reopen"),            # 不予重办
    Action.CO_OVERDUE: QT_TRANSLATE_NOOP("Labels", "Co-handling task overdue"),      # 协办超期
    Action.ORDER_OVERDUE: QT_TRANSLATE_NOOP("Labels", "Order overdue"),              # 督办超期
    Action.RECORD_CALLBACK: QT_TRANSLATE_NOOP("Labels", "Record callback"),          # 回访
    Action.REOPEN: QT_TRANSLATE_NOOP("Labels", "Reopen"),                            # 重启（不满意）
    Action.ARRIVE: QT_TRANSLATE_NOOP("Labels", "Arrived on site"),                   # 到场
    Action.MERGE: QT_TRANSLATE_NOOP("Labels", "Merge into"),                         # 合并
    Action.UNMERGE: QT_TRANSLATE_NOOP("Labels", "Unmerge"),                          # 取消合并
}

_ROLE = {
    Role.OPERATOR: QT_TRANSLATE_NOOP("Labels", "Operator"),            # 受理员/派遣员
    Role.SHIFT_LEAD: QT_TRANSLATE_NOOP("Labels", "Shift lead"),        # 值班长
    Role.INSPECTOR: QT_TRANSLATE_NOOP("Labels", "Inspector"),          # 监督员
    Role.UNIT_HANDLER: QT_TRANSLATE_NOOP("Labels", "Unit handler"),    # 专业部门
    Role.ADMIN: QT_TRANSLATE_NOOP("Labels", "Administrator"),          # 管理员
    Role.SYSTEM: QT_TRANSLATE_NOOP("Labels", "System"),                # 系统
}

_PRIORITY = {
    Priority.URGENT: QT_TRANSLATE_NOOP("Labels", "Urgent"),        # 紧急
    Priority.ORDINARY: QT_TRANSLATE_NOOP("Labels", "Ordinary"),    # 一般
    Priority.COMPLEX: QT_TRANSLATE_NOOP("Labels", "Complex"),      # 疑难
}

_SOURCE = {
    Source.HOTLINE: QT_TRANSLATE_NOOP("Labels", "12345 hotline"),          # 12345热线
    Source.GRID_INSPECTOR: QT_TRANSLATE_NOOP("Labels", "Grid inspector"),  # 网格监督员
    Source.SENSOR_ALARM: QT_TRANSLATE_NOOP("Labels", "Sensor alarm"),      # 物联感知
    Source.VIDEO_AI: QT_TRANSLATE_NOOP("Labels", "Video AI"),              # 视频智能识别
    Source.CITIZEN_APP: QT_TRANSLATE_NOOP("Labels", "Citizen app"),        # 市民通
    Source.WALK_IN: QT_TRANSLATE_NOOP("Labels", "Walk-in"),                # 来访
    Source.DRONE: QT_TRANSLATE_NOOP("Labels", "Drone patrol"),             # 无人机巡查
}

_STAGE = {
    Stage.REGISTER: QT_TRANSLATE_NOOP("Labels", "Register"),   # 立案
    Stage.DISPATCH: QT_TRANSLATE_NOOP("Labels", "Dispatch"),   # 派遣
    Stage.HANDLE: QT_TRANSLATE_NOOP("Labels", "Handle"),       # 处置
    Stage.VERIFY: QT_TRANSLATE_NOOP("Labels", "Verify"),       # 核查
}

# Major classes of the national standard (DOMAIN.md "Classification and codes"); keyed (kind, major).
_MAJOR = {
    ("component", "01"): QT_TRANSLATE_NOOP("Labels", "Public utilities"),                 # 公用设施
    ("component", "02"): QT_TRANSLATE_NOOP("Labels", "Roads and traffic"),                # 道路交通
    ("component", "03"): QT_TRANSLATE_NOOP("Labels", "City appearance and environment"),  # 市容环境
    ("component", "04"): QT_TRANSLATE_NOOP("Labels", "Parks and greenery"),               # 园林绿化
    ("component", "05"): QT_TRANSLATE_NOOP("Labels", "Buildings and land"),               # 房屋土地
    ("component", "06"): QT_TRANSLATE_NOOP("Labels", "Other facilities"),                 # 其他设施
    ("event", "01"): QT_TRANSLATE_NOOP("Labels", "City appearance and environment"),      # 市容环境
    ("event", "02"): QT_TRANSLATE_NOOP("Labels", "Advertising"),                          # 宣传广告
    ("event", "03"): QT_TRANSLATE_NOOP("Labels", "Construction management"),              # 施工管理
    ("event", "04"): QT_TRANSLATE_NOOP("Labels", "Emergencies"),                          # 突发事件
    ("event", "05"): QT_TRANSLATE_NOOP("Labels", "Street order"),                         # 街面秩序
    ("event", "06"): QT_TRANSLATE_NOOP("Labels", "Other"),                                # 其他
}

_KIND = {
    "component": QT_TRANSLATE_NOOP("Labels", "Components"),  # 部件
    "event": QT_TRANSLATE_NOOP("Labels", "Events"),          # 事件
}

_LEVEL = {
    OrderLevel.ORDINARY: QT_TRANSLATE_NOOP("Labels", "Ordinary order"),   # 一般督办
    OrderLevel.URGENT: QT_TRANSLATE_NOOP("Labels", "Urgent order"),       # 紧急督办
    OrderLevel.LEADER: QT_TRANSLATE_NOOP("Labels", "Leader-level order"),  # 领导督办
}

_SATISFACTION = {
    Satisfaction.SATISFIED: QT_TRANSLATE_NOOP("Labels", "Satisfied"),                      # 满意
    Satisfaction.BASICALLY_SATISFIED: QT_TRANSLATE_NOOP("Labels", "Basically satisfied"),  # 基本满意
    Satisfaction.DISSATISFIED: QT_TRANSLATE_NOOP("Labels", "Dissatisfied"),                # 不满意
}

_TABLES: dict[type, dict] = {Status: _STATUS, Action: _ACTION, Role: _ROLE, Priority: _PRIORITY,
                             Source: _SOURCE, Stage: _STAGE, OrderLevel: _LEVEL, Satisfaction: _SATISFACTION}


def label(value: StrEnum | None) -> str:
    """The translated display name of any Status/Action/Role/Priority/Source/Stage value ('' for None)."""
    if value is None:
        return ""
    table = _TABLES.get(type(value))
    text = table.get(value) if table else None
    return translate(CTX, text) if text else str(value)


def status_label(status: Status | None) -> str:
    return label(status)


def action_label(action: Action) -> str:
    return label(action)


def role_label(role: Role) -> str:
    return label(role)


def priority_label(priority: Priority) -> str:
    return label(priority)


def source_label(source: Source) -> str:
    return label(source)


def stage_label(stage: Stage | None) -> str:
    return label(stage)


def kind_label(kind: str) -> str:
    text = _KIND.get(kind)
    return translate(CTX, text) if text else kind


def major_label(kind: str, major: str) -> str:
    text = _MAJOR.get((kind, major))
    return translate(CTX, text) if text else major


def is_chinese(language: str | None) -> bool:
    return bool(language) and language.lower().replace("-", "_").startswith("zh")


def localized_name(item: object, language: str | None) -> str:
    """`name` (Chinese) or `name_en` of a category, unit or grid, whichever fits the language; falls back
    to the other when one is empty."""
    zh = getattr(item, "name", "") or ""
    en = getattr(item, "name_en", "") or ""
    return (zh or en) if is_chinese(language) else (en or zh)

