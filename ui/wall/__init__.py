"""The wall view: the video wall of the center, full screen, needing no interaction."""
