"""The map's data and page, Qt-free: layers, the page's HTML, the tile cache."""
