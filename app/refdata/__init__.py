"""Reference data: member units, categories, grids, the responsibility matrix, users, sensors."""
