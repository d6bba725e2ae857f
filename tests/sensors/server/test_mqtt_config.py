"""The broker URL: plain or TLS, its default ports, a login (URL-encoded), nothing that is not an address;
and the client id base of a deployment's workers."""
from __future__ import annotations

import pytest

from server.sensors.mqtt_config import BrokerAddress, MqttUrlError, broker_address, default_client_id


@pytest.mark.parametrize("url, address", [
    ("mqtt://broker", BrokerAddress("broker", 1883)),
    ("tcp://10.0.0.5:11883", BrokerAddress("10.0.0.5", 11883)),
    ("mqtts://broker.internal", BrokerAddress("broker.internal", 8883, tls=True)),
    ("ssl://onegrid-server:p%40ss%3Aword@broker:8884", BrokerAddress("broker", 8884, True, "onegrid-server",
                                                                     "p@ss:word")),
    ("mqtt://gateway@broker/", BrokerAddress("broker", 1883, False, "gateway", None)),
])
def test_broker_urls(url, address):
    assert broker_address(url) == address


def test_a_logged_address_never_shows_the_password():
    assert broker_address("mqtts://u:secret@b").display() == "mqtts://u@b:8883"


@pytest.mark.parametrize("url, says", [
    ("http://broker", "must look like"), ("mqtt://", "must look like"), ("mqtt://b:99999", "invalid port"),
    ("mqtt://b/onegrid", "path"), ("mqtts://b?x=1", "path"),
])
def test_what_is_not_a_broker_address_is_refused_saying_why(url, says):
    with pytest.raises(MqttUrlError, match=says):
        broker_address(url)


def test_the_client_id_base_follows_the_topic_prefix():
    assert default_client_id("onegrid") == "onegrid-server-onegrid"
    assert default_client_id("city/north") == "onegrid-server-city_north"
