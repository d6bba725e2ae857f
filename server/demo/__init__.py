"""The demo city's simulators: cases, sensors over MQTT, the shift handover."""
