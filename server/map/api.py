"""The base map for consoles: its description and its tiles, each tile with the package's version as
ETag (a console that holds the tile gets a 304). Any signed-in user may read them: a base map shows the
city, not anyone's cases."""
from __future__ import annotations

from fastapi import APIRouter, Path, Request, Response

from app.map.tile_cache import MAX_ZOOM, sniff_mime
from app.wire.map import BaseMapAnswer
from server.map import store
from server.platform.api import Ctx, User
from server.platform.api_responses import responses
from server.platform.errors import ApiError

router = APIRouter()

_CACHING = "private, no-cache"  # a console's own cache keeps tiles; it asks again with If-None-Match
_IF_NONE_MATCH = {"openapi_extra": {"parameters": [
    {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
     "description": "the ETag held: 304 when it is the current package's"}]}}


def _no_basemap() -> ApiError:
    return ApiError(404, "no_basemap", "no base map has been imported on this server "
                                       "(onegrid-ctl basemap import FILE)")


@router.get("/api/basemap", tags=["map"], response_model=BaseMapAnswer,
            responses=responses(401, (404, "no_basemap"), 503))
def get_basemap(_user: User, ctx: Ctx) -> BaseMapAnswer:
    with ctx.db.reader() as session:
        row = store.current(session)
        if row is None:
            raise _no_basemap()
        return BaseMapAnswer(version=row.version, name=row.name, format=row.format, datum=row.datum,
                             min_zoom=row.min_zoom, max_zoom=row.max_zoom, bounds=row.info.get("bounds"),
                             tile_count=int(row.info.get("tile_count", 0)),
                             attribution=str(row.info.get("attribution", "")), tile_url=store.TILE_URL,
                             names=row.info.get("names", []))


@router.get("/api/basemap/tiles/{z}/{x}/{y}", tags=["map"], response_class=Response,
            responses={**responses(304, 401, (404, "no_basemap, no_tile"), (422, "invalid_request: outside the pyramid"),
                                   503),
                       200: {"description": "the tile's image (PNG, JPEG or WebP); ETag = the package's version",
                             "content": {f"image/{kind}": {"schema": {"type": "string", "format": "binary"}}
                                         for kind in ("png", "jpeg", "webp")}}},
            **_IF_NONE_MATCH)
def get_tile(request: Request, _user: User, ctx: Ctx,
             z: int = Path(ge=0, le=MAX_ZOOM), x: int = Path(ge=0, lt=1 << MAX_ZOOM),
             y: int = Path(ge=0, lt=1 << MAX_ZOOM)) -> Response:
    if x >= 1 << z or y >= 1 << z:
        raise ApiError(422, "invalid_request", f"tile {x}/{y} is outside 0..{(1 << z) - 1} at zoom {z}",
                       [{"loc": ["path", "x" if x >= 1 << z else "y"], "msg": "outside the tile pyramid"}])
    with ctx.db.reader() as session:
        row = store.current(session)
        if row is None:
            raise _no_basemap()
        headers = {"ETag": f'"{row.version}"', "Cache-Control": _CACHING}
        if _matches(request.headers.get("if-none-match"), row.version):
            return Response(status_code=304, headers=headers)
        data = store.tile(session, z, x, y)
    if data is None:
        raise ApiError(404, "no_tile", f"the base map has no tile {z}/{x}/{y}")
    return Response(data, media_type=sniff_mime(data) or "application/octet-stream", headers=headers)


def _matches(header: str | None, version: str) -> bool:
    if not header:
        return False
    return any(t.strip().removeprefix("W/").strip('"') in (version, "*") for t in header.split(","))
