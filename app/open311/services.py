"""Services (the spec's "service types") from the reference data: one per category, its code the
category code, and its definition's questions (attributes) from the category's own data.

Each category asks what its reference data can use:
- a component (部件) category asks for the asset's object code painted on it (`object_code`), which the
  case keeps as its object code, so the right asset is found;
- a category with a registration standard (立案标准) asks whether the problem matches it
  (`meets_standard`, yes / no / not sure), so the intake operator sees the reporter's answer;
- an emergency category asks whether anyone is in danger now (`danger`, required), which raises the
  case to urgent.
"""
from __future__ import annotations

from typing import Any

from app.cases.object_codes import OBJECT_CODE_PATTERN
from app.refdata.entities import Category
from app.refdata.model import RefData

OBJECT_CODE = "object_code"
MEETS_STANDARD = "meets_standard"
DANGER = "danger"
YES_NO_UNSURE = [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}, {"key": "unsure", "name": "Not sure"}]
YES_NO = [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]


def attributes(category: Category) -> list[dict[str, Any]]:
    """The category's questions, in the spec's attribute fields, in order."""
    out: list[dict[str, Any]] = []

    def add(**fields: Any) -> None:
        out.append({"variable": True, "order": len(out) + 1, **fields})

    if category.emergency:
        add(code=DANGER, datatype="singlevaluelist", required=True, datatype_description="",
            description="Is anyone in danger now? 现在是否有人身危险？", values=YES_NO)
    if category.kind == "component":
        add(code=OBJECT_CODE, datatype="string", required=False,
            datatype_description="the digits of the asset code painted on it (部件编码), e.g. 3301020101000123",
            description="Asset code on the object, if you can read it 部件上的编码（如能看到）")
    standard = category.register_criteria_en or category.register_criteria
    if standard:
        add(code=MEETS_STANDARD, datatype="singlevaluelist", required=False, datatype_description="",
            description=f"Does it match: {standard}", values=YES_NO_UNSURE)
    return out


def service(category: Category) -> dict[str, Any]:
    """One entry of GET services: the spec's fields."""
    return {"service_code": category.code, "service_name": category.name,
            "description": category.name_en, "metadata": bool(attributes(category)), "type": "realtime",
            "keywords": f"{category.kind},{category.major}{category.minor}", "group": category.kind}


def service_list(refdata: RefData) -> list[dict[str, Any]]:
    return [service(category) for category in sorted(refdata.categories, key=lambda c: c.code)]


def definition(category: Category) -> dict[str, Any]:
    return {"service_code": category.code, "attributes": attributes(category)}


def object_code_pattern() -> str:
    return OBJECT_CODE_PATTERN
