"""The platform's HTTP endpoints (login, logout, health) and what every feature's endpoints are built with:
`Ctx` (the server context) and `User` (the bearer token's user). The endpoints of each feature are in its
own `api` module (`server/<feature>/api.py`); docs/ARCHITECTURE.md ("HTTP API") lists them all.

Blocking endpoints are plain `def` (FastAPI runs them in its worker threads); the long-poll is `async`,
so hundreds of waiting consoles cost one coroutine each and no thread or database connection; commands
are `async` only to run in their own small set of threads (`ServerContext.apply_in_thread`)."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials

from app.wire.platform import Health, LoginRequest, LoginResult
from db.platform import UserRow
from server.audit import actions as audit_actions
from server.platform import auth, request_context
from server.platform.api_responses import BODY, bearer_scheme, responses
from server.platform.auth import AuthUser
from server.platform.errors import ApiError
from server.platform.login_throttle import record_failed_login

if TYPE_CHECKING:  # built by the composition root (server/app.py), which sits above every feature
    from server.context import ServerContext

log = logging.getLogger(__name__)

router = APIRouter()


async def get_ctx(request: Request) -> ServerContext:
    # `async` although it never waits: FastAPI runs a plain `def` dependency in a worker thread, and this
    # one is in every endpoint, so each request paid a thread hand-off (and the GIL's back-and-forth) for
    # one attribute read.
    return request.app.state.ctx


# The endpoints' handle on the context. Named as a string: FastAPI reads only the dependency, and the
# platform must not import the composition root that builds the context from the features.
Ctx = Annotated["ServerContext", Depends(get_ctx)]


async def current_user(request: Request, ctx: Ctx,
                       _scheme: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]) -> AuthUser:
    """The bearer token's user (`ServerContext.user_for_token`). `_scheme` only puts the bearer scheme on
    every operation of the schema; the header is read here, for the precise 401s of `auth.bearer_token`.
    The request's log lines name the user and console from here on (`request_context`)."""
    found = await ctx.user_for_token(auth.bearer_token(request))
    request_context.user.set(found.username)
    request_context.console_id.set(found.console_id)
    return found


User = Annotated[AuthUser, Depends(current_user)]


@router.post("/api/login", response_model=None, tags=["auth"],
             responses=responses((401, "bad_credentials"), 429, *BODY, 503, ok=LoginResult))
def login(body: LoginRequest, ctx: Ctx, request: Request) -> dict[str, Any]:
    throttle = ctx.login_throttle
    address = request.client.host if request.client else None
    request_context.console_id.set(body.console_id)  # the user only once known: a mistyped name is never logged
    now = ctx.now()
    with ctx.db.reader() as session:
        row = session.get(UserRow, body.username)
        subjects = throttle.subjects(body.username, row is not None, address, now)
        refusal = throttle.locked(session, subjects, now)  # before the password: the right one is refused too
    if refusal is not None:
        log.info("login refused: %s locked", ", ".join(refusal.details[0]["locked"]))
        raise refusal
    try:
        user, rehashed = auth.check_credentials(row, body.password, upgrade=not ctx.settings.demo)
    except ApiError as exc:  # counted and recorded in a transaction of its own, then refused
        raise record_failed_login(throttle, subjects=subjects, row=row, console_id=body.console_id, now=ctx.now(),
                                  error=exc) from None
    request_context.user.set(user.username)
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


@router.get("/healthz", tags=["ops"], response_model=None,
            responses={200: {"model": Health, "description": "Successful Response"}, 503: {"model": Health}})
def healthz(ctx: Ctx) -> Any:
    try:
        ctx.db.ping()
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return JSONResponse({"status": "unavailable",
                             "database": f"unreachable: {reason[0] if reason else type(exc).__name__}"},
                            status_code=503)
    return {"status": "ok", "database": "ok"}
