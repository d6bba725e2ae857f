"""The shipped Mosquitto configuration (packaging/server/mosquitto/: TLS only, a password and a client
certificate for every client, the ACL) run for real on a port of its own with a throwaway CA: the server
subscribes over `mqtts://user:password@…` with its CA, certificate and key and stores what a gateway
publishes; the gateway may publish readings but not subscribe to them; a wrong password and a client
without a certificate are turned away."""
from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from tests.support.sensor_support import raw_count

from .test_sensors_mqtt import subscribed, wait_for

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "packaging" / "server" / "mosquitto"
PASSWORDS = {"onegrid-server": "server-secret-1", "gateway": "gateway-secret-2"}

pytestmark = pytest.mark.skipif(not (shutil.which("mosquitto") and shutil.which("openssl")
                                     and shutil.which("mosquitto_passwd")),
                                reason="needs mosquitto, mosquitto_passwd and openssl")


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(folder: Path) -> None:
    """A CA, the broker's certificate for 127.0.0.1, and client certificates for the server and the gateway."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=test CA",
             cwd=folder)
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for name in ("broker", "server", "gateway"):
        _openssl("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=folder)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{name}.crt", "-days", "2", *(["-extfile", "san.ext"] if name == "broker" else []),
                 cwd=folder)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def broker(tmp_path):
    """The shipped onegrid.conf and onegrid.acl, pointed at this test's files and port."""
    make_pki(tmp_path)
    for user, password in PASSWORDS.items():
        subprocess.run(["mosquitto_passwd", "-b", *([] if (tmp_path / "passwd").exists() else ["-c"]),
                        str(tmp_path / "passwd"), user, password], check=True, capture_output=True)
    port = free_port()
    conf = (SHIPPED / "onegrid.conf").read_text()
    for old, new in {"/etc/mosquitto/onegrid.passwd": tmp_path / "passwd",
                     "/etc/mosquitto/onegrid.acl": SHIPPED / "onegrid.acl",
                     "/etc/mosquitto/certs/ca.crt": tmp_path / "ca.crt",
                     "/etc/mosquitto/certs/broker.crt": tmp_path / "broker.crt",
                     "/etc/mosquitto/certs/broker.key": tmp_path / "broker.key",
                     "/var/lib/mosquitto/": f"{tmp_path}/", "listener 8883": f"listener {port} 127.0.0.1"}.items():
        assert old in conf, old
        conf = conf.replace(old, str(new))
    if os.geteuid() == 0:  # started as root, mosquitto would switch to its own user, who cannot read tmp_path
        conf = "user root\n" + conf
    (tmp_path / "mosquitto.conf").write_text(conf)
    proc = subprocess.Popen(["mosquitto", "-c", str(tmp_path / "mosquitto.conf")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"mosquitto did not start: {proc.stdout.read()}") from None
                time.sleep(0.05)
        yield port, tmp_path
    finally:
        proc.terminate()
        proc.wait(10)


def client(folder: Path, port: int, user: str, password: str, *, cert: str | None):
    """A connected MQTT 5 client over TLS, with the CONNACK's reason code in `.connack`."""
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"t-{user}-{uuid.uuid4().hex[:6]}",
                    protocol=mqtt.MQTTv5)
    c.tls_set(ca_certs=str(folder / "ca.crt"), certfile=str(folder / f"{cert}.crt") if cert else None,
              keyfile=str(folder / f"{cert}.key") if cert else None)
    c.username_pw_set(user, password)
    c.connack = None
    c.subacks = []
    c.received = []
    answered = threading.Event()

    def on_connect(_c, _u, _flags, reason_code, _p):
        c.connack = reason_code
        answered.set()

    c.on_connect = on_connect
    c.on_subscribe = lambda _c, _u, _mid, codes, _p: c.subacks.extend(codes)
    c.on_message = lambda _c, _u, m: c.received.append(m.topic)
    try:
        c.connect("127.0.0.1", port)
    except (ssl.SSLError, OSError):
        c.connack = "tls refused"
        return c
    c.loop_start()
    answered.wait(10)
    return c


def test_the_shipped_broker_config_lets_the_server_read_and_gateways_only_publish(broker, make_harness, sqlite_url,
                                                                                  clock):
    port, folder = broker
    srv = make_harness(sqlite_url, mqtt_url=f"mqtts://onegrid-server:{PASSWORDS['onegrid-server']}@127.0.0.1:{port}",
                       mqtt_topic_prefix="onegrid", mqtt_ca_file=str(folder / "ca.crt"),
                       mqtt_cert_file=str(folder / "server.crt"), mqtt_key_file=str(folder / "server.key"),
                       sensor_batch_ms=20)
    subscribed(srv)
    assert srv.ctx.sensor_ingest.mqtt.address.tls

    gateway = client(folder, port, "gateway", PASSWORDS["gateway"], cert="gateway")
    try:
        assert not gateway.connack.is_failure
        # Mosquitto grants the subscription but the ACL (write only) lets nothing through to it
        gateway.subscribe("onegrid/#", qos=1)
        assert wait_for(lambda: len(gateway.subacks) == 1)
        for seconds in (0, 1):
            body = json.dumps({"time": (clock.now + timedelta(seconds=seconds)).isoformat(), "value": 1.5,
                               "unit": "mm/h"})
            gateway.publish("onegrid/sensors/rf-001/readings", body, qos=1).wait_for_publish(5)
            assert wait_for(lambda n=seconds + 1: raw_count(srv) == n)
        assert gateway.received == []
    finally:
        gateway.disconnect()
        gateway.loop_stop()

    wrong = client(folder, port, "gateway", "not-the-password", cert="gateway")
    assert wrong.connack is not None and wrong.connack.is_failure
    wrong.loop_stop()
    no_cert = client(folder, port, "gateway", PASSWORDS["gateway"], cert=None)
    assert no_cert.connack == "tls refused" or (no_cert.connack is None or no_cert.connack.is_failure)
    no_cert.loop_stop()
