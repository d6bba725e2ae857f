"""nginx in front of several OneGrid server processes on this machine, configured from (a copy of) the shipped
`packaging/server/nginx-onegrid.conf`: the scale-out benchmark (`bench/bench_scaleout.py`) and its test
(`tests/feed/test_scaleout_nginx.py`) run the deployment the packaging describes.

The copy keeps every proxy setting of the shipped file (timeouts, buffering, keep-alive to the upstreams,
the login rate limit, no retry of a POST on another upstream) and changes only what a loopback run must:
- the upstream lists the given processes (`host:port`; two "hosts" are two loopback addresses,
  127.0.0.1 and 127.0.0.2, each with its own group of processes), each with the shipped `max_fails`;
- plain HTTP on a loopback port instead of TLS on 443 (no certificate here), and no port-80 redirect;
- a response header `X-OneGrid-Upstream` naming the process that answered (`$upstream_addr`), so a test
  can tell which process held a long-poll;
- nginx's own files (pid, logs, temp dirs) under a private prefix directory, in the foreground.

nginx comes from Debian (`apt-get install -y nginx`), installed by `ensure_nginx` when missing; a failure to
install is an error, never a skip.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "packaging" / "server" / "nginx-onegrid.conf"
UPSTREAM_HEADER = "X-OneGrid-Upstream"


def ensure_nginx() -> str:
    """The nginx binary, installed from Debian when it is missing (RuntimeError naming why it could not be)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if found:
        return found
    log.info("nginx missing: apt-get install -y nginx")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["apt-get", "install", "-y", "nginx"], env=env, capture_output=True, text=True)
    if done.returncode != 0:  # a stale package list: refresh it once
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, text=True)
        done = subprocess.run(["apt-get", "install", "-y", "nginx"], env=env, capture_output=True, text=True)
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"could not install nginx (apt-get install -y nginx exited {done.returncode}): "
                           f"{(done.stderr or done.stdout)[-600:]}")
    return found


def _server_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level `server { … }` block."""
    blocks = []
    for match in re.finditer(r"(?m)^server\s*\{", text):
        depth, i = 0, match.start()
        while i < len(text):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    blocks.append((match.start(), i + 1))
                    break
            i += 1
    return blocks


def site_config(upstreams: Sequence[tuple[str, int]], listen: tuple[str, int], shipped: str | None = None) -> str:
    """The shipped site config adapted to a loopback run (see the module docstring)."""
    text = shipped if shipped is not None else SHIPPED.read_text(encoding="utf-8")
    # the upstream: the shipped entry's options on every process
    entry = re.search(r"(?m)^\s*server\s+[\d.]+:\d+(\s+[^;#]*)?;", text)
    if entry is None:
        raise ValueError("the shipped nginx config has no upstream `server host:port …;` entry")
    options = (entry.group(1) or "").strip()
    lines = "".join(f"    server {host}:{port}{' ' + options if options else ''};\n" for host, port in upstreams)
    text = re.sub(r"(?m)^\s*#?\s*server\s+[\d.]+:\d+[^;]*;[^\n]*\n", "", text)
    text = re.sub(r"(upstream onegrid \{\n(?:\s*#[^\n]*\n)*)", lambda m: m.group(1) + lines, text, count=1)
    blocks = _server_blocks(text)
    redirect = [b for b in blocks if "return 301" in text[b[0]:b[1]]]
    for start, end in reversed(redirect):
        text = text[:start] + text[end:]
    # TLS → plain HTTP on a loopback port
    text = re.sub(r"(?m)^\s*listen\s+\[::\]:443[^;]*;\n", "", text)
    text = re.sub(r"(?m)^(\s*)listen\s+443[^;]*;", lambda m: f"{m.group(1)}listen {listen[0]}:{listen[1]};", text)
    text = re.sub(r"(?m)^\s*ssl_[a-z_]+\s[^;]*;\n", "", text)
    # which process answered (a test needs to know who held a long-poll)
    text = re.sub(r"(?m)^(\s*)location / \{\n",
                  lambda m: f"{m.group(0)}{m.group(1)}    add_header {UPSTREAM_HEADER} $upstream_addr always;\n", text)
    return text


def main_config(site: str, prefix: Path, *, connections: int = 16384) -> str:
    """nginx.conf around the site config: one worker (the machine has two cores and shares them with the
    servers and PostgreSQL), enough connections for thousands of held long-polls (two per console: the
    console's and the upstream's), files under `prefix`."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(f"    {name}_temp_path {prefix / 'tmp' / name};\n"
                   for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"{user}worker_processes 1;\nworker_rlimit_nofile {connections * 2 + 100};\n"
            f"pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
            f"events {{\n    worker_connections {connections};\n    multi_accept on;\n}}\n"
            f"http {{\n    access_log off;\n{temp}"
            f"    default_type application/octet-stream;\n{site}\n}}\n")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Nginx:
    """nginx in the foreground (one child process, stopped by its pid) in front of `upstreams`."""

    def __init__(self, upstreams: Sequence[tuple[str, int]], prefix: Path, *, host: str = "127.0.0.1",
                 port: int | None = None, connections: int = 16384):
        self.binary = ensure_nginx()
        self.prefix = Path(prefix)
        self.host, self.port = host, port or free_port(host)
        self.url = f"http://{self.host}:{self.port}"
        self.upstreams = list(upstreams)
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.prefix / "tmp" / name).mkdir(parents=True, exist_ok=True)
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(main_config(site_config(self.upstreams, (self.host, self.port)), self.prefix,
                                         connections=connections), encoding="utf-8")
        self.proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 15) -> Nginx:
        test = subprocess.run([self.binary, "-t", "-p", str(self.prefix), "-c", str(self.conf)],
                              capture_output=True, text=True)
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t refused the config {self.conf}: {test.stderr[-1500:]}")
        self.proc = subprocess.Popen([self.binary, "-p", str(self.prefix), "-c", str(self.conf), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode}: {self.proc.stderr.read()[-1500:]!r}")
            with socket.socket() as s:
                if s.connect_ex((self.host, self.port)) == 0:
                    return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not listen on {self.host}:{self.port} within {timeout_s:.0f} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown (its worker goes with it)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def error_log(self) -> str:
        try:
            return (self.prefix / "error.log").read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def error_kinds(self) -> dict[str, int]:
        """The error log's lines counted by what went wrong (the text between the connection number and
        `, client:`) and the request's method and path, most frequent first."""
        try:
            text = (self.prefix / "error.log").read_text(errors="replace")
        except OSError:
            return {}
        kinds = Counter(re.sub(r"\d+", "N", m.group(1)) + (f" ({m.group(2)} {m.group(3)})" if m.group(2) else "")
                        for m in re.finditer(r"\*\d+ (.*?)(?:, client:.*?request: \"(\w+) ([^ ?\"]+)|$)", text, re.M))
        return dict(kinds.most_common())

    def __enter__(self) -> Nginx:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
