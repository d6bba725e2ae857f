"""The HTTP endpoints of docs/ARCHITECTURE.md ("HTTP API").

Blocking endpoints are plain `def` (FastAPI runs them in its worker threads); the long-poll is `async`,
so hundreds of waiting consoles cost one coroutine each and no thread or database connection; commands
are `async` only to run in their own small set of threads (`ServerContext.apply_in_thread`).
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import select

from app.cases.case import Case
from app.cases.commands import BatchResult, Command
from app.platform.edge_types import QueryInt64, Text
from app.platform.enums import Role
from db.cases import CaseRow
from db.platform import UserRow
from server.audit import actions as audit_actions
from server.context import ServerContext
from server.feed.changes import GZIP_MIN_BYTES, RawPage
from server.platform import auth
from server.platform.api_responses import BODY, bearer_scheme, responses
from server.platform.auth import AuthUser
from server.platform.batch_items import CommandEnvelope, ReadBatch, read_items
from server.platform.errors import ApiError
from server.platform.login_throttle import record_failed_login
from server.platform.scope import can_see
from server.refdata.answers import RefDataAnswer
from server.shifts.shared_settings import EMERGENCY_MODE, put_setting
from server.shifts.shifts import record_emergency_switch

log = logging.getLogger(__name__)

router = APIRouter()


def get_ctx(request: Request) -> ServerContext:
    return request.app.state.ctx


Ctx = Annotated[ServerContext, Depends(get_ctx)]


async def current_user(request: Request, ctx: Ctx,
                       _scheme: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]) -> AuthUser:
    """The bearer token's user (`ServerContext.user_for_token`). `_scheme` only puts the bearer scheme on
    every operation of the schema; the header is read here, for the precise 401s of `auth.bearer_token`."""
    return await ctx.user_for_token(auth.bearer_token(request))


User = Annotated[AuthUser, Depends(current_user)]


# ---- models of the request and answer bodies (the domain models come from app/) ----------------------

class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Text = Field(min_length=1, max_length=64)
    password: Text = Field(min_length=1, max_length=1024)
    console_id: Text | None = Field(default=None, max_length=64)


class UserInfo(BaseModel):
    username: str
    display_name: str
    role: Role
    unit_id: str | None


class LoginAnswer(BaseModel):
    token: str
    expires_at: str
    user: UserInfo
    server_time: str


class Change(BaseModel):
    position: int
    kind: str = Field(description="'case' (data = the case) or 'setting' (data = {key, value})")
    id: str
    data: dict[str, Any]


class ChangesAnswer(BaseModel):
    changes: list[Change]
    cursor: int
    more: bool
    scope: str = Field(description="what the user sees (`app.platform.scope.scope_tag`); a console whose copy came under "
                                   "another one starts again from 0")
    server_time: str


class EmergencyModeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: StrictBool
    reason: Text = Field(min_length=1, max_length=2000)


class SettingAnswer(BaseModel):
    key: str
    value: dict[str, Any]
    position: int


class Health(BaseModel):
    status: str
    database: str


# ---- endpoints ------------------------------------------------------------------------------------

@router.post("/api/login", response_model=LoginAnswer, tags=["auth"],
             responses=responses((401, "bad_credentials"), 429, *BODY, 503))
def login(body: LoginRequest, ctx: Ctx, request: Request) -> dict[str, Any]:
    throttle = ctx.login_throttle
    address = request.client.host if request.client else None
    now = ctx.now()
    with ctx.db.reader() as session:
        row = session.get(UserRow, body.username)
        subjects = throttle.subjects(body.username, row is not None, address, now)
        refusal = throttle.locked(session, subjects, now)  # before the password: the right one is refused too
    if refusal is not None:
        log.info("login refused: %s locked", ", ".join(refusal.details[0]["locked"]))
        raise refusal
    try:
        user, rehashed = auth.check_credentials(row, body.password)
    except ApiError as exc:  # counted and recorded in a transaction of its own, then refused
        raise record_failed_login(throttle, subjects=subjects, row=row, console_id=body.console_id, now=ctx.now(),
                                  error=exc) from None
    now = ctx.now()
    with ctx.db.writer() as session, session.begin():
        throttle.succeeded(session, subjects, now)
        token, expires_at = auth.issue_token(session, user, body.console_id, now,
                                             timedelta(minutes=ctx.settings.token_ttl_minutes), rehashed)
        audit_actions.login_ok(session, user, body.console_id, now)
    return {"token": token, "expires_at": expires_at.isoformat(), "user": user.to_dict(),
            "server_time": now.isoformat()}


@router.post("/api/logout", status_code=204, tags=["auth"], responses=responses(401, 503))
def logout(request: Request, user: User, ctx: Ctx) -> Response:
    """End this login session: the token is refused from now on (by other server processes once their
    few-second token cache has aged out). Logged in the audit trail."""
    token = auth.bearer_token(request)
    now = ctx.now()
    with ctx.db.writer() as session, session.begin():
        row = auth.revoke_token(session, token)
        if row is None:  # logged out by a concurrent request since the dependency looked the token up
            raise ApiError(401, "invalid_token", "the token is unknown or was forged; log in again",
                           headers={"WWW-Authenticate": "Bearer"})
        audit_actions.logout(session, user, row.console_id, now)
    log.info("logout: %s from console %s", user.username, row.console_id or "-")
    return Response(status_code=204)


@router.get("/api/refdata", tags=["refdata"],
            responses=responses(304, 401, (503, "database_unavailable, no_refdata"), ok=RefDataAnswer,
                                ok_description="RefData.to_dict() plus version; ETag = version"),
            # Read from the request, not declared as a parameter: a header cannot fail validation, and a
            # declared parameter would put a 422 on the operation that it never answers.
            openapi_extra={"parameters": [{"name": "If-None-Match", "in": "header", "required": False,
                                           "schema": {"type": "string"},
                                           "description": "the ETag held: 304 when it is the current version"}]})
def get_refdata(request: Request, _user: User, ctx: Ctx) -> Response:
    version, body = ctx.refdata_store.serialized()
    etag = f'"{version}"'
    # Its own caching (so not the /api default `no-store`, server.platform.middleware): it names the users, so no
    # shared cache keeps it, and a private one asks each time (a 304 is cheap).
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if _etag_matches(request.headers.get("if-none-match"), version):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _etag_matches(header: str | None, version: str) -> bool:
    if not header:
        return False
    tags = [t.strip().removeprefix("W/").strip('"') for t in header.split(",")]
    return "*" in tags or version in tags


@router.post("/api/commands", tags=["commands"], responses=responses(401, *BODY, 503, ok=BatchResult))
async def post_commands(batch: CommandEnvelope, user: User, ctx: Ctx) -> Response:
    """Each command (a `Command`) is validated and answered on its own (`server.platform.batch_items`); only a
    malformed envelope refuses the batch."""
    read = ReadBatch(read_items(batch.commands, Command))
    # Blocking, but in the commands' own few threads (ServerContext.apply_in_thread), not the 40 shared ones.
    return Response(await ctx.apply_in_thread(user, read), media_type="application/json")


@router.get("/api/changes", tags=["feed"], responses=responses(401, 422, 503, ok=ChangesAnswer))
async def get_changes(
    request: Request,
    user: User,
    ctx: Ctx,
    after: Annotated[QueryInt64, Query(ge=0, description="the cursor of the previous page (0: full snapshot)")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    wait: Annotated[float, Query(ge=0, le=30, description="seconds to hold the request while nothing is new")] = 0,
) -> Response:
    """Long-polls on the same cursor and scope share one serialised page per feed state (see
    `server.feed.changes.FeedRing`); each answer gets its own `server_time`, spliced into the shared bytes.
    (`server.feed.fast_path` answers the common case of this endpoint without the framework.)"""
    page = await long_poll(ctx, user, after, limit, wait)
    body, headers = changes_answer(ctx, page, "gzip" in request.headers.get("accept-encoding", ""))
    return Response(body, media_type="application/json", headers=headers)


async def long_poll(ctx: ServerContext, user: AuthUser, after: int, limit: int, wait: float) -> RawPage:
    """The page after `after`, waiting up to `wait` seconds (at most the server's limit) for one that
    is not empty."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(wait, ctx.settings.long_poll_max_s)
    ctx.long_polls += 1  # spaces the reads of the recent feed (ServerContext.feed_tick_s)
    try:
        while True:
            generation = ctx.notifier.generation  # before the query: a commit after it will wake us
            page: RawPage = await ctx.changes_page(after, limit, user)
            remaining = deadline - loop.time()
            if page.count or page.more or remaining <= 0:
                await ctx.answer_pacer.turn()  # a feed tick wakes hundreds: let other work in between
                return page
            if await ctx.notifier.wait(generation, remaining):  # no thread, no connection held meanwhile
                # Woken: let a burst of commits land, so it is answered once and every waiter reads one page.
                window = min(ctx.feed_batch_window_s, deadline - loop.time())
                if window > 0:
                    await asyncio.sleep(window)
    finally:
        ctx.long_polls -= 1


def changes_answer(ctx: ServerContext, page: RawPage, gzip_ok: bool) -> tuple[bytes, dict[str, str]]:
    """The answer's body and extra headers: gzipped here (cheap level, shared compressed prefix) when
    large and accepted; the GZip middleware passes an answer with Content-Encoding through."""
    server_time = ctx.now().isoformat()
    # Judged on the shared prefix: building the whole plain body (often 100 KiB) only to measure it
    # cost an allocation and a copy per answer, hundreds of times a second.
    if gzip_ok and len(page.prefix) >= GZIP_MIN_BYTES:
        return page.gzip(server_time), {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return page.body(server_time), {}


@router.get("/api/cases/{case_id}", tags=["cases"], response_model=Case,
            responses=responses(401, (403, "out_of_scope"), 404, 422, 503))
def get_case(case_id: uuid.UUID, user: User, ctx: Ctx) -> Response:
    with ctx.db.reader() as session:
        data = session.execute(select(CaseRow.data).where(CaseRow.id == case_id)).scalar()
    if data is None:
        raise ApiError(404, "not_found", f"no case {case_id}")
    case = Case.model_validate(data)
    if not can_see(user, case, ctx.refdata):  # named by the id the caller sent, nothing of its content
        raise ApiError(403, "out_of_scope", f"case {case_id} is not in the scope of {user.role} "
                                            f"'{user.username}' of unit '{user.unit_id or 'none'}'")
    return JSONResponse(data)


@router.put("/api/settings/emergency_mode", tags=["settings"], response_model=SettingAnswer,
            responses=responses(401, (403, "forbidden (shift_lead only)"), *BODY, 503))
def put_emergency_mode(body: EmergencyModeRequest, user: User, ctx: Ctx, request: Request) -> dict[str, Any]:
    token = auth.bearer_token(request)
    try:
        auth.require_role(user, Role.SHIFT_LEAD)
    except ApiError as exc:
        audit_actions.emergency_mode_refused(ctx.db.writer, user, body.on, body.reason, ctx.now(), token, exc.error)
        raise
    now = ctx.now()
    value = {"on": body.on, "reason": body.reason, "by": user.username, "at": now.isoformat()}
    with ctx.db.writer() as session, session.begin():
        console_id = audit_actions.console_of(session, token)  # before the feed and audit locks
        # the history the handover report reads (server.shifts.shifts): a new row in the switch's own transaction
        record_emergency_switch(session, on=body.on, reason=body.reason, by=user.username, at=now)
        position = put_setting(session, EMERGENCY_MODE, value, user.username, now)
        audit_actions.emergency_mode(session, user, body.on, body.reason, now, console_id, position)
    return {"key": EMERGENCY_MODE, "value": value, "position": position}


@router.get("/healthz", tags=["ops"], response_model=Health, responses={503: {"model": Health}})
def healthz(ctx: Ctx) -> Any:
    try:
        ctx.db.ping()
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return JSONResponse({"status": "unavailable",
                             "database": f"unreachable: {reason[0] if reason else type(exc).__name__}"},
                            status_code=503)
    return {"status": "ok", "database": "ok"}
