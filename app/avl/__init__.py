"""Vehicles and field staff (AVL): position reports checked, throttled for the feed, the nearest available
person for a case, and arrival on site. Qt-free: the server, the console and the CLI share it."""
