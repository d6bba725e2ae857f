"""Detections from video AI and drones: what a camera or drone reports, the rules per detection type, the
review queue's commands and the false-positive rates (docs/detections.md)."""
