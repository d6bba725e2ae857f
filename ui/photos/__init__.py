"""Photos in the console: the thumbnail strip by step, the viewer (zoom, rotate, before/after), attaching by
drop, paste and picker, and the case report PDF. The store itself is Qt-free (`app/photos/`)."""
