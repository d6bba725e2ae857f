"""The Open311 GeoReport v2 methods at /open311/v2/ (docs/open311.md), each in `.xml` and `.json`:

    GET  services.{fmt}                  the service list (one service per category)
    GET  services/{service_code}.{fmt}   a service's definition (its questions)
    POST requests.{fmt}                  a new service request (api_key): a case, source citizen_app
    GET  requests.{fmt}                  service requests (filters: ids, service_code, status, dates)
    GET  requests/{service_request_id}.{fmt}
    GET  tokens/{token}.{fmt}            the request id of a POST's token

Every refusal is the spec's error body (`[{code, description}]`, XML `<errors><error>…`) with its HTTP
status, 429 with `Retry-After` when a key or a client address is over its rate. Fields are read from the
query string and the body by hand (not FastAPI's models), so no refusal is in OneGrid's own error shape.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, RootModel
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.open311 import requests as mapping
from app.open311 import services
from app.open311.formats import (
    FORMATS,
    Open311Error,
    error_body,
    fields_from_json,
    fields_from_xml,
    object_to_xml,
    to_json,
    to_xml,
)
from app.wire import open311 as wire
from server.open311 import keys, media
from server.open311.intake import OPEN311_DESK, create_request
from server.open311.query import (
    Found,
    find_requests,
    one_request,
    token_request,
    with_context,
)
from server.open311.rate_limit import RateLimiter
from server.open311.settings import Open311Settings

log = logging.getLogger(__name__)

PREFIX = "/open311/v2"
router = APIRouter(prefix=PREFIX, tags=["open311"])
MEDIA_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


_STATUS_TEXT = {400: "a field or a filter is wrong (named)", 403: "api_key missing, unknown or revoked",
                404: "unknown service code, request, token, jurisdiction_id or format",
                413: "media (or the whole request) too large", 415: "a body that is no form, JSON or XML",
                429: "over the rate of the key or of the client address (Retry-After)",
                503: "the database cannot be reached; retry later",
                422: "(listed for the schema's sake: every field is read as text and refused 400 by name)"}
_XML = {"text/xml": {"schema": {"type": "string"}}}


def _documented(ok: type[BaseModel] | type[RootModel], *errors: int, ok_status: int = 200) -> dict[int | str, dict]:
    """The OpenAPI `responses` of an Open311 method: the answer's model (JSON, or the same as XML) and each
    refusal with the spec's error body."""
    out: dict[int | str, dict] = {ok_status: {"model": ok, "description": "the spec's answer", "content": _XML}}
    for status in (*errors, 422, 429, 503):
        out[status] = {"model": wire.Open311Errors, "description": _STATUS_TEXT[status], "content": _XML}
    return out


class Open311Service:
    """The endpoint's settings and its rate limiters (one per server process; `app.state.open311`)."""

    def __init__(self, settings: Open311Settings | None = None):
        self.settings = settings or Open311Settings.from_env()
        self.by_key = RateLimiter(self.settings.key_rate_per_s, self.settings.key_burst)
        self.by_address = RateLimiter(self.settings.address_rate_per_s, self.settings.address_burst)


def _service(request: Request) -> Open311Service:
    return request.app.state.open311


def _answer(fmt: str, body: bytes, status: int = 200, headers: dict | None = None) -> Response:
    return Response(body, status_code=status, media_type=MEDIA_TYPES[fmt], headers=headers)


async def _run(request: Request, fmt: str, work: Callable[[], Awaitable[Response]]) -> Response:
    if fmt not in FORMATS:
        return _answer("json", error_body(Open311Error(404, f"unknown format .{fmt[:10]}: use .xml or .json"), "json"),
                       404)
    try:
        service = _service(request)
        _check_jurisdiction(request, service.settings)
        address = request.client.host if request.client else "unknown"
        _limit(service.by_address, f"address:{address}", "this client address")
        return await work()
    except Open311Error as err:
        return _answer(fmt, error_body(err, fmt), err.status, err.headers)
    except (OperationalError, PoolTimeoutError) as exc:  # the database is down: still the spec's body
        log.warning("open311: database unavailable (%s)", type(exc).__name__)
        err = Open311Error(503, "the database cannot be reached; retry later")
        return _answer(fmt, error_body(err, fmt), 503, {"Retry-After": "5"})


def _limit(limiter: RateLimiter, key: str, who: str) -> None:
    wait = limiter.take(key)
    if wait > 0:
        seconds = max(1, int(wait + 0.999))
        raise Open311Error(429, f"too many requests from {who}; retry in {seconds} s",
                           headers={"Retry-After": str(seconds)})


def _check_jurisdiction(request: Request, settings: Open311Settings) -> None:
    given = request.query_params.get("jurisdiction_id")
    if given and given != settings.jurisdiction_id:
        raise Open311Error(404, f"jurisdiction_id {given[:100]!r} is not served here "
                                f"(this endpoint serves {settings.jurisdiction_id!r})")


@router.get("/services.{fmt}", summary="Open311: the service list", responses=_documented(wire.Services, 404))
async def get_services(request: Request, fmt: str) -> Response:
    async def work() -> Response:
        items = services.service_list(request.app.state.ctx.refdata)
        return _answer(fmt, to_xml("services", "service", items) if fmt == "xml" else to_json(items))
    return await _run(request, fmt, work)


@router.get("/services/{service_code}.{fmt}", summary="Open311: a service's definition",
            responses=_documented(wire.ServiceDefinition, 404))
async def get_service_definition(request: Request, service_code: str, fmt: str) -> Response:
    async def work() -> Response:
        refdata = request.app.state.ctx.refdata
        if not refdata.has_category(service_code):
            raise Open311Error(404, f"service_code {service_code[:16]} is not a service of this jurisdiction")
        body = services.definition(refdata.category(service_code))
        if fmt == "xml":
            return _answer(fmt, object_to_xml("service_definition", body, item_tags={"attributes": "attribute"}))
        return _answer(fmt, to_json(body))
    return await _run(request, fmt, work)


async def _post_fields(request: Request, max_media: int) -> tuple[dict[str, str], tuple[bytes, str] | None]:
    """The POST's fields, and its uploaded `media` file (bytes, file name) if any."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.form(max_files=1, max_fields=200)
        except Exception as exc:  # the form parser's own errors name no class the spec knows
            raise Open311Error(400, f"malformed form body: {exc}") from None
        out: dict[str, str] = {}
        media: tuple[bytes, str] | None = None
        try:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    if name != "media":
                        raise Open311Error(400, f"{name[:40]} carries a file: only media may")
                    size = value.size or 0
                    if size > max_media:
                        raise Open311Error(413, f"media is {size} bytes; at most {max_media} bytes are accepted")
                    data = await value.read(max_media + 1)
                    if len(data) > max_media:
                        raise Open311Error(413, f"media is over {max_media} bytes; at most {max_media} bytes "
                                                "are accepted")
                    media = (data, value.filename or "")
                    continue
                out[name] = value
        finally:
            await form.close()
        return out, media
    raw = await request.body()
    if kind in ("application/json", ""):
        return (fields_from_json(raw) if raw else {}), None
    if kind in ("application/xml", "text/xml"):
        return fields_from_xml(raw), None
    raise Open311Error(415, f"unsupported body type {kind[:60]}: send form fields (the spec), JSON or XML")


@router.post("/requests.{fmt}", summary="Open311: report a service request (api_key)", status_code=201,
             responses=_documented(wire.CreatedRequests, 400, 403, 404, 413, 415, ok_status=201))
async def post_request(request: Request, fmt: str) -> Response:
    async def work() -> Response:
        service = _service(request)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > service.settings.max_media_bytes + 64 * 1024:
            raise Open311Error(413, f"the request is {length} bytes; media of at most "
                                    f"{service.settings.max_media_bytes} bytes are accepted")
        fields, upload = await _post_fields(request, service.settings.max_media_bytes)
        fields = {**{k: v for k, v in request.query_params.items()}, **fields}
        jurisdiction = fields.get("jurisdiction_id")
        if jurisdiction and jurisdiction != service.settings.jurisdiction_id:
            raise Open311Error(404, f"jurisdiction_id {jurisdiction[:100]!r} is not served here")
        api_key = fields.get("api_key", "")
        if not api_key:
            raise Open311Error(403, "api_key is required to report a service request")
        ctx = request.app.state.ctx
        app_key = await run_in_threadpool(_resolve_key, ctx, api_key)
        if app_key is None:
            raise Open311Error(403, "invalid api_key received (unknown or revoked)")
        _limit(service.by_key, f"key:{app_key.id}", f"the key of app {app_key.app_name}")
        payload, contact = mapping.create_payload(fields, ctx.refdata)
        photo = None
        if upload is not None:  # checked and stored before the case exists: a bad file creates nothing
            photo = await run_in_threadpool(media.accept, ctx, upload[0], upload[1], service.settings.max_media_bytes)
            payload["attachments"] = [*payload.get("attachments", []), photo.sha256]
        created = await run_in_threadpool(create_request, ctx, app_key, payload, contact, photo)
        body = [{"service_request_id": created.number or "", "token": str(created.token),
                 "service_notice": "", "account_id": contact["account_id"]}]
        return _answer(fmt, to_xml("service_requests", "request", body) if fmt == "xml" else to_json(body), 201)
    return await _run(request, fmt, work)


def _resolve_key(ctx, api_key: str):
    with ctx.db.reader() as session:
        return keys.resolve(session, api_key)


def _media_base(request: Request, settings: Open311Settings) -> str:
    return f"{(settings.public_url or str(request.base_url)).rstrip('/')}{PREFIX}/{media.ROUTE}/"


def _requests_answer(request: Request, fmt: str, found: Found, refdata) -> Response:
    base = _media_base(request, _service(request).settings)
    items = [mapping.service_request(case, refdata, master=found.masters.get(case.get("merged_into") or ""),
                                     media_url=f"{base}{found.media[case['id']]}" if case["id"] in found.media
                                     else "")
             for case in found.cases]
    return _answer(fmt, to_xml("service_requests", "request", items) if fmt == "xml" else to_json(items))


@router.get("/requests.{fmt}", summary="Open311: service requests", responses=_documented(wire.ServiceRequests, 400, 404))
async def get_requests(request: Request, fmt: str) -> Response:
    async def work() -> Response:
        ctx, settings = request.app.state.ctx, _service(request).settings
        refdata = ctx.refdata
        params = dict(request.query_params)
        known = {c.code for c in refdata.categories}

        def read() -> Found:
            with ctx.db.reader() as session:
                cases = find_requests(session, params, ctx.now(), max_days=settings.max_days,
                                      max_results=settings.max_results, known_codes=known)
                return with_context(session, cases, OPEN311_DESK.username, params)

        return _requests_answer(request, fmt, await run_in_threadpool(read), refdata)
    return await _run(request, fmt, work)


@router.get("/requests/{service_request_id}.{fmt}", summary="Open311: one service request",
            responses=_documented(wire.ServiceRequests, 404))
async def get_request(request: Request, service_request_id: str, fmt: str) -> Response:
    async def work() -> Response:
        ctx = request.app.state.ctx

        def read() -> Found:
            with ctx.db.reader() as session:
                return with_context(session, [one_request(session, service_request_id)], OPEN311_DESK.username)

        return _requests_answer(request, fmt, await run_in_threadpool(read), ctx.refdata)
    return await _run(request, fmt, work)


@router.get("/tokens/{token}.{fmt}", summary="Open311: the request id of a token",
            responses=_documented(wire.TokenRequests, 404))
async def get_token(request: Request, token: str, fmt: str) -> Response:
    async def work() -> Response:
        ctx = request.app.state.ctx

        def read() -> str | None:
            with ctx.db.reader() as session:
                return token_request(session, token)

        number = await run_in_threadpool(read)
        body = [{"service_request_id": number or "", "token": token}]
        return _answer(fmt, to_xml("service_requests", "request", body) if fmt == "xml" else to_json(body))
    return await _run(request, fmt, work)


@router.get("/media/{photo_id}", summary="Open311: the media a citizen app uploaded with a request",
            response_class=Response,
            responses={200: {"description": "the image, without metadata", "content": {
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}}}},
                **{status: {"model": wire.Open311Errors, "description": _STATUS_TEXT[status]}
                   for status in (404, 422, 429, 503)}})
async def get_media(request: Request, photo_id: str) -> Response:
    async def work() -> Response:
        ctx = request.app.state.ctx

        def read() -> tuple[bytes, str]:
            with ctx.db.reader() as session:
                return media.media_file(ctx, session, photo_id, OPEN311_DESK.username)

        data, mime = await run_in_threadpool(read)
        return Response(data, media_type=mime, headers={"Cache-Control": "public, max-age=86400"})
    return await _run(request, "json", work)
