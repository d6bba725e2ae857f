"""The wall view's figures (the center's video wall), computed from the console's cache. Qt-free."""
