"""The FastAPI application factory.

    app = create_app(ServerSettings(database_url=...), refdata=None, clock=None,
                     on_startup=[hook], on_shutdown=[hook])

The lifespan starts the feed notifier (LISTEN/NOTIFY on PostgreSQL), the sensor ingest (its writer
thread, and the MQTT subscriber when ONEGRID_MQTT_URL is set: server.sensors.runtime) and the maintenance
loop (automatic escalation, sensor sweep), then runs the `on_startup` hooks; at shutdown it runs `on_shutdown` and stops
both. A hook is called with the app's `ServerContext` (`app.state.ctx`) and may be a plain function or
a coroutine function; this is how the demo simulator plugs in (see server/cli.py).
"""
from __future__ import annotations

import asyncio
import faulthandler
import inspect
import logging
import sys
from collections.abc import Awaitable, Callable, Iterable
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import GZipMiddleware

from app.platform.gc_tuning import freeze_after_startup, tune_collector
from app.refdata.model import RefData
from server import commands_api
from server.audit import api as audit_api
from server.avl import api as avl_api
from server.avl.runtime import start_avl, stop_avl
from server.cases import api as cases_api
from server.cases import search_api as case_search_api
from server.cases.combiner import start_combiner, stop_combiner
from server.commands_fast_path import CommandsFastPath
from server.context import Clock, ServerContext
from server.detections import api as detections_api
from server.detections.writer import start_detections, stop_detections
from server.feed import api as feed_api
from server.feed import push_api as feed_push_api
from server.feed.fast_path import ChangesFastPath
from server.maintenance import maintenance_loop
from server.map import api as map_api
from server.metrics import api as metrics_api
from server.open311 import api as open311_api
from server.photos import api as photos_api
from server.platform import api as platform_api
from server.platform import ops_api, users_api
from server.platform.edge import EdgeMiddleware
from server.platform.errors import install_error_handlers
from server.platform.middleware import BodyLimitMiddleware, CatchAllMiddleware
from server.platform.prometheus import ServerMetrics
from server.platform.settings import ServerSettings
from server.refdata import api as refdata_api
from server.sensors import api as sensor_api
from server.sensors.runtime import start_sensors, stop_sensors
from server.shifts import api as shift_api
from server.shifts import emergency_api
from server.webhooks.delivery import start_webhooks, stop_webhooks

log = logging.getLogger(__name__)

LifespanHook = Callable[[ServerContext], Awaitable[None] | None]

API_VERSION = "1"


def create_app(settings: ServerSettings | None = None, *, refdata: RefData | None = None, clock: Clock | None = None,
               on_startup: Iterable[LifespanHook] = (), on_shutdown: Iterable[LifespanHook] = ()) -> FastAPI:
    """Build the server app. `refdata` overrides the reference data stored in the database (tests);
    `clock` replaces the wall clock (tests)."""
    settings = settings or ServerSettings.from_env()
    ctx = ServerContext.create(settings, refdata=refdata, clock=clock)
    startup_hooks, shutdown_hooks = list(on_startup), list(on_shutdown)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        await ctx.notifier.start()
        sensors = await run_in_threadpool(start_sensors, ctx)
        _app.state.webhooks = await run_in_threadpool(start_webhooks, ctx)
        avl = await run_in_threadpool(start_avl, ctx)
        ctx.detection_writer = start_detections(ctx)
        ctx.command_combiner = start_combiner(ctx)
        maintenance = None
        if settings.maintenance_interval_s > 0:
            maintenance = asyncio.create_task(maintenance_loop(ctx, settings.maintenance_interval_s),
                                              name="onegrid-maintenance")
        try:
            for hook in startup_hooks:
                await _run_hook(hook, ctx)
            log.info("OneGrid server ready (database: %s)", ctx.db.dialect)
            yield
        finally:
            for hook in shutdown_hooks:
                try:
                    await _run_hook(hook, ctx)
                except Exception:
                    log.exception("shutdown hook %r failed", hook)
            if maintenance is not None:
                maintenance.cancel()
                with suppress(asyncio.CancelledError):
                    await maintenance
            await run_in_threadpool(stop_webhooks, _app.state.webhooks)
            await run_in_threadpool(stop_avl, ctx, avl)
            await run_in_threadpool(stop_detections, ctx.detection_writer)
            ctx.detection_writer = None
            await run_in_threadpool(stop_combiner, ctx.command_combiner)
            ctx.command_combiner = None
            await run_in_threadpool(stop_sensors, ctx, sensors)
            await ctx.notifier.stop()
            if ctx.locks is not None:
                ctx.locks.close()  # gives up the sweeps and the MQTT slot for another process to take
            ctx.batch_lanes.close()
            ctx.db.dispose()

    # The API's map (/docs, /redoc, /openapi.json) only where asked for (ServerSettings.api_docs: the demo
    # and tests); `app.openapi()` still builds the schema for tools.
    docs = settings.api_docs_enabled
    app = FastAPI(title="OneGrid central server", version=API_VERSION, lifespan=lifespan,
                  description="Dispatch console ⇄ central server contract (docs/ARCHITECTURE.md).",
                  docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
                  openapi_url="/openapi.json" if docs else None,
                  # OpenTelemetry off: the server exports its own Prometheus metrics (server.platform.prometheus), and
                  # FastAPI asked OpenTelemetry's global providers (an environment lookup) on every request.
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.ctx = ctx
    ctx.metrics = ServerMetrics(ctx)
    app.state.open311 = open311_api.Open311Service()
    install_error_handlers(app)
    for feature in (platform_api, ops_api, users_api, refdata_api, commands_api, cases_api, feed_api, feed_push_api,
                    emergency_api, sensor_api, shift_api, metrics_api, audit_api, open311_api, map_api, photos_api, case_search_api, avl_api,
                    detections_api):
        app.include_router(feature.router)
    # Added innermost first. Plain single commands skip the framework's own layers (see module)
    app.add_middleware(CommandsFastPath, ctx=ctx)
    # Level 5, not 9: a drained batch's answer (hundreds of case snapshots) compressed in half the time
    app.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=5)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(ChangesFastPath, ctx=ctx)  # plain long-polls skip the stack (see module)
    # Outermost: every answer, the fast path's and even a 413 or a 500, is counted and carries the request
    # id, the server time and the security headers.
    app.add_middleware(EdgeMiddleware, clock=ctx.now, metrics=ctx.metrics)
    return app


def tune_serving_process(settings: ServerSettings) -> None:
    """What only a process that does nothing but serve may change, because it is process-wide: the GIL
    switch interval and the collector's cadence (`settings.gil_switch_ms`, `gc_gen0_threshold`). Called by
    the server's own entry points; never by `create_app`, which a console embedding the demo server and
    the tests call too."""
    sys.setswitchinterval(settings.gil_switch_ms / 1000)
    tune_collector(settings.gc_gen0_threshold)


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory server.app:create_app_from_env` (used with several workers): one
    serving process each, tuned as the CLI's own (and, like it, printing every thread's stack on a native
    crash: a spawned worker does not inherit the parent's faulthandler)."""
    faulthandler.enable(all_threads=True)
    settings = ServerSettings.from_env()
    tune_serving_process(settings)
    return create_app(settings, on_startup=[freeze_after_startup])


async def _run_hook(hook: LifespanHook, ctx: ServerContext) -> None:
    result = hook(ctx)
    if inspect.isawaitable(result):
        await result
