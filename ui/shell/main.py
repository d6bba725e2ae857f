"""`onegrid`: the operator console's entry point.

    onegrid                                   # log in to the server in the settings (dialog)
    onegrid --server http://onegrid.local:8700
    onegrid --demo                            # embedded demo server; logs in as operator1
    onegrid --demo --user lead1               # ... as a shift lead (demo passwords are looked up)
    onegrid --demo --screenshot out.png --quit-after 8
    onegrid --smoke-test                      # demo; exit 0 once synced and the map is up (packaging)

Start-up order: logging → settings → language → theme → (demo server) → login → local cache (one per
server and user) → sync engine (asyncio tasks on the qasync loop) → main window.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from app.platform.gc_tuning import tune_collector
from app.platform.paths import resource
from app.sync.state import Connection

if TYPE_CHECKING:  # imported when needed below: Qt and the docks load only after the checks that come first
    from PySide6.QtWidgets import QApplication

    from app.sync.client import ServerClient
    from app.sync.engine import SyncEngine
    from ui.shell.context import ConsoleContext
    from ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)
_PROCESS_START = time.monotonic()  # for the smoke test's report

ICON_PATH = resource("icons", "onegrid.svg")
DEMO_DEFAULT_USER = "operator1"
SMOKE_TIMEOUT_S = 120.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from app.platform.version import app_version

    p = argparse.ArgumentParser(prog="onegrid", description="OneGrid operator console")
    p.add_argument("--version", action="version", version=app_version())
    p.add_argument("--demo", action="store_true",
                   help="start the demo server in this process (demo city, demo users) and log in to it")
    p.add_argument("--server", metavar="URL", help="server address (default: the one in the settings)")
    p.add_argument("--cache", metavar="DIR", type=Path,
                   help="folder for the local caches, one per server and user (default: the user data folder)")
    p.add_argument("--user", help="log in as this user without the dialog")
    p.add_argument("--password", help="password for --user (optional with --demo)")
    p.add_argument("--language", choices=["zh_CN", "en"], help="override the language setting for this run")
    p.add_argument("--theme", choices=["light", "dark"], help="override the theme setting for this run")
    p.add_argument("--wall", action="store_true", help="open the wall view full screen (the center's video wall)")
    p.add_argument("--screenshot", metavar="PATH", type=Path, help="save a PNG of the main window, then quit")
    p.add_argument("--quit-after", metavar="SECONDS", type=float,
                   help="quit after this many seconds (with --screenshot: take it then; default 6)")
    p.add_argument("--smoke-test", action="store_true",
                   help="start on the demo, wait for the first sync and the map page, then exit 0 (or 1 with "
                        "the reason on stderr); used to check a built bundle")
    p.add_argument("--smoke-timeout", metavar="SECONDS", type=float, default=SMOKE_TIMEOUT_S,
                   help=f"give up the smoke test after this many seconds (default {SMOKE_TIMEOUT_S:g})")
    return p.parse_args(argv)


def demo_password(username: str) -> str | None:
    """The demo city's published password of a demo user."""
    from app.refdata.loading import demo_dir

    try:
        users = json.loads((demo_dir() / "users.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return next((u.get("password") for u in users if u.get("username") == username), None)


@dataclass
class Console:
    """One running console: what main() builds and tears down (and tools/screenshots.py drives)."""

    app: QApplication
    window: MainWindow
    ctx: ConsoleContext
    engine: SyncEngine | None
    client: ServerClient | None
    server_url: str
    stop_server: Callable[[], None] | None = None
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    crash_handler: object | None = None  # ui.shell.crash_handler.CrashHandler
    exit_code: int = 0                   # what main() returns (the --smoke-test verdict)

    def close(self) -> None:
        self.undo(self.cleanups)

    @staticmethod
    def undo(cleanups: list[Callable[[], None]]) -> None:
        """Run clean-ups last-first (close the cache before stopping the server before removing files)."""
        for cleanup in reversed(cleanups):
            try:
                cleanup()
            except Exception:
                log.exception("cleanup %r failed", cleanup)
        cleanups.clear()


def create_application(argv: list[str] | None = None):
    """The QApplication, prepared for QtWebEngine (map) and named for QSettings."""
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in os.environ.get(
            "QTWEBENGINE_CHROMIUM_FLAGS", ""):  # Chromium refuses to sandbox as root
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
                                                    + " --no-sandbox").strip()
    from ui.shell.rendering import apply_map_rendering

    apply_map_rendering()  # GPU or software web views: decided before the application exists
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    try:
        import PySide6.QtWebEngineWidgets  # noqa: F401 - must be loaded before the QApplication exists

        import ui.map.interceptor  # noqa: F401 - registers the map's onegrid: URL scheme, also before it
    except ImportError:
        pass
    from app.platform.logging_setup import app_version

    app = QApplication.instance() or QApplication([sys.argv[0]] + list(argv or []))
    app.setOrganizationName("OneGrid")
    app.setApplicationName("OneGrid")
    app.setApplicationDisplayName("OneGrid")
    app.setApplicationVersion(app_version())
    app.setDesktopFileName("onegrid")
    app.setWindowIcon(QIcon(str(ICON_PATH)))
    app.setQuitOnLastWindowClosed(False)  # main() ends the loop after the sync engine has stopped
    from ui.shell.fonts import register_bundled_fonts

    register_bundled_fonts()  # the CJK font the handover PDF is set in, on any machine
    return app


def _route_qt_messages() -> None:
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind, context, message):
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def start_console(args: argparse.Namespace, app) -> Console | None:
    """Everything up to a shown main window. Returns None when the user cancelled the login."""
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QMessageBox

    from app.platform.logging_setup import setup_logging
    from app.platform.native_crash import enable_native_crash_traces
    from app.platform.settings import SettingsStore, cache_root, config_dir, log_dir
    from ui.shell import i18n, theme
    from ui.shell.crash_handler import CrashHandler
    from ui.shell.login_dialog import LoginDialog, log_in
    from ui.shell.startup import status_window

    store = SettingsStore()
    loaded = store.load()
    settings = loaded.settings
    log_file = setup_logging(log_dir(), settings.log_level)
    _route_qt_messages()
    smoke_test = getattr(args, "smoke_test", False)
    interactive = args.user is None and args.screenshot is None and not smoke_test
    crash_handler = CrashHandler(log_dir(), interactive=interactive, parent=app)
    crash_handler.install()  # an exception escaping a slot or a thread: logged, and a crash report written
    enable_native_crash_traces(log_dir())  # a native crash: faulthandler's trace, reported at the next start
    i18n.install_language(args.language or settings.language)
    theme.apply_theme(args.theme or settings.theme)
    if loaded.problem and interactive:
        QMessageBox.warning(None, QCoreApplication.translate("main", "Settings not readable"),
                            QCoreApplication.translate(
                                "main", "The settings file could not be read, so the console starts with default "
                                        "settings. The file is kept, and moved aside when you next save settings."
                                        "\n\n{problem}").format(problem=loaded.problem))

    cleanups: list[Callable[[], None]] = []  # in the order things were set up; undone in reverse
    stop_server = None
    status = status_window() if args.screenshot is None and not smoke_test else None

    def say(text: str) -> None:
        if status is not None:
            status.say(text)

    cleanups.append(lambda: status is not None and status.close())
    if args.demo:
        from ui.shell.startup import DemoServerStart

        pending = getattr(args, "demo_server", None) or DemoServerStart()  # started by main() if it could
        demo_dir = pending.directory  # the demo's server and caches: disposable
        cleanups.append(lambda: shutil.rmtree(demo_dir, ignore_errors=True))
        if not pending.done():
            say(QCoreApplication.translate("Startup", "Starting the demo server and preparing the demo city…"))
        try:
            server_url, stop_server = pending.result(pump=QCoreApplication.processEvents)
        except BaseException:
            Console.undo(cleanups)
            raise
        cleanups.append(stop_server)
        root = args.cache or demo_dir / "consoles"
    else:
        server_url = args.server or settings.server_url
        root = args.cache or cache_root(settings)

    window_state = QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)
    username = args.user or (DEMO_DEFAULT_USER if args.demo else None)
    if username is not None:
        password = args.password or (demo_password(username) if args.demo else None)
        if password is None:
            print(f"onegrid: no password for {username} (use --password)", file=sys.stderr)
            Console.undo(cleanups)
            return None
        say(QCoreApplication.translate("Startup", "Logging in as {user} at {server}…").format(user=username,
                                                                                           server=server_url))
        try:
            outcome = log_in(server_url, root, username, password)
        except Exception as exc:
            log.error("login of %s at %s failed: %s", username, server_url, exc)
            print(f"onegrid: login of {username} at {server_url} failed: {type(exc).__name__}: {exc}",
                  file=sys.stderr)
            Console.undo(cleanups)
            return None
    else:
        if status is not None:
            status.hide()  # the login dialog asks now
        dialog = LoginDialog(server_url, root, username=str(window_state.value("last_user") or ""))
        if dialog.exec() != LoginDialog.DialogCode.Accepted or dialog.outcome is None:
            Console.undo(cleanups)
            return None
        outcome = dialog.outcome
    window_state.setValue("last_user", outcome.session.username)
    if not args.demo and not args.server and outcome.server_url != settings.server_url:
        settings = settings.model_copy(update={"server_url": outcome.server_url})
        store.save(settings)
    log.info("session: %s (%s)%s, cache %s", outcome.session.username, outcome.session.actor.role,
             " offline" if outcome.session.offline else "", outcome.cache.directory)

    say(QCoreApplication.translate("Startup", "Building the console: map, case queue, sensors…"))
    # old closed cases leave the cache (`app.cache.retention`), and the queue's read, started during the
    # password check when the cache existed (else now), without them
    pruned = outcome.cache.prune(datetime.now(timezone.utc), settings.cache_closed_days)
    prefetch = outcome.queue_prefetch
    if prefetch is None:
        from app.cases.queue_prefetch import ColumnsPrefetch

        prefetch = ColumnsPrefetch(outcome.cache)  # SQLite reads the queue while the window is built
    else:
        prefetch.forget(pruned.removed)
    # what the login does not need loads only now (photos: Pillow and HEIF), and the docks' modules (~0.2 s):
    # these imports overlap the queue's read, which releases the GIL
    from app.photos.store import PhotoStore
    from app.sync.engine import SyncEngine
    from ui.shell.context import ConsoleContext, CoreSignals
    from ui.shell.main_window import MainWindow
    from ui.shell.memory import settle_memory_after_load

    engine = SyncEngine(outcome.cache, outcome.client)
    photos = PhotoStore(outcome.cache.directory)  # the photos attached on this console, beside its cache
    engine.use_photos(photos)  # queued photos go up before the commands that name them
    ctx = ConsoleContext(cache=outcome.cache, session=outcome.session, signals=CoreSignals(), engine=engine,
                         settings=settings, photos=photos,  # MainWindow keeps ctx.settings current
                         queue_prefetch=prefetch)
    ctx.connect_core()
    window = MainWindow(ctx, settings_store=store, window_state=window_state,
                        server_url=server_url, cache_root=root, log_file=str(log_file))
    cleanups += [outcome.client.close, outcome.cache.close, photos.close]
    if window_state.value("geometry") is None:
        window.showMaximized()  # first start on this PC: the whole (control-room) screen
    else:
        window.show()
    if status is not None:
        status.close()
    if getattr(args, "wall", False):
        window.open_wall()
    settle_memory_after_load(window)
    return Console(app=app, window=window, ctx=ctx, engine=engine, client=outcome.client, server_url=server_url,
                   stop_server=stop_server, cleanups=cleanups, crash_handler=crash_handler)


async def run_console(console: Console, args: argparse.Namespace) -> None:
    """Run until the main window closes, then stop the sync engine (queued commands stay queued)."""
    loop = asyncio.get_running_loop()
    closed = loop.create_future()
    console.window.closing.connect(lambda: closed.done() or closed.set_result(None))
    console.engine.start()
    if args.screenshot is not None or args.quit_after is not None:
        delay = args.quit_after if args.quit_after is not None else 6.0

        def finish() -> None:
            if args.screenshot is not None:
                args.screenshot.parent.mkdir(parents=True, exist_ok=True)
                console.window.grab().save(str(args.screenshot))
                log.info("screenshot saved to %s", args.screenshot)
            console.window.close_without_asking()

        loop.call_later(delay, finish)
    if getattr(args, "smoke_test", False):
        console.exit_code = 1  # until the smoke test has passed (a window closed early is a failure too)

        def smoke_done(task: asyncio.Task) -> None:
            if not task.cancelled() and task.exception() is not None:
                print(f"onegrid smoke test FAILED: {task.exception()!r}", file=sys.stderr, flush=True)
            console.window.close_without_asking()

        asyncio.ensure_future(_smoke_test(console, args.smoke_timeout)).add_done_callback(smoke_done)
    await closed
    connected = console.engine.state.connection in (Connection.ONLINE, Connection.SYNCING)
    await console.engine.stop()
    if connected:
        await end_server_session(console.client)


LOGOUT_TIMEOUT_S = (1.5, 2.0)  # connect, read: closing the console never waits long for the server


async def end_server_session(client) -> None:
    """Log out of the server when the console closes while connected: the token is revoked and the audit
    trail shows when this operator left this console. If the server does not answer, the token simply
    lapses at its expiry (queued commands are kept either way)."""
    try:
        await asyncio.to_thread(client.logout, LOGOUT_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - closing goes on whatever the server says
        log.info("logout on close did not reach the server (%s); the token lapses at its expiry", exc)
    else:
        log.info("logged out of the server")


async def _smoke_test(console: Console, timeout_s: float) -> None:
    """--smoke-test: wait until the first sync has finished and the map page has loaded with its markers,
    then say so on stdout (exit code 0); on a timeout or a crash report, say why on stderr (exit code 1)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    map_dock = getattr(console.window, "docks", {}).get("mapDock")
    reports = getattr(console.crash_handler, "reports", [])
    while True:
        state = console.engine.state
        synced = state.last_sync is not None
        map_ready = map_dock is not None and map_dock.is_ready
        if reports:
            reason = f"unexpected error, crash report {reports[0]}"
        elif synced and map_ready:
            print(f"onegrid smoke test passed {time.monotonic() - _PROCESS_START:.1f} s after start: first sync at "
                  f"{state.last_sync:%H:%M:%S}, {console.ctx.cache.case_count()} cases, map page loaded "
                  f"({console.server_url})", flush=True)
            log.info("smoke test passed")
            console.exit_code = 0
            return
        elif loop.time() - started > timeout_s:
            missing = [what for what, ok in (("the first sync", synced), ("the map page", map_ready)) if not ok]
            reason = (f"timed out after {timeout_s:g} s waiting for {' and '.join(missing)} (connection "
                      f"{state.connection}, last error {state.last_error or 'none'}"
                      f"{'' if map_dock is not None else ', no map dock: QtWebEngine missing?'})")
        else:
            await asyncio.sleep(0.2)
            continue
        print(f"onegrid smoke test FAILED: {reason}", file=sys.stderr, flush=True)
        log.error("smoke test failed: %s", reason)
        console.exit_code = 1
        return


def _close_on_signals(window) -> None:
    """Ctrl+C and SIGTERM (logout, shutdown) close the window the normal way: layout saved, sync stopped."""
    import signal

    from PySide6.QtCore import QTimer

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: window.close_without_asking())
    wake = QTimer(window)  # Python only runs signal handlers when it gets control back from Qt
    wake.timeout.connect(lambda: None)
    wake.start(500)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tune_collector()  # an initial sync's parsing otherwise spends a third of its time in the collector
    from ui.shell import pyside_import

    pyside_import.install()  # before Qt and the ~700 modules imported after it
    if args.smoke_test:
        args.demo = True
    if args.demo:  # the server starts on its own thread while Qt and the docks' modules load here
        from ui.shell.startup import DemoServerStart

        args.demo_server = DemoServerStart()
    app = create_application()
    console = start_console(args, app)
    if console is None:
        return 1 if args.user else 0
    import qasync
    _close_on_signals(console.window)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            loop.run_until_complete(run_console(console, args))
    finally:
        console.close()
    log.info("console closed")
    return console.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
