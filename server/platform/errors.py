"""Every error the API answers has one shape: `{"error": code, "message": text, "details": [...]}`.

Handlers here turn FastAPI's validation errors, Starlette's HTTP errors and database outages into that
shape; unexpected exceptions are caught by `server.platform.middleware.CatchAllMiddleware`.
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.platform.edge_types import printable

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answer: HTTP status, machine-readable code, human-readable message."""

    def __init__(self, status: int, error: str, message: str, details: list[Any] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.details = details or []
        self.headers = headers


def error_body(error: str, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    # printable: a message may quote the input it refuses, and a lone surrogate cannot be sent as UTF-8
    return {"error": error, "message": printable(message), "details": details or []}


def error_response(status: int, error: str, message: str, details: list[Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(error, message, details), status_code=status, headers=headers)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
               415: "unsupported_media_type"}


def _loc(loc: tuple | list) -> list[Any]:
    return [p if isinstance(p, int) else printable(str(p)) for p in loc]


async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.error, exc.message, exc.details, exc.headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    content_type = request.headers.get("content-type", "")
    if any(tuple(e.get("loc", ())) == ("body",) and isinstance(e.get("input"), (str, bytes)) for e in errors) \
            and "json" not in content_type:
        # FastAPI only parses JSON declared as such; say so instead of "not a valid dictionary".
        return error_response(415, "unsupported_media_type",
                              f"send the body as JSON with 'Content-Type: application/json' "
                              f"(got {content_type or 'no content type'!r})")
    if any(e.get("type") == "json_invalid" for e in errors):
        ctx = next(e.get("ctx") or {} for e in errors if e.get("type") == "json_invalid")
        return error_response(400, "malformed_json", f"the request body is not valid JSON: "
                                                     f"{ctx.get('error', 'decode error')}")
    details = [{"loc": _loc(e.get("loc", ())), "msg": printable(e.get("msg", ""))} for e in errors]
    summary = "; ".join(f"{'.'.join(str(p) for p in d['loc'])}: {d['msg']}" for d in details[:5])
    return error_response(422, "invalid_request", f"the request does not fit the schema: {summary}", details)


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))


def is_database_outage(exc: BaseException) -> bool:
    """The database cannot be reached (or the pool is exhausted), as opposed to a bug (constraint, SQL error)."""
    if isinstance(exc, PoolTimeoutError):
        return True
    return isinstance(exc, DBAPIError) and (isinstance(exc, OperationalError) or exc.connection_invalidated)


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    answer = error_answer(exc)
    if answer is None:
        raise exc  # a real bug (constraint, SQL error): let the catch-all answer 500
    return answer


def error_answer(exc: BaseException) -> JSONResponse | None:
    """What the handlers answer for `exc` (an `ApiError`, or a database outage: 503, logged), or None for
    anything else (a bug: the catch-all's 500); for an ASGI layer in front of them (`server.commands_fast_path`)."""
    if isinstance(exc, ApiError):
        return error_response(exc.status, exc.error, exc.message, exc.details, exc.headers)
    if not is_database_outage(exc):
        return None
    log.warning("database unavailable: %s", exc)
    return error_response(503, "database_unavailable", f"the database is unavailable: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_unavailable)
    app.add_exception_handler(PoolTimeoutError, _database_unavailable)
