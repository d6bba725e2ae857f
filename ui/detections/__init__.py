"""The detections review queue dock (docs/detections.md)."""
