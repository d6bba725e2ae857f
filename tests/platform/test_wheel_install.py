"""OneGrid installed as a Python package is installed: the wheel is built from the sources, installed into
a fresh virtual environment outside the checkout, and then `onegrid-ctl init-db` sets up a new PostgreSQL
database, `onegrid-server` starts on it and a user logs in over HTTP — all with the installed copy only
(its `resources/` read through importlib.resources), and with Qt made unimportable, as on a server host
that installed `onegrid[server]`.

Nothing is downloaded: the wheel is built with the test environment's setuptools (`--no-build-isolation`)
and the fresh environment borrows the test environment's third-party packages through a `.pth` file (the
dependency closure itself is checked from the packages' metadata in test_extras.py)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support import ROOT
from tests.support.sync_helpers import free_port

pytestmark = pytest.mark.postgres

QT = ("PySide6", "shiboken6", "pyqtgraph", "qasync")
START_TIMEOUT_S = 60
PASSWORD = "Tram-Depot-7-Lantern"
# What the wheel is built from (the sources are copied: a build writes into its source folder).
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "THIRD_PARTY_NOTICES.md", "app", "ui", "db", "server", "resources")
NOT_SOURCES = shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite*")


def run(*argv, env, cwd, input_: str | None = None, timeout: float = 120) -> str:
    done = subprocess.run([str(a) for a in argv], env=env, cwd=cwd, input=input_, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A fresh venv holding the built wheel (and no checkout on its path): its bin folder and environment."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONEGRID_", "PYTHON"))}
    env["HOME"] = str(tmp / "home")
    source = tmp / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=NOT_SOURCES)
        else:
            shutil.copy2(ROOT / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
        "--wheel-dir", tmp / "dist", source, env=env, cwd=tmp)
    (wheel,) = (tmp / "dist").glob("onegrid-*.whl")
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, env=env, cwd=tmp)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel,
        env=env, cwd=tmp)
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", env=env, cwd=tmp).strip())
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "zz_borrowed_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    (site / "zz_no_qt.pth").write_text(  # a server host has no Qt: importing it fails, as uninstalled
        f"import sys; sys.modules.update(dict.fromkeys({QT!r}))\n", encoding="utf-8")
    return venv / "bin", env


def test_the_installed_copy_is_used_and_carries_its_resources(installed, tmp_path):
    bin_, env = installed
    found = json.loads(run(bin_ / "python", "-c", """if True:
        import json
        import app, resources, server
        from app.platform.paths import resource, resources_dir
        from app.refdata.loading import demo_dir, load_demo_refdata
        print(json.dumps({"app": app.__file__, "resources": resources_dir().as_posix(),
                          "demo_city": demo_dir().as_posix(), "units": len(load_demo_refdata().units),
                          "font": resource("fonts", "wqy-microhei.ttc").is_file(),
                          "qm": resource("translations", "onegrid_zh_CN.qm").is_file(),
                          "leaflet": resource("map", "leaflet", "leaflet.js").is_file(),
                          }))
        """, env=env, cwd=tmp_path))
    venv = str(bin_.parent)
    assert found["app"].startswith(venv) and found["resources"].startswith(venv), found
    assert found["demo_city"] == found["resources"] + "/demo_city" and found["units"] > 0
    assert found["font"] and found["qm"] and found["leaflet"]
    blocked = subprocess.run([bin_ / "python", "-c", "import PySide6"], env=env, cwd=tmp_path, capture_output=True)
    assert blocked.returncode != 0 and b"ModuleNotFoundError: import of PySide6 halted" in blocked.stderr


def test_versions(installed, tmp_path):
    bin_, env = installed
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert run(bin_ / "onegrid-ctl", "--version", env=env, cwd=tmp_path).strip() == version
    assert run(bin_ / "python", "-m", "server", "--version", env=env, cwd=tmp_path).strip() == version


def test_init_db_start_and_log_in(installed, tmp_path, pg_url):
    bin_, env = installed
    out = run(bin_ / "onegrid-ctl", "--database-url", pg_url, "init-db", env=env, cwd=tmp_path)
    assert out.startswith("database ready: ")  # the demo city's reference data, read from the installed copy
    out = run(bin_ / "onegrid-ctl", "--database-url", pg_url, "users", "add", "admin", "--role", "admin",
              "--password-stdin", env=env, cwd=tmp_path, input_=f"{PASSWORD}\n")
    assert "user admin (admin) created" in out
    port = free_port()
    log_path = tmp_path / "server.log"
    server_env = {**env, "ONEGRID_LOG_FORMAT": "json", "ONEGRID_MAINTENANCE_INTERVAL_S": "0"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen([bin_ / "onegrid-server", "--database-url", pg_url, "--port", str(port)],
                                   env=server_env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, f"onegrid-server exited:\n{log_path.read_text()[-3000:]}"
            try:
                ready = requests.get(f"{base}/readyz", timeout=2)
                if ready.status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, f"not ready:\n{log_path.read_text()[-3000:]}"
            time.sleep(0.2)
        assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "listen": "ok",
                                          "mqtt": "not configured"}
        login = requests.post(f"{base}/api/login", json={"username": "admin", "password": PASSWORD},
                              headers={"X-Request-ID": "wheel-test-login"}, timeout=10)
        assert login.status_code == 200, login.text
        assert login.headers["X-Request-ID"] == "wheel-test-login"
        token = login.json()["token"]
        refdata = requests.get(f"{base}/api/refdata", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert refdata.status_code == 200 and refdata.json()["units"]
        scraped = requests.get(f"{base}/metrics", timeout=10)
        assert scraped.status_code == 200
        names = {family.name for family in text_string_to_metric_families(scraped.text)}
        assert {"onegrid_http_requests", "onegrid_commands", "onegrid_feed_position"} <= names
    finally:
        process.terminate()
        process.wait(timeout=20)
    lines = [line for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # ONEGRID_LOG_FORMAT=json: every line is one object
    assert any(r["logger"] == "server.app" and r["message"].startswith("OneGrid server ready") for r in records)
