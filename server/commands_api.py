"""The one command endpoint: every kind of command, in one batch, each answered on its own.

A console's outbox holds case commands and commands on other entities (the handover today); both go
through `POST /api/commands`, told apart by `kind` (`app.wire.cases.kind_of`). Case commands are
applied by `server.cases.commands` (per-case lanes, one statement for an accepted command's tail);
every other kind by `server.platform.entity_commands` with the kind's handler from the server context.
Kinds are independent of each other: each kind's commands are applied in batch order, and the answers
come back in batch order. A batch of case commands only keeps its pre-serialised answer.
"""
from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query, Response

from app.cases.commands import BatchResult, Command
from app.platform.entity_commands import (
    CASE_KIND,
    EntityBatchResult,
    EntityCommand,
)
from app.wire.cases import (
    CASES_QUERY,
    CaseSnapshots,
    CommandEnvelope,
    CommandsAnswer,
    kind_of,
)
from app.wire.shifts import EntityCommandEnvelope
from server.platform.api import Ctx, User
from server.platform.api_responses import BODY, responses
from server.platform.batch_items import ReadBatch, read_items

router = APIRouter()


@router.post("/api/commands", tags=["commands"], responses=responses(401, *BODY, 503, ok=CommandsAnswer))
async def post_commands(batch: CommandEnvelope, user: User, ctx: Ctx,
                        cases: CaseSnapshots = Query("all", description=CASES_QUERY)) -> Response:
    """Each command (a case `Command`, or an `EntityCommand` of another kind) is validated and answered on
    its own (`server.platform.batch_items`); only a malformed envelope refuses the batch."""
    kinds = [kind_of(item) for item in batch.commands]
    if all(kind == CASE_KIND for kind in kinds):
        read = ReadBatch(read_items([case_item(item) for item in batch.commands], Command))
        # Blocking, but in the commands' own few threads (ServerContext.apply_in_thread), not the 40 shared ones.
        return Response(await ctx.apply_in_thread(user, read, newest_cases=cases == "newest"),
                        media_type="application/json")
    cases = [i for i, kind in enumerate(kinds) if kind == CASE_KIND]
    others = [i for i, kind in enumerate(kinds) if kind != CASE_KIND]
    results: list[Any] = [None] * len(kinds)
    if cases:
        read = ReadBatch(read_items([case_item(batch.commands[i]) for i in cases], Command))
        answer = BatchResult.model_validate_json(await ctx.apply_in_thread(user, read))
        for i, result in zip(cases, answer.results):
            results[i] = result.model_dump(mode="json")
    entity_items = read_items([batch.commands[i] for i in others], EntityCommand)
    entity_results = await ctx.apply_entities_in_thread(user, entity_items)
    for i, result in zip(others, entity_results):
        results[i] = result.model_dump(mode="json")
    body = {"results": results, "server_time": ctx.now().isoformat()}
    return Response(json.dumps(body).encode(), media_type="application/json")


@router.post("/api/entity-commands", tags=["commands"], response_model=EntityBatchResult, deprecated=True,
             responses=responses(401, *BODY, 503))
async def post_entity_commands(batch: EntityCommandEnvelope, user: User, ctx: Ctx) -> dict[str, Any]:
    """Entity commands only, as consoles before the one endpoint sent them; `POST /api/commands` takes them
    beside case commands."""
    results = await ctx.apply_entities_in_thread(user, read_items(batch.commands, EntityCommand))
    return {"results": [r.model_dump(mode="json") for r in results], "server_time": ctx.now().isoformat()}


def case_item(item: Any) -> Any:
    """A case command may name its kind; the case schema itself has no such field."""
    if isinstance(item, dict) and item.get("kind") == CASE_KIND:
        return {key: value for key, value in item.items() if key != "kind"}
    return item

