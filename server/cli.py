"""`onegrid-server`: run the central server with uvicorn.

    onegrid-server --database-url postgresql+psycopg://onegrid@db/onegrid --host 0.0.0.0 --workers 4
    onegrid-server --demo            # embedded SQLite in the user data folder, demo city and demo users

The schema is upgraded at start (`alembic upgrade head`; a no-op when current). Users and reference data
are managed with the admin CLI (`onegrid-ctl`), which calls `server.admin.bootstrap`.
"""
from __future__ import annotations

import argparse
import faulthandler
import logging
import logging.config
import os
from pathlib import Path

import uvicorn

from app.platform.gc_tuning import freeze_after_startup
from app.platform.version import app_version
from server.admin.bootstrap import init_db
from server.app import LifespanHook, create_app, tune_serving_process
from server.platform.database import upgrade
from server.platform.http_protocol import HTTP_PROTOCOL
from server.platform.log_format import log_config
from server.platform.settings import ServerSettings, env_names

log = logging.getLogger(__name__)

# Long-polls may hold requests for 30 s; at shutdown they are cut after this (consoles simply re-poll).
GRACEFUL_SHUTDOWN_S = 5


def demo_database_url() -> str:
    """The demo server's SQLite file, in the user's data folder (kept between demo runs)."""
    try:
        from platformdirs import user_data_dir

        folder = Path(user_data_dir("onegrid", appauthor=False))
    except ImportError:  # platformdirs is a dependency, but a bare checkout may lack it
        import tempfile

        folder = Path(tempfile.gettempdir()) / "onegrid"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'demo-server.sqlite'}"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="onegrid-server", description="OneGrid central server")
    p.add_argument("--version", action="version", version=app_version())
    p.add_argument("--host", help="interface to listen on (ONEGRID_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="TCP port (ONEGRID_PORT, default 8700)")
    p.add_argument("--database-url", help="SQLAlchemy URL (ONEGRID_DATABASE_URL)")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    p.add_argument("--demo", action="store_true",
                   help="demo mode: embedded SQLite with the demo city and demo users (one worker)")
    p.add_argument("--no-simulator", action="store_true", help="demo mode without the city simulator")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    return p


def run_demo(settings: ServerSettings, *, on_startup: list[LifespanHook] | tuple = (),
             on_shutdown: list[LifespanHook] | tuple = (), log_level: str = "info") -> None:
    """Initialise the demo database (idempotent) and serve it in this process.

    The demo simulator plugs in through `on_startup` / `on_shutdown`: each hook is called with the
    app's ServerContext (apply commands with `ctx.apply(user, batch)`, read the clock with `ctx.now()`).
    """
    init_db(settings.database_url, demo_users=True)
    tune_serving_process(settings)
    app = create_app(settings, on_startup=[*on_startup, freeze_after_startup], on_shutdown=on_shutdown)
    log.info("demo server on http://%s:%d (database %s)", settings.host, settings.port, settings.database_url)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=log_config(log_level, settings.log_format),
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S, http=HTTP_PROTOCOL,
                timeout_keep_alive=settings.keep_alive_s)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # A native crash (a C extension, the interpreter) prints every thread's Python stack to stderr, which
    # the service manager keeps (journalctl -u onegrid-server); uvicorn's worker processes inherit it.
    faulthandler.enable(all_threads=True)
    database_url = args.database_url
    demo = args.demo or ServerSettings.from_env().demo
    if demo and database_url is None and not os.environ.get(env_names()["database_url"]):
        database_url = demo_database_url()
    settings = ServerSettings.from_env(database_url=database_url, host=args.host, port=args.port,
                                       demo=True if args.demo else None)
    logging.config.dictConfig(log_config(args.log_level, settings.log_format))
    if settings.demo:
        from server.demo.hooks import demo_hooks

        start, stop = demo_hooks() if not args.no_simulator else ([], [])
        run_demo(settings, on_startup=start, on_shutdown=stop, log_level=args.log_level)
        return 0
    upgrade(settings.database_url)
    if args.workers <= 1:
        tune_serving_process(settings)
        uvicorn.run(create_app(settings, on_startup=[freeze_after_startup]), host=settings.host, port=settings.port,
                    log_config=log_config(args.log_level, settings.log_format),
                    timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S, http=HTTP_PROTOCOL,
                timeout_keep_alive=settings.keep_alive_s)
        return 0
    # Worker processes build their own app from the environment, so hand the settings over there.
    names = env_names()
    for field, value in settings.model_dump().items():
        if value is not None:  # unset (e.g. api_docs: decided by demo) stays unset in the workers too
            os.environ[names[field]] = str(value)
    uvicorn.run("server.app:create_app_from_env", factory=True, host=settings.host, port=settings.port,
                workers=args.workers, log_config=log_config(args.log_level, settings.log_format),
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S, http=HTTP_PROTOCOL,
                timeout_keep_alive=settings.keep_alive_s)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
