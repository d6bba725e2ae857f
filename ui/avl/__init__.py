"""Vehicles and field staff on the console: the map layer, the details of one, the nearest available."""
