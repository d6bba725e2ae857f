"""The server's metrics in Prometheus' text format (`GET /metrics`, `server.platform.ops_api`), with the
official client library, one registry per app (tests build many apps in one process).

| metric | type | labels | what |
|---|---|---|---|
| onegrid_http_requests_total | counter | method, route, status | answers, by route template (`/api/cases/{case_id}`) |
| onegrid_http_request_duration_seconds | histogram | method, route | from the request's arrival to the end of its answer (long-polls included: up to `ONEGRID_LONG_POLL_MAX_S`) |
| onegrid_commands_total | counter | result, reason | commands answered: accepted, or rejected with the reason code |
| onegrid_feed_position | gauge | partition | the newest position of each partition of the changes feed (`g`, the platform's; a city's code) |
| onegrid_long_polls | gauge | | long-polls now waiting or being answered in this process |
| onegrid_feed_listening | gauge | | 1 while the PostgreSQL LISTEN connection is up (absent on SQLite) |
| onegrid_sensor_readings_total | counter | outcome | readings stored, dropped as duplicates, lost (MQTT batches the database refused whole) |
| onegrid_sensor_rejections_total | counter | source, reason | readings rejected, by source (http, mqtt) and reason |
| onegrid_mqtt_connected | gauge | | 1 while connected to the broker (absent without `ONEGRID_MQTT_URL`) |
| onegrid_mqtt_messages_total | counter | | MQTT messages received |
| onegrid_db_pool_connections | gauge | state | pooled connections in use (`checked_out`) and idle (`idle`); `size` and `overflow` as configured |
| onegrid_gc_pause_seconds | histogram | generation | garbage-collection pauses of this process (the GIL is held throughout) |

plus the client library's own `process_*` (CPU, memory, open files), `python_info` and `python_gc_*`.

Every figure is this process's: with `onegrid-server --workers N` a scrape is answered by one of its
workers (packaging/README.md, "Metrics"). Figures that need the database (the feed position) are left out
of a scrape while it is unreachable rather than failing it.
"""
from __future__ import annotations

import gc
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.registry import Collector
from starlette.types import Scope

if TYPE_CHECKING:
    from app.cases.commands import BatchResult
    from server.context import ServerContext

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
GC_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
# The changes feed is answered in front of the router (`server.feed.fast_path`), so its requests carry no
# route; they are labelled by this path (the platform names it rather than importing the feed).
CHANGES = "/api/changes"
UNMATCHED = "unmatched"  # a path no route answers: one label, however many paths a scanner tries


class ServerMetrics:
    """One app's registry and the metrics its code updates; the rest is read from `ctx` when scraped."""

    def __init__(self, ctx: ServerContext):
        self.registry = CollectorRegistry()  # not auto-described: no scrape-time work (a query) at start-up
        self.requests = Counter("onegrid_http_requests", "HTTP answers by route template and status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("onegrid_http_request_duration_seconds", "HTTP request durations by route "
                                 "template (long-polls included)", ["method", "route"], buckets=LATENCY_BUCKETS,
                                 registry=self.registry)
        self.commands = Counter("onegrid_commands", "Commands answered, by result and rejection reason",
                                ["result", "reason"], registry=self.registry)
        self.registry.register(_StateCollector(ctx))
        self.registry.register(GC_PAUSES)
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        GC_PAUSES.install()

    def count_commands(self, result: BatchResult) -> None:
        for answer in result.results:
            if answer.status == "accepted":
                self.commands.labels("accepted", "").inc()
            else:
                self.commands.labels("rejected", answer.reason or "unknown").inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _StateCollector(Collector):
    """What is read from the server's state at scrape time (feed, long-polls, ingest, MQTT, pool)."""

    def __init__(self, ctx: ServerContext):
        self.ctx = ctx

    def collect(self):
        ctx = self.ctx
        try:
            positions = ctx._latest_positions()
        except Exception as exc:  # noqa: BLE001 - the database is down: /readyz says so; skip the figure
            log.debug("feed position not scraped: %s", exc)
        else:
            # per partition: each city's feed moves on its own counter (a single figure would hide a stalled city)
            family = GaugeMetricFamily("onegrid_feed_position", "Newest position of each partition of the changes "
                                       "feed", labels=["partition"])
            for partition, position in sorted(positions.items()):
                family.add_metric([partition], position)
            yield family
        yield GaugeMetricFamily("onegrid_long_polls", "Long-polls waiting or being answered", value=ctx.long_polls)
        if ctx.db.is_postgres:
            yield GaugeMetricFamily("onegrid_feed_listening", "1 while the LISTEN connection is up",
                                    value=1 if ctx.notifier.listening else 0)
        yield from _pool(ctx)
        yield from _ingest(ctx.sensor_ingest, bool(ctx.settings.mqtt_url))


def _pool(ctx: ServerContext):
    pool = ctx.db.engine.pool
    if not all(hasattr(pool, name) for name in ("checkedout", "checkedin", "size", "overflow")):
        return
    family = GaugeMetricFamily("onegrid_db_pool_connections", "Database pool connections", labels=["state"])
    family.add_metric(["checked_out"], pool.checkedout())
    family.add_metric(["idle"], pool.checkedin())
    family.add_metric(["size"], pool.size())
    family.add_metric(["overflow"], max(pool.overflow(), 0))
    yield family


def _ingest(ingest: Any, mqtt_configured: bool):
    if ingest is None:
        return
    stats = ingest.stats
    readings = CounterMetricFamily("onegrid_sensor_readings", "Sensor readings by outcome", labels=["outcome"])
    readings.add_metric(["stored"], stats.accepted)
    readings.add_metric(["duplicate"], stats.duplicates)
    readings.add_metric(["lost"], stats.lost)
    yield readings
    rejections = CounterMetricFamily("onegrid_sensor_rejections", "Sensor readings rejected, by source and "
                                     "reason", labels=["source", "reason"])
    for (source, reason), count in sorted(dict(stats.rejected_by).items()):
        rejections.add_metric([str(source), str(reason)], count)
    yield rejections
    subscriber = getattr(ingest, "mqtt", None)
    if mqtt_configured and subscriber is not None:
        connected = getattr(subscriber, "connected", None)
        yield GaugeMetricFamily("onegrid_mqtt_connected", "1 while connected to the MQTT broker",
                                value=1 if connected is not None and connected.is_set() else 0)
        yield CounterMetricFamily("onegrid_mqtt_messages", "MQTT messages received",
                                  value=getattr(subscriber, "messages", 0))


class _GcPauses(Collector):
    """Pauses of the process's garbage collector, measured by a `gc.callbacks` hook (installed once per
    process, whatever number of apps it builds)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._installed = False
        self._started = 0.0
        self._buckets = {g: [0] * (len(GC_BUCKETS) + 1) for g in range(3)}
        self._sums = {g: 0.0 for g in range(3)}

    def install(self) -> None:
        with self._lock:
            if not self._installed:
                gc.callbacks.append(self._callback)
                self._installed = True

    def _callback(self, phase: str, info: dict) -> None:
        # Runs with the GIL held and the collector busy: no allocation-heavy work, no lock.
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = time.perf_counter() - self._started
        generation = info.get("generation", 2)
        counts = self._buckets[generation]
        for i, bound in enumerate(GC_BUCKETS):
            if took <= bound:
                counts[i] += 1
                break
        else:
            counts[-1] += 1
        self._sums[generation] += took

    def collect(self):
        family = HistogramMetricFamily("onegrid_gc_pause_seconds", "Garbage-collection pauses",
                                       labels=["generation"])
        for generation in range(3):
            counts = list(self._buckets[generation])
            cumulative, buckets = 0, []
            for bound, count in zip((*map(str, GC_BUCKETS), "+Inf"), counts):
                cumulative += count
                buckets.append((bound, cumulative))
            family.add_metric([str(generation)], buckets, self._sums[generation])
        yield family


GC_PAUSES = _GcPauses()


def route_label(scope: Scope) -> str:
    """The route template a request is counted under (`server.platform.edge` counts every answer)."""
    route = scope.get("route")  # set by the router on the scope it was handed (the same dict as ours)
    path = getattr(route, "path", None)
    if path:
        return path
    return CHANGES if scope.get("path") == CHANGES else UNMATCHED
