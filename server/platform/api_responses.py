"""What each operation declares in the OpenAPI schema besides its request: its answer model and every
error status it can answer, each with the one error body of `server.platform.errors`.

    @router.get("/api/sensors", response_model=None, responses=responses(401, 503, ok=SensorsAnswer))

The schema is a contract the consoles and gateways read, and the API fuzzer (tests/platform/server/
test_api_fuzz.py) holds every answer to it: an undocumented status or an answer that does not fit its
model fails the test. Every body's model is in `app.wire` (or is a domain model that is the wire at once,
e.g. `app.cases.commands`), shared with the console's client. Routes answer plain data or raw bytes (feed
pages, command answers, reference data: `app.wire.raw`) and declare their model here rather than as
`response_model`: FastAPI would otherwise rebuild every answer through the model, which costs time and
would hide from the fuzzer a field the server sends that the model does not name (answers are read
leniently, see `app.wire.base`).
"""
from __future__ import annotations

from typing import Any

from fastapi.security import HTTPBearer
from pydantic import BaseModel

from app.wire.platform import ErrorBody

# A dependency of every authenticated route (`server.platform.api.current_user`), so the schema names the scheme
# on each operation. It never refuses by itself (auto_error=False): `server.platform.auth.bearer_token` answers
# with its own precise 401s.
bearer_scheme = HTTPBearer(auto_error=False, description="`Authorization: Bearer <token>` from POST /api/login")


# The codes each status carries on every operation; a route adds its own with (status, "codes").
_DEFAULT_CODES = {
    304: "Not Modified: If-None-Match names the current version (no body)",
    400: "malformed_json: the body is not valid JSON",
    401: "missing_token, invalid_token or token_expired",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "payload_too_large: the body is larger than the server's limit (ONEGRID_MAX_BODY_BYTES)",
    415: "unsupported_media_type: the body is not sent as application/json",
    422: "invalid_request: the request does not fit the schema (details name each field)",
    429: "too_many_attempts: wait for Retry-After seconds",
    503: "database_unavailable",
}
_NO_BODY = {204, 304}

# The statuses of any operation that takes a JSON body: it may be no JSON, too large, not declared as
# JSON, or not fit the model.
BODY = (400, 413, 415, 422)


def responses(*statuses: int | tuple[int, str], ok: type[BaseModel] | None = None, ok_status: int = 200,
              ok_description: str = "Successful Response") -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: `ok` (the answer's model, for routes that answer raw bytes or whose
    return annotation is a plain dict) and each error status with the error body. A status is a number
    (its codes from `_DEFAULT_CODES`) or `(status, "codes this route answers")`."""
    out: dict[int | str, dict[str, Any]] = {}
    if ok is not None:
        out[ok_status] = {"model": ok, "description": ok_description}
    for entry in statuses:
        status, codes = entry if isinstance(entry, tuple) else (entry, _DEFAULT_CODES[entry])
        out[status] = {"description": codes} if status in _NO_BODY else {"model": ErrorBody, "description": codes}
    return out
