"""`onegrid --demo`: the real OneGrid server, in this process, on 127.0.0.1 and a free port, on a fresh
SQLite file holding the demo city and the demo users. uvicorn runs in a background thread.

No Qt here: the console only uses the URL and the stop function.

    url, stop = start_embedded_server()
    ...
    stop()      # the console goes offline, as if the network had gone away

The city simulator plugs in through `on_startup` / `on_shutdown` (hooks of `server.app.create_app`,
each called with the server's ServerContext) or by adding a hook to `DEMO_HOOKS`.
"""
from __future__ import annotations

import logging
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

log = logging.getLogger(__name__)

START_TIMEOUT_S = 30.0

# (on_startup, on_shutdown) pairs added to every demo server; the simulator registers itself here.
DEMO_HOOKS: list[tuple[Callable | None, Callable | None]] = []


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def preload() -> None:
    """Import what `start_embedded_server` needs, on the calling thread. Called on the GUI thread before the
    server starts on a thread of its own: two threads importing the same modules at once while PySide6's
    import hook inspects each new module once crashed a start with a half-initialised pydantic."""
    import uvicorn  # noqa: F401

    import server.admin.bootstrap  # noqa: F401
    import server.app  # noqa: F401
    import server.platform.settings  # noqa: F401


def start_embedded_server(demo: bool = True, *, directory: Path | None = None, on_startup: Iterable[Callable] = (),
                          on_shutdown: Iterable[Callable] = ()) -> tuple[str, Callable[[], None]]:
    """Start the server; return its base URL and a function that stops it (idempotent, waits ≤ 15 s).
    The database lives in `directory` (default: a new temporary folder)."""
    import uvicorn

    from server.admin.bootstrap import init_db
    from server.app import create_app
    from server.platform.settings import ServerSettings

    folder = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="onegrid-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{folder / 'server.sqlite'}"
    init_db(database_url, demo_users=demo, throwaway=True)  # a fresh file of its own, gone after the demo
    # Bound here and handed to uvicorn, so no other process can take the port between choosing and binding.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    startup, shutdown = list(on_startup), list(on_shutdown)
    if demo:
        from server.demo.hooks import demo_hooks

        sim_start, sim_stop = demo_hooks()
        startup += sim_start
        shutdown += sim_stop
        startup += [hook for hook, _ in DEMO_HOOKS if hook]
        shutdown += [hook for _, hook in DEMO_HOOKS if hook]
    # Its tuning from ONEGRID_* like any server's (e.g. the demo shift's hand-over time for screenshots)
    settings = ServerSettings.from_env(database_url=database_url, host="127.0.0.1", port=port, demo=demo)
    app = create_app(settings, on_startup=startup, on_shutdown=shutdown)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                            timeout_graceful_shutdown=1, log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: server.run(sockets=[sock]), name="onegrid-embedded-server",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the embedded server did not start on 127.0.0.1:{port} (see the log)")
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    log.info("embedded server on %s (database %s)", url, database_url)

    def stop() -> None:
        if not thread.is_alive():
            return
        # A console's long poll is usually in flight: uvicorn cancels it after the grace period and logs
        # that as an error with a traceback. Here the cut is intended, so keep the log quiet meanwhile.
        uvicorn_log = logging.getLogger("uvicorn.error")
        level = uvicorn_log.level
        uvicorn_log.setLevel(logging.CRITICAL)
        try:
            server.should_exit = True
            thread.join(timeout=15)
        finally:
            uvicorn_log.setLevel(level)
            sock.close()
        log.info("embedded server on %s stopped", url)

    return url, stop
