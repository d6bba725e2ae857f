"""Sensor ingest (HTTP and MQTT), alarm rules and their endpoints."""
