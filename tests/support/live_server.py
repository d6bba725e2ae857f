"""A real OneGrid server (server.app.create_app under uvicorn) on loopback, in a background thread,
on its own SQLite file. Used by the integration tests and, via its URL, by the kill -9 subprocess."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import uvicorn
from sqlalchemy import create_engine, text

from server.admin.bootstrap import add_user, init_db
from server.app import create_app
from server.platform.http_protocol import HTTP_PROTOCOL
from server.platform.settings import ServerSettings
from tests.support import db_templates
from tests.support.sync_helpers import PASSWORDS, free_port

ROLES = {"operator1": "operator", "operator2": "operator", "operator3": "operator", "lead1": "shift_lead",
         "lead2": "shift_lead", "handler_water_supply": "unit_handler", "handler_roads": "unit_handler"}
UNITS = {"handler_water_supply": "water_supply", "handler_roads": "roads"}


class LiveServer:
    def __init__(self, directory: Path, refdata, users=("operator1", "operator2", "lead1"), port: int | None = None,
                 database_url: str | None = None, prepare: bool = True, http: str = HTTP_PROTOCOL, **settings):
        self.db_path = directory / "server.sqlite"  # unused with another `database_url` (e.g. PostgreSQL)
        self.database_url = database_url or f"sqlite:///{self.db_path}"
        accounts = tuple((username, PASSWORDS[username], ROLES[username], UNITS.get(username)) for username in users)

        def build(url: str) -> None:
            init_db(url, refdata=refdata)
            for account in accounts:
                add_user(url, *account)

        # A copy of the same server database prepared earlier in this test process, when there is one.
        # (`prepare=False`: a database that has everything already, e.g. one restored from a backup.)
        if prepare and not db_templates.prepared.copy_into(self.database_url, ("live server", refdata.version, accounts), build):
            build(self.database_url)
        self.refdata = refdata
        # photo files in the test's own folder, never the working directory's default
        self.settings = {"photo_storage": str(directory / "photos"), **settings}
        self.port = port or free_port()
        self.http = http  # uvicorn's HTTP protocol: ours, as `onegrid-server` serves, unless a test asks for another
        self.url = f"http://127.0.0.1:{self.port}"
        self.ctx = None
        self.app = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LiveServer:
        settings = ServerSettings(database_url=self.database_url, maintenance_interval_s=0, port=self.port,
                                  **({"repeat_merge": False} | self.settings))  # tests report many cases at one spot
        app = create_app(settings, refdata=self.refdata)
        self.ctx = app.state.ctx  # the running server's context (tests may reach into it)
        self.app = app
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                timeout_graceful_shutdown=1, timeout_keep_alive=30,
                                http=self.http)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="onegrid-test-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the test server did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=15)
            self._server = None

    def query(self, sql: str, **params) -> list[tuple]:
        """Read the server's database directly (the ledger tables are the ground truth)."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(text(sql), params)]
        finally:
            engine.dispose()
