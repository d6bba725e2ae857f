"""What callers say about a case of each category, for the city simulator: the description always names
the category's own problem (a fallen tree is filed as a fallen tree, not as a road collapse)."""
from __future__ import annotations

import logging
import random

log = logging.getLogger(__name__)

# Callers' words for some categories; every other one is described from its own name (`describe`).
_BY_CODE = {
    "C0101": ["上水井盖破损松动，车辆经过有异响", "上水井盖缺失，行人有坠落风险"],
    "C0102": ["污水井盖破损，有异味冒出", "污水井盖移位"],
    "C0103": ["雨水井盖缺失", "雨水井盖破裂"],
    "C0104": ["雨水箅子堵塞，路面积水", "雨水箅子缺失"],
    "C0108": ["消防栓漏水", "消防栓被撞歪"],
    "C0110": ["路灯不亮", "路灯灯杆倾斜"],
    "C0201": ["交通信号灯不亮", "交通信号灯故障，路口拥堵"],
    "C0202": ["交通标志牌倾斜", "交通标志牌被遮挡"],
    "C0203": ["道路隔离护栏被撞变形"],
    "C0204": ["人行道板松动破损"],
    "C0205": ["车行道路面出现坑槽"],
    "C0302": ["垃圾箱满溢无人清运", "垃圾箱破损"],
    "C0301": ["公共厕所设施损坏"],
    "C0402": ["行道树枝干断裂悬挂", "行道树枯死"],
    "C0403": ["绿地被踩踏破坏"],
    "E0101": ["路边暴露垃圾堆放"],
    "E0102": ["道路积存垃圾渣土"],
    "E0109": ["墙面乱涂写乱张贴"],
    "E0201": ["电线杆上贴满非法小广告"],
    "E0203": ["违规悬挂横幅"],
    "E0302": ["工地扬尘严重"],
    "E0303": ["渣土车运输遗撒"],
    "E0304": ["违规占道施工，未设围挡"],
    "E0401": ["道路积水严重，车辆无法通行"],
    "E0402": ["路面塌陷，出现深坑"],
    "E0403": ["闻到燃气泄漏异味"],
    "E0404": ["树木倒伏挡住道路", "大风后树木倒伏压住护栏"],
    "E0405": ["井盖缺失，路面有敞口"],
    "E0503": ["占道经营，摊位占用人行道"],
    "E0504": ["机动车乱停放，占用人行道"],
    "E0507": ["噪声扰民"],
}
_COMPONENT = ["{n}破损", "{n}缺失", "{n}损坏，影响使用"]
_EVENT = ["发现{n}", "{n}，请尽快处理"]


def describe(category, rng: random.Random) -> str:
    """A caller's description of a problem of `category` (its own words, or from its name)."""
    words = _BY_CODE.get(category.code)
    if words:
        return rng.choice(words)
    forms = _COMPONENT if category.kind == "component" else _EVENT
    return rng.choice(forms).format(n=category.name)
