"""The server's typed settings, read from ONEGRID_* environment variables (or built directly in tests).

| setting | variable | default |
|---|---|---|
| database_url | ONEGRID_DATABASE_URL | sqlite:///./onegrid-server.sqlite |
| direct_database_url | ONEGRID_DIRECT_DATABASE_URL | "" = database_url (a session connection for LISTEN and advisory locks: bypasses PgBouncer) |
| db_pool_size, db_max_overflow | ONEGRID_DB_POOL_SIZE, ONEGRID_DB_MAX_OVERFLOW | 54, 10 (PostgreSQL connections pooled per process) |
| token_ttl_minutes | ONEGRID_TOKEN_TTL_MIN | 720 |
| max_body_bytes | ONEGRID_MAX_BODY_BYTES | 1 MiB |
| long_poll_max_s | ONEGRID_LONG_POLL_MAX_S | 30 |
| keep_alive_s | ONEGRID_KEEP_ALIVE_S | 75 (an idle keep-alive connection is closed after this; above nginx's 60 s for its upstream connections) |
| maintenance_interval_s | ONEGRID_MAINTENANCE_INTERVAL_S | 30 (auto-escalation sweep; 0 = off) |
| host, port | ONEGRID_HOST, ONEGRID_PORT | 127.0.0.1, 8700 |
| demo | ONEGRID_DEMO | false |
| shift_schedule | ONEGRID_SHIFT_SCHEDULE | day=08:00-20:00,night=20:00-08:00 (city time zone; `app.shifts.schedule`) |
| mqtt_url | ONEGRID_MQTT_URL | "" (no MQTT ingest; e.g. mqtt://127.0.0.1:1883, mqtts://user:password@broker:8883) |
| mqtt_topic_prefix | ONEGRID_MQTT_TOPIC_PREFIX | onegrid (topics `<prefix>/sensors/<id>/readings`) |
| mqtt_share_group | ONEGRID_MQTT_SHARE_GROUP | onegrid (shared subscription `$share/<group>/…`: each reading to one worker; "" = every worker gets all) |
| mqtt_client_id | ONEGRID_MQTT_CLIENT_ID | "" = onegrid-server-<topic prefix>; each worker slot appends `-<n>` |
| mqtt_session_expiry_s | ONEGRID_MQTT_SESSION_EXPIRY_S | 86400 (the broker keeps a stopped worker's session and queued readings this long) |
| mqtt_receive_maximum | ONEGRID_MQTT_RECEIVE_MAXIMUM | 10000 (messages in flight to a worker, acknowledged once written) |
| mqtt_ca_file, mqtt_cert_file, mqtt_key_file | ONEGRID_MQTT_CA_FILE, …_CERT_FILE, …_KEY_FILE | "" (with `mqtts://`: the CA to trust, a client certificate and key) |
| ingest_keys | ONEGRID_INGEST_KEYS | "" (comma-separated keys for `X-OneGrid-Ingest-Key`) |
| sensor_raw_retention_h | ONEGRID_SENSOR_RAW_RETENTION_H | 48 (raw readings; minute aggregates are kept) |
| avl_feed_throttle_s | ONEGRID_AVL_FEED_THROTTLE_S | 10 (a device's position in the feed at most this often) |
| avl_track_retention_days | ONEGRID_AVL_TRACK_RETENTION_DAYS | 30 (raw vehicle and staff tracks) |
| sensor_feed_interval_s | ONEGRID_SENSOR_FEED_INTERVAL_S | 10 (latest reading in the feed, per sensor) |
| sensor_batch_ms | ONEGRID_SENSOR_BATCH_MS | 200 (ingest writer batching window) |
| detection_batch_ms | ONEGRID_DETECTION_BATCH_MS | 10 (detections writer batching window; 0 = each in its own transaction) |
| sensor_future_s | ONEGRID_SENSOR_FUTURE_S | 300 (a reading further ahead of the clock is rejected) |
| sensor_episode_quiet_min | ONEGRID_SENSOR_EPISODE_QUIET_MIN | 30 (normal this long ends an alarm episode) |
| login_max_failures | ONEGRID_LOGIN_MAX_FAILURES | 5 (failed logins in a row that lock an account; 0 = never) |
| login_address_max_failures | ONEGRID_LOGIN_ADDRESS_MAX_FAILURES | 50 (failures that lock a client address; 0 = never) |
| login_failure_window_s | ONEGRID_LOGIN_FAILURE_WINDOW_S | 900 (older failures, their lockout over, are forgotten) |
| login_lockout_s | ONEGRID_LOGIN_LOCKOUT_S | 60 (the first lockout; each further one in a row doubles it) |
| login_lockout_max_s | ONEGRID_LOGIN_LOCKOUT_MAX_S | 3600 (the longest lockout) |
| api_docs | ONEGRID_API_DOCS | unset: on in demo mode only (`/docs`, `/redoc`, `/openapi.json`) |
| log_format | ONEGRID_LOG_FORMAT | plain (or json: one object per line, `server.platform.log_format`) |
| metrics_allow | ONEGRID_METRICS_ALLOW | 127.0.0.1/32,::1/128 (networks that may read `GET /metrics`; "" = none) |
| metrics_token | ONEGRID_METRICS_TOKEN | "" (a scraper sending `Authorization: Bearer <token>` may read it from anywhere) |
| demo_shift_close_s | ONEGRID_DEMO_SHIFT_CLOSE_S | 180 (the demo's shift is handed over this long after start) |
| photo_storage | ONEGRID_PHOTO_STORAGE | "" = photos/ beside an SQLite database, else ./onegrid-photos (a folder), or s3://bucket[/prefix] |
| photo_s3_endpoint, photo_s3_region | ONEGRID_PHOTO_S3_ENDPOINT, …_REGION | "" (an S3-compatible store: MinIO, Ceph) |
| photo_s3_access_key, photo_s3_secret_key | ONEGRID_PHOTO_S3_ACCESS_KEY, …_SECRET_KEY | "" = boto3's credential chain |
| photo_max_bytes, photo_max_per_step | ONEGRID_PHOTO_MAX_BYTES, ONEGRID_PHOTO_MAX_PER_STEP | 30 MiB, 20 |
| photo_types | ONEGRID_PHOTO_TYPES | image/jpeg,image/png,image/heic,video/mp4,video/quicktime,application/pdf |
| photo_retention_days | ONEGRID_PHOTO_RETENTION_DAYS | 365 (after a case is closed or voided) |
| photo_strip_metadata | ONEGRID_PHOTO_STRIP_METADATA | false (true: full images served without EXIF) |
| repeat_merge | ONEGRID_REPEAT_MERGE | true (every new case checked for a repeat of an open case and merged: `server.cases.repeats`) |

Login throttling (`server.platform.login_throttle`): failed logins are counted per username and per client address
in the database (so every server process and a restart see the same counts); a success clears the
account's count. Reaching the limit locks the account (or the address) for `login_lockout_s`, doubled for
each further lockout in a row up to `login_lockout_max_s`: every login then gets 429 `too_many_attempts`
with `Retry-After`, a correct password included, until the time is up or a shift lead unlocks the account.

Tuning of a serving process (the defaults are what `make bench` measured best on two cores; see each
field's description for why):

| setting | variable | default |
|---|---|---|
| feed_batch_ms | ONEGRID_FEED_BATCH_MS | 50 (amid a stream of commits a woken long-poll waits this long, so a burst is answered once) |
| feed_partitions | ONEGRID_FEED_PARTITIONS | true (each city's cases take feed positions from their city's own counter, so cities never wait on one row; consoles read with a partition cursor; false: the one counter of before) |
| feed_tick_per_poll_ms | ONEGRID_FEED_TICK_PER_POLL_MS | 1.5 (least spacing of recent-feed reads, per waiting long-poll) |
| answers_per_turn | ONEGRID_ANSWERS_PER_TURN | 8 (long-poll answers sent per event-loop turn) |
| feed_push_max_streams | ONEGRID_FEED_PUSH_MAX_STREAMS | 5000 (feed streams open at once per process; beyond: 503, consoles long-poll) |
| feed_push_heartbeat_s | ONEGRID_FEED_PUSH_HEARTBEAT_S | 10 (a quiet feed stream is pinged, and its token checked again, this often) |
| feed_push_send_timeout_s | ONEGRID_FEED_PUSH_SEND_TIMEOUT_S | 20 (a feed stream whose reader takes no write this long is ended) |
| feed_push_max_s | ONEGRID_FEED_PUSH_MAX_S | 3600 (a feed stream open this long ends after its next delivery or ping; the console opens it again from its cursor) |
| feed_max_tick_ms | ONEGRID_FEED_MAX_TICK_MS | 750 (the most the recent feed's reads are spaced, however many long-polls wait) |
| command_threads | ONEGRID_COMMAND_THREADS | 16 (command batches applied at once) |
| batch_lanes | ONEGRID_BATCH_LANES | 2 (cases of one batch applied at once on PostgreSQL) |
| commit_group | ONEGRID_COMMIT_GROUP | 200 (a batch's commands committed per transaction on PostgreSQL; 1 = each alone) |
| combine_commands | ONEGRID_COMBINE_COMMANDS | true (on PostgreSQL, batches smaller than commit_group from concurrent requests are committed together while a group is in flight; false: each request's own transactions) |
| gil_switch_ms | ONEGRID_GIL_SWITCH_MS | 1 (the serving process's GIL switch interval) |
| gc_gen0_threshold | ONEGRID_GC_GEN0_THRESHOLD | 50000 (the collector's first threshold; 0 = Python's) |

The last two are process-wide: the server's own entry points (`onegrid-server`, its uvicorn workers)
apply them, never `create_app`, so a console that embeds the demo server and the tests keep Python's.
"""
from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.shifts.schedule import DEFAULT_SCHEDULE, parse_schedule

DEFAULT_DATABASE_URL = "sqlite:///./onegrid-server.sqlite"

_ENV_NAMES = {
    "database_url": "ONEGRID_DATABASE_URL",
    "direct_database_url": "ONEGRID_DIRECT_DATABASE_URL",
    "db_pool_size": "ONEGRID_DB_POOL_SIZE",
    "db_max_overflow": "ONEGRID_DB_MAX_OVERFLOW",
    "token_ttl_minutes": "ONEGRID_TOKEN_TTL_MIN",
    "max_body_bytes": "ONEGRID_MAX_BODY_BYTES",
    "long_poll_max_s": "ONEGRID_LONG_POLL_MAX_S",
    "keep_alive_s": "ONEGRID_KEEP_ALIVE_S",
    "maintenance_interval_s": "ONEGRID_MAINTENANCE_INTERVAL_S",
    "host": "ONEGRID_HOST",
    "port": "ONEGRID_PORT",
    "demo": "ONEGRID_DEMO",
    "shift_schedule": "ONEGRID_SHIFT_SCHEDULE",
    "mqtt_url": "ONEGRID_MQTT_URL",
    "mqtt_topic_prefix": "ONEGRID_MQTT_TOPIC_PREFIX",
    "mqtt_share_group": "ONEGRID_MQTT_SHARE_GROUP",
    "mqtt_client_id": "ONEGRID_MQTT_CLIENT_ID",
    "mqtt_session_expiry_s": "ONEGRID_MQTT_SESSION_EXPIRY_S",
    "mqtt_receive_maximum": "ONEGRID_MQTT_RECEIVE_MAXIMUM",
    "mqtt_ca_file": "ONEGRID_MQTT_CA_FILE",
    "mqtt_cert_file": "ONEGRID_MQTT_CERT_FILE",
    "mqtt_key_file": "ONEGRID_MQTT_KEY_FILE",
    "ingest_keys": "ONEGRID_INGEST_KEYS",
    "sensor_raw_retention_h": "ONEGRID_SENSOR_RAW_RETENTION_H",
    "avl_feed_throttle_s": "ONEGRID_AVL_FEED_THROTTLE_S",
    "avl_track_retention_days": "ONEGRID_AVL_TRACK_RETENTION_DAYS",
    "sensor_feed_interval_s": "ONEGRID_SENSOR_FEED_INTERVAL_S",
    "sensor_batch_ms": "ONEGRID_SENSOR_BATCH_MS",
    "detection_batch_ms": "ONEGRID_DETECTION_BATCH_MS",
    "sensor_future_s": "ONEGRID_SENSOR_FUTURE_S",
    "sensor_episode_quiet_min": "ONEGRID_SENSOR_EPISODE_QUIET_MIN",
    "login_max_failures": "ONEGRID_LOGIN_MAX_FAILURES",
    "login_address_max_failures": "ONEGRID_LOGIN_ADDRESS_MAX_FAILURES",
    "login_failure_window_s": "ONEGRID_LOGIN_FAILURE_WINDOW_S",
    "login_lockout_s": "ONEGRID_LOGIN_LOCKOUT_S",
    "login_lockout_max_s": "ONEGRID_LOGIN_LOCKOUT_MAX_S",
    "api_docs": "ONEGRID_API_DOCS",
    "log_format": "ONEGRID_LOG_FORMAT",
    "metrics_allow": "ONEGRID_METRICS_ALLOW",
    "metrics_token": "ONEGRID_METRICS_TOKEN",
    "demo_shift_close_s": "ONEGRID_DEMO_SHIFT_CLOSE_S",
    "repeat_merge": "ONEGRID_REPEAT_MERGE",
    "feed_batch_ms": "ONEGRID_FEED_BATCH_MS",
    "feed_partitions": "ONEGRID_FEED_PARTITIONS",
    "feed_tick_per_poll_ms": "ONEGRID_FEED_TICK_PER_POLL_MS",
    "answers_per_turn": "ONEGRID_ANSWERS_PER_TURN",
    "feed_push_max_streams": "ONEGRID_FEED_PUSH_MAX_STREAMS",
    "feed_push_heartbeat_s": "ONEGRID_FEED_PUSH_HEARTBEAT_S",
    "feed_push_send_timeout_s": "ONEGRID_FEED_PUSH_SEND_TIMEOUT_S",
    "feed_push_max_s": "ONEGRID_FEED_PUSH_MAX_S",
    "feed_max_tick_ms": "ONEGRID_FEED_MAX_TICK_MS",
    "command_threads": "ONEGRID_COMMAND_THREADS",
    "batch_lanes": "ONEGRID_BATCH_LANES",
    "commit_group": "ONEGRID_COMMIT_GROUP",
    "combine_commands": "ONEGRID_COMBINE_COMMANDS",
    "gil_switch_ms": "ONEGRID_GIL_SWITCH_MS",
    "gc_gen0_threshold": "ONEGRID_GC_GEN0_THRESHOLD",
    "metrics_rank_by": "ONEGRID_METRICS_RANK_BY",
    "metrics_min_cases_to_rank": "ONEGRID_METRICS_MIN_CASES_TO_RANK",
    "metrics_composite_weights": "ONEGRID_METRICS_COMPOSITE_WEIGHTS",
    "photo_storage": "ONEGRID_PHOTO_STORAGE",
    "photo_s3_endpoint": "ONEGRID_PHOTO_S3_ENDPOINT",
    "photo_s3_region": "ONEGRID_PHOTO_S3_REGION",
    "photo_s3_access_key": "ONEGRID_PHOTO_S3_ACCESS_KEY",
    "photo_s3_secret_key": "ONEGRID_PHOTO_S3_SECRET_KEY",
    "photo_max_bytes": "ONEGRID_PHOTO_MAX_BYTES",
    "photo_max_per_step": "ONEGRID_PHOTO_MAX_PER_STEP",
    "photo_types": "ONEGRID_PHOTO_TYPES",
    "photo_retention_days": "ONEGRID_PHOTO_RETENTION_DAYS",
    "photo_strip_metadata": "ONEGRID_PHOTO_STRIP_METADATA",
}


class ServerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy URL of the server database")
    direct_database_url: str = Field("", description=(
        "SQLAlchemy URL of the same database reached directly, not through a transaction-mode pooler such as "
        "PgBouncer: the LISTEN connection and the advisory locks need a session of their own ('' = database_url)"))
    db_pool_size: int = Field(54, ge=1, le=1000, description=(
        "PostgreSQL connections each server process keeps pooled: one per thread that may hold one at once "
        "(server.platform.database)"))
    db_max_overflow: int = Field(10, ge=0, le=1000, description="Connections opened beyond the pool in a burst")
    token_ttl_minutes: float = Field(720, gt=0, description="How long a login token stays valid")
    max_body_bytes: int = Field(1024 * 1024, gt=0, description="Largest request body accepted")
    long_poll_max_s: float = Field(30, ge=0, le=300, description="Longest a /api/changes request is held")
    keep_alive_s: float = Field(75, gt=0, le=3600, description=(
        "An idle keep-alive connection is closed after this long. Above the 60 s nginx keeps its idle upstream "
        "connections (`keepalive` in packaging/server/nginx-onegrid.conf), so nginx always closes one first: "
        "with uvicorn's 5 s, a request nginx sent on a connection the server was closing failed as 'upstream "
        "prematurely closed connection' (a 502 for a command, which nginx does not resend), and three in 10 s "
        "marked the process down"))
    maintenance_interval_s: float = Field(30, ge=0, description="Auto-escalation sweep period; 0 disables it")
    host: str = Field("127.0.0.1", description="Interface to listen on")
    port: int = Field(8700, ge=1, le=65535, description="TCP port to listen on")
    demo: bool = Field(False, description="Demo mode: embedded SQLite, demo city and users")
    demo_shift_close_s: float = Field(180, ge=0, description="Demo mode: seconds from start until the demo shift "
                                      "is closed and its handover drafted (screenshots use a few)")
    repeat_merge: bool = Field(True, description="Check every new case against the open cases near it and merge "
                               "a likely repeat into its master (app.cases.merging)")
    # sensors; strings stay plain so `env_names()` can hand them to worker processes as they are
    mqtt_url: str = Field("", description="MQTT broker to subscribe to for sensor readings, mqtt://host[:port] or "
                          "mqtts://[user:password@]host[:port] ('' = none)")
    mqtt_topic_prefix: str = Field("onegrid", min_length=1, pattern=r"^[^#+]+$",
                                   description="Topic prefix: readings arrive on <prefix>/sensors/<id>/readings")
    mqtt_share_group: str = Field("onegrid", pattern=r"^[^#+/$]*$", description=(
        "Shared-subscription group: the broker hands each reading to one worker of the group ('' = a plain "
        "subscription, every worker receives every reading)"))
    mqtt_client_id: str = Field("", pattern=r"^[A-Za-z0-9_.-]*$", max_length=100, description=(
        "Client id base of the workers' persistent sessions, '-<slot>' appended per worker "
        "('' = onegrid-server-<topic prefix>)"))
    mqtt_session_expiry_s: int = Field(86400, ge=0, le=2**32 - 1, description=(
        "How long the broker keeps a stopped worker's session and the QoS 1 readings queued for it"))
    mqtt_receive_maximum: int = Field(10000, ge=1, le=65535, description=(
        "Messages the broker may have in flight to one worker: each is acknowledged only once its readings "
        "are written, so this bounds what a batch window can take in"))
    mqtt_ca_file: str = Field("", description="CA certificate file to trust for mqtts:// ('' = the system's)")
    mqtt_cert_file: str = Field("", description="Client certificate file for mqtts:// ('' = none)")
    mqtt_key_file: str = Field("", description="Client certificate's private key file ('' = none)")
    ingest_keys: str = Field("", description="Comma-separated keys gateways send as X-OneGrid-Ingest-Key")
    sensor_raw_retention_h: float = Field(48, gt=0, description="How long raw readings are kept")
    avl_feed_throttle_s: float = Field(10, ge=0, le=3600, description="A device's position in the feed at most "
                                                                      "this often (the track keeps every report)")
    avl_track_retention_days: float = Field(30, gt=0, description="How long raw vehicle and staff tracks are kept")
    sensor_feed_interval_s: float = Field(10, ge=0, description="Latest reading in the feed at most this often")
    sensor_batch_ms: float = Field(200, gt=0, le=5000, description="Ingest writer batching window")
    detection_batch_ms: float = Field(10, ge=0, le=1000, description="Detections writer batching window "
                                                                     "(0: each detection in its own transaction)")
    sensor_future_s: float = Field(300, ge=0, description="Largest accepted lead of a reading over the clock")
    sensor_episode_quiet_min: float = Field(30, ge=0, description="Normal this long ends an alarm episode")
    shift_schedule: str = Field(DEFAULT_SCHEDULE, description="Daily shifts in the city's time zone, "
                                "name=HH:MM-HH:MM separated by commas, covering the day without gap or overlap")

    # login throttling (server.platform.login_throttle)
    login_max_failures: int = Field(5, ge=0, le=1000, description="Failed logins in a row (within the window) "
                                    "that lock the account; 0 = accounts are never locked")
    login_address_max_failures: int = Field(50, ge=0, le=100_000, description="Failed logins from one client "
                                            "address (any usernames, within the window) that lock the address; "
                                            "0 = never. Higher than the account's: a control room shares one address")
    login_failure_window_s: float = Field(900, gt=0, description="A failure older than this (and past its "
                                          "lockout) no longer counts")
    login_lockout_s: float = Field(60, gt=0, description="Length of the first lockout; each further lockout in "
                                   "a row doubles it")
    login_lockout_max_s: float = Field(3600, gt=0, description="The longest lockout")
    api_docs: bool | None = Field(None, description="Serve /docs, /redoc and /openapi.json; unset = only in "
                                  "demo mode (a production server does not publish its API map)")

    # operations (server.platform.ops_api, server.platform.log_format)
    log_format: Literal["plain", "json"] = Field("plain", description="Log lines as plain text or one JSON "
                                                 "object per line (time, level, logger, request id, user, console, "
                                                 "command)")
    metrics_allow: str = Field("127.0.0.1/32,::1/128", description="Comma-separated networks (CIDR) whose "
                               "addresses may read GET /metrics without a token; '' = none")
    metrics_token: str = Field("", description="A scraper sending `Authorization: Bearer <this>` may read "
                               "GET /metrics from any address ('' = no token)")

    # photos (server/photos; docs/photos.md)
    photo_storage: str = Field("", description="Where photo files are kept: a folder ('' = ./onegrid-photos) "
                               "or s3://bucket[/prefix] for an S3-compatible object store")
    photo_s3_endpoint: str = Field("", description="Endpoint of an S3-compatible store other than AWS, e.g. "
                                   "http://minio.local:9000 ('' = AWS)")
    photo_s3_region: str = Field("", description="Region of the S3 bucket ('' = boto3's default)")
    photo_s3_access_key: str = Field("", description="S3 access key ('' = boto3's usual credential chain)")
    photo_s3_secret_key: str = Field("", description="S3 secret key ('' = boto3's usual credential chain)")
    photo_max_bytes: int = Field(30 * 1024 * 1024, gt=0, le=2**40, description="Largest photo, video or PDF")
    photo_max_per_step: int = Field(20, ge=1, le=1000, description="Files per case and step")
    photo_types: str = Field("image/jpeg,image/png,image/heic,video/mp4,video/quicktime,application/pdf",
                             description="Accepted types, comma-separated (judged by the content's magic bytes)")
    photo_retention_days: float = Field(365, gt=0, description="Photos of a closed or voided case are removed "
                                        "this long after it was closed")
    photo_strip_metadata: bool = Field(False, description="Full images are served without EXIF (place, camera) "
                                       "to consoles; the original stays in storage")

    @property
    def photo_limits(self):
        from app.photos.limits import PhotoLimits

        return PhotoLimits(max_bytes=self.photo_max_bytes, max_per_step=self.photo_max_per_step,
                           types=frozenset(t.strip() for t in self.photo_types.split(",") if t.strip()))

    @property
    def api_docs_enabled(self) -> bool:
        return self.demo if self.api_docs is None else self.api_docs

    @field_validator("metrics_allow")
    @classmethod
    def _valid_networks(cls, value: str) -> str:
        parse_networks(value)  # a ValueError names the entry that is no network
        return value
    feed_partitions: bool = Field(True, description=(
        "Partition the changes feed per city: a case takes its feed position from its city's counter, so "
        "writes in different cities do not queue behind one row (nor, with the audit chain of each city, "
        "any other). Consoles then read with a cursor per partition (`cursor=`); a single-number cursor "
        "(`after=`) of a reader whose scope spans several partitions is answered 409 feed_partitioned. "
        "False: every position from the one counter, as before partitions"))
    # tuning of a serving process
    feed_batch_ms: float = Field(50, ge=0, le=1000, description=(
        "Amid a stream of commits (three within this window) a woken long-poll waits this long before "
        "reading, and the recent feed is read at most this often, so a burst is answered once; a lone "
        "commit, or two, is answered at once (0 = always at once)"))
    feed_tick_per_poll_ms: float = Field(1.5, ge=0, le=100, description=(
        "Reads of the recent feed are spaced at least this long per waiting long-poll (at most "
        "`feed_max_tick_ms`): "
        "500 waiting consoles are then answered a little more than once a second each instead of once per "
        "commit, which one server process could not keep up with"))
    answers_per_turn: int = Field(8, ge=1, le=1000, description=(
        "Long-poll answers sent per event-loop turn: with 32 or no pacing at all, the command p99 under "
        "500 long-polls was two to five times that with 8"))
    feed_push_max_streams: int = Field(5000, ge=0, le=100_000, description=(
        "Feed streams (`GET /api/changes/stream`) open at once in one process; beyond, 503 and the console "
        "long-polls: each open stream holds a socket and a little memory"))
    feed_push_heartbeat_s: float = Field(10, gt=0, le=300, description=(
        "A feed stream with nothing to deliver is pinged this often (dead connections are found, proxies do "
        "not time it out) and its token looked up again, so a revoked session's stream ends within this"))
    feed_push_send_timeout_s: float = Field(20, gt=0, le=600, description=(
        "A feed stream whose reader takes no write for this long is ended, so a reader that stopped reading "
        "holds no more than the transport's buffer and one page"))
    feed_push_max_s: float = Field(3600, ge=0, le=86_400, description=(
        "A feed stream open this long ends (an `end` event, `stream_expired`) after its next delivery or ping, "
        "and the console opens it again from its cursor: streams opened before a process joined behind the "
        "proxy spread over it in time, instead of staying on the old processes for the whole shift. 0: after "
        "the first page (a client that only wants the stream's answer, e.g. a contract check)"))
    feed_max_tick_ms: float = Field(750, ge=1, le=10_000, description=(
        "The most the reads of the recent feed are spaced (`feed_tick_per_poll_ms` per waiting long-poll "
        "reaches it at 500): every waiting console is answered about once per tick, so beyond 500 consoles a "
        "process answers ~1,300 long-polls a second per 1,000 consoles at 750 ms; a longer tick answers fewer, "
        "each change reaching the consoles up to a tick later"))
    command_threads: int = Field(16, ge=1, le=256, description=(
        "Command batches applied at once, in threads of their own: enough to overlap their database round "
        "trips, few enough not to crowd the event loop out of the GIL"))
    batch_lanes: int = Field(2, ge=1, le=32, description=(
        "Cases of one batch applied at once on PostgreSQL (1 = one after another); each extra lane holds "
        "one more pooled connection"))
    commit_group: int = Field(200, ge=1, le=1000, description=(
        "Consecutive commands of a batch committed in one transaction on PostgreSQL (1 = each in its own, "
        "the batch's cases then spread over batch_lanes); a group that fails unexpectedly is applied again "
        "one command at a time"))
    combine_commands: bool = Field(True, description=(
        "On PostgreSQL, commit the commands of concurrent requests (batches smaller than commit_group) "
        "together: while one group is in its transaction, what arrives queues and the next group takes it "
        "all; an idle server still applies a lone command at once (server.cases.combiner)"))
    gil_switch_ms: float = Field(1, gt=0, le=100, description=(
        "GIL switch interval of the serving process (Python's default is 5 ms): the event loop would "
        "otherwise keep the GIL up to 5 ms each time a command thread wants it back after a round trip"))
    gc_gen0_threshold: int = Field(50000, ge=0, le=10_000_000, description=(
        "The collector's first-generation threshold in the serving process (0 = Python's default); see "
        "app.platform.gc_tuning"))

    # evaluation (app.metrics.evaluation_settings): what the center publishes about its ranking
    metrics_rank_by: Literal["timely_resolution_rate", "on_time_handling_rate", "closure_rate", "composite"] = Field(
        "timely_resolution_rate", description="The figure member units are ranked by (higher is better)")
    metrics_min_cases_to_rank: int = Field(5, ge=1, le=100_000, description=(
        "A unit with fewer cases due in the period (the ranking figure's denominator) is listed, not ranked"))
    metrics_composite_weights: str = Field(
        "timely_resolution_rate=0.4,on_time_handling_rate=0.3,closure_rate=0.2,rework_rate=0.1",
        description="Weights of the composite figure (综合指标值), rate=weight separated by commas; rework "
                    "counts as 1 − rework rate")

    @field_validator("metrics_composite_weights")
    @classmethod
    def _valid_weights(cls, value: str) -> str:
        from app.metrics.evaluation_settings import EvaluationSettings, parse_weights

        EvaluationSettings(weights=parse_weights(value))  # a ValueError names the bad rate or weight
        return value

    @field_validator("shift_schedule")
    @classmethod
    def _valid_schedule(cls, value: str) -> str:
        parse_schedule(value)  # ScheduleError is a ValueError: pydantic reports its message
        return value

    @model_validator(mode="after")
    def _lockouts_in_order(self) -> ServerSettings:
        if self.login_lockout_max_s < self.login_lockout_s:
            raise ValueError(f"login_lockout_max_s ({self.login_lockout_max_s:g}) is shorter than "
                             f"login_lockout_s ({self.login_lockout_s:g})")
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> ServerSettings:
        """Defaults, overridden by ONEGRID_* variables, overridden by keyword arguments (e.g. CLI flags)."""
        environ = os.environ if environ is None else environ
        values = {field: environ[var] for field, var in _ENV_NAMES.items() if environ.get(var, "") != ""}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)


def parse_ingest_keys(text: str) -> frozenset[str]:
    """The gateway ingest keys of `ServerSettings.ingest_keys`: comma-separated, empty entries ignored."""
    return frozenset(k.strip() for k in text.split(",") if k.strip())


def parse_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """`ServerSettings.metrics_allow`: comma-separated CIDR networks (a bare address is a /32 or /128)."""
    networks = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not a network (e.g. 10.0.0.0/8 or 127.0.0.1)") from None
    return tuple(networks)


def env_names() -> dict[str, str]:
    """Setting name → environment variable, e.g. for passing settings to uvicorn worker processes."""
    return dict(_ENV_NAMES)
