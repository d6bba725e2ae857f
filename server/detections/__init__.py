"""Detections from video AI and drones on the server: reference tables, ingest, the review queue's commands."""
