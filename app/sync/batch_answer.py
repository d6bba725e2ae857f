"""A command batch's answer, lightened before it is validated (see `superseded_cases_dropped`)."""
from __future__ import annotations

from typing import Any


def superseded_cases_dropped(body: Any) -> Any:
    """A command batch's answer without the case snapshots a later answer of the same batch supersedes.

    A drained outbox sends a case's commands together, and each accepted answer carries the whole case
    as it stood after its command: five commands on a case are five snapshots, four of them older than
    the fifth. The cache keeps only each case's newest (`LocalCache.apply_results`), so validating the
    others (events and all) was most of a push's time on the console. An accepted answer's older
    snapshot becomes null; a refusal keeps its case (its conflict records it). The answer is otherwise
    left as it came, and anything unexpected in its shape is left for validation to judge."""
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, list) or len(results) < 2:
        return body
    newest: dict[Any, int] = {}  # case id -> index of the result carrying its highest version
    for i, item in enumerate(results):
        case = item.get("case") if isinstance(item, dict) else None
        if not isinstance(case, dict) or not isinstance(case.get("version"), int):
            continue
        best = newest.get(case.get("id"))
        if best is None or case["version"] >= results[best]["case"]["version"]:
            newest[case.get("id")] = i
    keep = set(newest.values())
    for i, item in enumerate(results):
        if (i not in keep and isinstance(item, dict) and item.get("status") == "accepted"
                and isinstance(item.get("case"), dict) and item["case"].get("id") in newest):
            results[i] = {**item, "case": None}
    return body
