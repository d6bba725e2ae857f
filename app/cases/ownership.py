"""Who owns each stage of the loop (DOMAIN.md, "Who owns each stage"), and so whom an overdue stage
alerts: the center cannot escalate its own delay to a member unit, nor to itself.

- register (受理) and dispatch (派遣): the center's posts → the shift lead (值班长) is alerted;
- handle (处置): the member unit → up the unit hierarchy (督办 to the parent unit);
- verify (核查): the inspectors → the inspectors' lead is alerted.
"""
from __future__ import annotations

import logging
from enum import StrEnum

from app.platform.enums import Stage

log = logging.getLogger(__name__)


class Post(StrEnum):
    """A post that owns stages, or is alerted about them."""

    INTAKE = "intake"                  # 受理员
    DISPATCH = "dispatch"              # 派遣员
    UNIT = "unit"                      # the member unit holding the case
    INSPECTORS = "inspectors"          # 监督员
    SHIFT_LEAD = "shift_lead"          # 值班长
    INSPECTOR_LEAD = "inspector_lead"  # the inspectors' lead (监督员负责人)


STAGE_OWNER: dict[Stage, Post] = {
    Stage.REGISTER: Post.INTAKE,
    Stage.DISPATCH: Post.DISPATCH,
    Stage.HANDLE: Post.UNIT,
    Stage.VERIFY: Post.INSPECTORS,
}

# Whom an overdue stage alerts, when its owner is not a member unit (a unit's goes up its hierarchy).
ALERTED: dict[Post, Post] = {
    Post.INTAKE: Post.SHIFT_LEAD,
    Post.DISPATCH: Post.SHIFT_LEAD,
    Post.INSPECTORS: Post.INSPECTOR_LEAD,
}


def stage_owner(stage: Stage | None) -> Post | None:
    return STAGE_OWNER.get(stage) if stage is not None else None


def overdue_alert(stage: Stage | None) -> Post | None:
    """The post an overdue `stage` alerts, or None when it escalates up the unit hierarchy (handling) or
    has no owner (no running stage)."""
    owner = stage_owner(stage)
    return ALERTED.get(owner) if owner is not None else None
