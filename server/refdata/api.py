"""The reference data endpoint: the whole bundle, with its version as ETag."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.wire.refdata import RefDataAnswer
from server.platform.api import Ctx, User
from server.platform.api_responses import responses

router = APIRouter()


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
